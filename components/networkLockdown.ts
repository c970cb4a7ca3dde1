// The network lock-down: the NetworkPolicies that realise the platform's who-may-talk-to-whom table
// (docs/DESIGN.md) exactly, and nothing more.
//
//   from \ to   TorchPod      Airlock      MLab (Gitea http+ssh)  DNS            API/nodes/metadata  internet
//   TorchPod    no            no           yes, only those ports  no             no                  no
//   Airlock     no            -            no                     cluster DNS    no                  yes, except private/cluster/link-local
//   MLab        no            no           -                      no             no                  no (only the outside database config names)
//   reconciler  no            no           http only              no             no                  no
//   importer    no            no           http only              cluster DNS    no                  TCP 443 only, except private/cluster/link-local
//   office      GUI ports     sftp + GUI   http + ssh
//
// MLab is where reviewed code leaves, so it must never be a relay: its Gitea gets no egress at all.
// The one exception is the PostgreSQL server stack config names, by IP (exactly that address and
// port). Approved upstreams come in through the importer, which clones them and pushes into an empty
// repository with an account that can write that one repository and read nothing else.
//
// Every namespace the platform owns starts from a default deny (ingress and egress); each rule below
// opens exactly one cell. Pods are selected by the label contract (components/labels.ts), namespaces
// by `kubernetes.io/metadata.name` (the API server sets it, nobody can forge it). TorchPod egress is
// expressed with pod and namespace selectors only, never with an ipBlock, and carries no port 53:
// a resolver that forwards to the internet carries data out in query names.
//
// Office ingress is written as ipBlocks of the office CIDRs. That works because the user-facing
// LoadBalancer Services use `externalTrafficPolicy: Local`: the load balancer delivers straight to a
// node that runs the pod, without the second hop's SNAT, so the pod (and the NetworkPolicy) sees the
// client's real address. With `Cluster` the source would be a node IP and these rules would drop it.
import * as crypto from "crypto";
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { ComponentName, LABEL_NAME, NAMESPACE_NAME_LABEL, componentSelector, platformLabels } from "@torchpod/contract";
import { ClusterConfig, GuiConfig, NamespacesConfig } from "./settings";

/** Container ports of the TorchPod image (and the Airlock, same image) the lock-down opens. */
export const GUI_PORTS = {
    /** xrdp, PAM login with the user's password. */
    rdp: 3389,
    /** The authenticating proxy sidecar in front of noVNC (7030 itself has no password and is never opened). */
    browser: 7031,
    /** Raw VNC: no password, opened only when gui.vnc is true. */
    vnc: 5900,
} as const;

/** The namespace label the API server sets on every namespace. */

/** Private, loopback, "this network", CGNAT and link-local IPv4 ranges: never "the internet". */
export const PRIVATE_V4: readonly string[] = [
    "0.0.0.0/8",
    "10.0.0.0/8",
    "100.64.0.0/10",
    "127.0.0.0/8",
    "169.254.0.0/16",
    "172.16.0.0/12",
    "192.168.0.0/16",
];

/**
 * The IPv6 equivalents: unique-local, link-local, loopback, unspecified, the local-use NAT64 prefix,
 * and the well-known NAT64 prefix's embeddings of the private IPv4 ranges (on a NAT64 cluster
 * 64:ff9b::10.0.0.1 *is* 10.0.0.1).
 */
export const PRIVATE_V6: readonly string[] = [
    "::/128",
    "::1/128",
    "fc00::/7",
    "fe80::/10",
    "64:ff9b:1::/48",
    "64:ff9b::a00:0/104", // 10.0.0.0/8
    "64:ff9b::6440:0/106", // 100.64.0.0/10
    "64:ff9b::7f00:0/104", // 127.0.0.0/8
    "64:ff9b::a9fe:0/112", // 169.254.0.0/16
    "64:ff9b::ac10:0/108", // 172.16.0.0/12
    "64:ff9b::c0a8:0/112", // 192.168.0.0/16
];

export const ANY_V4 = "0.0.0.0/0";
export const ANY_V6 = "::/0";

export interface NetworkLockdownArgs {
    /** The platform's namespaces (TorchPods and the Airlock share one, MLab has its own); no default. */
    readonly namespaces: NamespacesConfig;
    /** Which GUI ports are opened from the office networks (only rdp, browser, vnc matter); no default. */
    readonly gui: Pick<GuiConfig, "rdp" | "browser" | "vnc">;
    /** Office networks allowed in (ingress only); no default, an empty list lets nothing in. */
    readonly officeCidrs: readonly string[];
    /** Cluster CIDRs, DNS labels and whether IPv6 exists; no default. */
    readonly cluster: ClusterConfig;
    /** Gitea's container ports (http and ssh), the only ports TorchPods may reach; no default. */
    readonly mlabPorts: { readonly http: number; readonly ssh: number };
    /** The Airlock's sshd container port (its Service maps 10022 to it); default 22. */
    readonly airlockSftpContainerPort?: number;
    /**
     * MLab's outside PostgreSQL server (Mlab.databaseEndpoint): Gitea's only egress, exactly this
     * address and TCP port; default none (SQLite: no egress at all).
     */
    readonly mlabDatabase?: { readonly ip: string; readonly port: number };
}

/** A NetworkPolicy as the API server receives it (networking.k8s.io/v1). */
export interface NetworkPolicyManifest {
    readonly apiVersion: "networking.k8s.io/v1";
    readonly kind: "NetworkPolicy";
    readonly metadata: {
        readonly name: string;
        readonly namespace: string;
        readonly labels: Record<string, string>;
        readonly annotations: Record<string, string>;
    };
    readonly spec: {
        readonly podSelector: { matchLabels?: Record<string, string> };
        readonly policyTypes: ("Ingress" | "Egress")[];
        readonly ingress?: Rule<"from">[];
        readonly egress?: Rule<"to">[];
    };
}

type Peer =
    | { namespaceSelector: { matchLabels: Record<string, string> }; podSelector: { matchLabels: Record<string, string> } }
    | { ipBlock: { cidr: string; except?: string[] } };
type Port = { protocol: "TCP" | "UDP"; port: number };
type Rule<K extends "from" | "to"> = { [P in K]: Peer[] } & { ports?: Port[] };

/** Stable policy names (the policy pack, `npm run render` and humans refer to them). */
export const POLICY_NAMES = {
    defaultDeny: "default-deny-all",
    torchpodEgress: "torchpod-egress-mlab",
    torchpodIngress: "torchpod-ingress-office",
    airlockEgress: "airlock-egress-dns-internet",
    airlockIngress: "airlock-ingress-office",
    mlabEgress: "mlab-egress-none",
    mlabEgressDatabase: "mlab-egress-database",
    mlabIngressOffice: "mlab-ingress-office",
    mlabIngressTorchpods: "mlab-ingress-torchpods",
    mlabIngressReconciler: "mlab-ingress-reconciler",
    mlabIngressImporter: "mlab-ingress-importer",
    reconcilerEgress: "mlab-reconciler-egress",
    importerEgress: "mlab-importer-egress",
} as const;

/** Builds the lock-down's NetworkPolicies from plain configuration (no Pulumi involved). */
export function lockdownPolicies(args: NetworkLockdownArgs): NetworkPolicyManifest[] {
    const airlockSftp = args.airlockSftpContainerPort ?? 22;
    const { namespaces, cluster, gui } = args;
    for (const [what, port] of [
        ["mlabPorts.http", args.mlabPorts.http],
        ["mlabPorts.ssh", args.mlabPorts.ssh],
        ["airlockSftpContainerPort", airlockSftp],
    ] as const) {
        if (!Number.isInteger(port) || port < 1 || port > 65535)
            throw new Error(`NetworkLockdown: ${what} must be a port number 1-65535, got ${port}`);
    }
    const clusterCidrs = [...cluster.podCidrs, ...cluster.serviceCidrs].map((c) => parseCidrOrThrow(c, "cluster pod/service CIDR"));
    const office = officePeers(args.officeCidrs, clusterCidrs);
    const database = args.mlabDatabase ? databasePeer(args.mlabDatabase, clusterCidrs) : undefined;

    // Peers.
    const podsOf = (namespace: string, component: ComponentName): Peer => ({
        namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: namespace } },
        podSelector: { matchLabels: componentSelector(component) },
    });
    const dnsPeer: Peer = {
        namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: cluster.dnsNamespace } },
        podSelector: { matchLabels: { ...cluster.dnsPodLabels } },
    };
    if (Object.keys(cluster.dnsPodLabels).length === 0) {
        // An empty podSelector would open port 53 of every pod in the DNS namespace.
        throw new Error("NetworkLockdown: cluster.dnsPodLabels must name the cluster DNS pods (e.g. k8s-app: kube-dns)");
    }
    // NetworkPolicy sees the API server after the Service's DNAT: its real (maybe public) address.
    const controlPlane = cluster.controlPlaneCidrs.map((c) => formatCidr(parseCidrOrThrow(c, "control-plane CIDR")));
    const internet = internetPeers(cluster, controlPlane);
    const dnsRule: Rule<"to"> = {
        to: [dnsPeer],
        ports: [
            { protocol: "UDP", port: 53 },
            { protocol: "TCP", port: 53 },
        ],
    };
    const tcp = (...ports: number[]): Port[] => ports.map((port) => ({ protocol: "TCP", port }));

    const guiPorts: number[] = [
        ...(gui.rdp ? [GUI_PORTS.rdp] : []),
        ...(gui.browser ? [GUI_PORTS.browser] : []),
        ...(gui.vnc ? [GUI_PORTS.vnc] : []),
    ];
    const mlabPorts = [...new Set([args.mlabPorts.http, args.mlabPorts.ssh])];
    // A rule with an empty `from` would admit everyone: with no office CIDRs or no ports there is no rule.
    const officeRule = (ports: number[]): Rule<"from">[] =>
        office.length > 0 && ports.length > 0 ? [{ from: office, ports: tcp(...ports) }] : [];

    const policy = (
        namespace: string,
        name: string,
        why: string,
        select: ComponentName | undefined,
        rules: { ingress?: Rule<"from">[]; egress?: Rule<"to">[] },
    ): NetworkPolicyManifest => ({
        apiVersion: "networking.k8s.io/v1",
        kind: "NetworkPolicy",
        metadata: {
            name,
            namespace,
            labels: { ...platformLabels(), [LABEL_NAME]: "network-lockdown" },
            annotations: { "torchpod.dev/why": why },
        },
        spec: {
            podSelector: select ? { matchLabels: componentSelector(select) } : {},
            policyTypes: [...(rules.ingress ? ["Ingress" as const] : []), ...(rules.egress ? ["Egress" as const] : [])],
            ...(rules.ingress ? { ingress: rules.ingress } : {}),
            ...(rules.egress ? { egress: rules.egress } : {}),
        },
    });

    const tp = namespaces.torchpods;
    const ml = namespaces.mlab;
    const out: NetworkPolicyManifest[] = [];
    for (const ns of new Set([tp, ml])) {
        out.push(
            policy(
                ns,
                POLICY_NAMES.defaultDeny,
                "Default deny: every pod here is isolated in both directions; the other policies open single cells of the traffic table.",
                undefined,
                { ingress: [], egress: [] },
            ),
        );
    }
    out.push(
        // TorchPods (and the enforcement probe, which carries their labels).
        policy(
            tp,
            POLICY_NAMES.torchpodEgress,
            "TorchPods reach MLab's Gitea http and ssh container ports and nothing else: no DNS, no ipBlock.",
            "torchpod",
            {
                egress: [{ to: [podsOf(ml, "mlab")], ports: tcp(...mlabPorts) }],
            },
        ),
        policy(
            tp,
            POLICY_NAMES.torchpodIngress,
            "Only office networks reach a TorchPod, on the enabled GUI ports; no pod (TorchPod, Airlock, MLab) does.",
            "torchpod",
            {
                ingress: officeRule(guiPorts),
            },
        ),
        // The Airlock: the only machine with the internet.
        policy(
            tp,
            POLICY_NAMES.airlockEgress,
            "The Airlock resolves through cluster DNS and reaches the internet, except private, cluster and link-local ranges.",
            "airlock",
            {
                egress: [dnsRule, { to: internet }],
            },
        ),
        policy(tp, POLICY_NAMES.airlockIngress, "Office networks reach the Airlock's sftp and GUI ports.", "airlock", {
            ingress: officeRule([airlockSftp, ...guiPorts]),
        }),
        // MLab (Gitea): no egress at all, but for the outside database config names.
        policy(
            ml,
            POLICY_NAMES.mlabEgress,
            "MLab never relays: Gitea has no egress at all (no DNS, no internet, no cluster address); only a configured outside database is opened, by its own policy.",
            "mlab",
            { egress: [] },
        ),
        ...(database
            ? [
                  policy(
                      ml,
                      POLICY_NAMES.mlabEgressDatabase,
                      `Gitea reaches its outside PostgreSQL server at exactly ${database.ipBlock.cidr} TCP ${args.mlabDatabase!.port} (by IP: no DNS).`,
                      "mlab",
                      { egress: [{ to: [database], ports: tcp(args.mlabDatabase!.port) }] },
                  ),
              ]
            : []),
        policy(ml, POLICY_NAMES.mlabIngressOffice, "Office networks reach Gitea http and ssh.", "mlab", {
            ingress: officeRule(mlabPorts),
        }),
        policy(ml, POLICY_NAMES.mlabIngressTorchpods, "TorchPods reach Gitea http and ssh.", "mlab", {
            ingress: [{ from: [podsOf(tp, "torchpod")], ports: tcp(...mlabPorts) }],
        }),
        policy(ml, POLICY_NAMES.mlabIngressReconciler, "The reconciler Job reaches Gitea's http API.", "mlab", {
            ingress: [{ from: [podsOf(ml, "mlab-reconciler")], ports: tcp(args.mlabPorts.http) }],
        }),
        policy(ml, POLICY_NAMES.mlabIngressImporter, "The importer Jobs push into Gitea over http.", "mlab", {
            ingress: [{ from: [podsOf(ml, "mlab-importer")], ports: tcp(args.mlabPorts.http) }],
        }),
        // The reconciler (holds the admin credential): Gitea's http port, by the Service's cluster IP, and nothing else.
        policy(
            ml,
            POLICY_NAMES.reconcilerEgress,
            "The reconciler holds the admin credential: it reaches Gitea http (by the Service's cluster IP) and nothing else, not even DNS.",
            "mlab-reconciler",
            {
                egress: [{ to: [podsOf(ml, "mlab")], ports: tcp(args.mlabPorts.http) }],
            },
        ),
        // The importer (can write only the repository it imports): the upstream over TCP 443, and Gitea http.
        policy(
            ml,
            POLICY_NAMES.importerEgress,
            "The importer resolves the upstream through cluster DNS, clones it over TCP 443 (never private, cluster or link-local ranges) and pushes into Gitea http.",
            "mlab-importer",
            {
                egress: [dnsRule, { to: internet, ports: tcp(443) }, { to: [podsOf(ml, "mlab")], ports: tcp(args.mlabPorts.http) }],
            },
        ),
    );
    return out;
}

/** The outside database as one host ipBlock; never an address in the cluster's pod or service ranges. */
function databasePeer(db: { readonly ip: string; readonly port: number }, clusterCidrs: Cidr[]): { ipBlock: { cidr: string } } {
    if (!Number.isInteger(db.port) || db.port < 1 || db.port > 65535)
        throw new Error(`NetworkLockdown: mlabDatabase.port must be a port number 1-65535, got ${db.port}`);
    const host = parseCidr(db.ip.includes(":") ? `${db.ip}/128` : `${db.ip}/32`);
    if (!host || db.ip.includes("/"))
        throw new Error(`NetworkLockdown: mlabDatabase.ip must be one IP address (MLab has no DNS), got ${JSON.stringify(db.ip)}`);
    const inside = clusterCidrs.find((k) => cidrContains(k, host));
    if (inside)
        throw new Error(
            `NetworkLockdown: mlabDatabase.ip ${db.ip} lies inside the cluster range ${formatCidr(inside)}: an outside database is expected (NetworkPolicy sees pods, not Service addresses)`,
        );
    return { ipBlock: { cidr: formatCidr(host) } };
}

/** The internet as ipBlocks: everything but private, link-local and the cluster's own ranges. */
export function internetPeers(cluster: ClusterConfig, controlPlaneCidrs: readonly string[] = []): Peer[] {
    const v4 = { cidr: ANY_V4, except: exceptList(ANY_V4, internetExcepts(cluster, 4, controlPlaneCidrs)) };
    const v6 = { cidr: ANY_V6, except: exceptList(ANY_V6, internetExcepts(cluster, 6, controlPlaneCidrs)) };
    return [{ ipBlock: v4 }, ...(cluster.dualStack ? [{ ipBlock: v6 }] : [])];
}

/** Candidate excepts of one family: the private ranges, the cluster CIDRs, the API server, DNS and control-plane addresses. */
function internetExcepts(cluster: ClusterConfig, family: 4 | 6, controlPlaneCidrs: readonly string[]): string[] {
    const hosts = [cluster.apiServerIp, cluster.dnsServiceIp].filter((ip) => ip).map((ip) => (ip.includes(":") ? `${ip}/128` : `${ip}/32`));
    return [
        ...(family === 4 ? PRIVATE_V4 : PRIVATE_V6),
        ...cluster.podCidrs,
        ...cluster.serviceCidrs,
        ...hosts,
        ...controlPlaneCidrs,
    ].filter((c) => parseCidrOrThrow(c, "cluster address").family === family);
}

/**
 * The `except` list the API server accepts for `block`: canonical CIDRs, each a strict subset of the
 * block (anything else is rejected: "must be a strict subset of `cidr`"), no duplicates and none that
 * a wider entry already covers; sorted for a stable diff.
 */
export function exceptList(block: string, candidates: readonly string[]): string[] {
    const outer = parseCidrOrThrow(block, "ipBlock cidr");
    const inside = candidates
        .map((c) => parseCidrOrThrow(c, "except CIDR"))
        .filter((c) => c.family === outer.family && c.prefix > outer.prefix && cidrContains(outer, c));
    const kept = inside.filter(
        (c, i) => !inside.some((o, j) => (o.prefix < c.prefix || (o.prefix === c.prefix && j < i)) && cidrContains(o, c)),
    );
    return kept.sort((a, b) => (a.addr < b.addr ? -1 : a.addr > b.addr ? 1 : a.prefix - b.prefix)).map(formatCidr);
}

/**
 * Office ingress peers. Office CIDRs are meant to be outside the cluster; where one contains the
 * cluster's pod or service ranges (a 10.0.0.0/8 office and a 10.244.0.0/16 pod network), those are
 * excepted, because some network plugins match pod IPs against ipBlocks and a pod must never pass for
 * an office computer. An office CIDR inside a cluster range is a configuration error.
 */
function officePeers(officeCidrs: readonly string[], clusterCidrs: Cidr[]): Peer[] {
    const seen = new Set<string>();
    const out: Peer[] = [];
    for (const raw of officeCidrs) {
        const c = parseCidrOrThrow(raw, "office CIDR");
        // The stack config refuses these too; the lock-down does not rely on it: "the office" is never everyone.
        if (c.prefix === 0)
            throw new Error(`NetworkLockdown: office CIDR ${raw} is the whole address space: the internet would reach every TorchPod`);
        const inside = clusterCidrs.find((k) => k.family === c.family && k.prefix <= c.prefix && cidrContains(k, c));
        if (inside)
            throw new Error(
                `NetworkLockdown: office CIDR ${raw} lies inside the cluster range ${formatCidr(inside)}: pods would pass for office computers`,
            );
        const cidr = formatCidr(c);
        if (seen.has(cidr)) continue;
        seen.add(cidr);
        const except = exceptList(cidr, clusterCidrs.map(formatCidr));
        out.push({ ipBlock: except.length > 0 ? { cidr, except } : { cidr } });
    }
    return out;
}

// --- CIDR arithmetic (IPv4 and IPv6 as bigints) -------------------------------------------------

export interface Cidr {
    readonly family: 4 | 6;
    /** The network address, host bits cleared. */
    readonly addr: bigint;
    readonly prefix: number;
}

const bits = (family: 4 | 6) => (family === 4 ? 32 : 128);

function parseV4(s: string): bigint | undefined {
    const parts = s.split(".");
    if (parts.length !== 4) return undefined;
    let v = 0n;
    for (const p of parts) {
        // No leading zeros: the API server rejects them (they read as octal to some tools).
        if (!/^(0|[1-9][0-9]{0,2})$/.test(p) || Number(p) > 255) return undefined;
        v = (v << 8n) | BigInt(p);
    }
    return v;
}

function parseV6(s: string): bigint | undefined {
    let text = s.toLowerCase();
    const lastColon = text.lastIndexOf(":");
    if (lastColon < 0) return undefined;
    const last = text.slice(lastColon + 1);
    if (last.includes(".")) {
        // An embedded IPv4 tail (64:ff9b::10.0.0.1) is two groups.
        const v4 = parseV4(last);
        if (v4 === undefined) return undefined;
        text = `${text.slice(0, lastColon + 1)}${(v4 >> 16n).toString(16)}:${(v4 & 0xffffn).toString(16)}`;
    }
    const halves = text.split("::");
    if (halves.length > 2) return undefined;
    const group = (g: string) => (/^[0-9a-f]{1,4}$/.test(g) ? BigInt(parseInt(g, 16)) : undefined);
    const parseList = (h: string) => (h === "" ? [] : h.split(":").map(group));
    const head = parseList(halves[0]);
    const rest = halves.length === 2 ? parseList(halves[1]) : [];
    const groups = [...head, ...rest];
    if (groups.some((g) => g === undefined)) return undefined;
    if (halves.length === 1 ? groups.length !== 8 : groups.length > 7) return undefined;
    const all = [...head, ...Array<bigint>(8 - groups.length).fill(0n), ...rest] as bigint[];
    return all.reduce((acc, g) => (acc << 16n) | g, 0n);
}

/** Parses `a.b.c.d/n` or an IPv6 CIDR; host bits are cleared (the canonical form). */
export function parseCidr(s: string): Cidr | undefined {
    const m = /^([^/]+)\/(\d{1,3})$/.exec(s.trim());
    if (!m) return undefined;
    const family: 4 | 6 = m[1].includes(":") ? 6 : 4;
    const addr = family === 4 ? parseV4(m[1]) : parseV6(m[1]);
    const prefix = Number(m[2]);
    if (addr === undefined || prefix > bits(family)) return undefined;
    const hostBits = BigInt(bits(family) - prefix);
    return { family, addr: (addr >> hostBits) << hostBits, prefix };
}

function parseCidrOrThrow(s: string, what: string): Cidr {
    const c = parseCidr(s);
    if (!c) throw new Error(`NetworkLockdown: ${what} ${JSON.stringify(s)} is not a valid CIDR (e.g. 10.0.0.0/8 or fd00::/8)`);
    return c;
}

/** True when `inner` lies within `outer` (equal counts). */
export function cidrContains(outer: Cidr, inner: Cidr): boolean {
    if (outer.family !== inner.family || inner.prefix < outer.prefix) return false;
    const hostBits = BigInt(bits(outer.family) - outer.prefix);
    return inner.addr >> hostBits === outer.addr >> hostBits;
}

/** The canonical text of a CIDR (RFC 5952 for IPv6: lower case, longest zero run compressed). */
export function formatCidr(c: Cidr): string {
    if (c.family === 4) {
        const o = [24n, 16n, 8n, 0n].map((s) => String((c.addr >> s) & 0xffn));
        return `${o.join(".")}/${c.prefix}`;
    }
    const groups: number[] = [];
    for (let i = 7; i >= 0; i--) groups.push(Number((c.addr >> BigInt(i * 16)) & 0xffffn));
    let best = -1;
    let bestLen = 1; // a single zero group is not compressed
    for (let i = 0; i < 8;) {
        if (groups[i] !== 0) {
            i++;
            continue;
        }
        let j = i;
        while (j < 8 && groups[j] === 0) j++;
        if (j - i > bestLen) {
            best = i;
            bestLen = j - i;
        }
        i = j;
    }
    const hex = groups.map((g) => g.toString(16));
    const text = best < 0 ? hex.join(":") : `${hex.slice(0, best).join(":")}::${hex.slice(best + bestLen).join(":")}`;
    return `${text}/${c.prefix}`;
}

/** True when `ip` (a bare address) falls inside `cidr`. */
export function ipInCidr(ip: string, cidr: string): boolean {
    const host = parseCidr(ip.includes(":") ? `${ip}/128` : `${ip}/32`);
    const block = parseCidr(cidr);
    return host !== undefined && block !== undefined && cidrContains(block, host);
}

// --- The component -------------------------------------------------------------------------------

/**
 * The platform's NetworkPolicies. Workloads should `dependsOn` this component so no pod runs before
 * its namespace is locked down; `fingerprint` changes whenever any policy does (the enforcement
 * probe's Job name carries it, so a changed lock-down is proved again).
 */
export class NetworkLockdown extends pulumi.ComponentResource {
    /** The policies, in the order of `lockdownPolicies`. */
    readonly policies: k8s.networking.v1.NetworkPolicy[];
    /** `namespace/name` of every policy. */
    readonly policyNames: string[];
    /** A short hash of every policy's content. */
    readonly fingerprint: string;

    constructor(name: string, args: NetworkLockdownArgs, opts?: pulumi.ComponentResourceOptions) {
        super("torchpod:index:NetworkLockdown", name, {}, opts);
        const manifests = lockdownPolicies(args);
        this.fingerprint = crypto.createHash("sha256").update(JSON.stringify(manifests)).digest("hex").slice(0, 12);
        this.policyNames = manifests.map((m) => `${m.metadata.namespace}/${m.metadata.name}`);
        this.policies = manifests.map(
            (m) =>
                new k8s.networking.v1.NetworkPolicy(
                    `${name}-${m.metadata.namespace}-${m.metadata.name}`,
                    { metadata: m.metadata, spec: m.spec },
                    { parent: this },
                ),
        );
        this.registerOutputs({ policyNames: this.policyNames, fingerprint: this.fingerprint });
    }
}
