// What a stack's GPUs and suspended users come to, from its config alone: the stack outputs and
// render's summary both say it, in the same words.
import type { StackConfig } from "./types";

/** One GPU kind (extended resource name) of a stack. */
export interface GpuKindSummary {
    /** GPUs the users who are not suspended request: what the kind's pods hold when they run. */
    readonly running: number;
    /** GPUs suspended users would request when resumed; they count against no quota meanwhile. */
    readonly suspended: number;
    /** The kind's `gpu.quota` entry, when it has one. */
    readonly quota?: number;
}

/** GPUs by kind: every kind a user asks for or the quota bounds, in name order. */
export function gpusByKind(config: StackConfig): Record<string, GpuKindSummary> {
    const kinds = new Map<string, { running: number; suspended: number }>();
    const entry = (kind: string) => kinds.get(kind) ?? kinds.set(kind, { running: 0, suspended: 0 }).get(kind)!;
    for (const kind of Object.keys(config.gpu.quota ?? {})) entry(kind);
    for (const u of config.users) {
        if (u.gpus === 0) continue;
        const e = entry(u.gpuResource);
        if (u.suspended) e.suspended += u.gpus;
        else e.running += u.gpus;
    }
    return Object.fromEntries(
        [...kinds.keys()].sort().map((kind) => {
            const quota = config.gpu.quota?.[kind];
            return [kind, { ...kinds.get(kind)!, ...(quota !== undefined ? { quota } : {}) }];
        }),
    );
}

/** The suspended users' names, in config order. */
export function suspendedUsers(config: StackConfig): string[] {
    return config.users.filter((u) => u.suspended).map((u) => u.name);
}

/** One line per kind: `nvidia.com/gpu: 3 running, 2 suspended, quota 4`. */
export function gpuKindLines(config: StackConfig): string[] {
    return Object.entries(gpusByKind(config)).map(
        ([kind, k]) =>
            `${kind}: ${k.running} running` +
            (k.suspended > 0 ? `, ${k.suspended} suspended` : "") +
            (k.quota !== undefined ? `, quota ${k.quota}` : ""),
    );
}
