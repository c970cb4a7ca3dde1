// Kubernetes manifests as the resources Pulumi would show the pack.
import { K8sObject, ManifestError, sourceOf } from "@torchpod/netpol";
import { typeTokenOf } from "../../policy/support/resources";
import { PackResource } from "./runner";

/** Kinds that live outside namespaces (their URN carries just the name). */
const CLUSTER_SCOPED = new Set([
    "Namespace",
    "Node",
    "PersistentVolume",
    "StorageClass",
    "ClusterRole",
    "ClusterRoleBinding",
    "CustomResourceDefinition",
    "PriorityClass",
    "RuntimeClass",
    "IngressClass",
    "ValidatingWebhookConfiguration",
    "MutatingWebhookConfiguration",
    "ValidatingAdmissionPolicy",
    "ValidatingAdmissionPolicyBinding",
    "APIService",
    "CSIDriver",
    "VolumeAttachment",
    "GlobalNetworkPolicy",
]);

export const POLICY_CHECK_STACK = "policy-check";
export const POLICY_CHECK_PROJECT = "manifests";

/**
 * One resource per object: type `kubernetes:<group>/<version>:<Kind>` (core group → `core`),
 * props = the object, urn `urn:pulumi:policy-check::manifests::<type>::<ns>/<name>`.
 * Throws ManifestError (naming the file) for an object without apiVersion, kind or name.
 */
export function manifestsToResources(objects: K8sObject[]): PackResource[] {
    const out: PackResource[] = [];
    const seen = new Map<string, number>();
    objects.forEach((o, i) => {
        const where = sourceOf(o) ?? `object ${i + 1}`;
        if (typeof o.apiVersion !== "string" || o.apiVersion === "")
            throw new ManifestError(where, `an object${o.kind ? ` of kind ${o.kind}` : ""} has no apiVersion`);
        if (typeof o.kind !== "string" || o.kind === "")
            throw new ManifestError(where, `an object of apiVersion ${o.apiVersion} has no kind`);
        const name = o.metadata?.name;
        if (typeof name !== "string" || name === "") throw new ManifestError(where, `a ${o.kind} has no metadata.name`);
        const type = typeTokenOf(o.apiVersion, o.kind);
        const id = CLUSTER_SCOPED.has(o.kind) ? name : `${o.metadata?.namespace || "default"}/${name}`;
        let urn = `urn:pulumi:${POLICY_CHECK_STACK}::${POLICY_CHECK_PROJECT}::${type}::${id}`;
        const n = (seen.get(urn) ?? 0) + 1;
        seen.set(urn, n);
        if (n > 1) urn = `${urn}#${n}`;
        out.push({ type, name: id, urn, props: o as Record<string, unknown> });
    });
    return out;
}
