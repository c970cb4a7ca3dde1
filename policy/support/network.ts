// The stack as the NetworkPolicy analyzer sees it: Namespaces, NetworkPolicies, pod-owning objects
// (custom resources' pod templates as Pods) and Services, with the resource each came from. Built
// once per AnalyzeStack and shared by every stack policy (the server hands each policy its own copy
// of the resources, so the cache is keyed by their content).
import { createHash } from "crypto";
import { PolicyResource } from "@pulumi/policy";
import { K8sObject, NetpolError, NetworkModel } from "@torchpod/netpol";
import { embeddedWorkloadObjects } from "./embedded";
import { Findings } from "./findings";
import {
    FoundObject,
    isPodOwningKind,
    mayEmbedPodTemplates,
    metaOf,
    objectsOf,
    parseKubeType,
    podTemplateOfObject,
    podTemplatesOfObject,
    providerNamespace,
    toK8sObject,
    Unknowns,
} from "./resources";
import { read, unknownPaths, unproxy } from "./unknowns";

export type StackResource = Pick<PolicyResource, "type" | "props" | "urn" | "name" | "provider">;

/** The objects the analyzer needs, with the resource each came from. */
export interface SourcedObject {
    object: K8sObject;
    urn?: string;
}

/** Extracts Namespaces, NetworkPolicies and pod-owning objects from stack resources. */
export function networkObjectsOf(resources: StackResource[]): {
    objects: SourcedObject[];
    unknowns: Unknowns;
    patches: { urn: string; display: string }[];
} {
    const objects: SourcedObject[] = [];
    const unknowns: Unknowns = [];
    const patches: { urn: string; display: string }[] = [];
    for (const r of resources) {
        const t = parseKubeType(r.type);
        if (!t) continue;
        const props = unproxy(r.props);
        const id = { name: r.name, defaultNamespace: providerNamespace(r.provider) };
        for (const f of objectsOf(r.type, props)) {
            if (!f.patch && mayEmbedPodTemplates(f.kind)) {
                // A custom resource that runs pods (Argo Rollout, Knative Service, PyTorchJob, ...): each
                // embedded pod template becomes a Pod for the analyzer.
                const templates = podTemplatesOfObject(f, id);
                for (const t of templates)
                    unknowns.push(
                        ...t.labelUnknowns,
                        ...t.specUnknowns,
                        ...t.containers.flatMap((c) => unknownPaths(c.container.ports, [...c.path, "ports"])),
                    );
                for (const object of embeddedWorkloadObjects(f, templates)) objects.push({ object, urn: r.urn });
                continue;
            }
            const relevant = f.kind === "Namespace" || f.kind === "NetworkPolicy" || isPodOwningKind(f.kind);
            if (!relevant) continue;
            if (f.patch) {
                if (f.kind === "NetworkPolicy")
                    patches.push({
                        urn: r.urn,
                        display: `NetworkPolicyPatch ${read(f.obj, ["metadata", "namespace"]) ?? id.defaultNamespace ?? "default"}/${read(f.obj, ["metadata", "name"]) ?? r.name}`,
                    });
                continue;
            }
            unknowns.push(...relevantUnknowns(f));
            objects.push({ object: toK8sObject(f, id), urn: r.urn });
        }
    }
    return { objects, unknowns, patches };
}

/** Unknown values that change what the analyzer would conclude. */
function relevantUnknowns(f: FoundObject): Unknowns {
    const meta = unknownPaths(f.obj?.metadata, [...f.path, "metadata"]).filter((u) =>
        ["name", "namespace", "labels"].includes(u.path[f.path.length + 1]),
    );
    if (f.kind === "Namespace") return meta;
    if (f.kind === "NetworkPolicy") return [...meta, ...unknownPaths(f.obj?.spec, [...f.path, "spec"])];
    // pod-owning: its namespace, the template's labels, the container lists and their ports
    const t = podTemplateOfObject(f);
    if (!t) return [];
    const out = [
        ...meta.filter((u) => u.path[f.path.length + 1] !== "labels"),
        ...t.labelUnknowns,
        ...t.ownerLabelUnknowns,
        ...t.specUnknowns,
    ];
    for (const c of t.containers) out.push(...unknownPaths(c.container.ports, [...c.path, "ports"]));
    return out;
}

export interface ServiceObjects {
    known: K8sObject[];
    portsUnknown: { object: K8sObject; unknowns: Unknowns }[];
    /** Services whose namespace or selector is unknown during preview. */
    unknowns: Unknowns;
}

/**
 * The Services of the stack as plain objects for `analyzeTorchPodIngress` (namespace defaulted like
 * the provider does). A Service whose namespace or selector is unknown during preview is left out and
 * recorded as unknown; one with only its ports unknown is returned in `portsUnknown` (it matters only
 * if it selects a TorchPod).
 */
export function serviceObjectsOf(resources: Parameters<typeof networkObjectsOf>[0]): ServiceObjects {
    const known: K8sObject[] = [];
    const portsUnknown: { object: K8sObject; unknowns: Unknowns }[] = [];
    const unknowns: Unknowns = [];
    for (const r of resources) {
        if (!parseKubeType(r.type)) continue;
        const props = unproxy(r.props);
        const id = { name: r.name, defaultNamespace: providerNamespace(r.provider) };
        for (const o of objectsOf(r.type, props)) {
            if (o.kind !== "Service" || o.patch) continue;
            const u: Unknowns = [];
            const m = metaOf(o, id, u);
            const selector = read(o.obj, ["spec", "selector"], u, o.path);
            u.push(...unknownPaths(selector, [...o.path, "spec", "selector"]));
            if (u.length) {
                unknowns.push(...u);
                continue;
            }
            const pu: Unknowns = [];
            const ports = read(o.obj, ["spec", "ports"], pu, o.path);
            pu.push(...unknownPaths(ports, [...o.path, "spec", "ports"]));
            const object: K8sObject = {
                apiVersion: "v1",
                kind: "Service",
                metadata: { name: m.name, namespace: m.namespace },
                spec: { selector, ports },
            };
            if (pu.length) portsUnknown.push({ object, unknowns: pu });
            else known.push(object);
        }
    }
    return { known, portsUnknown, unknowns };
}

export interface StackNetwork {
    objects: SourcedObject[];
    unknowns: Unknowns;
    patches: { urn: string; display: string }[];
    services: ServiceObjects;
    /** The model over `objects`, or the malformed NetworkPolicy that keeps it from being built. */
    model?: NetworkModel;
    error?: NetpolError;
    /** The resource a `Kind ns/name` object came from. */
    urnOf(kind: string, id: string): string | undefined;
}

/** A digest of the resources' content: equal inputs share one network model. */
export function stackFingerprint(resources: readonly StackResource[]): string {
    const h = createHash("sha1");
    for (const r of resources) {
        h.update(r.urn);
        h.update("\0");
        h.update(r.type);
        h.update("\0");
        h.update(JSON.stringify(unproxy(r.props)) ?? "");
        const ns = providerNamespace(r.provider);
        if (ns) h.update(`\0ns=${ns}`);
        h.update("\n");
    }
    return h.digest("hex");
}

let cached: { key: string; network: StackNetwork } | undefined;

/** The stack's network model, built once per stack content (the last one is kept). */
export function stackNetwork(resources: readonly StackResource[]): StackNetwork {
    const key = stackFingerprint(resources);
    if (cached?.key === key) return cached.network;
    const { objects, unknowns, patches } = networkObjectsOf(resources as StackResource[]);
    const services = serviceObjectsOf(resources as StackResource[]);
    const byId = new Map<string, string | undefined>();
    for (const o of objects) {
        const k = `${o.object.kind}|${o.object.metadata?.namespace}/${o.object.metadata?.name}`;
        if (!byId.has(k)) byId.set(k, o.urn);
    }
    const network: StackNetwork = { objects, unknowns, patches, services, urnOf: (kind, id) => byId.get(`${kind}|${id}`) };
    try {
        network.model = NetworkModel.fromObjects(objects.map((o) => o.object));
    } catch (e) {
        if (!(e instanceof NetpolError)) throw e;
        network.error = e;
    }
    cached = { key, network };
    return network;
}

/**
 * The stack's network model for a policy that judges it, or undefined when it cannot be built. Values
 * unknown during preview end the run (`f.finish()`); a NetworkPolicy the API server would reject is a
 * violation, "...: the API server would reject it, so <consequence>", when `concerns` says its namespace
 * is one the policy judges.
 */
export function judgeableNetwork(
    net: StackNetwork,
    f: Findings,
    consequence: string,
    concerns: (namespace: string) => boolean = () => true,
): NetworkModel | undefined {
    if (net.unknowns.length) {
        f.unknown(net.unknowns);
        f.finish();
    }
    if (net.model && !net.error) return net.model;
    const e = net.error!;
    if (concerns(e.policy.split("/")[0]))
        f.violation(`${e.message}: the API server would reject it, so ${consequence}`, net.urnOf("NetworkPolicy", e.policy));
    return undefined;
}
