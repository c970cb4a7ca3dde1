// The network lock-down: the NetworkPolicies that realise the platform's who-may-talk-to-whom table
// (docs/DESIGN.md) exactly, and nothing more.
//
//   from \ to   TorchPod      Airlock      MLab (Gitea http+ssh)  DNS            API/nodes/metadata  internet
//   TorchPod    no            no           yes, only those ports  no             no                  no
//   Airlock     no            -            no                     cluster DNS    no                  yes, except private/cluster/link-local
//   MLab        no            no           -                      no             no                  no (only the outside database config names)
//   reconciler  no            no           http only              no             no                  no
//   importer    no            no           http only              cluster DNS    no                  TCP 443 only, except private/cluster/link-local
//   audit       no            no           no                     no             no                  no (and nothing reaches it)
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
import { ClusterConfig, GuiConfig, NamespacesConfig } from "./common/settings";
import {
    ANY_V4,
    ANY_V6,
    Cidr,
    canonicalCidr,
    cidrContainsCidr,
    exceptList,
    formatCidr,
    hostCidr,
    mustParseCidr,
    parseAddress,
} from "@torchpod/netpol/net";
import { refuseInvalidArgs } from "./common/argProblems";
import { validateNetworkLockdownArgs } from "./networkLockdown.validate";

export { ANY_V4, ANY_V6, exceptList, ipInCidr } from "@torchpod/netpol/net";
export { validateNetworkLockdownArgs } from "./networkLockdown.validate";

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
     * The same namespaces as resource outputs (Namespaces.torchpodsName, mlabName): each policy takes its
     * namespace from them, so it is created after its namespace; default: the plain names (created elsewhere).
     */
    readonly namespaceNames?: { readonly torchpods: pulumi.Input<string>; readonly mlab: pulumi.Input<string> };
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
    airlockAudit: "airlock-audit-isolated",
} as const;

/** Builds the lock-down's NetworkPolicies from plain configuration (no Pulumi involved). */
export function lockdownPolicies(args: NetworkLockdownArgs): NetworkPolicyManifest[] {
    refuseInvalidArgs("NetworkLockdown", validateNetworkLockdownArgs(args));
    const airlockSftp = args.airlockSftpContainerPort ?? 22;
    const { namespaces, cluster, gui } = args;
    const clusterCidrs = [...cluster.podCidrs, ...cluster.serviceCidrs].map(mustParseCidr);
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
    // NetworkPolicy sees the API server after the Service's DNAT: its real (maybe public) address.
    const controlPlane = cluster.controlPlaneCidrs.map(canonicalCidr);
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
        // The audit writer: reads the share, writes the audit log; no network at all, either way.
        policy(
            tp,
            POLICY_NAMES.airlockAudit,
            "The Airlock's audit writer has no network at all: nothing reaches it and it reaches nothing (admins read its log with kubectl exec, through the API server).",
            "airlock-audit",
            { ingress: [], egress: [] },
        ),
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

/** The outside database as one host ipBlock (checkMlabDatabase refused names and cluster addresses before any resource). */
function databasePeer(db: { readonly ip: string; readonly port: number }, clusterCidrs: Cidr[]): { ipBlock: { cidr: string } } {
    const address = parseAddress(db.ip);
    if (!Number.isInteger(db.port) || db.port < 1 || db.port > 65535)
        throw new Error(`NetworkLockdown: mlabDatabase.port must be a port number 1-65535, got ${db.port}`);
    if (!address)
        throw new Error(`NetworkLockdown: mlabDatabase.ip must be one IP address (MLab has no DNS), got ${JSON.stringify(db.ip)}`);
    const host = hostCidr(address);
    const inside = clusterCidrs.find((k) => cidrContainsCidr(k, host));
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
    ].filter((c) => mustParseCidr(c).family === family);
}

/**
 * Office ingress peers. Office CIDRs are meant to be outside the cluster; where one contains the
 * cluster's pod or service ranges (a 10.0.0.0/8 office and a 10.244.0.0/16 pod network), those are
 * excepted, because some network plugins match pod IPs against ipBlocks and a pod must never pass for
 * an office computer. An office CIDR inside a cluster range is a configuration error (validateNetworkLockdownArgs).
 */
function officePeers(officeCidrs: readonly string[], clusterCidrs: Cidr[]): Peer[] {
    const seen = new Set<string>();
    const out: Peer[] = [];
    for (const raw of officeCidrs) {
        // validateNetworkLockdownArgs refused the whole address space and ranges inside the cluster's.
        const cidr = canonicalCidr(raw);
        if (seen.has(cidr)) continue;
        seen.add(cidr);
        const except = exceptList(
            cidr,
            clusterCidrs.map((k) => k.text),
        );
        out.push({ ipBlock: except.length > 0 ? { cidr, except } : { cidr } });
    }
    return out;
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
        // The rules first: a lock-down with bad arguments registers nothing, not even itself.
        refuseInvalidArgs("NetworkLockdown", validateNetworkLockdownArgs(args));
        super("torchpod:index:NetworkLockdown", name, {}, opts);
        const manifests = lockdownPolicies(args);
        const namespaceOf = (ns: string): pulumi.Input<string> =>
            ns === args.namespaces.torchpods ? (args.namespaceNames?.torchpods ?? ns) : (args.namespaceNames?.mlab ?? ns);
        this.fingerprint = crypto.createHash("sha256").update(JSON.stringify(manifests)).digest("hex").slice(0, 12);
        this.policyNames = manifests.map((m) => `${m.metadata.namespace}/${m.metadata.name}`);
        this.policies = manifests.map(
            (m) =>
                new k8s.networking.v1.NetworkPolicy(
                    `${name}-${m.metadata.namespace}-${m.metadata.name}`,
                    { metadata: { ...m.metadata, namespace: namespaceOf(m.metadata.namespace) }, spec: m.spec },
                    { parent: this },
                ),
        );
        this.registerOutputs({ policyNames: this.policyNames, fingerprint: this.fingerprint });
    }
}
