// How the pack sees Kubernetes resources: Pulumi type tokens, raw properties, pod templates.
import { K8sObject, TEMPLATE_PATHS as POD_OWNER_TEMPLATE_PATHS } from "@torchpod/netpol";
import { scanEmbedded } from "./embeddedPods";
import { isUnknown, read } from "./unknowns";

export type Unknowns = { sentinel: string; path: string[] }[];

export interface KubeType {
    group: string; // "core", "apps", "networking.k8s.io", ...
    version: string;
    kind: string; // without a Patch suffix
    apiVersion: string; // "v1", "apps/v1", ...
    patch: boolean; // server-side-apply Patch resources (kubernetes:apps/v1:DeploymentPatch)
}

/** Parses `kubernetes:<group>/<version>:<Kind>`; undefined for other providers and components. */
export function parseKubeType(type: string): KubeType | undefined {
    const m = /^kubernetes:([^/:]+)\/([^/:]+):([A-Za-z0-9]+)$/.exec(type);
    if (!m) return undefined;
    const [, group, version, rawKind] = m;
    const patch = rawKind.endsWith("Patch") && rawKind !== "Patch";
    const kind = patch ? rawKind.slice(0, -"Patch".length) : rawKind;
    return { group, version, kind, apiVersion: group === "core" ? version : `${group}/${version}`, patch };
}

/** The Pulumi type token of a Kubernetes object (core group → `core`). */
export function typeTokenOf(apiVersion: string, kind: string): string {
    const slash = apiVersion.indexOf("/");
    const group = slash < 0 ? "core" : apiVersion.slice(0, slash);
    const version = slash < 0 ? apiVersion : apiVersion.slice(slash + 1);
    return `kubernetes:${group}/${version}:${kind}`;
}

export const POD_OWNING_KINDS = [
    "Pod",
    "Deployment",
    "StatefulSet",
    "DaemonSet",
    "ReplicaSet",
    "ReplicationController",
    "Job",
    "CronJob",
] as const;

// The analyzer's map of pod-owning kinds, plus PodTemplate (a template, but no workload of its own).
const TEMPLATE_PATHS: Readonly<Record<string, readonly string[]>> = { ...POD_OWNER_TEMPLATE_PATHS, PodTemplate: ["template"] };

export function isPodOwningKind(kind: string | undefined): boolean {
    return kind !== undefined && Object.prototype.hasOwnProperty.call(TEMPLATE_PATHS, kind) && kind !== "PodTemplate";
}

/** One Kubernetes object found in a resource's properties (Lists unpacked), with where it sits. */
export interface FoundObject {
    kind: string;
    apiVersion: string;
    obj: any; // raw properties of the object
    path: string[]; // path of `obj` inside the resource's props ([] for the resource itself)
    patch: boolean;
}

function isPlainObject(v: unknown): v is Record<string, any> {
    return typeof v === "object" && v !== null && !Array.isArray(v);
}

/**
 * The Kubernetes objects a resource stands for: itself, or the items of a `...List` resource
 * (`kubernetes:core/v1:PodList`, `kubernetes:core/v1:List`), recursively.
 */
export function objectsOf(type: string, props: any): FoundObject[] {
    const t = parseKubeType(type);
    if (!t || !isPlainObject(props)) return [];
    const out: FoundObject[] = [];
    const visit = (o: any, kind: string, apiVersion: string, path: string[], patch: boolean) => {
        if (kind.endsWith("List") && Array.isArray(o.items)) {
            const itemKind = kind === "List" ? undefined : kind.slice(0, -"List".length);
            o.items.forEach((it: unknown, i: number) => {
                if (!isPlainObject(it)) return;
                const k = typeof it.kind === "string" && !isUnknown(it.kind) ? it.kind : itemKind;
                const av = typeof it.apiVersion === "string" && !isUnknown(it.apiVersion) ? it.apiVersion : apiVersion;
                if (k) visit(it, k, av, [...path, "items", String(i)], patch);
            });
            return;
        }
        out.push({ kind, apiVersion, obj: o, path, patch });
    };
    const kind = typeof props.kind === "string" && !isUnknown(props.kind) && !t.patch ? props.kind : t.kind;
    visit(props, kind, t.apiVersion, [], t.patch);
    return out;
}

export interface ContainerRef {
    container: any;
    path: string[]; // path of the container inside the resource's props
    field: "containers" | "initContainers" | "ephemeralContainers";
    name: string;
}

/** A pod template (or a Pod) inside a resource. */
export interface PodTemplate {
    kind: string;
    namespace: string;
    name: string;
    /** `<Kind> ns/name` for messages. */
    display: string;
    labels: Record<string, string>;
    /** The pod template's annotations (known values). */
    annotations: Record<string, string>;
    /** Unknown values (during preview) in the pod-template labels: whether it is a TorchPod is open. */
    labelUnknowns: Unknowns;
    /**
     * The labels of the object that owns the template (a Deployment's own metadata.labels; the Pod's
     * labels for a Pod). A workload labelled a TorchPod there is judged as a TorchPod even when its pod
     * template (what NetworkPolicies select) lacks the label.
     */
    ownerLabels: Record<string, string>;
    ownerLabelUnknowns: Unknowns;
    /** Found inside a kind that is not a built-in pod owner (a custom resource). */
    embedded: boolean;
    /** Unknown values in the template, its spec or its container lists. */
    specUnknowns: Unknowns;
    spec: any; // raw pod spec (may be undefined for partial patches)
    specPath: string[];
    patch: boolean;
    containers: ContainerRef[];
}

export interface ResourceIdentity {
    name?: string; // the Pulumi resource name (fallback for metadata.name)
    defaultNamespace?: string; // the provider's namespace, else "default"
}

/** The namespace a Kubernetes provider puts unnamespaced objects in (its `namespace` input). */
export function providerNamespace(provider: { props?: Record<string, any> } | undefined): string | undefined {
    try {
        const ns = provider?.props
            ? ((provider.props as any)["__getSpecialProxyTarget"]?.namespace ?? provider.props.namespace)
            : undefined;
        return typeof ns === "string" && ns !== "" && !isUnknown(ns) ? ns : undefined;
    } catch {
        return undefined;
    }
}

function stringMap(v: unknown): Record<string, string> {
    const out: Record<string, string> = {};
    if (isPlainObject(v)) for (const [k, x] of Object.entries(v)) if (x !== null && x !== undefined) out[k] = String(x);
    return out;
}

export function metaOf(f: FoundObject, id: ResourceIdentity, unknowns?: Unknowns): { namespace: string; name: string } {
    const ns = read(f.obj, ["metadata", "namespace"], unknowns, f.path);
    const name = read(f.obj, ["metadata", "name"], unknowns, f.path);
    return {
        namespace: typeof ns === "string" && ns !== "" ? ns : id.defaultNamespace || "default",
        name: typeof name === "string" && name !== "" ? name : id.name || "(unnamed)",
    };
}

/**
 * The pod templates of a resource (Pods, workloads with templates, their Patch and List forms, and
 * pod templates embedded in other kinds such as custom resources: see `podTemplatesOfObject`).
 */
export function podTemplatesOf(type: string, props: any, id: ResourceIdentity = {}): PodTemplate[] {
    const out: PodTemplate[] = [];
    for (const f of objectsOf(type, props)) out.push(...podTemplatesOfObject(f, id));
    return out;
}

/**
 * Built-in kinds that hold no pod template (or hold one that nothing runs: PodTemplate,
 * ControllerRevision). Every other kind that is not a built-in pod owner is searched for embedded
 * pod templates: custom resources run pods from them (Argo Rollout, Knative Service, Kubeflow
 * PyTorchJob/Notebook, OpenKruise CloneSet, ...), and a TorchPod deployed that way is still a TorchPod.
 */
const NO_TEMPLATE_KINDS = new Set([
    "Namespace",
    "NetworkPolicy",
    "Service",
    "ConfigMap",
    "Secret",
    "PersistentVolumeClaim",
    "PersistentVolume",
    "ServiceAccount",
    "Role",
    "RoleBinding",
    "ClusterRole",
    "ClusterRoleBinding",
    "ResourceQuota",
    "LimitRange",
    "Endpoints",
    "EndpointSlice",
    "Ingress",
    "IngressClass",
    "StorageClass",
    "PodDisruptionBudget",
    "HorizontalPodAutoscaler",
    "PriorityClass",
    "RuntimeClass",
    "CustomResourceDefinition",
    "ValidatingWebhookConfiguration",
    "MutatingWebhookConfiguration",
    "ValidatingAdmissionPolicy",
    "ValidatingAdmissionPolicyBinding",
    "APIService",
    "Lease",
    "Event",
    "CSIDriver",
    "CSINode",
    "VolumeAttachment",
    "Node",
    "CertificateSigningRequest",
    "PodTemplate",
    "ControllerRevision",
    "Patch",
]);

/** Whether `kind` may embed pod templates that something runs (custom resources and unknown kinds). */
export function mayEmbedPodTemplates(kind: string): boolean {
    return !isPodOwningKind(kind) && !NO_TEMPLATE_KINDS.has(kind) && !kind.endsWith("List");
}

/** The pod templates of one object: its own for the built-in pod owners, embedded ones for others. */
export function podTemplatesOfObject(f: FoundObject, id: ResourceIdentity = {}): PodTemplate[] {
    const own = podTemplateOfObject(f, id);
    if (own) return [own];
    if (!mayEmbedPodTemplates(f.kind) || !isPlainObject(f.obj)) return [];
    const scan = scanEmbedded(f.obj);
    return scan.pods.map((p) => {
        const path = p.path;
        const t = p.template
            ? templateOf(f, id, read(f.obj, path), [...f.path, ...path])
            : // A bare pod spec gets a template around it, with the labels its pods carry (owner, podMetadata, its own).
              templateOf(f, id, { metadata: { labels: p.labels }, spec: p.spec }, [...f.path], [...f.path, ...path]);
        const where = path.length ? ` (${path.join(".")})` : "";
        t.display = `${f.kind} ${t.namespace}/${t.name}${scan.pods.length > 1 || path.length ? where : ""}`;
        t.embedded = true;
        return t;
    });
}

/** The pod template of a built-in pod-owning object (undefined for other kinds). */
export function podTemplateOfObject(f: FoundObject, id: ResourceIdentity = {}): PodTemplate | undefined {
    if (!isPodOwningKind(f.kind)) return undefined;
    const tPath = TEMPLATE_PATHS[f.kind];
    const su: Unknowns = [];
    const template = tPath.length === 0 ? f.obj : read(f.obj, tPath, su, f.path);
    const t = templateOf(f, id, template, [...f.path, ...tPath]);
    t.specUnknowns.unshift(...su);
    return t;
}

function templateOf(f: FoundObject, id: ResourceIdentity, template: any, templatePath: string[], specPathOverride?: string[]): PodTemplate {
    const su: Unknowns = [];
    const lu: Unknowns = [];
    const ou: Unknowns = [];
    const meta = metaOf(f, id);
    const rawLabels = isPlainObject(template) ? read(template, ["metadata", "labels"], lu, templatePath) : undefined;
    if (isPlainObject(rawLabels)) {
        for (const [k, v] of Object.entries(rawLabels))
            if (isUnknown(v)) lu.push({ sentinel: v as string, path: [...templatePath, "metadata", "labels", k] });
    }
    const rawOwnerLabels = read(f.obj, ["metadata", "labels"], ou, f.path);
    if (isPlainObject(rawOwnerLabels)) {
        for (const [k, v] of Object.entries(rawOwnerLabels))
            if (isUnknown(v)) ou.push({ sentinel: v as string, path: [...f.path, "metadata", "labels", k] });
    }
    const specPath = specPathOverride ?? [...templatePath, "spec"];
    const spec = isPlainObject(template) ? read(template, ["spec"], su, templatePath) : undefined;
    const containers: ContainerRef[] = [];
    if (isPlainObject(spec)) {
        for (const field of ["containers", "initContainers", "ephemeralContainers"] as const) {
            const list = read(spec, [field], su, specPath);
            if (!Array.isArray(list)) continue;
            list.forEach((c: unknown, i: number) => {
                if (isUnknown(c)) {
                    su.push({ sentinel: c as string, path: [...specPath, field, String(i)] });
                    return;
                }
                if (!isPlainObject(c)) return;
                const name = typeof c.name === "string" && !isUnknown(c.name) ? c.name : `${field}[${i}]`;
                containers.push({ container: c, path: [...specPath, field, String(i)], field, name });
            });
        }
    }
    return {
        kind: f.kind,
        namespace: meta.namespace,
        name: meta.name,
        display: `${f.kind} ${meta.namespace}/${meta.name}`,
        labels: stringMap(rawLabels),
        annotations: isPlainObject(template) ? stringMap(read(template, ["metadata", "annotations"])) : {},
        labelUnknowns: lu,
        ownerLabels: f.kind === "Pod" ? stringMap(rawLabels) : stringMap(rawOwnerLabels),
        ownerLabelUnknowns: f.kind === "Pod" ? [] : ou,
        specUnknowns: su,
        spec,
        specPath,
        patch: f.patch,
        containers,
        embedded: false,
    };
}

/** A K8sObject for the NetworkPolicy analyzer: kind/apiVersion filled in, namespace defaulted. */
export function toK8sObject(f: FoundObject, id: ResourceIdentity): K8sObject {
    const meta = metaOf(f, id);
    const metadata = isPlainObject(f.obj.metadata) ? { ...f.obj.metadata } : {};
    metadata.name = meta.name;
    if (f.kind !== "Namespace") metadata.namespace = meta.namespace;
    return { ...f.obj, kind: f.kind, apiVersion: f.apiVersion, metadata } as K8sObject;
}
