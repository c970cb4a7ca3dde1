// The stack config parser: raw `torchpod:*` values (strings; objects JSON-encoded, as
// pulumi.runtime.allConfig() returns them) → one validated, fully defaulted StackConfig.
// Every problem in the whole config is collected; one StackConfigError lists them all, each as
// `<key path>: got <value>, expected <form>`. Nothing here creates resources.
import * as pulumi from "@pulumi/pulumi";
import { PLATFORM_DEFAULTS } from "../components/defaults";
import { StackConfig, UserConfig } from "./types";
import { closestKey, isDnsLabel, isDnsSubdomain, isLabelValue, isQualifiedName, parseConfigCidr, parseQuantity } from "./validate";
import { Cidr, cidrContainsAddress, isAddress, parseAddress } from "@torchpod/netpol/net";
import {
    AirlockConfig,
    ClusterConfig,
    ExposureConfig,
    GpuConfig,
    GuiConfig,
    KubernetesProviderConfig,
    MlabConfig,
    MlabDatabase,
    MlabProject,
    NamespacesConfig,
    ProbeConfig,
    Resources,
    StorageConfig,
    Toleration,
    TorchpodMode,
} from "../components/settings";
import {
    DESKTOP_PORTS,
    GITEA_HTTP_CONTAINER_PORT,
    GITEA_SSH_CONTAINER_PORT,
    MLAB_ADMIN_USER,
    checkPinnedImage,
    isGiteaReservedName,
} from "@torchpod/contract";
import { modeFor } from "../components/desktop/container";
import { ArgProblem } from "../components/argProblems";
import { resourceProblems } from "../components/desktop/validate";
import { validateTorchPodArgs } from "../components/torchpod.validate";
import { validateAirlockArgs } from "../components/airlock.validate";
import { validateNetworkLockdownArgs } from "../components/networkLockdown.validate";
import { validateProbeArgs } from "../components/enforcementProbe.validate";
import { validateNamespacesArgs } from "../components/namespaces.validate";
import { objectNameProblems } from "./objectNames";
import { checkMlabDatabase } from "../components/mlab/database";

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

export const NAMESPACE = "torchpod";

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
] as const;

const RESOURCE_KEYS = ["cpu", "cpuLimit", "memory", "memoryLimit"] as const;
const USER_KEYS = ["name", "gpus", ...RESOURCE_KEYS, "shm", "home", "image"];
const DEFAULTS_KEYS = ["gpus", ...RESOURCE_KEYS, "shm", "home"];
/** What a name Gitea refuses (as a user or an organisation) is told. */
const GITEA_RESERVED_EXPECTED = `expected a name MLab's Gitea accepts (not one it reserves, such as admin, api, explore, org, repo, user, v2, names ending in .keys/.gpg/.rss/.atom/.png, nor MLab's admin "${MLAB_ADMIN_USER}")`;

const show = (v: unknown): string => (v === undefined ? "nothing" : JSON.stringify(v));

type Obj = Record<string, unknown>;

/** Collects problems; helpers return a usable value (the default) even when reporting one. */
class Checker {
    readonly problems: string[] = [];

    problem(path: string, got: unknown, expected: string): void {
        this.problems.push(`${path}: got ${show(got)}, ${expected}`);
    }

    /** True when a problem was already reported at `path` (or inside it): one message per bad value. */
    reported(path: string): boolean {
        return this.problems.some((p) => p.startsWith(`${path}:`) || p.startsWith(`${path}.`) || p.startsWith(`${path}[`));
    }

    /** A required value is missing, unless its value was already reported as malformed (then it is not "nothing"). */
    required(path: string, expected: string): void {
        if (!this.reported(path)) this.problem(path, undefined, `${expected} (required)`);
    }

    /** An object whose keys are all known; `undefined` stays undefined (use the defaults). */
    object(path: string, value: unknown, known: readonly string[]): Obj | undefined {
        if (value === undefined || value === null) return undefined;
        if (typeof value !== "object" || Array.isArray(value)) {
            this.problem(path, value, `expected an object with keys ${known.join(", ")}`);
            return undefined;
        }
        const obj = value as Obj;
        for (const key of Object.keys(obj)) {
            if (!known.includes(key)) this.unknownKey(`${path}.${key}`, key, obj[key], known);
        }
        return obj;
    }

    unknownKey(path: string, key: string, value: unknown, known: readonly string[]): void {
        const suggestion = closestKey(key, known);
        this.problems.push(
            `${path}: got unknown key "${key}" (value ${show(value)}), expected one of ${known.join(", ")}` +
                (suggestion ? `; did you mean "${suggestion}"?` : ""),
        );
    }

    list(path: string, value: unknown, example: string): unknown[] | undefined {
        if (value === undefined || value === null) return undefined;
        if (!Array.isArray(value)) {
            this.problem(path, value, `expected a list like ${example}`);
            return undefined;
        }
        return value;
    }

    string(path: string, value: unknown, fallback: string, check?: (s: string) => string | undefined): string {
        if (value === undefined || value === null) return fallback;
        if (typeof value !== "string" && typeof value !== "number") {
            this.problem(path, value, "expected a string");
            return fallback;
        }
        const s = String(value);
        const expected = check?.(s);
        if (expected) {
            this.problem(path, value, expected);
            return fallback;
        }
        return s;
    }

    optionalString(path: string, value: unknown, check?: (s: string) => string | undefined): string | undefined {
        if (value === undefined || value === null) return undefined;
        const s = this.string(path, value, "", check);
        return s === "" ? undefined : s;
    }

    integer(path: string, value: unknown, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
        if (value === undefined || value === null) return fallback;
        const n = typeof value === "number" ? value : typeof value === "string" && /^-?\d+$/.test(value.trim()) ? Number(value) : NaN;
        if (!Number.isInteger(n) || n < min || n > max) {
            const range = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `between ${min} and ${max}`;
            this.problem(path, value, `expected an integer ${range}`);
            return fallback;
        }
        return n;
    }

    boolean(path: string, value: unknown, fallback: boolean): boolean {
        if (value === undefined || value === null) return fallback;
        if (typeof value === "boolean") return value;
        if (value === "true" || value === "false") return value === "true";
        this.problem(path, value, "expected true or false");
        return fallback;
    }

    /** A positive Kubernetes quantity ("8Gi", "500m", "2"). */
    quantity(path: string, value: unknown, fallback: string): string {
        return this.string(path, value, fallback, (s) => {
            const q = parseQuantity(s);
            return q === undefined || q <= 0
                ? 'expected a positive Kubernetes quantity such as "16Gi", "512Mi", "500m" or "2" (no space, binary suffixes Ki/Mi/Gi/Ti)'
                : undefined;
        });
    }

    cidrs(
        path: string,
        value: unknown,
        fallback: readonly string[],
        opts: { required?: boolean; nonEmpty?: boolean; forbidAll?: boolean } = {},
    ): { texts: string[]; parsed: Cidr[] } {
        if (value === undefined || value === null) {
            if (opts.required) this.required(path, 'expected a list of CIDRs like ["192.0.2.0/24"]');
            return { texts: [...fallback], parsed: fallback.map((c) => parseConfigCidr(c).cidr!).filter(Boolean) };
        }
        const items = this.list(path, value, '["192.0.2.0/24", "2001:db8::/48"]');
        if (!items) return { texts: [...fallback], parsed: [] };
        if (opts.nonEmpty && items.length === 0) this.problem(path, value, "expected at least one CIDR");
        const texts: string[] = [];
        const parsed: Cidr[] = [];
        items.forEach((item, i) => {
            const p = `${path}[${i}]`;
            if (typeof item !== "string") {
                this.problem(p, item, 'expected a CIDR string like "192.0.2.0/24"');
                return;
            }
            const { cidr, problem } = parseConfigCidr(item);
            if (!cidr) return this.problem(p, item, problem!);
            if (opts.forbidAll && cidr.prefix === 0) {
                return this.problem(
                    p,
                    item,
                    "expected a specific network, not the whole address space (that would open the platform to the internet)",
                );
            }
            texts.push(item);
            parsed.push(cidr);
        });
        return { texts, parsed };
    }

    ip(path: string, value: unknown, fallback: string): string {
        return this.string(path, value, fallback, (s) => (isAddress(s) ? undefined : "expected an IPv4 or IPv6 address"));
    }

    labelMap(path: string, value: unknown, fallback: Readonly<Record<string, string>>): Record<string, string> {
        if (value === undefined || value === null) return { ...fallback };
        if (typeof value !== "object" || Array.isArray(value)) {
            this.problem(path, value, "expected a map of label keys to values");
            return { ...fallback };
        }
        const out: Record<string, string> = {};
        for (const [k, v] of Object.entries(value as Obj)) {
            if (!isQualifiedName(k))
                this.problem(`${path}.${k}`, k, "expected a label key (optional DNS prefix, then a name of at most 63 characters)");
            else if (typeof v !== "string" || !isLabelValue(v))
                this.problem(`${path}.${k}`, v, "expected a label value (a string of at most 63 characters [A-Za-z0-9_.-])");
            else out[k] = v;
        }
        return out;
    }

    image(path: string, value: unknown, fallback: string): string {
        return this.string(path, value, fallback, checkPinnedImage);
    }
}

/** Decodes one raw config value: JSON when it looks like JSON, the plain string otherwise. */
function decode(c: Checker, key: string, raw: string | undefined, kind: "object" | "list" | "scalar"): unknown {
    if (raw === undefined) return undefined;
    const trimmed = raw.trim();
    if (kind === "scalar" && !/^[[{"]/.test(trimmed)) return raw;
    try {
        return JSON.parse(trimmed);
    } catch {
        if (kind === "scalar") return raw;
        c.problem(
            key,
            raw,
            kind === "list"
                ? "expected a list (YAML list in Pulumi.<stack>.yaml, JSON when set on the command line)"
                : "expected an object (YAML map in Pulumi.<stack>.yaml)",
        );
        return undefined;
    }
}

function resources(
    c: Checker,
    path: string,
    obj: Obj | undefined,
    base: { cpu: string; cpuLimit: string; memory: string; memoryLimit: string },
): Resources {
    const r: Resources = {
        cpuRequest: c.quantity(`${path}.cpu`, obj?.cpu, base.cpu),
        cpuLimit: c.quantity(`${path}.cpuLimit`, obj?.cpuLimit, base.cpuLimit),
        memoryRequest: c.quantity(`${path}.memory`, obj?.memory, base.memory),
        memoryLimit: c.quantity(`${path}.memoryLimit`, obj?.memoryLimit, base.memoryLimit),
    };
    return r;
}

/** The config keys of a workload's `resources` argument fields, under `path`. */
function resourceKeys(path: string): Record<string, string> {
    return {
        "resources.cpuRequest": `${path}.cpu`,
        "resources.cpuLimit": `${path}.cpuLimit`,
        "resources.memoryRequest": `${path}.memory`,
        "resources.memoryLimit": `${path}.memoryLimit`,
    };
}

interface UserDefaults {
    readonly gpus: number;
    readonly cpu: string;
    readonly cpuLimit: string;
    readonly memory: string;
    readonly memoryLimit: string;
    readonly shm: string;
    readonly home: string;
    readonly image: string;
}

function parseUsers(c: Checker, raw: unknown, userDefaults: UserDefaults): UserConfig[] {
    const path = `${NAMESPACE}:users`;
    const example = '[{"name": "alice", "gpus": 1}]';
    if (raw === undefined) {
        c.required(path, `expected a list of users like ${example}`);
        return [];
    }
    const items = c.list(path, raw, example);
    if (!items) return [];
    // A platform without users has nothing to lock down for: an empty list is a mistake, not a stack.
    if (items.length === 0) c.problem(path, items, `expected a list of at least one user like ${example}`);
    const users: UserConfig[] = [];
    const seen = new Map<string, number>();
    items.forEach((item, i) => {
        const p = `${path}[${i}]`;
        if (typeof item !== "object" || item === null || Array.isArray(item)) {
            c.problem(p, item, 'expected an object like {"name": "alice", "gpus": 1}');
            return;
        }
        const obj = c.object(p, item, USER_KEYS)!;
        let name = "";
        if (obj.name === undefined || obj.name === null) c.required(`${p}.name`, "expected a user name");
        else {
            // The login rules are TorchPod's (validateTorchPodArgs); every user also gets an MLab account,
            // and a name Gitea refuses would fail only in the reconciler Job.
            name = c.string(`${p}.name`, obj.name, "", (s) => (isGiteaReservedName(s) ? GITEA_RESERVED_EXPECTED : undefined));
        }
        if (name) {
            if (seen.has(name)) c.problem(`${p}.name`, name, `expected a unique user name (already used by ${path}[${seen.get(name)}])`);
            else seen.set(name, i);
        }
        users.push({
            name,
            gpus: c.integer(`${p}.gpus`, obj.gpus, userDefaults.gpus, 0),
            resources: resources(c, p, obj, userDefaults),
            shmSize: c.quantity(`${p}.shm`, obj.shm, userDefaults.shm),
            homeSize: c.quantity(`${p}.home`, obj.home, userDefaults.home),
            image: c.image(`${p}.image`, obj.image, userDefaults.image),
        });
    });
    return users;
}

function parseGui(c: Checker, raw: unknown): GuiConfig {
    const path = `${NAMESPACE}:gui`;
    const obj = c.object(path, raw, ["rdp", "browser", "vnc", "proxyImage"]);
    const gui: GuiConfig = {
        rdp: c.boolean(`${path}.rdp`, obj?.rdp, PLATFORM_DEFAULTS.gui.rdp),
        browser: c.boolean(`${path}.browser`, obj?.browser, PLATFORM_DEFAULTS.gui.browser),
        vnc: c.boolean(`${path}.vnc`, obj?.vnc, PLATFORM_DEFAULTS.gui.vnc),
        proxyImage: c.image(`${path}.proxyImage`, obj?.proxyImage, PLATFORM_DEFAULTS.gui.proxyImage),
    };
    return gui;
}

/** The image's `TORCHPOD_MODE` the enabled GUIs need: xrdp for RDP, Xvnc for the browser and raw VNC. */

function parseMode(c: Checker, raw: unknown, gui: GuiConfig): TorchpodMode {
    const path = `${NAMESPACE}:mode`;
    const needed = modeFor(gui);
    // "auto" is Pulumi.yaml's declared default: the mode the enabled GUIs need.
    if (raw === undefined || raw === "auto") return needed;
    const modes: TorchpodMode[] = ["VNC", "RDP", "VNCRDP"];
    if (typeof raw !== "string" || !modes.includes(raw as TorchpodMode)) {
        c.problem(path, raw, `expected one of auto, ${modes.join(", ")} (default auto: derived from torchpod:gui, here ${needed})`);
        return needed;
    }
    // Whether the mode serves the enabled GUIs is the desktops' rule (validateDesktopArgs).
    return raw as TorchpodMode;
}

function parseExposure(c: Checker, raw: unknown): ExposureConfig {
    const path = `${NAMESPACE}:exposure`;
    const obj: Obj | undefined = typeof raw === "string" ? { type: raw } : c.object(path, raw, ["type", "annotations"]);
    const typePath = typeof raw === "string" ? path : `${path}.type`;
    let type: ExposureConfig["type"] = PLATFORM_DEFAULTS.exposure.type;
    if (obj?.type !== undefined) {
        if (obj.type === "ClusterIP" || obj.type === "LoadBalancer") type = obj.type;
        else if (obj.type === "NodePort")
            c.problem(
                typePath,
                obj.type,
                'expected "ClusterIP" or "LoadBalancer" (NodePort opens the port on every node, bypassing loadBalancerSourceRanges; never allowed)',
            );
        else c.problem(typePath, obj.type, 'expected "ClusterIP" or "LoadBalancer"');
    }
    let annotations: Record<string, string> = { ...PLATFORM_DEFAULTS.exposure.annotations };
    if (obj?.annotations !== undefined) {
        if (typeof obj.annotations !== "object" || obj.annotations === null || Array.isArray(obj.annotations)) {
            c.problem(`${path}.annotations`, obj.annotations, "expected a map of annotation keys to string values");
        } else {
            annotations = {};
            for (const [k, v] of Object.entries(obj.annotations as Obj)) {
                if (!isQualifiedName(k))
                    c.problem(`${path}.annotations.${k}`, k, "expected an annotation key (optional DNS prefix, then a name)");
                else if (typeof v !== "string") c.problem(`${path}.annotations.${k}`, v, "expected a string");
                else annotations[k] = v;
            }
        }
    }
    return { type, annotations };
}

function parseNamespaces(c: Checker, raw: unknown): NamespacesConfig {
    const path = `${NAMESPACE}:namespaces`;
    const obj = c.object(path, raw, ["torchpods", "mlab"]);
    // The naming rules are the Namespaces component's (validateNamespacesArgs).
    return {
        torchpods: c.string(`${path}.torchpods`, obj?.torchpods, PLATFORM_DEFAULTS.namespaces.torchpods),
        mlab: c.string(`${path}.mlab`, obj?.mlab, PLATFORM_DEFAULTS.namespaces.mlab),
    };
}

function parseStorage(c: Checker, raw: unknown): StorageConfig {
    const path = `${NAMESPACE}:storage`;
    const obj = c.object(path, raw, ["homeClass", "airlockClass", "airlockSize", "mlabClass", "mlabSize"]);
    const cls = (key: string) =>
        c.optionalString(`${path}.${key}`, obj?.[key], (s) =>
            isDnsSubdomain(s) ? undefined : "expected a StorageClass name (DNS-1123 subdomain)",
        );
    return {
        homeClass: cls("homeClass"),
        airlockClass: cls("airlockClass"),
        airlockSize: c.quantity(`${path}.airlockSize`, obj?.airlockSize, PLATFORM_DEFAULTS.storage.airlockSize),
        mlabClass: cls("mlabClass"),
        mlabSize: c.quantity(`${path}.mlabSize`, obj?.mlabSize, PLATFORM_DEFAULTS.storage.mlabSize),
    };
}

function parseTolerations(c: Checker, path: string, raw: unknown): Toleration[] {
    if (raw === undefined || raw === null) return PLATFORM_DEFAULTS.gpu.tolerations.map((t) => ({ ...t }));
    const items = c.list(path, raw, '[{"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"}]');
    if (!items) return [];
    const out: Toleration[] = [];
    items.forEach((item, i) => {
        const p = `${path}[${i}]`;
        const obj = c.object(p, item, ["key", "operator", "value", "effect", "tolerationSeconds"]);
        if (!obj) return;
        const operator = c.string(`${p}.operator`, obj.operator, "Equal", (s) =>
            s === "Exists" || s === "Equal" ? undefined : 'expected "Exists" or "Equal"',
        );
        const effect = c.optionalString(`${p}.effect`, obj.effect, (s) =>
            ["NoSchedule", "PreferNoSchedule", "NoExecute"].includes(s)
                ? undefined
                : 'expected "NoSchedule", "PreferNoSchedule" or "NoExecute"',
        );
        const key = c.optionalString(`${p}.key`, obj.key, (s) => (isQualifiedName(s) ? undefined : "expected a taint key"));
        const value = c.optionalString(`${p}.value`, obj.value);
        if (operator === "Exists" && value !== undefined) c.problem(`${p}.value`, value, "expected no value with operator Exists");
        const t: Toleration = {
            ...(key !== undefined ? { key } : {}),
            operator: operator as Toleration["operator"],
            ...(value !== undefined ? { value } : {}),
            ...(effect !== undefined ? { effect: effect as Toleration["effect"] } : {}),
            ...(obj.tolerationSeconds !== undefined
                ? { tolerationSeconds: c.integer(`${p}.tolerationSeconds`, obj.tolerationSeconds, 0, 0) }
                : {}),
        };
        out.push(t);
    });
    return out;
}

function parseGpu(c: Checker, raw: unknown, users: readonly UserConfig[]): GpuConfig {
    const path = `${NAMESPACE}:gpu`;
    const obj = c.object(path, raw, ["resourceName", "nodeSelector", "tolerations", "quota"]);
    const gpu: GpuConfig = {
        resourceName: c.string(`${path}.resourceName`, obj?.resourceName, PLATFORM_DEFAULTS.gpu.resourceName, (s) =>
            isQualifiedName(s) && s.includes("/") ? undefined : 'expected an extended resource name with a domain, like "nvidia.com/gpu"',
        ),
        nodeSelector: c.labelMap(`${path}.nodeSelector`, obj?.nodeSelector, PLATFORM_DEFAULTS.gpu.nodeSelector),
        tolerations: parseTolerations(c, `${path}.tolerations`, obj?.tolerations),
        ...(obj?.quota !== undefined ? { quota: c.integer(`${path}.quota`, obj.quota, 0, 0) } : {}),
    };
    const total = users.reduce((n, u) => n + u.gpus, 0);
    if (gpu.quota !== undefined && gpu.quota < total) {
        c.problem(`${path}.quota`, gpu.quota, `expected at least ${total}, the GPUs the users ask for together (or no quota)`);
    }
    return gpu;
}

function parseCluster(c: Checker, raw: unknown): ClusterConfig {
    const path = `${NAMESPACE}:cluster`;
    const obj = c.object(path, raw, [
        "podCidrs",
        "serviceCidrs",
        "dnsNamespace",
        "dnsPodLabels",
        "dnsServiceIp",
        "apiServerIp",
        "controlPlaneCidrs",
    ]);
    const pods = c.cidrs(`${path}.podCidrs`, obj?.podCidrs, PLATFORM_DEFAULTS.cluster.podCidrs, { nonEmpty: true });
    const services = c.cidrs(`${path}.serviceCidrs`, obj?.serviceCidrs, PLATFORM_DEFAULTS.cluster.serviceCidrs, { nonEmpty: true });
    const controlPlane = c.cidrs(`${path}.controlPlaneCidrs`, obj?.controlPlaneCidrs, PLATFORM_DEFAULTS.cluster.controlPlaneCidrs, {
        forbidAll: true,
    });
    const inServices = (key: "dnsServiceIp" | "apiServerIp") => {
        const value = c.ip(`${path}.${key}`, obj?.[key], PLATFORM_DEFAULTS.cluster[key]);
        const ip = parseAddress(value);
        if (ip && services.parsed.length > 0 && !services.parsed.some((s) => cidrContainsAddress(s, ip)) && obj?.[key] !== undefined) {
            c.problem(`${path}.${key}`, value, `expected an address inside serviceCidrs (${services.texts.join(", ")})`);
        } else if (ip && services.parsed.length > 0 && !services.parsed.some((s) => cidrContainsAddress(s, ip))) {
            c.problem(
                `${path}.${key}`,
                undefined,
                `expected it set: the default ${value} is outside serviceCidrs (${services.texts.join(", ")})`,
            );
        }
        return value;
    };
    return {
        podCidrs: pods.texts,
        serviceCidrs: services.texts,
        dnsNamespace: c.string(`${path}.dnsNamespace`, obj?.dnsNamespace, PLATFORM_DEFAULTS.cluster.dnsNamespace, (s) =>
            isDnsLabel(s) ? undefined : "expected a namespace name (DNS-1123 label)",
        ),
        dnsPodLabels: c.labelMap(`${path}.dnsPodLabels`, obj?.dnsPodLabels, PLATFORM_DEFAULTS.cluster.dnsPodLabels),
        dnsServiceIp: inServices("dnsServiceIp"),
        apiServerIp: inServices("apiServerIp"),
        controlPlaneCidrs: controlPlane.texts,
        dualStack: [...pods.parsed, ...services.parsed].some((p) => p.family === 6),
    };
}

function parseKubernetes(c: Checker, raw: unknown): KubernetesProviderConfig {
    const path = `${NAMESPACE}:kubernetes`;
    const obj = c.object(path, raw, ["context", "kubeconfig"]);
    const context = c.optionalString(`${path}.context`, obj?.context);
    const kubeconfig = c.optionalString(`${path}.kubeconfig`, obj?.kubeconfig);
    return { ...(context ? { context } : {}), ...(kubeconfig ? { kubeconfig } : {}) };
}

function parseAirlock(c: Checker, raw: unknown): AirlockConfig {
    const path = `${NAMESPACE}:airlock`;
    const obj = c.object(path, raw, [...RESOURCE_KEYS, "shm", "sftpPort", "user"]);
    // The login, port and /dev/shm rules are the Airlock's (validateAirlockArgs).
    return {
        resources: resources(c, path, obj, PLATFORM_DEFAULTS.airlock),
        shmSize: c.quantity(`${path}.shm`, obj?.shm, PLATFORM_DEFAULTS.airlock.shm),
        sftpPort: c.integer(`${path}.sftpPort`, obj?.sftpPort, PLATFORM_DEFAULTS.airlock.sftpPort, 1, 65535),
        user: c.string(`${path}.user`, obj?.user, PLATFORM_DEFAULTS.airlock.user),
    };
}

const GITEA_OWNER = /^[A-Za-z0-9](?:[A-Za-z0-9_.-]{0,38}[A-Za-z0-9])?$/;
const GITEA_REPO = /^[A-Za-z0-9_.-]{1,100}$/;

function hostAllowed(host: string, allowed: readonly string[]): boolean {
    return allowed.some((a) => (a.startsWith("*.") ? host.endsWith(a.slice(1)) : host === a));
}

function parseMlab(c: Checker, raw: unknown, users: readonly UserConfig[]): MlabConfig {
    const path = `${NAMESPACE}:mlab`;
    const obj = c.object(path, raw, [
        "image",
        "host",
        "httpPort",
        "sshPort",
        "projects",
        "migrationAllowedHosts",
        "database",
        "reconcilerImage",
        ...RESOURCE_KEYS,
    ]);
    const d = PLATFORM_DEFAULTS.mlab;

    let allowedHosts: string[] = [...d.migrationAllowedHosts];
    if (obj?.migrationAllowedHosts !== undefined) {
        const items = c.list(`${path}.migrationAllowedHosts`, obj.migrationAllowedHosts, '["github.com"]');
        if (items) {
            allowedHosts = [];
            items.forEach((h, i) => {
                const p = `${path}.migrationAllowedHosts[${i}]`;
                const ok = typeof h === "string" && isDnsSubdomain(h.startsWith("*.") ? h.slice(2) : h) && h.includes(".") && !isAddress(h);
                if (!ok)
                    c.problem(
                        p,
                        h,
                        'expected a public host name like "github.com" or "*.example.org" (no "*", no IP addresses: never local networks)',
                    );
                else if (/(^|\.)(local|localhost|internal|cluster\.local|svc)$/.test(h))
                    c.problem(p, h, "expected a public host name, not a local one");
                else allowedHosts.push(h);
            });
        }
    }

    const projects: MlabProject[] = [];
    const projectItems =
        c.list(`${path}.projects`, obj?.projects, '[{"name": "deepvac/deepvac", "upstream": "https://github.com/DeepVAC/deepvac"}]') ?? [];
    const seenProjects = new Map<string, number>();
    projectItems.forEach((item, i) => {
        const p = `${path}.projects[${i}]`;
        if (typeof item !== "object" || item === null || Array.isArray(item)) {
            c.problem(p, item, 'expected an object like {"name": "deepvac/deepvac", "upstream": "https://github.com/DeepVAC/deepvac"}');
            return;
        }
        const o = c.object(p, item, ["name", "upstream"])!;
        const name = c.string(`${p}.name`, o.name, "", (s) => {
            const parts = s.split("/");
            const ok =
                parts.length === 2 &&
                GITEA_OWNER.test(parts[0]) &&
                GITEA_REPO.test(parts[1]) &&
                parts[1] !== "." &&
                parts[1] !== ".." &&
                !parts[1].endsWith(".git") &&
                !/[._-]{2}/.test(parts[0]);
            return ok
                ? undefined
                : "expected \"owner/repo\" (owner: letters, digits, '-', '_', '.', starting and ending alphanumeric; repo: letters, digits, '-', '_', '.', not ending in .git)";
        });
        if (o.name === undefined) c.problem(`${p}.name`, undefined, 'expected "owner/repo" (required)');
        if (name) {
            const key = name.toLowerCase();
            const owner = key.split("/")[0];
            // Gitea users and organisations share one namespace of names, case-insensitively.
            const userIndex = users.findIndex((u) => u.name === owner);
            if (seenProjects.has(key))
                c.problem(`${p}.name`, name, `expected a unique project (already ${path}.projects[${seenProjects.get(key)}])`);
            else if (isGiteaReservedName(owner)) c.problem(`${p}.name`, name, GITEA_RESERVED_EXPECTED.replace("a name", "an owner"));
            else if (userIndex >= 0)
                c.problem(
                    `${p}.name`,
                    name,
                    `expected an owner that is not also a user (${NAMESPACE}:users[${userIndex}]): in Gitea an organisation cannot share a user's name`,
                );
            else seenProjects.set(key, i);
        }
        const upstream = c.optionalString(`${p}.upstream`, o.upstream, (s) => {
            let url: URL;
            try {
                url = new URL(s);
            } catch {
                return 'expected an https URL like "https://github.com/DeepVAC/deepvac"';
            }
            if (url.protocol !== "https:") return "expected an https URL (no http, ssh, git or file URLs)";
            if (url.username || url.password) return "expected a URL without credentials";
            if (url.port) return "expected a URL without a port";
            if (!hostAllowed(url.hostname, allowedHosts))
                return `expected a host in ${path}.migrationAllowedHosts (${allowedHosts.join(", ") || "empty"})`;
            if (url.pathname.split("/").filter(Boolean).length < 2) return 'expected a repository URL "https://<host>/<owner>/<repo>"';
            return undefined;
        });
        if (name) {
            const [owner, repo] = name.split("/");
            projects.push({ owner, repo, ...(upstream ? { upstream } : {}) });
        }
    });

    const httpPort = c.integer(`${path}.httpPort`, obj?.httpPort, d.httpPort, 1, 65535);
    const sshPort = c.integer(`${path}.sshPort`, obj?.sshPort, d.sshPort, 1, 65535);
    if (httpPort === sshPort) {
        // Name the key the stack set (the other one took its default).
        if (obj?.sshPort === undefined)
            c.problem(`${path}.httpPort`, obj?.httpPort, `expected a port other than sshPort (${sshPort}): MLab's Service serves both`);
        else c.problem(`${path}.sshPort`, obj.sshPort, `expected a port other than httpPort (${httpPort}): MLab's Service serves both`);
    }
    return {
        image: c.image(`${path}.image`, obj?.image, d.image),
        host: c.string(`${path}.host`, obj?.host, d.host, (s) =>
            isDnsSubdomain(s) && s.includes(".")
                ? undefined
                : 'expected a host name with a domain (DNS-1123 subdomain) like "mlab.example.internal"',
        ),
        httpPort,
        sshPort,
        projects,
        migrationAllowedHosts: allowedHosts,
        database: parseDatabase(c, `${path}.database`, obj?.database),
        reconcilerImage: c.image(`${path}.reconcilerImage`, obj?.reconcilerImage, d.reconcilerImage),
        resources: resources(c, path, obj, d),
    };
}

function parseDatabase(c: Checker, path: string, raw: unknown): MlabDatabase {
    if (raw === undefined || raw === null || raw === "sqlite") return { type: "sqlite" };
    const typeOf = typeof raw === "object" && !Array.isArray(raw) ? (raw as Obj).type : undefined;
    if (typeOf === "sqlite" || (typeOf === undefined && typeof raw === "object")) {
        c.object(path, raw, ["type"]);
        return { type: "sqlite" };
    }
    if (typeOf !== "postgres") {
        c.problem(typeOf === undefined ? path : `${path}.type`, typeOf ?? raw, 'expected "sqlite" (default) or "postgres"');
        return { type: "sqlite" };
    }
    const obj = c.object(path, raw, ["type", "host", "address", "name", "user", "passwordSecret", "sslMode"])!;
    const required = (key: string, check?: (s: string) => string | undefined) => {
        if (obj[key] === undefined) c.problem(`${path}.${key}`, undefined, "expected a value (required for postgres)");
        return c.string(`${path}.${key}`, obj[key], "", check);
    };
    const secret = c.object(`${path}.passwordSecret`, obj.passwordSecret, ["name", "key"]);
    if (!secret && !c.reported(`${path}.passwordSecret`))
        c.problem(
            `${path}.passwordSecret`,
            obj.passwordSecret,
            'expected {"name": <Secret in the MLab namespace>, "key": <key>} (required for postgres)',
        );
    const address = obj.address === undefined ? undefined : c.string(`${path}.address`, obj.address, "");
    const database: MlabDatabase = {
        type: "postgres",
        host: required("host", (s) => (/^[A-Za-z0-9.-]+(:\d{1,5})?$/.test(s) ? undefined : "expected host or host:port")),
        ...(address !== undefined ? { address } : {}),
        name: required("name"),
        user: required("user"),
        passwordSecret: {
            name: c.string(`${path}.passwordSecret.name`, secret?.name, "", (s) =>
                isDnsSubdomain(s) ? undefined : "expected a Secret name",
            ),
            key: c.string(`${path}.passwordSecret.key`, secret?.key, "password"),
        },
        sslMode: c.string(`${path}.sslMode`, obj.sslMode, PLATFORM_DEFAULTS.mlab.postgresSslMode, (s) =>
            ["disable", "require", "verify-ca", "verify-full"].includes(s)
                ? undefined
                : "expected disable, require, verify-ca or verify-full",
        ),
    };
    // MLab has no DNS: the server must be reachable by IP (host itself, or address through hostAliases).
    const unreachable = database.host ? checkMlabDatabase(database) : undefined;
    if (unreachable) c.problem(`${path}.${unreachable.key}`, unreachable.got, unreachable.expected);
    return database;
}

function parseProbe(c: Checker, raw: unknown): ProbeConfig {
    const path = `${NAMESPACE}:probe`;
    const obj = c.object(path, raw, ["enabled", "image", "internetAddress", "timeoutSeconds"]);
    return {
        enabled: c.boolean(`${path}.enabled`, obj?.enabled, PLATFORM_DEFAULTS.probe.enabled),
        image: c.image(`${path}.image`, obj?.image, PLATFORM_DEFAULTS.probe.image),
        // That it is a public address is the probe's rule (validateProbeArgs).
        internetAddress: c.string(`${path}.internetAddress`, obj?.internetAddress, PLATFORM_DEFAULTS.probe.internetAddress),
        timeoutSeconds: c.integer(`${path}.timeoutSeconds`, obj?.timeoutSeconds, PLATFORM_DEFAULTS.probe.timeoutSeconds, 1, 120),
    };
}

/**
 * Reports a component's problems against the config keys its arguments came from (`keys` maps an
 * argument path, or its first segment, to a key without the `torchpod:` prefix). A problem whose key
 * the parser already reported is left out: one message per bad value.
 */
function report(c: Checker, problems: readonly ArgProblem[], keys: Readonly<Record<string, string>>): void {
    for (const p of problems) {
        const head = p.field.split(/[.[]/)[0];
        const mapped = keys[p.field] ?? (keys[head] !== undefined ? keys[head] + p.field.slice(head.length) : p.field);
        const key = `${NAMESPACE}:${mapped}`;
        if (c.problems.some((q) => q.startsWith(`${key}:`) || q.startsWith(`${key}.`) || q.startsWith(`${key}[`))) continue;
        c.problem(key, p.got, p.expected);
    }
}

/**
 * Every component's own check, over the arguments the platform will give it: a config that breaks a
 * component's rule is refused here, before any resource exists, instead of halfway through an update.
 */
function checkComponents(c: Checker, config: StackConfig): void {
    report(c, resourceProblems(config.mlab.resources), resourceKeys("mlab"));
    report(c, validateNamespacesArgs({ names: config.namespaces }), { names: "namespaces" });
    const desktop = { gui: config.gui, mode: config.mode, exposure: config.exposure, officeCidrs: config.officeCidrs };
    config.users.forEach((user, i) => {
        const at = `users[${i}]`;
        report(
            c,
            validateTorchPodArgs({
                ...desktop,
                user: user.name,
                image: user.image,
                gpus: user.gpus,
                resources: user.resources,
                shmSize: user.shmSize,
            }),
            {
                user: `${at}.name`,
                image: `${at}.image`,
                gpus: `${at}.gpus`,
                shmSize: `${at}.shm`,
                ...resourceKeys(at),
                gui: "gui",
                mode: "mode",
            },
        );
    });
    const airlock = config.airlock;
    report(
        c,
        validateAirlockArgs({
            ...desktop,
            user: airlock.user,
            image: config.image,
            resources: airlock.resources,
            shmSize: airlock.shmSize,
            sftpPort: airlock.sftpPort,
        }),
        {
            user: "airlock.user",
            image: "image",
            shmSize: "airlock.shm",
            sftpPort: "airlock.sftpPort",
            ...resourceKeys("airlock"),
            gui: "gui",
            mode: "mode",
        },
    );
    report(
        c,
        validateNetworkLockdownArgs({
            officeCidrs: config.officeCidrs,
            cluster: config.cluster,
            mlabPorts: { http: GITEA_HTTP_CONTAINER_PORT, ssh: GITEA_SSH_CONTAINER_PORT },
            airlockSftpContainerPort: DESKTOP_PORTS.sftp,
        }),
        { officeCidrs: "officeCidrs", cluster: "cluster" },
    );
    report(
        c,
        validateProbeArgs({
            config: config.probe,
            cluster: config.cluster,
            mlab: { port: config.mlab.httpPort, sshPort: config.mlab.sshPort },
            airlock: { port: config.airlock.sftpPort },
        }),
        {
            config: "probe",
            cluster: "cluster",
            "mlab.port": "mlab.httpPort",
            "mlab.sshPort": "mlab.sshPort",
            "airlock.port": "airlock.sftpPort",
        },
    );
    report(c, objectNameProblems(config), {});
}

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
    const get = (key: (typeof TOP_LEVEL_KEYS)[number], kind: "object" | "list" | "scalar") =>
        decode(c, `${NAMESPACE}:${key}`, values[key], kind);

    const image = c.image(`${NAMESPACE}:image`, get("image", "scalar"), PLATFORM_DEFAULTS.image);
    const defaultsPath = `${NAMESPACE}:defaults`;
    const defaultsObj = c.object(defaultsPath, get("defaults", "object"), DEFAULTS_KEYS);
    const defaultResources = resources(c, defaultsPath, defaultsObj, PLATFORM_DEFAULTS.user);
    report(c, resourceProblems(defaultResources), resourceKeys("defaults"));
    const userDefaults: UserDefaults = {
        gpus: c.integer(`${defaultsPath}.gpus`, defaultsObj?.gpus, PLATFORM_DEFAULTS.user.gpus, 0),
        cpu: defaultResources.cpuRequest,
        cpuLimit: defaultResources.cpuLimit,
        memory: defaultResources.memoryRequest,
        memoryLimit: defaultResources.memoryLimit,
        shm: c.quantity(`${defaultsPath}.shm`, defaultsObj?.shm, PLATFORM_DEFAULTS.user.shm),
        home: c.quantity(`${defaultsPath}.home`, defaultsObj?.home, PLATFORM_DEFAULTS.user.home),
        image,
    };
    const users = parseUsers(c, get("users", "list"), userDefaults);
    const exposure = parseExposure(c, get("exposure", "scalar"));
    const officeCidrs = c.cidrs(`${NAMESPACE}:officeCidrs`, get("officeCidrs", "list"), [], { required: true });
    const gui = parseGui(c, get("gui", "object"));
    const mode = parseMode(c, get("mode", "scalar"), gui);
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
        gpu: parseGpu(c, get("gpu", "object"), users),
        cluster: parseCluster(c, get("cluster", "object")),
        kubernetes: parseKubernetes(c, get("kubernetes", "object")),
        airlock: parseAirlock(c, get("airlock", "object")),
        mlab: parseMlab(c, get("mlab", "object"), users),
        probe: parseProbe(c, get("probe", "object")),
    };
    checkComponents(c, config);
    if (c.problems.length > 0) throw new StackConfigError(stack, c.problems);
    return config;
}

/** Reads the running stack's config (`pulumi.runtime.allConfig()`) and parses it. */
export function loadStackConfig(): StackConfig {
    return parseStackConfig(pulumi.runtime.allConfig(), pulumi.getStack());
}
