// Endpoints of the model: workloads (from pods and pod templates) and namespace labels.
import { ContainerPort, K8sObject, PROTOCOLS, Protocol, WorkloadEndpoint } from "./types";

export const NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name";

/** Where each pod-owning kind keeps its pod template (the Pod itself for `Pod`). */
export const TEMPLATE_PATHS: Readonly<Record<string, readonly string[]>> = {
    Pod: [],
    Deployment: ["spec", "template"],
    StatefulSet: ["spec", "template"],
    DaemonSet: ["spec", "template"],
    ReplicaSet: ["spec", "template"],
    ReplicationController: ["spec", "template"],
    Job: ["spec", "template"],
    CronJob: ["spec", "jobTemplate", "spec", "template"],
};

function dig(o: unknown, path: readonly string[]): any {
    let cur: any = o;
    for (const p of path) {
        if (cur === null || typeof cur !== "object") return undefined;
        cur = cur[p];
    }
    return cur;
}

function stringMap(v: unknown): Record<string, string> {
    const out: Record<string, string> = {};
    if (v && typeof v === "object" && !Array.isArray(v)) {
        // Unquoted YAML numbers/booleans in labels are read as the string kubectl would need.
        for (const [k, x] of Object.entries(v)) if (x !== null && x !== undefined) out[k] = String(x);
    }
    return out;
}

function containerPorts(podSpec: any): ContainerPort[] {
    const out: ContainerPort[] = [];
    const containers: any[] = [];
    if (Array.isArray(podSpec?.containers)) containers.push(...podSpec.containers);
    // Native sidecars (restartable init containers) serve traffic like containers do.
    if (Array.isArray(podSpec?.initContainers))
        containers.push(...podSpec.initContainers.filter((c: any) => c?.restartPolicy === "Always"));
    for (const c of containers) {
        if (!Array.isArray(c?.ports)) continue;
        for (const p of c.ports) {
            const num = typeof p?.containerPort === "string" ? Number(p.containerPort) : p?.containerPort;
            if (!Number.isInteger(num)) continue;
            const protocol: Protocol = PROTOCOLS.includes(p.protocol) ? p.protocol : "TCP";
            const cp: ContainerPort = { containerPort: num, protocol };
            if (typeof p.name === "string" && p.name !== "") cp.name = p.name;
            out.push(cp);
        }
    }
    return out;
}

export function isWorkloadKind(kind: string | undefined): boolean {
    return kind !== undefined && Object.prototype.hasOwnProperty.call(TEMPLATE_PATHS, kind);
}

/** Namespace name → labels, always with kubernetes.io/metadata.name (the API server forces it). */
export function namespaceLabels(objects: K8sObject[]): Map<string, Record<string, string>> {
    const out = new Map<string, Record<string, string>>();
    for (const o of objects) {
        if (o.kind !== "Namespace" || !o.metadata?.name) continue;
        const name = o.metadata.name;
        out.set(name, { ...stringMap(o.metadata.labels), [NAMESPACE_NAME_LABEL]: name });
    }
    return out;
}

export function ensureNamespace(nsLabels: Map<string, Record<string, string>>, ns: string): Record<string, string> {
    let l = nsLabels.get(ns);
    if (!l) {
        l = { [NAMESPACE_NAME_LABEL]: ns };
        nsLabels.set(ns, l);
    }
    return l;
}

/** The workload endpoint of a Pod or pod-owning object; undefined for other kinds. */
export function toWorkload(o: K8sObject, nsLabels: Map<string, Record<string, string>>): WorkloadEndpoint | undefined {
    if (!isWorkloadKind(o.kind)) return undefined;
    const kind = o.kind!;
    const template = dig(o, TEMPLATE_PATHS[kind]);
    if (!template || typeof template !== "object") return undefined;
    const namespace = o.metadata?.namespace || "default";
    const name = o.metadata?.name || "(unnamed)";
    const w: WorkloadEndpoint = {
        type: "workload",
        id: `${namespace}/${name}`,
        namespace,
        name,
        kind,
        labels: stringMap(template.metadata?.labels),
        namespaceLabels: ensureNamespace(nsLabels, namespace),
        ports: containerPorts(template.spec),
    };
    if (template.spec?.hostNetwork === true) w.hostNetwork = true;
    if (kind === "Pod" && typeof o.status?.podIP === "string" && o.status.podIP !== "") w.ip = o.status.podIP;
    return w;
}
