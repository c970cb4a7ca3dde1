// The stacks the benchmarks measure: the dev stack's config (Pulumi.dev.yaml) with a synthetic team.
import * as fs from "fs";
import * as path from "path";
import * as yaml from "js-yaml";

const repoRoot = path.resolve(__dirname, "../..");

/** The dev stack's config as Pulumi.dev.yaml holds it (key → parsed value). */
export function devStackConfig(root = repoRoot): Record<string, unknown> {
    const doc = yaml.load(fs.readFileSync(path.join(root, "Pulumi.dev.yaml"), "utf8")) as { config?: Record<string, unknown> };
    return { ...(doc?.config ?? {}) };
}

/** The dev stack's config with `users` synthetic users (GPUs cycling 0..2) and a GPU quota that fits them. */
export function syntheticStackConfig(users: number, root = repoRoot): Record<string, unknown> {
    const config = devStackConfig(root);
    const list = Array.from({ length: users }, (_, i) => ({ name: `user${String(i).padStart(4, "0")}`, gpus: i % 3 }));
    config["torchpod:users"] = list;
    // The dev stack's GPU quota fits three users; a synthetic team gets one that fits it.
    const gpu = config["torchpod:gpu"] as { quota?: number } | undefined;
    if (gpu?.quota !== undefined) config["torchpod:gpu"] = { ...gpu, quota: list.reduce((sum, u) => sum + u.gpus, 0) };
    return config;
}

/** The same as the offline engine reads a stack file: strings as they are, everything else as JSON. */
export function syntheticConfig(users: number): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [key, value] of Object.entries(syntheticStackConfig(users)))
        out[key] = typeof value === "string" ? value : JSON.stringify(value);
    return out;
}
