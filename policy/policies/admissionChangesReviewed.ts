// admission-changes-reviewed: nothing changes (or sees) objects in the TorchPod or MLab namespaces as
// the API server admits them, after the pack judged them, unless reviewed.
import { StackValidationPolicy } from "@pulumi/policy";
import { NAMESPACE_NAME_LABEL } from "@torchpod/contract";
import { judgeScope, ScopeInput } from "../support/admissionScope";
import { Findings } from "../support/findings";
import { identify, stackPods } from "../support/identity";
import { resolveConfig, schemaFor } from "../support/packConfig";
import { PROTECTED_NAMESPACE_KEYS, protectedNamespaces } from "../support/protectedNamespaces";
import { FoundObject, metaOf, objectsOf, parseKubeType, providerNamespace } from "../support/resources";
import { ADMISSION_POLICY, isClusterScopedKind } from "../support/resourceTypes";
import { kubeTypeNames, objectReviewed } from "../support/reviews";
import { unknownPaths, unproxy } from "../support/unknowns";

const ADMISSION_GROUP = "admissionregistration.k8s.io";

function groupOf(apiVersion: string): string {
    return apiVersion.includes("/") ? apiVersion.slice(0, apiVersion.indexOf("/")) : "core";
}

function stringMap(v: unknown): Record<string, string> {
    const out: Record<string, string> = {};
    if (v && typeof v === "object" && !Array.isArray(v)) for (const [k, x] of Object.entries(v)) if (typeof x === "string") out[k] = x;
    return out;
}

export const admissionChangesReviewed: StackValidationPolicy = {
    name: ADMISSION_POLICY,
    description:
        "Mutating webhooks and mutating admission policies change objects after the pack judged them, and every webhook receives the objects it matches (Secrets included); " +
        "Pulumi `...Patch` resources change objects the pack may have judged. Each that can reach the TorchPod or MLab namespaces is refused unless `reviewedMutations` lists it; " +
        "one scoped away by kubernetes.io/metadata.name (or by an object selector matching nothing of the stack there) passes. A patch of an object the stack itself declares is always refused.",
    enforcementLevel: "mandatory",
    severity: "critical",
    configSchema: schemaFor([...PROTECTED_NAMESPACE_KEYS, "reviewedMutations"]),
    remediationSteps:
        "Scope the webhook or policy away with a namespaceSelector on kubernetes.io/metadata.name and rules of scope Namespaced, change the object itself instead of patching it, or review it and list it in `reviewedMutations`.",
    validateStack: (args, report) => {
        const cfg = resolveConfig(args.getConfig<Record<string, unknown>>());
        const f = new Findings(report);
        const pods = stackPods(args.resources);
        const ns = protectedNamespaces(identify(pods, cfg), cfg);

        const all: { f: FoundObject; urn: string; namespace: string; name: string }[] = [];
        for (const r of args.resources) {
            if (!parseKubeType(r.type)) continue;
            const id = { name: r.name, defaultNamespace: providerNamespace(r.provider) };
            for (const o of objectsOf(r.type, unproxy(r.props))) all.push({ f: o, urn: r.urn, ...metaOf(o, id) });
        }
        const keyOf = (o: (typeof all)[number]) =>
            `${groupOf(o.f.apiVersion)}/${o.f.kind}|${isClusterScopedKind(o.f.apiVersion, o.f.kind) ? "" : o.namespace}/${o.name}`;
        const declared = new Set(all.filter((o) => !o.f.patch).map(keyOf));
        const protectedLabels: Record<string, string>[] = [];
        for (const o of all) {
            if (o.f.patch) continue;
            if (o.f.kind === "Namespace" && ns.all.has(o.name))
                protectedLabels.push({ ...stringMap(o.f.obj?.metadata?.labels), [NAMESPACE_NAME_LABEL]: o.name });
            else if (ns.all.has(o.namespace) && !isClusterScopedKind(o.f.apiVersion, o.f.kind))
                protectedLabels.push(stringMap(o.f.obj?.metadata?.labels));
        }
        for (const p of pods) if (ns.all.has(p.t.namespace)) protectedLabels.push(p.t.labels);
        const input: ScopeInput = { protectedNamespaces: ns.all, protectedLabels };
        const where = ns.all.size ? [...ns.all].map((n) => ns.describe(n)).join(", ") : "the TorchPod and MLab namespaces";

        const refuse = (o: (typeof all)[number], name: string, text: string) => {
            const names = kubeTypeNames(o.f.apiVersion, o.f.kind, o.f.patch);
            if (objectReviewed(cfg.reviewedMutations, names, name)) return;
            f.violation(`${text}. Allow it after review: config reviewedMutations: ["${names[0]} ${name}"]`, o.urn);
        };

        for (const o of all) {
            const group = groupOf(o.f.apiVersion);
            if (o.f.patch) {
                const clusterScoped = isClusterScopedKind(o.f.apiVersion, o.f.kind);
                const target = clusterScoped ? o.name : `${o.namespace}/${o.name}`;
                const display = `${o.f.kind}Patch ${target}`;
                if (declared.has(keyOf(o))) {
                    f.violation(
                        `${display} patches ${o.f.kind} ${target}, which the stack itself declares and the pack judged: the patch changes it after judgement (no switch: change the object itself)`,
                        o.urn,
                    );
                    continue;
                }
                if (clusterScoped || ns.all.has(o.namespace))
                    refuse(
                        o,
                        target,
                        `${display} changes an object the pack has not seen ${clusterScoped ? "(cluster-scoped: it can change what every namespace runs under)" : `in ${ns.describe(o.namespace)}`}`,
                    );
                continue;
            }
            if (group !== ADMISSION_GROUP) continue;
            f.unknown(unknownPaths(o.f.obj, o.f.path).filter((u) => !u.path.includes("caBundle")));
            if (o.f.kind === "MutatingWebhookConfiguration" || o.f.kind === "ValidatingWebhookConfiguration") {
                const hooks: any[] = Array.isArray(o.f.obj?.webhooks) ? o.f.obj.webhooks : [];
                const reaching = hooks.map((w) => ({ w, s: judgeScope(w ?? {}, input) })).filter((x) => !x.s.away);
                if (reaching.length === 0) continue;
                const does = o.f.kind.startsWith("Mutating")
                    ? "changes objects as they are admitted, after the pack judged them"
                    : "receives every object it matches, Secrets included";
                refuse(
                    o,
                    o.name,
                    `${o.f.kind} ${o.name} ${does}, and can reach ${where}: ${reaching.map((x) => `webhook ${x.w?.name ?? "?"}: ${x.s.why}`).join("; ")}`,
                );
            } else if (o.f.kind === "MutatingAdmissionPolicy") {
                const mc = o.f.obj?.spec?.matchConstraints ?? {};
                const s = judgeScope(
                    { namespaceSelector: mc.namespaceSelector, objectSelector: mc.objectSelector, rules: mc.resourceRules },
                    input,
                );
                if (!s.away)
                    refuse(
                        o,
                        o.name,
                        `MutatingAdmissionPolicy ${o.name} changes objects as they are admitted, after the pack judged them, and can reach ${where}: ${s.why}`,
                    );
            } else if (o.f.kind === "MutatingAdmissionPolicyBinding") {
                const mr = o.f.obj?.spec?.matchResources;
                const own = mr
                    ? judgeScope(
                          { namespaceSelector: mr.namespaceSelector, objectSelector: mr.objectSelector, rules: mr.resourceRules },
                          input,
                      )
                    : undefined;
                const policyName = o.f.obj?.spec?.policyName;
                const policy = all.find((x) => !x.f.patch && x.f.kind === "MutatingAdmissionPolicy" && x.name === policyName);
                const mc = policy?.f.obj?.spec?.matchConstraints;
                const viaPolicy = mc
                    ? judgeScope(
                          { namespaceSelector: mc.namespaceSelector, objectSelector: mc.objectSelector, rules: mc.resourceRules },
                          input,
                      )
                    : undefined;
                if (own?.away || viaPolicy?.away) continue;
                refuse(
                    o,
                    o.name,
                    `MutatingAdmissionPolicyBinding ${o.name} turns on ${policy ? `MutatingAdmissionPolicy ${policyName}` : `MutatingAdmissionPolicy ${policyName ?? "?"}, which is not in the stack,`} for ${where}: ${own?.why || viaPolicy?.why || "nothing scopes it away"}`,
                );
            }
        }
        f.finish();
    },
};
