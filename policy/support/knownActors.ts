// In-cluster actors the pack knows by name, with exactly the API rights each may hold.
//
// An actor the platform itself runs (a controller, a scheduled job) needs API rights, and its pod
// mounts a token that carries them. The RBAC model refuses such rights to service accounts in the
// TorchPod and MLab namespaces; a known actor is the one exception, and only for exactly the rules
// listed here: any other rule bound to its service account, anywhere, is refused.
//
// To add one: append an entry (its service account's namespace and name, the rules, where it may hold
// them and why), and give its RoleBindings exactly those rules. The api-rights-reviewed policy
// and its spec show the shape (a scaler of TorchPod Deployments living outside the TorchPod namespace).
import type { Rule } from "./rbac";

export interface KnownActor {
    /** What people call it, in messages. */
    readonly name: string;
    readonly serviceAccount: { readonly namespace: string; readonly name: string };
    /** Exactly the rules it may hold: each rule granted to it must fit inside these (group, resource and verb alike). */
    readonly allowedRules: readonly Rule[];
    /**
     * Where it may hold them: `torchpod-namespaces` (RoleBindings in namespaces holding TorchPods only),
     * or `own-namespace` (RoleBindings in its service account's namespace only). Never a ClusterRoleBinding.
     */
    readonly scope: "torchpod-namespaces" | "own-namespace";
    /** Why it needs the rights, one sentence. */
    readonly why: string;
}

/** The platform's known actors (none yet; see the file comment). */
export const KNOWN_ACTORS: readonly KnownActor[] = [];
