// torchpod:exposure: how user-facing Services are exposed ("ClusterIP", "LoadBalancer" or {type, annotations}).
import { PLATFORM_DEFAULTS } from "../../components/common/defaults";
import { ExposureConfig } from "../../components/common/settings";
import { Checker, NAMESPACE, Obj } from "../checker";
import { isQualifiedName } from "../validate";

export function parseExposure(c: Checker, raw: unknown): ExposureConfig {
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
