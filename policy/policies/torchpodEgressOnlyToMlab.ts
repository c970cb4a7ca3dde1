// torchpod-egress-only-to-mlab: a TorchPod may reach MLab's pods on MLab's ports, and nothing else.
import { StackValidationPolicy } from "@pulumi/policy";
import {
    EgressGrant,
    K8sObject,
    LabelSelector,
    NAMESPACE_NAME_LABEL,
    NetworkModel,
    PortSpec,
    Protocol,
    WorkloadEndpoint,
} from "@torchpod/netpol";
import { describeSelector, PackConfig, resolveConfig, SCHEMA, selectorImplies, selects } from "../support/packConfig";
import { Findings } from "../support/findings";
import { podPeerText } from "../support/grantText";
import { identify, stackPods } from "../support/identity";
import { hostNetworkKeys, torchPodsOf } from "../support/torchpods";
import { judgeableNetwork, stackNetwork } from "../support/network";
import { notApplicable } from "../support/notApplicable";

export interface EgressFinding {
    /** The TorchPod workload, `ns/name`. */
    torchpod: string;
    kind: string;
    /** What it may reach: a peer description, an IP range or a workload. */
    destination: string;
    /** The ports, e.g. "UDP 53", "any port and protocol". */
    ports: string;
    /** The NetworkPolicies (ns/name) that opened it; empty when the TorchPod is not egress-isolated. */
    policies: string[];
    message: string;
}

function portSpecText(p: PortSpec, matches: WorkloadEndpoint[]): string {
    if (p.port === undefined) return `${p.protocol} (every port)`;
    if (typeof p.port === "number") return p.endPort !== undefined ? `${p.protocol} ${p.port}-${p.endPort}` : `${p.protocol} ${p.port}`;
    const res: string[] = [];
    for (const w of matches)
        for (const cp of w.ports) if (cp.name === p.port && cp.protocol === p.protocol) res.push(`${cp.containerPort} on ${w.id}`);
    return `${p.protocol} port '${p.port}' (${res.length ? `resolves to ${res.join(", ")}` : "resolves on no workload of the stack yet"})`;
}

function portsText(ports: EgressGrant["ports"], matches: WorkloadEndpoint[]): string {
    return ports === "all" ? "any port and protocol (the rule has no `ports`)" : ports.map((p) => portSpecText(p, matches)).join(", ");
}

function peerText(g: EgressGrant): string {
    const p = g.peer;
    if (p.kind === "all")
        return "any destination: every pod, cluster DNS, the API server, the nodes and the internet (the rule has no `to`)";
    if (p.kind === "ipBlock") {
        const whole = /\/0$/.test(p.cidr) ? (p.cidr.includes(":") ? " (all of IPv6)" : " (all of IPv4)") : "";
        return `IP range ${p.cidr}${whole}${p.except.length ? ` except ${p.except.join(", ")}` : ""}`;
    }
    return podPeerText(p);
}

const PROBE_IPS: { ip: string; port: number; protocol: Protocol }[] = [
    { ip: "8.8.8.8", port: 53, protocol: "UDP" },
    { ip: "1.1.1.1", port: 443, protocol: "TCP" },
    { ip: "169.254.169.254", port: 80, protocol: "TCP" },
    { ip: "10.96.0.1", port: 443, protocol: "TCP" },
    { ip: "10.96.0.10", port: 53, protocol: "UDP" },
    { ip: "2001:4860:4860::8888", port: 53, protocol: "UDP" },
];

/**
 * Judges TorchPod egress over plain Kubernetes objects. Throws NetpolError for a malformed
 * NetworkPolicy (the caller reports it). Pure: the render script can call it too.
 */
export function analyzeTorchPodEgress(
    objects: K8sObject[],
    cfg: PackConfig,
    judged: ReadonlySet<string> = new Set(),
    prebuilt?: NetworkModel,
): { torchpods: WorkloadEndpoint[]; findings: EgressFinding[] } {
    const model = prebuilt ?? NetworkModel.fromObjects(objects);
    // A TorchPod by its pod-template labels or by the labels of the object that owns the template.
    const { torchpods, kindOf, ownerLabelled } = torchPodsOf(model, objects, cfg, judged);
    const torchpodSet = new Set(torchpods);
    const isTorchPod = (w: WorkloadEndpoint) => torchpodSet.has(w);
    // MLab's namespaces: configured, or those of the MLab-labelled workloads, except namespaces that
    // hold TorchPods (an "MLab" next to the TorchPods is not MLab: a peer in the TorchPods' own
    // namespace would then pass for MLab).
    const torchpodNs = new Set(torchpods.map((w) => w.namespace));
    const mlabCandidates = model.workloads.filter((w) => !isTorchPod(w) && selects(cfg.mlabSelector, w.labels));
    const mlabNs = cfg.mlabNamespaces.length
        ? [...cfg.mlabNamespaces]
        : [...new Set(mlabCandidates.map((w) => w.namespace).filter((ns) => !torchpodNs.has(ns)))].sort();
    const isMlab = (w: WorkloadEndpoint) => !isTorchPod(w) && selects(cfg.mlabSelector, w.labels) && mlabNs.includes(w.namespace);
    const mlab = model.workloads.filter(isMlab);
    const mlabNsSelector: LabelSelector = { matchExpressions: [{ key: NAMESPACE_NAME_LABEL, operator: "In", values: mlabNs }] };
    const mlabPorts = new Set(cfg.mlabPorts);
    const findings: EgressFinding[] = [];
    // Pods on the host network are outside NetworkPolicy altogether.
    // Pods on the host network are outside NetworkPolicy altogether.
    const hostNetwork = hostNetworkKeys(objects);

    const add = (t: WorkloadEndpoint, destination: string, ports: string, policies: string[], opened: string) => {
        findings.push({
            torchpod: t.id,
            kind: t.kind,
            destination,
            ports,
            policies,
            message: `TorchPod ${t.id} (${kindOf(t)}${selects(cfg.torchpodSelector, t.labels) ? "" : ownerLabelled(t) ? ", labelled a TorchPod on the workload but not on its pod template, which the TorchPod NetworkPolicies select by" : ", judged a TorchPod by the data it mounts"}) may reach ${destination} on ${ports}: ${opened}`,
        });
    };

    for (const t of torchpods) {
        if (hostNetwork.has(`${t.kind}|${t.id}`)) {
            add(
                t,
                "anything (DNS, the API server, every pod, the internet)",
                "every port",
                [],
                "it runs on the node's network (spec.hostNetwork), where no NetworkPolicy applies",
            );
            continue;
        }
        const { isolated, grants } = model.egressGrants(t);
        if (!isolated) {
            add(
                t,
                "anything (DNS, the API server, every pod, the internet)",
                "every port",
                [],
                `no NetworkPolicy with policyTypes Egress selects it (namespace ${t.namespace})`,
            );
            continue;
        }
        const reported = new Set<string>();
        for (const g of grants) {
            const opened = `opened by NetworkPolicy ${g.policy} (egress rule #${g.ruleIndex})`;
            const p = g.peer;
            if (p.kind === "all" || p.kind === "ipBlock") {
                add(t, peerText(g), portsText(g.ports, p.kind === "ipBlock" ? p.matches : model.workloads), [g.policy], opened);
                reported.add(g.policy);
                continue;
            }
            const reasons: string[] = [];
            if (!p.podSelector) reasons.push("no podSelector: every pod of those namespaces");
            else if (!selectorImplies(p.podSelector, cfg.mlabSelector))
                reasons.push(
                    `podSelector ${describeSelector(p.podSelector)} does not require MLab's labels ${describeSelector(cfg.mlabSelector)}`,
                );
            if (!p.namespaceSelector) {
                if (!mlabNs.includes(p.policyNamespace))
                    reasons.push(`namespace ${p.policyNamespace} is not MLab's (${mlabNs.join(", ") || "no MLab found in the stack"})`);
            } else if (mlabNs.length === 0 || !selectorImplies(p.namespaceSelector, mlabNsSelector)) {
                reasons.push(
                    `namespaceSelector ${describeSelector(p.namespaceSelector)} does not pin MLab's namespace${mlabNs.length === 1 ? "" : "s"} (${mlabNs.join(", ") || "no MLab found in the stack"}) by ${NAMESPACE_NAME_LABEL}`,
                );
            }
            const others = p.matches.filter((w) => !isMlab(w));
            if (others.length) reasons.push(`it matches ${others.map((w) => w.id).join(", ")}`);
            if (reasons.length) {
                add(t, `${peerText(g)}: not only MLab (${reasons.join("; ")})`, portsText(g.ports, p.matches), [g.policy], opened);
                reported.add(g.policy);
                continue;
            }
            // The peer is MLab only: judge the ports.
            const bad: string[] = [];
            if (g.ports === "all") bad.push("any port and protocol (the rule has no `ports`)");
            else {
                for (const s of g.ports) {
                    if (s.protocol !== "TCP") bad.push(`${portSpecText(s, mlab)} (MLab serves TCP only)`);
                    else if (s.port === undefined) bad.push("TCP (every port)");
                    else if (typeof s.port === "number") {
                        const hi = s.endPort ?? s.port;
                        const outside: number[] = [];
                        for (let x = s.port; x <= hi && outside.length < 3; x++) if (!mlabPorts.has(x)) outside.push(x);
                        if (outside.length) bad.push(portSpecText(s, mlab));
                    } else {
                        const targets = [...new Set([...mlab, ...p.matches])];
                        const wrong = targets.flatMap((w) =>
                            w.ports
                                .filter((cp) => cp.name === s.port && cp.protocol === "TCP" && !mlabPorts.has(cp.containerPort))
                                .map((cp) => `${cp.containerPort} on ${w.id}`),
                        );
                        if (wrong.length) bad.push(`TCP port '${s.port}' (resolves to ${wrong.join(", ")})`);
                    }
                }
            }
            if (bad.length) {
                add(t, `MLab (${peerText(g)}) beyond its ports ${[...mlabPorts].join(", ")}`, bad.join(", "), [g.policy], opened);
                reported.add(g.policy);
            }
        }

        // Concrete cross-check with the analyzer's own verdicts: the workloads the remaining (sound)
        // grants match, on their declared ports, MLab's ports and DNS. (Any other workload could only
        // be allowed by a grant already reported above.)
        const candidates = new Set<WorkloadEndpoint>();
        for (const g of grants) if (!reported.has(g.policy) && g.peer.kind === "pods") g.peer.matches.forEach((w) => candidates.add(w));
        for (const w of candidates) {
            if (w === t) continue;
            const probes = new Map<string, { port: number; protocol: Protocol }>();
            const addProbe = (port: number, protocol: Protocol) => probes.set(`${protocol}/${port}`, { port, protocol });
            for (const cp of w.ports) addProbe(cp.containerPort, cp.protocol);
            for (const port of mlabPorts) addProbe(port, "TCP");
            addProbe(53, "UDP");
            addProbe(53, "TCP");
            const open: string[] = [];
            const by = new Set<string>();
            for (const { port, protocol } of probes.values()) {
                if (isMlab(w) && protocol === "TCP" && mlabPorts.has(port)) continue;
                const v = model.check(t, w, port, protocol);
                if (v.egress.isolated && v.egress.allowedBy.length === 0) continue;
                if (v.egress.allowedBy.every((x) => reported.has(x))) continue;
                open.push(`${protocol} ${port}`);
                v.egress.allowedBy.forEach((x) => by.add(x));
            }
            if (open.length) add(t, `${w.kind} ${w.id}`, open.join(", "), [...by], `allowed by NetworkPolicy ${[...by].join(", ")}`);
        }
        for (const probe of PROBE_IPS) {
            const v = model.check(t, { type: "ip", id: probe.ip, ip: probe.ip }, probe.port, probe.protocol);
            if (v.egress.allowedBy.length === 0 || v.egress.allowedBy.every((x) => reported.has(x))) continue;
            add(
                t,
                `IP ${probe.ip}`,
                `${probe.protocol} ${probe.port}`,
                v.egress.allowedBy,
                `allowed by NetworkPolicy ${v.egress.allowedBy.join(", ")}`,
            );
        }
    }
    return { torchpods, findings };
}

export const torchpodEgressOnlyToMlab: StackValidationPolicy = {
    name: "torchpod-egress-only-to-mlab",
    description:
        "A TorchPod may open connections only to MLab's pods on MLab's TCP ports (config `mlabPorts`, default 3000 and 2222). " +
        "The NetworkPolicy analyzer runs over every Namespace, NetworkPolicy and pod-owning resource of the stack (also those a Helm Chart or yaml ConfigFile/ConfigGroup expands into, and ...List resources); " +
        "for every TorchPod (pod-template labels, or the owning workload's labels, matching `torchpodSelector`; pod templates inside custom resources such as an Argo Rollout or a PyTorchJob count too) " +
        "it reports each egress it is allowed other than that, with the destination, the port and the NetworkPolicy that opened it: " +
        "no egress-isolating policy; a rule without `to` or without `ports`; any ipBlock (IPv4 or IPv6); a peer whose selectors could match a pod other than MLab (by structure, even if no such pod exists yet, " +
        "e.g. namespaceSelector {} or a podSelector that does not require `mlabSelector`); a port, port range or named port outside MLab's; UDP or SCTP; DNS. " +
        "MLab's namespaces are `mlabNamespaces` or, when empty, those of the workloads matching `mlabSelector` except namespaces holding TorchPods; a peer must pin them by kubernetes.io/metadata.name. " +
        "A malformed NetworkPolicy or a NetworkPolicyPatch (effect not verifiable) is a violation. " +
        "If a value the analysis needs is unknown during preview (a namespace, a label, a policy's spec), the whole analysis is skipped and the pack reports the advisory \"can't run policy during preview\"; `pulumi up` enforces it.",
    enforcementLevel: "mandatory",
    severity: "critical",
    configSchema: {
        properties: {
            torchpodSelector: SCHEMA.torchpodSelector,
            mlabSelector: SCHEMA.mlabSelector,
            mlabPorts: SCHEMA.mlabPorts,
            mlabNamespaces: SCHEMA.mlabNamespaces,
        },
    },
    remediationSteps:
        "Select every TorchPod with a NetworkPolicy of policyTypes [Egress] whose only egress rule has `to: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: <mlab ns>}}, podSelector: {matchLabels: {app.kubernetes.io/component: mlab}}}]` and `ports` 3000/TCP and 2222/TCP; remove every other rule and policy that widens it.",
    validateStack: (args, report) => {
        const cfg = resolveConfig(args.getConfig<Record<string, unknown>>());
        const f = new Findings(
            report,
            "No switch opens a TorchPod to anything but MLab; config mlabSelector, mlabNamespaces and mlabPorts say what MLab is",
        );
        const net = stackNetwork(args.resources);
        for (const p of net.patches)
            f.violation(`${p.display} patches a NetworkPolicy outside this stack: its effect on TorchPod egress cannot be verified`, p.urn);
        const model = judgeableNetwork(net, f, "the lock-down it is meant to provide is not there");
        if (!model) return;
        const id = identify(stackPods(args.resources), cfg);
        const result = analyzeTorchPodEgress(
            net.objects.map((o) => o.object),
            cfg,
            id.torchpodKeys,
            model,
        );
        if (result.torchpods.length === 0 && net.patches.length === 0)
            notApplicable(args, `no TorchPod in this stack (selector ${describeSelector(cfg.torchpodSelector)})`);
        for (const x of result.findings) f.violation(x.message, net.urnOf(x.kind, x.torchpod));
    },
};
