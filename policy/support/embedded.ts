// Pod templates of custom resources, as objects the NetworkPolicy analyzer understands, and the
// owners' labels of pod templates (the label contract is judged on either).
import { K8sObject } from "@torchpod/netpol";
import { FoundObject, isPodOwningKind, PodTemplate } from "./resources";

/** Property of a synthetic Pod naming the kind it was found in (and the owner's labels). */
export const EMBEDDED_FROM = "__torchpodEmbeddedFrom";

function stringMap(v: unknown): Record<string, string> {
    const out: Record<string, string> = {};
    if (v && typeof v === "object" && !Array.isArray(v))
        for (const [k, x] of Object.entries(v)) if (x !== null && x !== undefined) out[k] = String(x);
    return out;
}

/**
 * One Pod per pod template embedded in a custom resource: its labels are the template's (what the
 * controller's pods carry and NetworkPolicies select), its spec the template's spec.
 */
export function embeddedWorkloadObjects(f: FoundObject, templates: PodTemplate[]): K8sObject[] {
    return templates.map((t, i) => ({
        apiVersion: "v1",
        kind: "Pod",
        metadata: { name: templates.length > 1 ? `${t.name}[${i}]` : t.name, namespace: t.namespace, labels: { ...t.labels } },
        spec: t.spec,
        [EMBEDDED_FROM]: { kind: f.kind, labels: { ...t.ownerLabels } },
    }));
}

export function ownerKey(kind: string, id: string): string {
    return `${kind}|${id}`;
}

/**
 * `Kind|ns/name` → the owner's labels for every pod-owning object (a Deployment's metadata.labels);
 * synthetic Pods of custom resources also map `${EMBEDDED_FROM}|Pod|ns/name` → {[EMBEDDED_FROM]: kind}.
 */
export function ownerLabelsOf(objects: K8sObject[]): Map<string, Record<string, string>> {
    const out = new Map<string, Record<string, string>>();
    for (const o of objects) {
        if (!isPodOwningKind(o.kind)) continue;
        const id = `${o.metadata?.namespace || "default"}/${o.metadata?.name || "(unnamed)"}`;
        const from = o[EMBEDDED_FROM] as { kind: string; labels: Record<string, string> } | undefined;
        if (from) {
            out.set(ownerKey(o.kind!, id), { ...from.labels });
            out.set(`${EMBEDDED_FROM}|${o.kind}|${id}`, { [EMBEDDED_FROM]: from.kind });
        } else if (o.kind !== "Pod") out.set(ownerKey(o.kind!, id), stringMap(o.metadata?.labels));
    }
    return out;
}
