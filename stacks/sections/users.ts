// torchpod:users: one TorchPod per entry. The login rules are TorchPod's own (validateTorchPodArgs,
// called by ../componentChecks.ts); here: the shape, the defaults, unique names, Gitea's reserved names.
import { isGiteaReservedName } from "@torchpod/contract";
import { GpuConfig } from "../../components/common/settings";
import { Checker, NAMESPACE } from "../checker";
import { UserConfig } from "../types";
import { extendedResourceProblem } from "../validate";
import { UserDefaults } from "./userDefaults";
import { GITEA_RESERVED_EXPECTED } from "./giteaNames";
import { RESOURCE_KEYS, parseResources } from "./computeResources";

export const USER_KEYS = ["name", "gpus", "gpuResource", "gpuNodeSelector", ...RESOURCE_KEYS, "shm", "home", "image", "suspended"];

/** `gpu` supplies the defaults of each user's GPU kind and placement. */
export function parseUsers(c: Checker, raw: unknown, userDefaults: UserDefaults, gpu: GpuConfig): UserConfig[] {
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
            gpuResource: c.string(`${p}.gpuResource`, obj.gpuResource, gpu.resourceName, extendedResourceProblem),
            gpuNodeSelector: { ...gpu.nodeSelector, ...c.labelMap(`${p}.gpuNodeSelector`, obj.gpuNodeSelector, {}) },
            resources: parseResources(c, p, obj, userDefaults),
            shmSize: c.quantity(`${p}.shm`, obj.shm, userDefaults.shm),
            homeSize: c.quantity(`${p}.home`, obj.home, userDefaults.home),
            image: c.image(`${p}.image`, obj.image, userDefaults.image),
            suspended: c.boolean(`${p}.suspended`, obj.suspended, false),
        });
    });
    return users;
}
