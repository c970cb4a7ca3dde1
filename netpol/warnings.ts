// What the analyzer leaves out, said out loud: a verdict over manifests is only as complete as the
// objects it understood. Each warning names the objects and why they matter.
import { NAMESPACE_NAME_LABEL } from "./endpoints";
import { isK8sNetworkPolicy, ParsedPolicy } from "./policies";
import { policySelects } from "./semantics";
import { K8sObject, WorkloadEndpoint } from "./types";

/** Kinds that filter or route pod traffic besides core NetworkPolicy (policy engines, secondary networks). */
const OTHER_TRAFFIC_KINDS = new Set([
    "AdminNetworkPolicy",
    "BaselineAdminNetworkPolicy",
    "ClusterNetworkPolicy",
    "GlobalNetworkPolicy",
    "GlobalNetworkSet",
    "NetworkSet",
    "HostEndpoint",
    "CiliumNetworkPolicy",
    "CiliumClusterwideNetworkPolicy",
    "MultiNetworkPolicy",
    "NetworkAttachmentDefinition",
]);

function groupOf(apiVersion: string | undefined): string {
    if (!apiVersion || !apiVersion.includes("/")) return "";
    return apiVersion.slice(0, apiVersion.lastIndexOf("/"));
}

/** Built-in API groups: the core group, the unqualified ones (apps, batch, policy...) and *.k8s.io. */
function isBuiltInGroup(group: string): boolean {
    return group === "" || !group.includes(".") || group.endsWith(".k8s.io");
}

export function isOtherTrafficPolicy(o: K8sObject): boolean {
    if (typeof o.kind !== "string" || isK8sNetworkPolicy(o)) return false;
    return OTHER_TRAFFIC_KINDS.has(o.kind) || o.kind.includes("NetworkPolicy");
}

function nameOf(o: K8sObject): string {
    const ns = o.metadata?.namespace;
    const name = o.metadata?.name ?? "(unnamed)";
    return ns ? `${ns}/${name}` : name;
}

function listed(names: string[], max = 5): string {
    return names.length <= max ? names.join(", ") : `${names.slice(0, max).join(", ")}, … (${names.length} in all)`;
}

/** Groups objects by `apiVersion kind`, in first-seen order. */
function byKind(objects: K8sObject[]): Map<string, K8sObject[]> {
    const out = new Map<string, K8sObject[]>();
    for (const o of objects) {
        const k = `${o.kind} (${o.apiVersion ?? "no apiVersion"})`;
        const list = out.get(k);
        if (list) list.push(o);
        else out.set(k, [o]);
    }
    return out;
}

export function analyzerWarnings(
    objects: readonly K8sObject[],
    workloads: readonly WorkloadEndpoint[],
    policies: readonly ParsedPolicy[],
    declaredNamespaces: ReadonlySet<string>,
    usedNamespaces: ReadonlySet<string>,
): string[] {
    const warnings: string[] = [];
    const others = objects.filter(isOtherTrafficPolicy);
    for (const [kind, list] of byKind(others)) {
        warnings.push(
            `not evaluated: ${list.length} ${kind}: ${listed(list.map(nameOf))}; only networking.k8s.io/v1 NetworkPolicy is evaluated, and a cluster that enforces this kind may allow or deny more than shown`,
        );
    }
    const custom = objects.filter(
        (o) => typeof o.kind === "string" && !isOtherTrafficPolicy(o) && !isBuiltInGroup(groupOf(o.apiVersion)) && !o.kind.endsWith("List"),
    );
    for (const [kind, list] of byKind(custom)) {
        warnings.push(
            `not seen: ${list.length} ${kind}: ${listed(list.map(nameOf))}; a custom resource's pods (if its operator creates any) are not in the analysis`,
        );
    }
    const undeclared = [...usedNamespaces].filter((ns) => !declaredNamespaces.has(ns)).sort();
    if (undeclared.length > 0) {
        warnings.push(
            `namespace${undeclared.length === 1 ? "" : "s"} used but not declared: ${listed(undeclared, 10)}; without a Namespace object only the ${NAMESPACE_NAME_LABEL} label is known, so namespaceSelectors on other labels do not match ${undeclared.length === 1 ? "it" : "them"}`,
        );
    }
    const byNamespace = new Map<string, WorkloadEndpoint[]>();
    for (const w of workloads) {
        const list = byNamespace.get(w.namespace);
        if (list) list.push(w);
        else byNamespace.set(w.namespace, [w]);
    }
    for (const p of policies) {
        if (!(byNamespace.get(p.namespace) ?? []).some((w) => policySelects(p, w))) {
            warnings.push(
                `NetworkPolicy ${p.id} selects no pod in the manifests (podSelector ${JSON.stringify(p.podSelector)} in namespace ${p.namespace}): it changes nothing here`,
            );
        }
    }
    return warnings;
}
