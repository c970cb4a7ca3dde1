// The TorchPods of a network model, shared by the egress and ingress analyses.
import { K8sObject, NetworkModel, WorkloadEndpoint } from "@torchpod/netpol";
import { EMBEDDED_FROM, ownerKey, ownerLabelsOf } from "./embedded";
import { PackConfig, selects } from "./packConfig";
import { isPodOwningKind, podTemplateOfObject } from "./resources";

/**
 * The TorchPods of a model: pod-template labels or the owning object's labels match `torchpodSelector`,
 * or `judged` (keys `Kind|ns/name` from the stack's identity: TorchPods by the data they mount).
 */
export function torchPodsOf(
    model: NetworkModel,
    objects: K8sObject[],
    cfg: Pick<PackConfig, "torchpodSelector">,
    judged: ReadonlySet<string> = new Set(),
): { torchpods: WorkloadEndpoint[]; kindOf: (w: WorkloadEndpoint) => string; ownerLabelled: (w: WorkloadEndpoint) => boolean } {
    const owners = ownerLabelsOf(objects);
    const ownerLabelled = (w: WorkloadEndpoint) => {
        const l = owners.get(ownerKey(w.kind, w.id));
        return l !== undefined && selects(cfg.torchpodSelector, l);
    };
    const isTorchPod = (w: WorkloadEndpoint) =>
        selects(cfg.torchpodSelector, w.labels) || ownerLabelled(w) || judged.has(`${w.kind}|${w.id}`);
    const kindOf = (w: WorkloadEndpoint) => owners.get(`${EMBEDDED_FROM}|${w.kind}|${w.id}`)?.[EMBEDDED_FROM] ?? w.kind;
    return { torchpods: model.workloads.filter(isTorchPod), kindOf, ownerLabelled };
}

/** `Kind|ns/name` of every pod-owning object on the node's network (outside NetworkPolicy altogether). */
export function hostNetworkKeys(objects: K8sObject[]): Set<string> {
    const out = new Set<string>();
    for (const o of objects) {
        if (!isPodOwningKind(o.kind)) continue;
        const t = podTemplateOfObject({ kind: o.kind!, apiVersion: String(o.apiVersion ?? ""), obj: o, path: [], patch: false });
        if (t && t.spec && (t.spec.hostNetwork === true || t.spec.hostNetwork === "true")) out.add(`${o.kind}|${t.namespace}/${t.name}`);
    }
    return out;
}

/**
 * The TorchPods and MLab's workloads of a model. MLab is what matches `mlabSelector` in MLab's
 * namespaces (`mlabNamespaces`, or those of MLab-labelled workloads that hold no TorchPod: an "MLab"
 * beside the TorchPods is not MLab).
 */
export function torchPodsAndMlabsOf(
    model: NetworkModel,
    objects: K8sObject[],
    cfg: Pick<PackConfig, "torchpodSelector" | "mlabSelector" | "mlabNamespaces">,
    judged: ReadonlySet<string> = new Set(),
): { torchpods: WorkloadEndpoint[]; mlabs: WorkloadEndpoint[] } {
    const { torchpods } = torchPodsOf(model, objects, cfg, judged);
    const torchpodSet = new Set(torchpods);
    const torchpodNs = new Set(torchpods.map((w) => w.namespace));
    const candidates = model.workloads.filter((w) => !torchpodSet.has(w) && selects(cfg.mlabSelector, w.labels));
    const mlabNs = cfg.mlabNamespaces.length
        ? [...cfg.mlabNamespaces]
        : [...new Set(candidates.map((w) => w.namespace))].filter((n) => !torchpodNs.has(n));
    return { torchpods, mlabs: candidates.filter((w) => mlabNs.includes(w.namespace)) };
}
