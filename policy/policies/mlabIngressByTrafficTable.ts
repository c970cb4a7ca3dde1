// mlab-ingress-by-traffic-table: who may open connections to MLab's Gitea, as the design's table says.
import { StackValidationPolicy } from "@pulumi/policy";
import { GrantPorts, K8sObject, LabelSelector, NAMESPACE_NAME_LABEL, NetworkModel, WorkloadEndpoint } from "@torchpod/netpol";
import { GITEA_HTTP_CONTAINER_PORT } from "@torchpod/contract";
import { describeSelector, PackConfig, resolveConfig, schemaFor, selectorImplies, selects } from "../support/packConfig";
import { officeProblem } from "../support/cidrs";
import { cidrText, grantPortsText as portsText, podPeerText } from "../support/grantText";
import { Findings } from "../support/findings";
import { identify, stackPods } from "../support/identity";
import { hostNetworkKeys, torchPodsAndMlabsOf } from "../support/torchpods";
import { judgeableNetwork, stackNetwork } from "../support/network";
import { notApplicable } from "../support/notApplicable";
import { metaOf, objectsOf, parseKubeType, providerNamespace, Unknowns } from "../support/resources";
import { read, unproxy } from "../support/unknowns";
import { serviceExposures } from "../support/serviceExposure";

export interface MlabIngressFinding {
    mlab: string;
    kind: string;
    message: string;
}

/** Who may reach MLab from inside the cluster, on which ports: the traffic table's MLab column. */
interface Role {
    name: string;
    selector: LabelSelector;
    ports: number[];
}

function rolesOf(cfg: PackConfig): Role[] {
    const http = cfg.mlabPorts.includes(GITEA_HTTP_CONTAINER_PORT) ? [GITEA_HTTP_CONTAINER_PORT] : cfg.mlabPorts.slice(0, 1);
    return [
        { name: "TorchPods", selector: cfg.torchpodSelector, ports: [...cfg.mlabPorts] },
        { name: "the reconciler", selector: cfg.reconcilerSelector, ports: http },
        { name: "the importer", selector: cfg.importerSelector, ports: http },
    ];
}

/** The ports of a grant outside `allowed` (TCP only; named ports resolved on MLab's workload). */
function portsBeyond(ports: GrantPorts, allowed: number[], w: WorkloadEndpoint): string[] {
    if (ports === "all") return ["any port (the rule has no `ports`)"];
    const out: string[] = [];
    for (const s of ports) {
        if (s.protocol !== "TCP") out.push(`${s.protocol} ${s.port ?? "(every port)"}`);
        else if (s.port === undefined) out.push("TCP (every port)");
        else if (typeof s.port === "number") {
            const lo = s.port;
            const hi = s.endPort ?? lo;
            let outside = false;
            for (let x = lo; x <= hi && !outside; x++) outside = !allowed.includes(x);
            if (outside) out.push(`TCP ${lo}${s.endPort ? `-${s.endPort}` : ""}`);
        } else {
            const resolved = w.ports.filter((cp) => cp.name === s.port && cp.protocol === "TCP").map((cp) => cp.containerPort);
            if (resolved.length === 0 || resolved.some((x) => !allowed.includes(x))) out.push(`TCP port '${s.port}'`);
        }
    }
    return out;
}

/**
 * Judges every connection into MLab's Gitea against the traffic table: office networks (`officeCidrs`)
 * on Gitea's http and ssh ports; TorchPods on those ports; the reconciler and the importer on http;
 * nothing else. Pure: takes plain objects (NetworkPolicies, workloads, Services).
 */
export function analyzeMlabIngress(
    objects: K8sObject[],
    cfg: PackConfig,
    judged: ReadonlySet<string> = new Set(),
    prebuilt?: NetworkModel,
): { mlabs: WorkloadEndpoint[]; findings: MlabIngressFinding[] } {
    const model = prebuilt ?? NetworkModel.fromObjects(objects);
    const { torchpods, mlabs } = torchPodsAndMlabsOf(model, objects, cfg, judged);
    const torchpodSet = new Set(torchpods);
    const hostNetwork = hostNetworkKeys(objects);
    const roles = rolesOf(cfg);
    const isRole = (r: Role, w: WorkloadEndpoint) => (r.name === "TorchPods" ? torchpodSet.has(w) : selects(r.selector, w.labels));
    const findings: MlabIngressFinding[] = [];
    for (const m of mlabs) {
        const add = (what: string) =>
            findings.push({ mlab: m.id, kind: m.kind, message: `MLab ${m.kind} ${m.id} accepts connections ${what}` });
        if (hostNetwork.has(`${m.kind}|${m.id}`)) continue; // no-host-namespaces refuses it
        const { isolated, grants } = model.ingressGrants(m);
        if (!isolated) {
            add(
                `from every pod and address: no NetworkPolicy with policyTypes Ingress selects it (namespace ${m.namespace}); only office networks, TorchPods, the reconciler and the importer may`,
            );
            continue;
        }
        for (const g of grants) {
            const by = `opened by NetworkPolicy ${g.policy} (ingress rule #${g.ruleIndex})`;
            const p = g.peer;
            if (p.kind === "all") {
                add(`from every pod and address (the rule has no \`from\`) on ${portsText(g.ports)}: ${by}`);
            } else if (p.kind === "ipBlock") {
                const src = cidrText(p);
                const why = officeProblem(p.cidr, cfg.officeCidrs);
                if (why) add(`from ${src}, ${why}, on ${portsText(g.ports)}: ${by}`);
                else {
                    const beyond = portsBeyond(g.ports, cfg.mlabPorts, m);
                    if (beyond.length)
                        add(
                            `from the office ${src} on ${beyond.join(", ")}: office networks may reach only Gitea's http and ssh ports (${cfg.mlabPorts.join(", ")}): ${by}`,
                        );
                }
            } else {
                const who = podPeerText(p);
                const pinned = !p.namespaceSelector || namespacesPinned(p.namespaceSelector);
                const role = p.podSelector && pinned ? roles.find((r) => selectorImplies(p.podSelector!, r.selector)) : undefined;
                const others = role ? p.matches.filter((w) => w !== m && !isRole(role, w)) : [];
                if (!role || others.length) {
                    const reasons = [
                        ...(!p.podSelector ? ["no podSelector: every pod of those namespaces"] : []),
                        ...(!pinned
                            ? [
                                  `namespaceSelector ${describeSelector(p.namespaceSelector)} does not pin namespaces by ${NAMESPACE_NAME_LABEL}`,
                              ]
                            : []),
                        ...(p.podSelector && pinned && !role
                            ? [
                                  `podSelector ${describeSelector(p.podSelector)} requires the labels of none of TorchPods, the reconciler or the importer`,
                              ]
                            : []),
                        ...(others.length ? [`it matches ${others.map((w) => w.id).join(", ")}`] : []),
                    ];
                    add(
                        `from pods (${who}) on ${portsText(g.ports)}, not only those the traffic table lets in (${reasons.join("; ")}): ${by}`,
                    );
                    continue;
                }
                const beyond = portsBeyond(g.ports, role.ports, m);
                if (beyond.length)
                    add(
                        `from ${role.name} (${who}) on ${beyond.join(", ")}: ${role.name} may reach only port${role.ports.length > 1 ? "s" : ""} ${role.ports.join(", ")}: ${by}`,
                    );
            }
        }
    }
    return { mlabs, findings };
}

/** A namespace selector that names its namespaces (by kubernetes.io/metadata.name, which nobody can forge). */
function namespacesPinned(sel: LabelSelector): boolean {
    if (sel.matchLabels?.[NAMESPACE_NAME_LABEL] !== undefined) return true;
    return (sel.matchExpressions ?? []).some((r) => r.key === NAMESPACE_NAME_LABEL && r.operator === "In");
}

export const mlabIngressByTrafficTable: StackValidationPolicy = {
    name: "mlab-ingress-by-traffic-table",
    description:
        "Only what the traffic table lets in may open connections to MLab's Gitea: office networks (`officeCidrs`) on Gitea's http and ssh ports, TorchPods on those ports, the reconciler and the importer on http. " +
        "A way in is a way out: a pod that reaches MLab and has the internet is a relay for reviewed code, and an address range outside the office lets anyone do it. " +
        "It reports: no NetworkPolicy with policyTypes Ingress selecting MLab; a rule without `from`; an ipBlock outside `officeCidrs` (with no office networks configured, every ipBlock: the pack does not guess what an office is); " +
        "the office on other ports; a pod peer whose selectors do not require the labels of TorchPods, the reconciler or the importer (or whose namespaces are not pinned by kubernetes.io/metadata.name), or that matches another pod; those on ports beyond theirs; " +
        "and a Service selecting MLab exposed beyond the office (NodePort, a LoadBalancer with node ports, without loadBalancerSourceRanges or with one outside `officeCidrs`, externalIPs).",
    enforcementLevel: "mandatory",
    severity: "critical",
    configSchema: schemaFor([
        "torchpodSelector",
        "mlabSelector",
        "reconcilerSelector",
        "importerSelector",
        "mlabPorts",
        "mlabNamespaces",
        "officeCidrs",
        "homeClaimPattern",
    ]),
    remediationSteps:
        "Select MLab's pods with NetworkPolicies of policyTypes [Ingress] whose rules admit only the office ipBlocks on 3000 and 2222, the TorchPods' namespace and labels on 3000 and 2222, and the reconciler's and importer's labels on 3000; " +
        "expose MLab only through a LoadBalancer Service with allocateLoadBalancerNodePorts: false and loadBalancerSourceRanges inside the office networks.",
    validateStack: (args, report) => {
        const cfg = resolveConfig(args.getConfig<Record<string, unknown>>());
        const f = new Findings(
            report,
            "Switches after review: config officeCidrs (the office networks); no switch lets another pod into MLab",
        );
        const net = stackNetwork(args.resources);
        const model = judgeableNetwork(net, f, "who may connect to MLab cannot be judged");
        if (!model) return;
        const id = identify(stackPods(args.resources), cfg);
        const result = analyzeMlabIngress(
            net.objects.map((o) => o.object),
            cfg,
            id.torchpodKeys,
            model,
        );
        if (result.mlabs.length === 0) notApplicable(args, `no MLab in this stack (selector ${describeSelector(cfg.mlabSelector)})`);
        for (const x of result.findings) f.violation(x.message, net.urnOf(x.kind, x.mlab));
        // MLab's Services: exposed beyond the cluster only to the office.
        for (const r of args.resources) {
            if (!parseKubeType(r.type)) continue;
            const rid = { name: r.name, defaultNamespace: providerNamespace(r.provider) };
            for (const o of objectsOf(r.type, unproxy(r.props))) {
                if (o.kind !== "Service" || o.patch) continue;
                const meta = metaOf(o, rid);
                const selector = read(o.obj, ["spec", "selector"]);
                if (!selector || typeof selector !== "object" || Object.keys(selector).length === 0) continue;
                const labels = Object.fromEntries(Object.entries(selector).map(([k, v]) => [k, String(v)]));
                const selectsMlab = result.mlabs.some((w) => w.namespace === meta.namespace && selects({ matchLabels: labels }, w.labels));
                if (!selectsMlab) continue;
                const u: Unknowns = [];
                const exposures = serviceExposures(o.obj, o.path, cfg.officeCidrs, u);
                f.unknown(u);
                if (exposures.length)
                    f.violation(
                        `Service ${meta.namespace}/${meta.name} selects MLab and is exposed beyond the office: ${exposures.join("; ")}`,
                        r.urn,
                    );
            }
        }
        f.finish();
    },
};
