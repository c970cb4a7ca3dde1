// Turns what the program registered into plain Kubernetes manifests, grouped the way the original
// deployment shipped them (torchpod.yaml, airlock.yaml, network.yaml, mlab.yaml), with every
// Secret's values held back: a kubectl-only team creates those itself.
import * as yaml from "js-yaml";
import { RecordedResource, isKubernetesObject } from "../offline/recorded";

/** The files of a rendered stack, in the order a kubectl-only team applies them. */
export const MANIFEST_FILES = ["namespaces.yaml", "network.yaml", "mlab.yaml", "airlock.yaml", "torchpod.yaml"] as const;
export type ManifestFile = (typeof MANIFEST_FILES)[number];

/**
 * The order kinds are applied in within a file (Helm's install order, for the kinds we render): what
 * another object refers to comes first. Objects of one kind follow by namespace and name, so a file's
 * content depends on the stack alone, never on the order in which the engine happened to complete
 * registrations.
 */
const KIND_ORDER = [
    "Namespace",
    "NetworkPolicy",
    "ResourceQuota",
    "LimitRange",
    "ServiceAccount",
    "Secret",
    "ConfigMap",
    "StorageClass",
    "PersistentVolume",
    "PersistentVolumeClaim",
    "Role",
    "RoleBinding",
    "Service",
    "Pod",
    "Deployment",
    "StatefulSet",
    "Job",
];

function applyOrder(a: K8sManifest, b: K8sManifest): number {
    const rank = (o: K8sManifest) => {
        const i = KIND_ORDER.indexOf(o.kind);
        return i < 0 ? KIND_ORDER.length : i;
    };
    return (
        rank(a) - rank(b) ||
        compare(a.kind, b.kind) ||
        compare(a.metadata.namespace ?? "", b.metadata.namespace ?? "") ||
        compare(a.metadata.name ?? "", b.metadata.name ?? "")
    );
}

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Which file a component's children go to. */
const FILE_OF_COMPONENT: Record<string, ManifestFile> = {
    "torchpod:index:TorchPod": "torchpod.yaml",
    "torchpod:index:Airlock": "airlock.yaml",
    "torchpod:index:Mlab": "mlab.yaml",
    "torchpod:index:NetworkLockdown": "network.yaml",
    "torchpod:index:EnforcementProbe": "network.yaml",
};

export interface K8sManifest {
    apiVersion: string;
    kind: string;
    metadata: { name?: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
    [key: string]: unknown;
}

/** A Secret the program creates, described without its values. */
export interface WithheldSecret {
    readonly namespace: string;
    readonly name: string;
    readonly keys: readonly string[];
}

export interface RenderedManifests {
    readonly files: ReadonlyMap<ManifestFile, K8sManifest[]>;
    /** Every Kubernetes object, Secrets included with values (for analysis only: never written). */
    readonly objects: readonly K8sManifest[];
    readonly secrets: readonly WithheldSecret[];
}

/** Groups the recorded Kubernetes objects into manifest files; Secret values are left out of the files. */
export function toManifests(resources: readonly RecordedResource[]): RenderedManifests {
    const byUrn = new Map(resources.map((r) => [r.urn, r]));
    const fileOf = (r: RecordedResource): ManifestFile => {
        if (r.type === "kubernetes:core/v1:Namespace") return "namespaces.yaml";
        for (let p = r.parent ? byUrn.get(r.parent) : undefined; p; p = p.parent ? byUrn.get(p.parent) : undefined) {
            const file = FILE_OF_COMPONENT[p.type];
            if (file) return file;
        }
        // Objects outside the workload components (quotas, policies) belong with the network and namespaces.
        return r.type.startsWith("kubernetes:networking.k8s.io") ? "network.yaml" : "namespaces.yaml";
    };

    const files = new Map<ManifestFile, K8sManifest[]>(MANIFEST_FILES.map((f) => [f, []]));
    const objects: K8sManifest[] = [];
    const secrets: WithheldSecret[] = [];
    for (const r of resources) {
        if (!isKubernetesObject(r)) continue;
        const object = clean(r.inputs) as K8sManifest;
        objects.push(object);
        if (object.kind === "Secret") {
            const keys = [...Object.keys((object.data as object) ?? {}), ...Object.keys((object.stringData as object) ?? {})];
            secrets.push({
                namespace: object.metadata.namespace ?? "default",
                name: object.metadata.name ?? r.name,
                keys: [...new Set(keys)].sort(),
            });
            continue;
        }
        files.get(fileOf(r))!.push(object);
    }
    for (const list of files.values()) list.sort(applyOrder);
    secrets.sort((a, b) => compare(a.namespace, b.namespace) || compare(a.name, b.name));
    return { files, objects, secrets };
}

/** Drops undefined and empty values the SDK may carry, so the YAML is what a person would write. */
function clean(value: unknown): unknown {
    if (Array.isArray(value)) return value.map(clean);
    if (value && typeof value === "object") {
        const out: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(value)) {
            if (v === undefined || v === null) continue;
            out[k] = clean(v);
        }
        return out;
    }
    return value;
}

/** One YAML stream, a document per object, keys in the order the object has them. */
export function toYaml(objects: readonly K8sManifest[]): string {
    return objects.map((o) => yaml.dump(o, { noRefs: true, lineWidth: 120, sortKeys: false })).join("---\n");
}
