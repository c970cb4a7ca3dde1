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
import { WORKING_HOURS_NAMES, WORKING_HOURS_RULE } from "@torchpod/contract";
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
    /**
     * What its rules must name by `resourceNames`: `torchpod-deployments`, Deployments the stack declares
     * in the binding's namespace that the pack identifies as TorchPods (by label or by data). A rule
     * without resourceNames, or naming anything else (MLab's Gitea, the Airlock, the audit writer), is
     * refused. Unset: its rules may reach every object of their resources.
     */
    readonly resourceNames?: "torchpod-deployments";
    /** Why it needs the rights, one sentence. */
    readonly why: string;
}

/** The platform's known actors. */
export const KNOWN_ACTORS: readonly KnownActor[] = [
    {
        name: "the working-hours schedule",
        serviceAccount: { namespace: WORKING_HOURS_NAMES.namespace, name: WORKING_HOURS_NAMES.serviceAccount },
        allowedRules: [
            {
                apiGroups: [...WORKING_HOURS_RULE.apiGroups],
                resources: [...WORKING_HOURS_RULE.resources],
                verbs: [...WORKING_HOURS_RULE.verbs],
            },
        ],
        scope: "torchpod-namespaces",
        resourceNames: "torchpod-deployments",
        why: "its CronJobs start and stop TorchPods at the stack's working hours by scaling their Deployments (components/workingHours.ts)",
    },
];
