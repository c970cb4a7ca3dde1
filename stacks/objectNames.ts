// The Kubernetes objects the platform names from a stack's config, and the check that no two of them
// (of one kind, in one namespace) share a name: a user whose derived names equal the Airlock's, the
// probe's, MLab's or another user's would make two components fight over one object. Pure.
import { AIRLOCK_NAMES, SHARED_PROXY_CONFIG_NAME, torchpodNames } from "@torchpod/contract";
import { ArgProblem } from "../components/argProblems";
import { PROBE_TARGET_NAME } from "../components/enforcementProbe";
import { StackConfig } from "./types";

/** One named object: where it lives, its kind and name, who makes it, and the config key behind it. */
export interface NamedObject {
    readonly namespace: string;
    readonly kind: string;
    readonly name: string;
    readonly owner: string;
    /** The config key (without `torchpod:`) that names it, and its value, for user-derived objects. */
    readonly key?: string;
    readonly value?: string;
}

/** MLab's per-user git credential Secret in the TorchPod namespace (Mlab.userCredentialSecretName of the "mlab" component). */
const mlabGitSecret = (user: string) => `mlab-git-${user}`;

/** Every object of the TorchPod namespace whose name the config decides or the platform fixes. */
export function namedObjects(config: StackConfig): NamedObject[] {
    const ns = config.namespaces.torchpods;
    const obj = (kind: string, name: string, owner: string, user?: { key: string; value: string }): NamedObject => ({
        namespace: ns,
        kind,
        name,
        owner,
        ...user,
    });
    return [
        obj("Deployment", AIRLOCK_NAMES.deployment, "the Airlock"),
        obj("Service", AIRLOCK_NAMES.service, "the Airlock"),
        obj("Secret", AIRLOCK_NAMES.secret, "the Airlock"),
        obj("ConfigMap", AIRLOCK_NAMES.proxyConfig, "the Airlock"),
        obj("PersistentVolumeClaim", AIRLOCK_NAMES.share, "the Airlock"),
        obj("ConfigMap", SHARED_PROXY_CONFIG_NAME, "the shared browser proxy"),
        obj("Deployment", PROBE_TARGET_NAME, "the enforcement probe"),
        obj("Service", PROBE_TARGET_NAME, "the enforcement probe"),
        ...config.users.flatMap((u, i) => {
            const names = torchpodNames(u.name);
            const owner = `user ${u.name}`;
            const key = { key: `users[${i}].name`, value: u.name };
            return [
                obj("Deployment", names.deployment, owner, key),
                obj("Service", names.service, owner, key),
                obj("Secret", names.secret, owner, key),
                obj("ConfigMap", names.proxyConfig, owner, key),
                obj("PersistentVolumeClaim", names.home, owner, key),
                obj("Secret", mlabGitSecret(u.name), `MLab (for user ${u.name})`, key),
            ];
        }),
    ];
}

/** Objects that share a kind, namespace and name with an earlier one, reported against the config key that named them. */
export function duplicateObjectProblems(objects: readonly NamedObject[]): ArgProblem[] {
    const seen = new Map<string, NamedObject>();
    const out: ArgProblem[] = [];
    for (const o of objects) {
        const id = `${o.namespace}/${o.kind}/${o.name}`;
        const first = seen.get(id);
        if (!first) {
            seen.set(id, o);
            continue;
        }
        const blamed = o.key ? o : first;
        const other = blamed === o ? first : o;
        out.push({
            field: blamed.key ?? "namespaces.torchpods",
            got: blamed.key ? blamed.value : o.namespace,
            expected: `expected a name whose ${o.kind} "${o.name}" does not clash with ${other.owner}'s`,
            message: `${blamed.owner}'s ${o.kind} ${o.namespace}/${o.name} clashes with ${other.owner}'s`,
        });
    }
    return out;
}

/** The name clashes of a stack's config. */
export function objectNameProblems(config: StackConfig): ArgProblem[] {
    return duplicateObjectProblems(namedObjects(config));
}
