// Services: a connection to a Service's port reaches one of the pods its selector matches, on the
// port's targetPort (a number, or a container port name resolved on each pod; absent means the same
// number as the Service port). NetworkPolicy is then judged on that pod and that target port, which
// is what kube-proxy and every CNI do: policies never see the Service port itself.
import { matchesSelector } from "./selector";
import { K8sObject, PROTOCOLS, Protocol, WorkloadEndpoint } from "./types";

export interface ServicePort {
    name?: string;
    port: number;
    protocol: Protocol;
    /** A number, a container port name, or (absent in the manifest) the Service port. */
    targetPort: number | string;
}

export interface ServiceEndpoint {
    type: "service";
    id: string; // namespace/name
    namespace: string;
    name: string;
    /** spec.selector; undefined for a Service without one (its endpoints are managed by hand). */
    selector?: Record<string, string>;
    ports: ServicePort[];
    clusterIPs: string[];
}

/** One backend pod of a Service port: the workload and the container port the connection lands on. */
export interface ServiceBackend {
    workload: WorkloadEndpoint;
    /** undefined when a named targetPort is not a container port of this workload. */
    targetPort?: number;
}

function toServicePort(raw: any): ServicePort | undefined {
    const port = typeof raw?.port === "string" ? Number(raw.port) : raw?.port;
    if (!Number.isInteger(port)) return undefined;
    const protocol: Protocol = PROTOCOLS.includes(raw.protocol) ? raw.protocol : "TCP";
    let targetPort: number | string = port;
    if (typeof raw.targetPort === "number") targetPort = raw.targetPort;
    else if (typeof raw.targetPort === "string" && raw.targetPort !== "")
        targetPort = /^[0-9]+$/.test(raw.targetPort) ? Number(raw.targetPort) : raw.targetPort;
    const sp: ServicePort = { port, protocol, targetPort };
    if (typeof raw.name === "string" && raw.name !== "") sp.name = raw.name;
    return sp;
}

export function toService(o: K8sObject): ServiceEndpoint | undefined {
    if (o.kind !== "Service" || (o.apiVersion !== undefined && o.apiVersion !== "v1")) return undefined;
    const namespace = o.metadata?.namespace || "default";
    const name = o.metadata?.name || "(unnamed)";
    const spec = o.spec ?? {};
    const s: ServiceEndpoint = {
        type: "service",
        id: `${namespace}/${name}`,
        namespace,
        name,
        ports: (Array.isArray(spec.ports) ? spec.ports : []).map(toServicePort).filter((p: ServicePort | undefined) => p !== undefined),
        clusterIPs: [
            ...new Set(
                [spec.clusterIP, ...(Array.isArray(spec.clusterIPs) ? spec.clusterIPs : [])].filter(
                    (ip): ip is string => typeof ip === "string" && ip !== "" && ip !== "None",
                ),
            ),
        ],
    };
    if (spec.selector && typeof spec.selector === "object" && Object.keys(spec.selector).length > 0) {
        s.selector = Object.fromEntries(Object.entries(spec.selector).map(([k, v]) => [k, String(v)]));
    }
    return s;
}

/** The workloads of the Service's namespace its selector matches (none for a Service without a selector). */
export function serviceSelects(s: ServiceEndpoint, workloads: readonly WorkloadEndpoint[]): WorkloadEndpoint[] {
    if (!s.selector) return [];
    return workloads.filter((w) => w.namespace === s.namespace && matchesSelector({ matchLabels: s.selector }, w.labels));
}

/** Where a connection to the Service's `port`/`protocol` lands: each selected pod and its target port. */
export function serviceBackends(s: ServiceEndpoint, sp: ServicePort, workloads: readonly WorkloadEndpoint[]): ServiceBackend[] {
    return serviceSelects(s, workloads).map((w) => {
        if (typeof sp.targetPort === "number") return { workload: w, targetPort: sp.targetPort };
        const cp = w.ports.find((p) => p.name === sp.targetPort && p.protocol === sp.protocol);
        return cp ? { workload: w, targetPort: cp.containerPort } : { workload: w };
    });
}

export function describeServicePorts(s: ServiceEndpoint): string {
    if (s.ports.length === 0) return "it declares no ports";
    return `its ports: ${s.ports.map((p) => `${p.port}/${p.protocol}→${p.targetPort}`).join(", ")}`;
}
