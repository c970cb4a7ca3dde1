// torchpod:gpu: the GPU resource, where GPU TorchPods run, and the namespace's GPU quota.
import { PLATFORM_DEFAULTS } from "../../components/common/defaults";
import { GpuConfig, Toleration } from "../../components/common/settings";
import { Checker, NAMESPACE } from "../checker";
import { UserConfig } from "../types";
import { isQualifiedName } from "../validate";

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

export function parseGpu(c: Checker, raw: unknown, users: readonly UserConfig[]): GpuConfig {
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
