// The who-may-talk-to-whom matrix of a rendered stack, computed by the NetworkPolicy analyzer from
// the policies the program actually rendered: what a reviewer reads before trusting a change.
import { Endpoint, K8sObject, NetworkModel, Protocol, WorkloadEndpoint } from "@torchpod/netpol";
import { StackConfig } from "../../stacks/types";

interface Target {
    readonly label: string;
    readonly endpoint: Endpoint;
    readonly ports: readonly { port: number; protocol: Protocol }[];
}

export interface TrafficMatrix {
    readonly rows: readonly string[];
    readonly columns: readonly string[];
    /** cells[row][column]: the ports allowed, e.g. ["3000/TCP", "2222/TCP"]; empty when nothing is. */
    readonly cells: readonly (readonly (readonly string[])[])[];
}

const DNS_NAMESPACE_NAME = "cluster-dns";
/** Well-known stand-ins for the outside world. */
const INTERNET_IP = "140.82.112.3";
const METADATA_IP = "169.254.169.254";

/** The first host address of a CIDR: a stand-in for "a computer on that network". */
export function firstHost(cidr: string): string {
    const [address] = cidr.split("/");
    if (address.includes(":")) return address.endsWith("::") ? `${address}1` : address;
    const octets = address.split(".").map(Number);
    octets[3] = Math.min(octets[3] + 1, 254);
    return octets.join(".");
}

/** The cluster DNS as a workload, so that the analyzer can say who may query it. */
function clusterDnsObjects(config: StackConfig): K8sObject[] {
    return [
        { apiVersion: "v1", kind: "Namespace", metadata: { name: config.cluster.dnsNamespace } },
        {
            apiVersion: "v1",
            kind: "Pod",
            metadata: { name: DNS_NAMESPACE_NAME, namespace: config.cluster.dnsNamespace, labels: { ...config.cluster.dnsPodLabels } },
            spec: {
                containers: [
                    {
                        name: "dns",
                        image: "dns",
                        ports: [
                            { containerPort: 53, protocol: "UDP" },
                            { containerPort: 53, protocol: "TCP" },
                        ],
                    },
                ],
            },
        },
    ];
}

const component = (w: WorkloadEndpoint) => w.labels["app.kubernetes.io/component"];

/** The matrix over the stack's long-running workloads plus DNS, the API server, metadata and the internet. */
export function trafficMatrix(objects: readonly K8sObject[], config: StackConfig): TrafficMatrix {
    const model = NetworkModel.fromObjects([...objects, ...clusterDnsObjects(config)]);
    const workloads = model.workloads.filter(
        (w) => ["torchpod", "airlock", "mlab"].includes(component(w) ?? "") && w.labels["torchpod.dev/probe"] === undefined,
    );
    const dns = model.workloads.find((w) => w.namespace === config.cluster.dnsNamespace && w.name === DNS_NAMESPACE_NAME)!;
    const ip = (address: string): Endpoint => ({ type: "ip", id: address, ip: address });
    const portsOf = (w: WorkloadEndpoint) => w.ports.map((p) => ({ port: p.containerPort, protocol: p.protocol }));

    const targets: Target[] = [
        ...workloads.map((w) => ({ label: w.id, endpoint: w as Endpoint, ports: portsOf(w) })),
        { label: "cluster DNS", endpoint: dns, ports: portsOf(dns) },
        {
            label: `API server ${config.cluster.apiServerIp}`,
            endpoint: ip(config.cluster.apiServerIp),
            ports: [
                { port: 443, protocol: "TCP" },
                { port: 6443, protocol: "TCP" },
            ],
        },
        { label: `metadata ${METADATA_IP}`, endpoint: ip(METADATA_IP), ports: [{ port: 80, protocol: "TCP" }] },
        {
            label: `internet ${INTERNET_IP}`,
            endpoint: ip(INTERNET_IP),
            ports: [
                { port: 443, protocol: "TCP" },
                { port: 80, protocol: "TCP" },
                { port: 53, protocol: "UDP" },
            ],
        },
    ];
    const sources: { label: string; endpoint: Endpoint }[] = [
        ...workloads.map((w) => ({ label: w.id, endpoint: w as Endpoint })),
        ...config.officeCidrs.slice(0, 1).map((cidr) => ({ label: `office ${cidr}`, endpoint: ip(firstHost(cidr)) })),
    ];

    const cells = sources.map((s) =>
        targets.map((t) => {
            if (s.endpoint.id === t.endpoint.id) return ["(self)"];
            // NetworkPolicy governs pods only: traffic between two outside addresses is not ours to judge.
            if (s.endpoint.type === "ip" && t.endpoint.type === "ip") return [];
            if (s.endpoint.type === "ip" && t.label === "cluster DNS") return [];
            return t.ports
                .filter((p) => model.check(s.endpoint, t.endpoint, p.port, p.protocol).allowed)
                .map((p) => `${p.port}/${p.protocol}`);
        }),
    );
    return { rows: sources.map((s) => s.label), columns: targets.map((t) => t.label), cells };
}

/** The matrix as text: one line per source, each allowed destination with its ports. */
export function formatMatrix(matrix: TrafficMatrix): string {
    const lines: string[] = [];
    matrix.rows.forEach((row, i) => {
        const allowed = matrix.columns
            .map((column, j) => ({ column, ports: matrix.cells[i][j] }))
            .filter((c) => c.ports.length > 0 && c.ports[0] !== "(self)");
        lines.push(`  ${row}`);
        if (allowed.length === 0) lines.push("    → nothing");
        for (const c of allowed) lines.push(`    → ${c.column}: ${c.ports.join(", ")}`);
    });
    return lines.join("\n");
}
