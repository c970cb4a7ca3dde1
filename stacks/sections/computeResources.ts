// cpu and memory requests and limits: the same four keys in torchpod:defaults, each user, the Airlock and MLab.
import { Resources } from "../../components/common/settings";
import { Checker, Obj } from "../checker";

export const RESOURCE_KEYS = ["cpu", "cpuLimit", "memory", "memoryLimit"] as const;

export function parseResources(
    c: Checker,
    path: string,
    obj: Obj | undefined,
    base: { cpu: string; cpuLimit: string; memory: string; memoryLimit: string },
): Resources {
    return {
        cpuRequest: c.quantity(`${path}.cpu`, obj?.cpu, base.cpu),
        cpuLimit: c.quantity(`${path}.cpuLimit`, obj?.cpuLimit, base.cpuLimit),
        memoryRequest: c.quantity(`${path}.memory`, obj?.memory, base.memory),
        memoryLimit: c.quantity(`${path}.memoryLimit`, obj?.memoryLimit, base.memoryLimit),
    };
}

/** The config keys of a workload's `resources` argument fields, under `path`. */
export function resourceKeys(path: string): Record<string, string> {
    return {
        "resources.cpuRequest": `${path}.cpu`,
        "resources.cpuLimit": `${path}.cpuLimit`,
        "resources.memoryRequest": `${path}.memory`,
        "resources.memoryLimit": `${path}.memoryLimit`,
    };
}
