// The stack config parser: raw `torchpod:*` values (strings; objects JSON-encoded, as
// pulumi.runtime.allConfig() returns them) → one validated, fully defaulted StackConfig.
// Every problem in the whole config is collected; one StackConfigError lists them all, each as
// `<key path>: got <value>, expected <form>`. Nothing here creates resources.
//
// One file per top-level section under sections/ reads and checks that section's values (with the
// shared Checker, ./checker.ts); ./componentChecks.ts then runs every component's own check over the
// result. A new key: declare it in TOP_LEVEL_KEYS and Pulumi.yaml, parse it in its section file, add
// it to StackConfig (./types.ts), and add any component check to ./componentChecks.ts.
import * as pulumi from "@pulumi/pulumi";
import { PLATFORM_DEFAULTS } from "../components/common/defaults";
import { StackConfig } from "./types";
import { Checker, NAMESPACE, decode } from "./checker";
import { checkComponents } from "./componentChecks";
import { parseUserDefaults } from "./sections/userDefaults";
import { parseUsers } from "./sections/users";
import { parseExposure } from "./sections/exposure";
import { parseGui, parseMode } from "./sections/gui";
import { parseNamespaces } from "./sections/namespaces";
import { parseStorage } from "./sections/storage";
import { checkGpuQuota, parseGpu } from "./sections/gpu";
import { parseCluster } from "./sections/cluster";
import { parseKubernetes } from "./sections/kubernetes";
import { parseAirlock } from "./sections/airlock";
import { parseMlab } from "./sections/mlab";
import { parseProbe } from "./sections/probe";
import { parseSchedule } from "./sections/schedule";

export { NAMESPACE } from "./checker";

/**
 * Thrown when the stack config is invalid; `problems` holds one line per problem. A RunError, so the
 * Pulumi CLI prints the message alone (no stack trace): one clear error listing every problem.
 */
export class StackConfigError extends pulumi.RunError {
    constructor(
        readonly stack: string,
        readonly problems: readonly string[],
    ) {
        super(
            `invalid stack config for stack "${stack}" (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n` +
                problems.map((p) => `  - ${p}`).join("\n"),
        );
        this.name = "StackConfigError";
    }
}

/** The top-level keys, without the `torchpod:` prefix. */
export const TOP_LEVEL_KEYS = [
    "users",
    "officeCidrs",
    "image",
    "mode",
    "gui",
    "exposure",
    "namespaces",
    "storage",
    "defaults",
    "gpu",
    "cluster",
    "kubernetes",
    "airlock",
    "mlab",
    "probe",
    "schedule",
] as const;

export type TopLevelKey = (typeof TOP_LEVEL_KEYS)[number];

/**
 * Parses and validates the raw config map (`torchpod:*` keys; other namespaces are ignored).
 * Throws one StackConfigError listing every problem; returns a fully defaulted StackConfig otherwise.
 */
export function parseStackConfig(raw: Record<string, string>, stack: string): StackConfig {
    const c = new Checker();
    const values: Record<string, string> = {};
    for (const [key, value] of Object.entries(raw)) {
        if (!key.startsWith(`${NAMESPACE}:`)) continue;
        const name = key.slice(NAMESPACE.length + 1);
        if (!(TOP_LEVEL_KEYS as readonly string[]).includes(name)) c.unknownKey(key, name, value, TOP_LEVEL_KEYS);
        else values[name] = value;
    }
    const get = (key: TopLevelKey, kind: "object" | "list" | "scalar") => decode(c, `${NAMESPACE}:${key}`, values[key], kind);

    // The order of the calls is the order of the messages.
    const image = c.image(`${NAMESPACE}:image`, get("image", "scalar"), PLATFORM_DEFAULTS.image);
    const userDefaults = parseUserDefaults(c, get("defaults", "object"), image);
    const gpu = parseGpu(c, get("gpu", "object"));
    const users = parseUsers(c, get("users", "list"), userDefaults, gpu.config);
    checkGpuQuota(c, gpu, users);
    const exposure = parseExposure(c, get("exposure", "scalar"));
    const officeCidrs = c.cidrs(`${NAMESPACE}:officeCidrs`, get("officeCidrs", "list"), [], { required: true });
    const gui = parseGui(c, get("gui", "object"));
    const mode = parseMode(c, get("mode", "scalar"), gui);
    const schedule = parseSchedule(c, get("schedule", "object"));
    const config: StackConfig = {
        stack,
        image,
        mode,
        users,
        officeCidrs: officeCidrs.texts,
        gui,
        exposure,
        namespaces: parseNamespaces(c, get("namespaces", "object")),
        storage: parseStorage(c, get("storage", "object")),
        gpu: gpu.config,
        cluster: parseCluster(c, get("cluster", "object")),
        kubernetes: parseKubernetes(c, get("kubernetes", "object")),
        airlock: parseAirlock(c, get("airlock", "object")),
        mlab: parseMlab(c, get("mlab", "object"), users),
        probe: parseProbe(c, get("probe", "object")),
        ...(schedule ? { schedule } : {}),
    };

    checkComponents(c, config);
    if (c.problems.length > 0) throw new StackConfigError(stack, c.problems);
    return config;
}

/** Reads the running stack's config (`pulumi.runtime.allConfig()`) and parses it. */
export function loadStackConfig(): StackConfig {
    return parseStackConfig(pulumi.runtime.allConfig(), pulumi.getStack());
}
