// torchpod:gpu: the default GPU kind, where GPU TorchPods run, and the namespace's GPU quota per kind.
import { PLATFORM_DEFAULTS } from "../../components/common/defaults";
import { GpuConfig, Toleration } from "../../components/common/settings";
import { Checker, NAMESPACE, Obj } from "../checker";
import { UserConfig } from "../types";
import { extendedResourceProblem, isQualifiedName } from "../validate";

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
        out.push({
            ...(key !== undefined ? { key } : {}),
            operator: operator as Toleration["operator"],
            ...(value !== undefined ? { value } : {}),
            ...(effect !== undefined ? { effect: effect as Toleration["effect"] } : {}),
            ...(obj.tolerationSeconds !== undefined
                ? { tolerationSeconds: c.integer(`${p}.tolerationSeconds`, obj.tolerationSeconds, 0, 0) }
                : {}),
        });
    });
    return out;
}

/** The GPU section, and which form `quota` took (the count form bounds `resourceName` only). */
export interface ParsedGpu {
    readonly config: GpuConfig;
    readonly quotaForm: "none" | "count" | "map";
}

export function parseGpu(c: Checker, raw: unknown): ParsedGpu {
    const path = `${NAMESPACE}:gpu`;
    const obj = c.object(path, raw, ["resourceName", "nodeSelector", "tolerations", "quota"]);
    const resourceName = c.string(`${path}.resourceName`, obj?.resourceName, PLATFORM_DEFAULTS.gpu.resourceName, extendedResourceProblem);
    const quota = parseQuota(c, `${path}.quota`, obj?.quota, resourceName);
    return {
        config: {
            resourceName,
            nodeSelector: c.labelMap(`${path}.nodeSelector`, obj?.nodeSelector, PLATFORM_DEFAULTS.gpu.nodeSelector),
            tolerations: parseTolerations(c, `${path}.tolerations`, obj?.tolerations),
            ...(quota.hard ? { quota: quota.hard } : {}),
        },
        quotaForm: quota.form,
    };
}

/** `quota`: a count of `resourceName`, or a map from extended resource name to count. */
function parseQuota(
    c: Checker,
    path: string,
    raw: unknown,
    resourceName: string,
): { form: ParsedGpu["quotaForm"]; hard?: Record<string, number> } {
    if (raw === undefined || raw === null) return { form: "none" };
    if (typeof raw !== "object" || Array.isArray(raw)) return { form: "count", hard: { [resourceName]: c.integer(path, raw, 0, 0) } };
    const hard: Record<string, number> = {};
    for (const [kind, count] of Object.entries(raw as Obj)) {
        const problem = extendedResourceProblem(kind);
        if (problem) c.problem(`${path}.${kind}`, kind, problem);
        else hard[kind] = c.integer(`${path}.${kind}`, count, 0, 0);
    }
    return { form: "map", hard };
}

/**
 * The quota's rules over the users: per kind, the GPUs of the users who are not suspended fit its
 * entry (one line per kind over it), and no user asks for a kind the quota does not bound.
 */
export function checkGpuQuota(c: Checker, gpu: ParsedGpu, users: readonly UserConfig[]): void {
    const quota = gpu.config.quota;
    if (!quota) return;
    const path = `${NAMESPACE}:gpu.quota`;
    // A malformed count stands in as 0: judging users against it would add a second line for one bad value.
    if (gpu.quotaForm === "count" && c.reported(path)) return;
    const malformed = (kind: string) => gpu.quotaForm === "map" && c.reported(`${path}.${kind}`);
    const asked = new Map<string, number>();
    const unbounded = new Map<string, number[]>();
    users.forEach((u, i) => {
        if (u.gpus === 0) return;
        if (quota[u.gpuResource] === undefined) unbounded.set(u.gpuResource, [...(unbounded.get(u.gpuResource) ?? []), i]);
        else if (!u.suspended) asked.set(u.gpuResource, (asked.get(u.gpuResource) ?? 0) + u.gpus);
    });
    for (const [kind, total] of asked) {
        if (quota[kind] >= total || malformed(kind)) continue;
        if (gpu.quotaForm === "count")
            c.problem(path, quota[kind], `expected at least ${total}, the GPUs the users ask for together (or no quota)`);
        else
            c.problem(
                `${path}.${kind}`,
                quota[kind],
                `expected at least ${total}, the ${kind} the users who are not suspended ask for together`,
            );
    }
    for (const [kind, indexes] of unbounded) {
        const who = indexes.map((i) => `${NAMESPACE}:users[${i}]`).join(", ");
        const got = gpu.quotaForm === "count" ? quota[gpu.config.resourceName] : quota;
        const bounds = gpu.quotaForm === "count" ? `a count bounds only ${gpu.config.resourceName}: ` : "";
        c.problem(
            path,
            got,
            `expected an entry for ${kind}, which ${who} ask${indexes.length === 1 ? "s" : ""} for (${bounds}a kind without one would be unbounded; give gpu.quota as a map from resource name to count)`,
        );
    }
}
