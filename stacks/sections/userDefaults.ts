// torchpod:defaults: what a user who sets nothing gets.
import { PLATFORM_DEFAULTS } from "../../components/common/defaults";
import { resourceProblems } from "../../components/desktop/validate";
import { Checker, NAMESPACE } from "../checker";
import { RESOURCE_KEYS, parseResources, resourceKeys } from "./computeResources";

export const DEFAULTS_KEYS = ["gpus", ...RESOURCE_KEYS, "shm", "home"];

/** The per-user values a user's own keys override. */
export interface UserDefaults {
    readonly gpus: number;
    readonly cpu: string;
    readonly cpuLimit: string;
    readonly memory: string;
    readonly memoryLimit: string;
    readonly shm: string;
    readonly home: string;
    readonly image: string;
}

export function parseUserDefaults(c: Checker, raw: unknown, image: string): UserDefaults {
    const path = `${NAMESPACE}:defaults`;
    const obj = c.object(path, raw, DEFAULTS_KEYS);
    const resources = parseResources(c, path, obj, PLATFORM_DEFAULTS.user);
    c.componentProblems(resourceProblems(resources), resourceKeys("defaults"));
    return {
        gpus: c.integer(`${path}.gpus`, obj?.gpus, PLATFORM_DEFAULTS.user.gpus, 0),
        cpu: resources.cpuRequest,
        cpuLimit: resources.cpuLimit,
        memory: resources.memoryRequest,
        memoryLimit: resources.memoryLimit,
        shm: c.quantity(`${path}.shm`, obj?.shm, PLATFORM_DEFAULTS.user.shm),
        home: c.quantity(`${path}.home`, obj?.home, PLATFORM_DEFAULTS.user.home),
        image,
    };
}
