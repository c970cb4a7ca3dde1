// mlab-no-egress: MLab is never a relay. Gitea has no egress at all (no internet, no DNS); the reconciler
// reaches only Gitea http; the importer reaches cluster DNS, TCP 443 on the internet and Gitea http.
import { StackValidationPolicy } from "@pulumi/policy";
import { GITEA_HTTP_CONTAINER_PORT } from "@torchpod/contract";
import { EgressGrant, LabelSelector, NAMESPACE_NAME_LABEL, NetworkModel, Protocol, WorkloadEndpoint } from "@torchpod/netpol";
import { Findings } from "../support/findings";
import { cidrText, podPeerText } from "../support/grantText";
import { identify, StackPod, stackPods } from "../support/identity";
import { judgeableNetwork, stackNetwork } from "../support/network";
import { describeSelector, resolveConfig, schemaFor, selectorImplies } from "../support/packConfig";
import { notApplicable } from "../support/notApplicable";

const DNS_SELECTOR: LabelSelector = { matchLabels: { "k8s-app": "kube-dns" } };
const KUBE_SYSTEM: LabelSelector = { matchLabels: { [NAMESPACE_NAME_LABEL]: "kube-system" } };
/** Addresses the importer's TCP 443 must not reach: private, carrier-grade NAT, link-local (metadata), loopback. */
const PRIVATE_PROBES = ["10.0.0.1", "172.16.0.1", "192.168.0.1", "100.64.0.1", "169.254.169.254", "127.0.0.1", "fd00::1", "fe80::1"];

type Allowed = {
    pods: { ns: LabelSelector; pod: LabelSelector; ports: { port: number; protocol: Protocol }[]; what: string }[];
    internet443: boolean;
    hosts: { ip: string; port?: number }[];
};

function portsWithin(g: EgressGrant, allowed: { port: number; protocol: Protocol }[], matches: WorkloadEndpoint[]): boolean {
    if (g.ports === "all") return false;
    return g.ports.every((s) => {
        if (s.port === undefined) return false;
        if (typeof s.port === "string") {
            const resolved = matches.flatMap((w) =>
                w.ports.filter((cp) => cp.name === s.port && cp.protocol === s.protocol).map((cp) => cp.containerPort),
            );
            return resolved.every((n) => allowed.some((a) => a.port === n && a.protocol === s.protocol));
        }
        const hi = s.endPort ?? s.port;
        for (let x = s.port; x <= hi; x++) if (!allowed.some((a) => a.port === x && a.protocol === s.protocol)) return false;
        return true;
    });
}

function pinned(g: Extract<EgressGrant["peer"], { kind: "pods" }>, ns: LabelSelector, pod: LabelSelector, podNs: string[]): boolean {
    const nsOk = g.namespaceSelector ? selectorImplies(g.namespaceSelector, ns) : podNs.includes(g.policyNamespace);
    return nsOk && g.podSelector !== undefined && selectorImplies(g.podSelector, pod);
}

/** What a grant opens beyond `allowed`, or undefined when it stays inside. */
function beyond(g: EgressGrant, allowed: Allowed, model: NetworkModel, self: WorkloadEndpoint): string | undefined {
    const p = g.peer;
    if (p.kind === "all") return "every destination (the rule has no `to`)";
    if (p.kind === "pods") {
        for (const a of allowed.pods) {
            const nsNames = (a.ns.matchExpressions?.[0]?.values ?? []).concat(
                a.ns.matchLabels?.[NAMESPACE_NAME_LABEL] ? [a.ns.matchLabels[NAMESPACE_NAME_LABEL]] : [],
            );
            if (pinned(p, a.ns, a.pod, nsNames) && portsWithin(g, a.ports, p.matches)) return undefined;
        }
        return `pods (${podPeerText(p)})`;
    }
    const hostHit = allowed.hosts.find(
        (h) =>
            (p.cidr === `${h.ip}/32` || p.cidr === `${h.ip}/128`) &&
            (h.port === undefined || (g.ports !== "all" && g.ports.every((s) => s.port === h.port))),
    );
    if (hostHit) return undefined;
    if (
        allowed.internet443 &&
        g.ports !== "all" &&
        g.ports.every((s) => s.protocol === "TCP" && s.port === 443 && s.endPort === undefined)
    ) {
        const leaks = PRIVATE_PROBES.filter((ip) =>
            model.check(self, { type: "ip", id: ip, ip }, 443, "TCP").egress.allowedBy.includes(g.policy),
        );
        if (leaks.length === 0) return undefined;
        return `IP range ${cidrText(p)} reaches private or link-local addresses (${leaks.join(", ")})`;
    }
    return `IP range ${cidrText(p)}`;
}

function hostsOf(list: string[]): { ip: string; port?: number }[] {
    return list.map((h) => {
        const m = /^\[?([0-9a-fA-F:.]+?)\]?(?::(\d+))?$/.exec(h.trim());
        return m ? { ip: m[1], port: m[2] ? Number(m[2]) : undefined } : { ip: h.trim() };
    });
}

export const mlabNoEgress: StackValidationPolicy = {
    name: "mlab-no-egress",
    description:
        "MLab is where reviewed code leaves, so it must never relay: MLab's Gitea (`mlabSelector`) has no egress at all, no internet and no DNS (only the hosts of `mlabExternalHosts`, as /32 or /128 ipBlocks on their ports); " +
        "the reconciler (`reconcilerSelector`, holds the admin credential) reaches only Gitea http; the importer (`importerSelector`) reaches only cluster DNS (kube-system/kube-dns, port 53), TCP 443 on the internet except private and link-local ranges, and Gitea http. " +
        "Each must be selected by an egress-isolating NetworkPolicy.",
    enforcementLevel: "mandatory",
    severity: "critical",
    configSchema: schemaFor([
        "mlabSelector",
        "reconcilerSelector",
        "importerSelector",
        "torchpodSelector",
        "mlabExternalHosts",
        "mlabPorts",
    ]),
    remediationSteps:
        "Select MLab's pods with a NetworkPolicy of policyTypes [Egress] and no egress rules; give the importer its own policy (DNS, TCP 443 except private ranges, Gitea http) and the reconciler one to Gitea http only.",
    validateStack: (args, report) => {
        const cfg = resolveConfig(args.getConfig<Record<string, unknown>>());
        const f = new Findings(report);
        const net = stackNetwork(args.resources);
        const id = identify(stackPods(args.resources), cfg);
        const model = judgeableNetwork(net, f, "MLab's egress cannot be judged", (ns) =>
            [...id.mlabs, ...id.reconcilers, ...id.importers].some((p) => p.t.namespace === ns),
        );
        if (!model) return;
        if (id.mlabs.length + id.reconcilers.length + id.importers.length === 0)
            notApplicable(args, `no MLab, reconciler or importer in this stack (selector ${describeSelector(cfg.mlabSelector)})`);
        const mlabNs = [...new Set(id.mlabs.map((p) => p.t.namespace))].sort();
        const mlabNsSel: LabelSelector = { matchExpressions: [{ key: NAMESPACE_NAME_LABEL, operator: "In", values: mlabNs }] };
        const giteaHttp = {
            ns: mlabNsSel,
            pod: cfg.mlabSelector,
            ports: [{ port: GITEA_HTTP_CONTAINER_PORT, protocol: "TCP" as Protocol }],
            what: "Gitea http",
        };
        const dns = {
            ns: KUBE_SYSTEM,
            pod: DNS_SELECTOR,
            ports: [53, 53].map((port, i) => ({ port, protocol: (i ? "TCP" : "UDP") as Protocol })),
            what: "cluster DNS",
        };
        const hosts = hostsOf(cfg.mlabExternalHosts);
        const judge = (pods: StackPod[], role: string, allowed: Allowed, rule: string) => {
            for (const p of pods) {
                const w = model.workloads.find((x) => `${x.kind}|${x.id}` === p.key);
                if (!w) continue;
                if (p.t.spec?.hostNetwork === true) {
                    f.violation(
                        `${role} ${p.t.display} runs on the node's network (spec.hostNetwork): no NetworkPolicy applies, so it reaches everything. ${rule}`,
                        p.urn,
                    );
                    continue;
                }
                const { isolated, grants } = model.egressGrants(w);
                if (!isolated) {
                    f.violation(
                        `${role} ${p.t.display} may reach anything (DNS, the internet): no NetworkPolicy with policyTypes Egress selects it. ${rule}`,
                        p.urn,
                    );
                    continue;
                }
                for (const g of grants) {
                    const what = beyond(g, allowed, model, w);
                    if (what)
                        f.violation(
                            `${role} ${p.t.display} may reach ${what}: opened by NetworkPolicy ${g.policy} (egress rule #${g.ruleIndex}). ${rule}`,
                            p.urn,
                        );
                }
            }
        };
        judge(
            id.mlabs,
            "MLab",
            { pods: [], internet443: false, hosts },
            "MLab's Gitea gets no egress at all: an outside database, storage or mailer only by address, after review (config mlabExternalHosts)",
        );
        judge(
            id.reconcilers,
            "MLab's reconciler",
            { pods: [giteaHttp], internet443: false, hosts: [] },
            "The reconciler holds the admin credential and reaches only Gitea http (no switch)",
        );
        judge(
            id.importers,
            "MLab's importer",
            { pods: [giteaHttp, dns], internet443: true, hosts: [] },
            "The importer reaches only cluster DNS, TCP 443 on the internet and Gitea http (no switch)",
        );
        // Anything else with a path into MLab and any way out is a relay for MLab's repositories.
        const special = new Set([...id.mlabs, ...id.reconcilers, ...id.importers].map((p) => p.key));
        const mlabWorkloads = model.workloads.filter((w) => id.mlabs.some((p) => p.key === `${w.kind}|${w.id}`));
        for (const w of model.workloads) {
            const key = `${w.kind}|${w.id}`;
            if (special.has(key) || id.torchpodKeys.has(key)) continue; // judged above, or by the TorchPod policies
            const into = mlabWorkloads.find((m) => cfg.mlabPorts.some((port) => model.check(w, m, port, "TCP").allowed));
            if (!into) continue;
            const { isolated, grants } = model.egressGrants(w);
            const out = !isolated
                ? ["anything (no egress-isolating NetworkPolicy selects it)"]
                : grants.flatMap((g) =>
                      g.peer.kind === "pods" && pinned(g.peer, mlabNsSel, cfg.mlabSelector, mlabNs)
                          ? []
                          : [`${beyond(g, { pods: [], internet443: false, hosts: [] }, model, w)} (NetworkPolicy ${g.policy})`],
                  );
            if (out.length === 0) continue;
            const pod = id.pods.find((p) => p.key === key);
            f.violation(
                `${w.kind} ${w.id} can reach MLab ${into.id} and also ${out.join("; ")}: a relay for MLab's repositories; only Gitea's own reconciler and importer may reach MLab and have egress (no switch)`,
                pod?.urn ?? net.urnOf(w.kind, w.id),
            );
        }
        f.finish();
    },
};
