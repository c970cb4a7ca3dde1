// Small builders for hand-written test manifests.
import { K8sObject, NetworkModel, Protocol } from "@torchpod/netpol";

export const ns = (name: string, labels: Record<string, string> = {}): K8sObject => ({
    apiVersion: "v1",
    kind: "Namespace",
    metadata: { name, labels },
});

export interface PodOpts {
    labels?: Record<string, string>;
    ports?: { name?: string; containerPort: number; protocol?: Protocol }[];
    ip?: string;
}

export const pod = (id: string, o: PodOpts = {}): K8sObject => {
    const [namespace, name] = id.split("/");
    const obj: K8sObject = {
        apiVersion: "v1",
        kind: "Pod",
        metadata: { name, namespace, labels: o.labels ?? { app: name } },
        spec: { containers: [{ name: "c", image: "busybox:1.36", ports: o.ports ?? [] }] },
    };
    if (o.ip) obj.status = { podIP: o.ip };
    return obj;
};

export const netpol = (id: string, spec: unknown): K8sObject => {
    const [namespace, name] = id.split("/");
    return { apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", metadata: { name, namespace }, spec };
};

/** allowed? for a pair of workload ids (or an IP on either side). */
export function allowed(objects: K8sObject[], from: string, to: string, port = 80, protocol: Protocol = "TCP"): boolean {
    const m = NetworkModel.fromObjects(objects);
    const ep = (s: string) => (s.includes("/") ? m.workload(s)! : { type: "ip" as const, id: s, ip: s });
    const v = m.check(ep(from), ep(to), port, protocol);
    // Keep the engine honest: the class-level matrix must say the same for workload pairs.
    if (from.includes("/") && to.includes("/")) {
        const e = m.matrix({ from: [m.workload(from)!], to: [m.workload(to)!], ports: [port], protocols: [protocol] })[0];
        if (e.allowed !== v.allowed) throw new Error(`engine disagrees with check() for ${from} → ${to}`);
    }
    return v.allowed;
}
