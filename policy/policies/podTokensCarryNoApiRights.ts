// pod-tokens-carry-no-api-rights: no pod of the stack mounts a token that reaches past the NetworkPolicies.
import { StackValidationPolicy } from "@pulumi/policy";
import { Findings } from "../support/findings";
import { identify, stackPods } from "../support/identity";
import { KNOWN_ACTORS, KnownActor } from "../support/knownActors";
import { resolveConfig, schemaFor } from "../support/packConfig";
import { list } from "../support/podPolicy";
import { PROTECTED_NAMESPACE_KEYS, protectedNamespaces } from "../support/protectedNamespaces";
import { auditWriters, auditWriterScaleGuards } from "../support/auditWriters";
import { bindingRights, rbacModelOf, resolveRole, rightsContextOf, subjectCoversServiceAccount } from "../support/rbac";
import { POD_TOKENS_POLICY } from "../support/resourceTypes";
import { isUnknown } from "../support/unknowns";

/** Namespaces whose service accounts the cluster's own controllers use (able to create pods anywhere). */
const SYSTEM_NAMESPACES = ["kube-system"];

export function podTokensPolicy(actors: readonly KnownActor[] = KNOWN_ACTORS): StackValidationPolicy {
    return {
        name: POD_TOKENS_POLICY,
        description:
            "No pod of the stack mounts a service-account token that carries rights reaching past the NetworkPolicies (exec, attach, port-forward, pod, claim or workload changes, Secret or log reads) " +
            "in a TorchPod or MLab namespace or cluster-wide: the pod could use them as a way out. Generalises torchpod-no-service-account-token to every pod. " +
            "A pod in kube-system mounting the token of an account (other than `default`) the stack does not declare is refused too: the cluster's controllers' accounts there can create pods anywhere.",
        enforcementLevel: "mandatory",
        severity: "critical",
        configSchema: schemaFor([...PROTECTED_NAMESPACE_KEYS]),
        remediationSteps:
            "Set automountServiceAccountToken: false on the pod (or its ServiceAccount), or bind the account only read rights.",
        validateStack: (args, report) => {
            const cfg = resolveConfig(args.getConfig<Record<string, unknown>>());
            const f = new Findings(report);
            const m = rbacModelOf(args.resources);
            f.unknown(m.unknowns);
            const pods = stackPods(args.resources);
            const ns = protectedNamespaces(identify(pods, cfg), cfg);
            const guarded = auditWriterScaleGuards(auditWriters(pods, cfg));
            for (const p of pods) {
                const spec = p.t.spec ?? {};
                const sa =
                    typeof spec.serviceAccountName === "string" && spec.serviceAccountName
                        ? spec.serviceAccountName
                        : typeof spec.serviceAccount === "string" && spec.serviceAccount
                          ? spec.serviceAccount
                          : "default";
                if (isUnknown(spec.serviceAccountName) || isUnknown(spec.automountServiceAccountToken)) {
                    f.unknown([
                        {
                            sentinel: isUnknown(spec.serviceAccountName) ? spec.serviceAccountName : spec.automountServiceAccountToken,
                            path: p.t.specPath,
                        },
                    ]);
                    continue;
                }
                const projected = list(spec.volumes).some((v: any) =>
                    list(v?.projected?.sources).some((s: any) => s && typeof s === "object" && s.serviceAccountToken),
                );
                const auto = spec.automountServiceAccountToken;
                const saAuto = m.serviceAccounts.get(`${p.t.namespace}/${sa}`);
                const mounted = projected || (auto !== false && auto !== "false" && !(auto === undefined && saAuto === false));
                if (!mounted) continue;
                if (actors.some((a) => a.serviceAccount.namespace === p.t.namespace && a.serviceAccount.name === sa)) continue; // judged exactly by api-rights-reviewed
                if (SYSTEM_NAMESPACES.includes(p.t.namespace) && sa !== "default" && !m.serviceAccounts.has(`${p.t.namespace}/${sa}`)) {
                    f.violation(
                        `${p.t.display} mounts the token of ServiceAccount ${p.t.namespace}/${sa}, which the stack does not declare: the pack cannot see its rights, and the cluster's controllers' accounts in ${p.t.namespace} can create pods anywhere (no switch: set automountServiceAccountToken: false or declare the account)`,
                        p.urn,
                    );
                    continue;
                }
                for (const b of m.bindings) {
                    if (!b.subjects.some((s) => subjectCoversServiceAccount(s, p.t.namespace, sa))) continue;
                    if (b.kind === "RoleBinding" && !ns.all.has(b.namespace!)) continue;
                    const role = resolveRole(m, b);
                    const rights = bindingRights(role, rightsContextOf(b, guarded));
                    if (rights.length === 0) continue;
                    f.violation(
                        `${p.t.display} mounts the token of ServiceAccount ${p.t.namespace}/${sa}, which ${b.kind} ${b.namespace ? `${b.namespace}/` : ""}${b.name} grants ${rights.join("; ")} ${b.kind === "ClusterRoleBinding" ? "cluster-wide" : `in ${ns.describe(b.namespace!)}`}: a way past every NetworkPolicy (no switch: set automountServiceAccountToken: false, or take the rights away)`,
                        p.urn,
                    );
                }
            }
            f.finish();
        },
    };
}

export const podTokensCarryNoApiRights = podTokensPolicy();
