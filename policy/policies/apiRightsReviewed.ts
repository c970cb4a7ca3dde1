// api-rights-reviewed: no one but reviewed administrators holds API rights that reach past the
// NetworkPolicies in the TorchPod or MLab namespaces.
import { StackValidationPolicy } from "@pulumi/policy";
import { Findings } from "../support/findings";
import { identify, stackPods } from "../support/identity";
import { KNOWN_ACTORS, KnownActor } from "../support/knownActors";
import { resolveConfig, schemaFor } from "../support/packConfig";
import { PROTECTED_NAMESPACE_KEYS, protectedNamespaces } from "../support/protectedNamespaces";
import { auditWriters, auditWriterScaleGuards } from "../support/auditWriters";
import {
    BindingDef,
    bindingRights,
    dangerousRights,
    rbacModelOf,
    resolveRole,
    Rule,
    ruleText,
    ruleWithin,
    rightsContextOf,
    Subject,
    subjectText,
} from "../support/rbac";
import { API_RIGHTS_POLICY } from "../support/resourceTypes";

export const ADMIN_SWITCH =
    'Allow it only for reviewed administrators: config reviewedAdminSubjects: ["User:<name>" or "Group:<name>"] (never service accounts, anonymous or all authenticated users)';

function actorOf(s: Subject, actors: readonly KnownActor[]): KnownActor | undefined {
    return s.kind === "ServiceAccount"
        ? actors.find((a) => a.serviceAccount.namespace === s.namespace && a.serviceAccount.name === s.name)
        : undefined;
}

function bindingText(b: BindingDef): string {
    return `${b.kind} ${b.namespace ? `${b.namespace}/` : ""}${b.name} (${b.roleRef.kind} ${b.roleRef.name})`;
}

/** The api-rights-reviewed policy over a list of known actors (the platform's by default). */
export function apiRightsPolicy(actors: readonly KnownActor[] = KNOWN_ACTORS): StackValidationPolicy {
    return {
        name: API_RIGHTS_POLICY,
        description:
            "exec, attach, port-forward and proxies go through the API server and the kubelet, past every NetworkPolicy; so do pods, claims and workloads created beside a user's data, and Secret and log reads. " +
            "No Role, ClusterRole (aggregation included) or binding may grant such rights in a TorchPod or MLab namespace (or cluster-wide) to anyone but `reviewedAdminSubjects`; " +
            "service accounts, anonymous users and system:authenticated never qualify. The platform's known actors hold exactly their listed rules, nothing else.",
        enforcementLevel: "mandatory",
        severity: "critical",
        configSchema: schemaFor([...PROTECTED_NAMESPACE_KEYS, "reviewedAdminSubjects"]),
        remediationSteps:
            "Grant only reads (not of Secrets or logs) in those namespaces, bind rights that reach into pods to reviewed administrators (User or Group), and run in-cluster automation as a known actor.",
        validateStack: (args, report) => {
            const cfg = resolveConfig(args.getConfig<Record<string, unknown>>());
            const f = new Findings(report);
            const m = rbacModelOf(args.resources);
            f.unknown(m.unknowns);
            const pods = stackPods(args.resources);
            const id = identify(pods, cfg);
            const ns = protectedNamespaces(id, cfg);
            const guarded = auditWriterScaleGuards(auditWriters(pods, cfg));
            // `ns/name` of the Deployments the pack identifies as TorchPods (by label or by data).
            const torchpodDeployments = new Set(
                id.torchpods
                    .filter((t) => t.pod.t.kind === "Deployment" && !t.pod.t.embedded)
                    .map((t) => `${t.pod.t.namespace}/${t.pod.t.name}`),
            );
            const namesProblems = (actor: KnownActor, b: BindingDef, rules: readonly Rule[]): string[] => {
                if (actor.resourceNames !== "torchpod-deployments" || b.kind !== "RoleBinding") return [];
                const out: string[] = [];
                for (const r of rules) {
                    if (!r.resourceNames) {
                        out.push(
                            `rule ${ruleText(r)} has no resourceNames, so it reaches every Deployment in ${b.namespace} (the Airlock's, the audit writer's, MLab's), not only TorchPods`,
                        );
                        continue;
                    }
                    const extra = r.resourceNames.filter((n) => !torchpodDeployments.has(`${b.namespace}/${n}`));
                    if (extra.length)
                        out.push(
                            `rule ${ruleText(r)} names ${extra.map((n) => `${b.namespace}/${n}`).join(", ")}, which ${extra.length === 1 ? "is not a TorchPod Deployment" : "are not TorchPod Deployments"} the stack declares`,
                        );
                }
                return out;
            };
            const admissible = (s: Subject) =>
                (s.kind === "User" || s.kind === "Group") && cfg.reviewedAdminSubjects.includes(`${s.kind}:${s.name}`);
            for (const b of m.bindings) {
                const role = resolveRole(m, b);
                const where =
                    b.kind === "ClusterRoleBinding"
                        ? "cluster-wide (every namespace, the TorchPod and MLab ones included)"
                        : `in namespace ${ns.describe(b.namespace!)}`;
                const covers = b.kind === "ClusterRoleBinding" || ns.all.has(b.namespace!);
                const rights = bindingRights(role, rightsContextOf(b, guarded));
                for (const s of b.subjects) {
                    const actor = actorOf(s, actors);
                    if (actor) {
                        const problems: string[] = [];
                        if (b.kind === "ClusterRoleBinding") problems.push("a known actor is never bound cluster-wide");
                        else if (actor.scope === "torchpod-namespaces" && !ns.torchpod.has(b.namespace!))
                            problems.push(`it may hold its rules only in TorchPod namespaces, not ${b.namespace}`);
                        else if (actor.scope === "own-namespace" && b.namespace !== actor.serviceAccount.namespace)
                            problems.push(`it may hold its rules only in ${actor.serviceAccount.namespace}, not ${b.namespace}`);
                        if (role.opaque) problems.push(role.opaque);
                        else {
                            const extra = role.rules.filter((r) => !ruleWithin(r, actor.allowedRules));
                            if (extra.length) problems.push(`rules beyond its own: ${extra.map(ruleText).join("; ")}`);
                            problems.push(...namesProblems(actor, b, role.rules));
                        }
                        if (problems.length)
                            f.violation(
                                `${bindingText(b)} grants the known actor ${actor.name} (${subjectText(s)}) more than its rights: ${problems.join("; ")} (no switch: a known actor holds exactly the rules listed for it in policy/support/knownActors.ts)`,
                                b.urn,
                            );
                        continue;
                    }
                    if (!covers || rights.length === 0 || admissible(s)) continue;
                    f.violation(
                        `${bindingText(b)} grants ${subjectText(s)} ${rights.join("; ")} ${where}: these reach a user's data through the API server and the kubelet, past every NetworkPolicy. ${ADMIN_SWITCH}`,
                        b.urn,
                    );
                }
            }
            // A ClusterRole that aggregates into the cluster's admin, edit or view roles gives its rules to whoever holds those, outside the stack.
            for (const r of m.roles) {
                if (r.aggregatesTo.length === 0) continue;
                // Such a role may be bound anywhere, cluster-wide included.
                const rights = [...new Set(r.rules.flatMap((rule) => dangerousRights(rule, { clusterWide: true, guardedScale: guarded })))];
                if (rights.length)
                    f.violation(
                        `ClusterRole ${r.name} aggregates into the cluster's ${r.aggregatesTo.join(", ")} role (rbac.authorization.k8s.io/aggregate-to-*), giving ${rights.join("; ")} to everyone bound to it outside the stack (no switch: bind the role to reviewed administrators instead)`,
                        r.urn,
                    );
            }
            f.finish();
        },
    };
}

export const apiRightsReviewed = apiRightsPolicy();
