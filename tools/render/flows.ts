// Who may talk to whom in a rendered stack, computed by the NetworkPolicy analyzer from the policies
// the program actually rendered: what a reviewer reads before trusting a change. Workloads that no
// policy tells apart and that have the same flows (every TorchPod, typically) are one group, so the
// output is one line per allowed flow whatever the team's size. The same flows give the text matrix,
// the JSON summary and the Mermaid picture in out/<stack>/flows.md.
import {
    EgressGrant,
    Endpoint,
    ipBlockContains,
    K8sObject,
    NetworkModel,
    parseAddress,
    parseCidr,
    Protocol,
    WorkloadEndpoint,
} from "@torchpod/netpol";
import { StackConfig } from "../../stacks/types";

/** Stand-ins for the outside world: a public address of each family (GitHub's, Cloudflare's resolver). What the
 * policies open to them is read from the egress rules themselves (every port and range), not sampled. */
export const INTERNET_IPS = ["140.82.112.3", "2606:4700:4700::1111"] as const;
export const METADATA_IP = "169.254.169.254";
const DNS_POD_NAME = "cluster-dns";

export type NodeKind = "torchpod" | "airlock" | "mlab" | "workload" | "dns" | "office" | "apiserver" | "metadata" | "internet";

export interface FlowNode {
    readonly id: string; // stable and Mermaid-safe
    readonly label: string;
    readonly kind: NodeKind;
    /** The workloads (NS/NAME) or addresses this node stands for. */
    readonly members: readonly string[];
}

export interface Flow {
    readonly from: string; // node id
    readonly to: string; // node id
    /** Allowed ports, e.g. "80→3000/TCP" (Service port → container port), "53/UDP", "all ports". */
    readonly ports: readonly string[];
    /** For flows to outside addresses: the CIDRs the policies open (with their exceptions). */
    readonly via?: readonly string[];
    /** The NetworkPolicies that allow it (ns/name). */
    readonly allowedBy: readonly string[];
}

export interface FlowGraph {
    readonly nodes: readonly FlowNode[];
    readonly flows: readonly Flow[];
    /** What the analyzer left out (see NetworkModel.warnings). */
    readonly warnings: readonly string[];
}

/** The first host address of a CIDR: a stand-in for "a computer on that network". */
export function firstHost(cidr: string): string {
    const [address, prefixText] = cidr.split("/");
    const prefix = Number(prefixText);
    if (address.includes(":")) return prefix >= 128 || !address.endsWith("::") ? address : `${address}1`;
    if (prefix >= 31) return address;
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
            metadata: { name: DNS_POD_NAME, namespace: config.cluster.dnsNamespace, labels: { ...config.cluster.dnsPodLabels } },
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

const componentOf = (w: WorkloadEndpoint) => w.labels["app.kubernetes.io/component"];
const isProbe = (w: WorkloadEndpoint) => w.labels["torchpod.dev/probe"] !== undefined;
/** The workloads of the traffic table: the three components, MLab's reconciler and importer Jobs, the Airlock's audit writer and the working-hours schedule. */
const SHOWN_COMPONENTS = ["torchpod", "airlock", "mlab", "mlab-reconciler", "mlab-importer", "airlock-audit", "working-hours"];
const sortedUnique = (xs: Iterable<string>) => [...new Set(xs)].sort();

interface PortTarget {
    readonly port: number;
    readonly protocol: Protocol;
    readonly text: string;
}

/** A workload's served ports, each named by the Service port that maps to it when there is one. */
function servedPorts(model: NetworkModel, w: WorkloadEndpoint): PortTarget[] {
    const services = model.services.filter((s) => s.selector && s.namespace === w.namespace);
    return w.ports.map((cp) => {
        const mapped = services
            .flatMap((s) => (s.selector && Object.entries(s.selector).every(([k, v]) => w.labels[k] === v) ? s.ports : []))
            .filter(
                (sp) =>
                    sp.protocol === cp.protocol &&
                    (sp.targetPort === cp.containerPort || (cp.name !== undefined && sp.targetPort === cp.name)),
            )
            .map((sp) => sp.port);
        const front = sortedUnique(mapped.filter((p) => p !== cp.containerPort).map(String));
        const text = front.length > 0 ? `${front.join(",")}→${cp.containerPort}/${cp.protocol}` : `${cp.containerPort}/${cp.protocol}`;
        return { port: cp.containerPort, protocol: cp.protocol, text };
    });
}

function grantPortsText(g: EgressGrant): string[] {
    if (g.ports === "all") return ["all ports"];
    return g.ports.flatMap((p) => {
        if (p.port === undefined) return [`all ${p.protocol} ports`];
        if (typeof p.port === "string") return []; // a named port never matches an outside address
        return [p.endPort !== undefined ? `${p.port}-${p.endPort}/${p.protocol}` : `${p.port}/${p.protocol}`];
    });
}

/** What a workload may open towards an outside address, exactly as its egress rules say. */
function egressToAddress(
    egress: ReturnType<NetworkModel["egressGrants"]>,
    address: string,
): { ports: string[]; via: string[]; allowedBy: string[] } {
    const a = parseAddress(address)!;
    const { isolated, grants } = egress;
    if (!isolated) return { ports: ["all ports"], via: ["not isolated for egress"], allowedBy: [] };
    const ports = new Set<string>();
    const via = new Set<string>();
    const allowedBy = new Set<string>();
    for (const g of grants) {
        let covers = false;
        if (g.peer.kind === "all") {
            covers = true;
            via.add("any address");
        } else if (g.peer.kind === "ipBlock") {
            const cidr = parseCidr(g.peer.cidr);
            const except = g.peer.except.map((e) => parseCidr(e)).filter((e): e is Exclude<typeof e, string> => typeof e !== "string");
            covers = typeof cidr !== "string" && ipBlockContains(cidr, except, a);
            if (covers) via.add(g.peer.except.length > 0 ? `${g.peer.cidr} except ${g.peer.except.join(", ")}` : g.peer.cidr);
        }
        if (!covers) continue;
        const texts = grantPortsText(g);
        if (texts.length === 0) continue;
        texts.forEach((t) => ports.add(t));
        allowedBy.add(g.policy);
    }
    const all = ports.has("all ports") ? ["all ports"] : [...ports];
    return { ports: all, via: [...via], allowedBy: [...allowedBy].sort() };
}

/** Per-endpoint flow, before grouping. */
interface RawFlow {
    from: string; // endpoint key
    to: string;
    ports: string[];
    via: string[];
    allowedBy: string[];
}

/** The flows of a rendered stack: its long-running workloads, the office networks, DNS, the API server (Service IP and control plane), metadata and the internet. */
export function stackFlows(objects: readonly K8sObject[], config: StackConfig): FlowGraph {
    const model = NetworkModel.fromObjects([...objects, ...clusterDnsObjects(config)]);
    const workloads = model.workloads.filter((w) => SHOWN_COMPONENTS.includes(componentOf(w) ?? "") && !isProbe(w));
    const dns = model.workloads.find((w) => w.namespace === config.cluster.dnsNamespace && w.name === DNS_POD_NAME)!;
    const offices = config.officeCidrs.map((cidr) => ({ cidr, address: firstHost(cidr) }));
    const ipEndpoint = (address: string): Endpoint => ({ type: "ip", id: address, ip: address });
    const outside: { key: string; kind: NodeKind; label: string; address: string; ports: { port: number; protocol: Protocol }[] }[] = [
        {
            key: "apiserver",
            kind: "apiserver",
            label: `API server ${config.cluster.apiServerIp}`,
            address: config.cluster.apiServerIp,
            ports: [],
        },
        // The API server's real addresses, which NetworkPolicies see after the Service IP is translated.
        ...config.cluster.controlPlaneCidrs.map((cidr, i) => ({
            key: `controlplane${i}`,
            kind: "apiserver" as NodeKind,
            label: `control plane ${cidr}`,
            address: firstHost(cidr),
            ports: [],
        })),
        { key: "metadata", kind: "metadata", label: `cloud metadata ${METADATA_IP}`, address: METADATA_IP, ports: [] },
        ...INTERNET_IPS.map((address) => {
            const family = address.includes(":") ? "IPv6" : "IPv4";
            return { key: `internet${family}`, kind: "internet" as NodeKind, label: `internet (${family})`, address, ports: [] };
        }),
    ];

    const raw: RawFlow[] = [];
    const allowedBy = (v: ReturnType<NetworkModel["check"]>) => [...v.egress.allowedBy, ...v.ingress.allowedBy];
    // Workloads of one analyzer class are alike to every policy: one check per class pair, port and protocol.
    const index = new Map(model.workloads.map((w, i) => [w, i]));
    const classKey = (e: Endpoint) => (e.type === "workload" ? `c${model.engine.classOf[index.get(e)!]}` : `ip:${e.id}`);
    const verdicts = new Map<string, ReturnType<NetworkModel["check"]>>();
    const check = (from: Endpoint, to: WorkloadEndpoint, port: number, protocol: Protocol) => {
        const key = `${classKey(from)}>${classKey(to)}:${port}/${protocol}`;
        let v = verdicts.get(key);
        if (!v) verdicts.set(key, (v = model.check(from, to, port, protocol)));
        return v;
    };
    const toWorkload = (from: Endpoint, fromKey: string, w: WorkloadEndpoint, targets: PortTarget[]) => {
        const ports: string[] = [];
        const by = new Set<string>();
        for (const t of targets) {
            const v = check(from, w, t.port, t.protocol);
            if (!v.allowed) continue;
            ports.push(t.text);
            allowedBy(v).forEach((p) => by.add(p));
        }
        if (ports.length > 0) raw.push({ from: fromKey, to: w.id, ports, via: [], allowedBy: [...by].sort() });
    };
    const served = new Map(workloads.map((w) => [w, servedPorts(model, w)]));
    const dnsPorts = servedPorts(model, dns);
    for (const src of workloads) {
        for (const dst of workloads) if (dst !== src) toWorkload(src, src.id, dst, served.get(dst)!);
        toWorkload(src, src.id, dns, dnsPorts);
        const egress = model.egressGrants(src);
        for (const o of outside) {
            const e = egressToAddress(egress, o.address);
            if (e.ports.length > 0) raw.push({ from: src.id, to: o.key, ports: e.ports, via: e.via, allowedBy: e.allowedBy });
        }
    }
    offices.forEach((office, i) => {
        for (const dst of workloads) toWorkload(ipEndpoint(office.address), `office${i}`, dst, served.get(dst)!);
    });

    // Group workloads of one component whose flows are the same (towards and from everything else).
    const initial = new Map<string, string>(workloads.map((w) => [w.id, componentOf(w)!]));
    const signature = (id: string) => {
        const out = raw.filter((f) => f.from === id).map((f) => `>${initial.get(f.to) ?? f.to}:${f.ports.join(",")}:${f.via.join(",")}`);
        const inn = raw.filter((f) => f.to === id).map((f) => `<${initial.get(f.from) ?? f.from}:${f.ports.join(",")}`);
        return JSON.stringify([initial.get(id), sortedUnique([...out, ...inn])]);
    };
    const groups = new Map<string, WorkloadEndpoint[]>();
    for (const w of workloads) {
        const sig = signature(w.id);
        groups.set(sig, [...(groups.get(sig) ?? []), w]);
    }

    const nodes: FlowNode[] = [];
    const nodeOf = new Map<string, string>();
    const COMPONENT_TITLES: Record<string, string> = {
        torchpod: "TorchPod",
        airlock: "Airlock",
        mlab: "MLab",
        "mlab-reconciler": "MLab reconciler",
        "mlab-importer": "MLab importer",
        "airlock-audit": "Airlock audit writer",
        "working-hours": "working-hours schedule",
    };
    let n = 0;
    for (const members of groups.values()) {
        const component = componentOf(members[0])!;
        const id = `${component.replace(/[^A-Za-z0-9]/g, "")}${n++}`;
        const ids = members.map((m) => m.id).sort();
        const title = COMPONENT_TITLES[component] ?? component;
        const label = ids.length === 1 ? `${title} ${ids[0]}` : `${ids.length} ${title}s`;
        nodes.push({
            id,
            label,
            kind: (["torchpod", "airlock", "mlab"].includes(component) ? component : "workload") as NodeKind,
            members: ids,
        });
        ids.forEach((m) => nodeOf.set(m, id));
    }
    nodes.push({ id: "dns", label: `cluster DNS (${config.cluster.dnsNamespace})`, kind: "dns", members: [dns.id] });
    nodeOf.set(dns.id, "dns");
    offices.forEach((o, i) => {
        nodes.push({ id: `office${i}`, label: `office ${o.cidr}`, kind: "office", members: [o.cidr] });
        nodeOf.set(`office${i}`, `office${i}`);
    });
    for (const o of outside) {
        nodes.push({ id: o.key, label: o.label, kind: o.kind, members: [o.address] });
        nodeOf.set(o.key, o.key);
    }

    // Group-level flows: the union over members (identical by construction, except flows inside a group).
    const merged = new Map<string, { from: string; to: string; ports: Set<string>; via: Set<string>; allowedBy: Set<string> }>();
    for (const f of raw) {
        const from = nodeOf.get(f.from)!;
        const to = nodeOf.get(f.to)!;
        const key = `${from}\0${to}`;
        let m = merged.get(key);
        if (!m) merged.set(key, (m = { from, to, ports: new Set(), via: new Set(), allowedBy: new Set() }));
        f.ports.forEach((p) => m!.ports.add(p));
        f.via.forEach((p) => m!.via.add(p));
        f.allowedBy.forEach((p) => m!.allowedBy.add(p));
    }
    const order = new Map(nodes.map((x, i) => [x.id, i]));
    const flows: Flow[] = [...merged.values()]
        .sort((a, b) => order.get(a.from)! - order.get(b.from)! || order.get(a.to)! - order.get(b.to)!)
        .map((m) => {
            const flow: Flow = { from: m.from, to: m.to, ports: [...m.ports], allowedBy: [...m.allowedBy].sort() };
            return m.via.size > 0 ? { ...flow, via: [...m.via] } : flow;
        });
    return { nodes, flows, warnings: model.warnings };
}

function memberList(node: FlowNode, max = 6): string {
    if (node.members.length <= 1) return "";
    const names = node.members.map((m) => m.split("/").pop()!);
    return names.length <= max ? names.join(", ") : `${names.slice(0, max).join(", ")}, … (${names.length} in all)`;
}

function nodeText(node: FlowNode): string {
    const members = memberList(node);
    return members ? `${node.label} (${members})` : node.label;
}

/** One line per allowed flow; nodes no flow leaves say so. */
export function formatFlows(graph: FlowGraph): string {
    const byId = new Map(graph.nodes.map((x) => [x.id, x]));
    const lines: string[] = [];
    for (const node of graph.nodes) {
        const out = graph.flows.filter((f) => f.from === node.id);
        if (out.length === 0 && !["torchpod", "airlock", "mlab", "office", "workload"].includes(node.kind)) continue;
        if (out.length === 0) {
            lines.push(`  ${nodeText(node)} → nothing`);
            continue;
        }
        for (const f of out) {
            const to = byId.get(f.to)!;
            const within = f.to === f.from ? " (to each other)" : "";
            const via = f.via && f.via.length > 0 ? ` (${f.via.join("; ")})` : "";
            lines.push(`  ${nodeText(node)} → ${to.id === node.id ? to.label : nodeText(to)}${within}: ${f.ports.join(", ")}${via}`);
        }
    }
    return lines.join("\n");
}

const mermaidText = (s: string) => s.replace(/"/g, "#quot;");

/** The flows as a Mermaid flowchart (GitHub renders it), for out/<stack>/flows.md. */
export function flowsMarkdown(graph: FlowGraph, stack: string): string {
    const byId = new Map(graph.nodes.map((x) => [x.id, x]));
    const shape = (node: FlowNode) => {
        const text = mermaidText(
            node.members.length > 1 && node.kind !== "internet" ? `${node.label}<br/>${memberList(node, 4)}` : node.label,
        );
        if (node.kind === "internet") return `${node.id}(("${text}"))`;
        if (node.kind === "office") return `${node.id}[/"${text}"/]`;
        if (node.kind === "dns" || node.kind === "apiserver" || node.kind === "metadata") return `${node.id}[("${text}")]`;
        return `${node.id}["${text}"]`;
    };
    const lines = [
        `# Allowed network flows: stack ${stack}`,
        "",
        "Computed by the NetworkPolicy analyzer from the NetworkPolicies in this folder (not drawn by hand).",
        "An arrow is a connection its source may open; its label is the ports (`80→3000/TCP`: the Service",
        "port and the container port it reaches). No arrow means no connection is allowed. Workloads with",
        "the same flows are one box. Regenerate with `npm run render`.",
        "",
        "```mermaid",
        "flowchart LR",
        ...graph.nodes.map((x) => `    ${shape(x)}`),
        ...graph.flows.map((f) => `    ${f.from} -- "${mermaidText(f.ports.join(", "))}" --> ${f.to}`),
        "```",
        "",
        "## Flows",
        "",
        "| from | to | ports | allowed by |",
        "|---|---|---|---|",
        ...graph.flows.map((f) => {
            const via = f.via && f.via.length > 0 ? ` (${f.via.join("; ")})` : "";
            return `| ${nodeText(byId.get(f.from)!)} | ${nodeText(byId.get(f.to)!)} | ${f.ports.join(", ")}${via} | ${f.allowedBy.join(", ") || "not isolated"} |`;
        }),
        "",
    ];
    if (graph.warnings.length > 0) lines.push("## Not evaluated", "", ...graph.warnings.map((w) => `- ${w}`), "");
    return lines.join("\n");
}
