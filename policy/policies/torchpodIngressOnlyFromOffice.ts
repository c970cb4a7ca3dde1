// torchpod-ingress-only-from-office: who may open connections to a TorchPod (office networks only).
import { StackValidationPolicy } from "@pulumi/policy";
import { GrantPorts, K8sObject, NetworkModel, WorkloadEndpoint } from "@torchpod/netpol";
import { portMatches } from "@torchpod/netpol/semantics";
import { describeSelector, PackConfig, resolveConfig, SCHEMA } from "../support/packConfig";
import { officeProblem } from "../support/cidrs";
import { cidrText, grantPortsText as portsText, podPeerText } from "../support/grantText";
import { Findings } from "../support/findings";
import { identify, stackPods } from "../support/identity";
import { hostNetworkKeys, torchPodsOf } from "../support/torchpods";
import { judgeableNetwork, stackNetwork } from "../support/network";
import { notApplicable } from "../support/notApplicable";

export interface IngressFinding {
    torchpod: string;
    kind: string;
    message: string;
}

/** The image's ports that need no password: noVNC always, raw VNC unless `allowRawVnc`. */
export const NOVNC_PORT = 7030;
export const RAW_VNC_PORT = 5900;
export function passwordlessPorts(cfg: Pick<PackConfig, "allowRawVnc">): { port: number; what: string }[] {
    return [...(cfg.allowRawVnc ? [] : [{ port: RAW_VNC_PORT, what: "raw VNC" }]), { port: NOVNC_PORT, what: "noVNC" }];
}

/** The password-less TCP ports a grant's `ports` admit into TorchPod `t` ("all", no `port`, ranges and named ports resolved on `t`). */
function passwordlessOpened(
    ports: GrantPorts,
    t: WorkloadEndpoint,
    cfg: Pick<PackConfig, "allowRawVnc">,
): { port: number; what: string }[] {
    return passwordlessPorts(cfg).filter((p) => ports === "all" || ports.some((s) => portMatches(s, p.port, "TCP", t)));
}

function passwordlessText(open: { port: number; what: string }[]): string {
    return open.map((p) => `TCP ${p.port} (${p.what}: no password)`).join(", ");
}

/** A Service's ports that reach TorchPod `t` on a password-less port (targetPort, or port when unset; names resolved on `t`). */
function servicePasswordlessPorts(
    svc: K8sObject,
    t: WorkloadEndpoint,
    cfg: Pick<PackConfig, "allowRawVnc">,
): { port: number; what: string; via: string }[] {
    const out: { port: number; what: string; via: string }[] = [];
    const ports: unknown = svc.spec?.ports;
    if (!Array.isArray(ports)) return out;
    for (const sp of ports) {
        if (!sp || typeof sp !== "object") continue;
        const protocol = typeof sp.protocol === "string" ? sp.protocol : "TCP";
        if (protocol !== "TCP") continue;
        const target: unknown = sp.targetPort ?? sp.port;
        let n: number | undefined;
        if (typeof target === "number") n = target;
        else if (typeof target === "string" && /^[0-9]+$/.test(target)) n = Number(target);
        else if (typeof target === "string") n = t.ports.find((cp) => cp.name === target && cp.protocol === "TCP")?.containerPort;
        const hit = passwordlessPorts(cfg).find((p) => p.port === n);
        if (hit) out.push({ ...hit, via: `port ${sp.name ? `${sp.name} ` : ""}${sp.port} -> targetPort ${target}` });
    }
    return out;
}

function servicesSelecting(objects: K8sObject[], t: WorkloadEndpoint): K8sObject[] {
    return objects.filter((o) => {
        if (o.kind !== "Service" || (o.metadata?.namespace ?? "default") !== t.namespace) return false;
        const sel: unknown = o.spec?.selector;
        if (!sel || typeof sel !== "object" || Object.keys(sel).length === 0) return false; // no selector: endpoints by hand
        return Object.entries(sel as Record<string, unknown>).every(([k, v]) => t.labels[k] === String(v));
    });
}

/**
 * Judges who may connect to each TorchPod: only office networks (ipBlocks inside `officeCidrs`; with
 * no office networks configured, no ipBlock at all: the pack does not guess what an office is). No pod may: another user's TorchPod, the
 * Airlock (which has the internet) or any pod that can reach out could pull a TorchPod's data. Even
 * from the office, no rule may open the image's password-less ports (noVNC 7030; raw VNC 5900 unless
 * `allowRawVnc`), and no Service selecting the TorchPod may forward to them.
 */
export function analyzeTorchPodIngress(
    objects: K8sObject[],
    cfg: PackConfig,
    judged: ReadonlySet<string> = new Set(),
    prebuilt?: NetworkModel,
): { torchpods: WorkloadEndpoint[]; findings: IngressFinding[] } {
    const model = prebuilt ?? NetworkModel.fromObjects(objects);
    const { torchpods, kindOf } = torchPodsOf(model, objects, cfg, judged);
    const hostNetwork = hostNetworkKeys(objects);
    const findings: IngressFinding[] = [];
    const services = objects.filter((o) => o && o.kind === "Service");
    for (const t of torchpods) {
        const add = (what: string) =>
            findings.push({ torchpod: t.id, kind: t.kind, message: `TorchPod ${t.id} (${kindOf(t)}) accepts connections ${what}` });
        for (const svc of servicesSelecting(services, t)) {
            for (const p of servicePasswordlessPorts(svc, t, cfg)) {
                findings.push({
                    torchpod: t.id,
                    kind: t.kind,
                    message: `TorchPod ${t.id} (${kindOf(t)}) is served on TCP ${p.port} (${p.what}: no password) by Service ${svc.metadata?.namespace ?? "default"}/${svc.metadata?.name} (${p.via}): whoever may reach the Service gets the desktop without a password; serve the browser desktop through the authenticating proxy (7031)${p.port === RAW_VNC_PORT ? " and raw VNC only with allowRawVnc" : ""}`,
                });
            }
        }
        if (hostNetwork.has(`${t.kind}|${t.id}`)) {
            add("from every pod and address: it runs on the node's network (spec.hostNetwork), where no NetworkPolicy applies");
            continue;
        }
        const { isolated, grants } = model.ingressGrants(t);
        if (!isolated) {
            add(
                `from every pod and address: no NetworkPolicy with policyTypes Ingress selects it (namespace ${t.namespace}); any pod that can reach the internet (the Airlock) could pull its data`,
            );
            continue;
        }
        for (const g of grants) {
            const by = `opened by NetworkPolicy ${g.policy} (ingress rule #${g.ruleIndex})`;
            const open = passwordlessOpened(g.ports, t, cfg);
            const nopw = open.length ? `; it opens ${passwordlessText(open)}` : "";
            const p = g.peer;
            if (p.kind === "all") {
                add(`from every pod and address (the rule has no \`from\`) on ${portsText(g.ports)}: ${by}${nopw}`);
            } else if (p.kind === "pods") {
                const who = podPeerText(p);
                const now = p.matches.filter((w) => w !== t).map((w) => w.id);
                add(
                    `from pods (${who}${now.length ? `; matches ${now.join(", ")}` : ""}) on ${portsText(g.ports)}: only office networks may connect to a TorchPod, no pod (a TorchPod, the Airlock, MLab) may: ${by}${nopw}`,
                );
            } else {
                const why = officeProblem(p.cidr, cfg.officeCidrs);
                const src = cidrText(p);
                if (why) {
                    add(`from ${src}, ${why}, on ${portsText(g.ports)}: ${by}${nopw}`);
                } else if (open.length) {
                    add(
                        `from ${src} on ${passwordlessText(open)} (the rule's ports: ${portsText(g.ports)}): ${by}; even from the office these ports need no password, so anyone on the office network gets the user's desktop and data — ` +
                            `open the authenticating proxy (7031) or RDP (3389) instead${open.some((x) => x.port === RAW_VNC_PORT) ? ", and raw VNC only with allowRawVnc" : ""}`,
                    );
                }
            }
        }
    }
    return { torchpods, findings };
}

export const torchpodIngressOnlyFromOffice: StackValidationPolicy = {
    name: "torchpod-ingress-only-from-office",
    description:
        "Only office networks may open connections to a TorchPod (the design's table: no TorchPod, Airlock or MLab pod may). A connection in is a way out: " +
        "the Airlock (or any pod with the internet) could ssh or VNC into a TorchPod and carry its data away, and an internet range lets anyone outside do it. " +
        "For every TorchPod (pod-template or workload labels matching `torchpodSelector`, also inside custom resources) it reports: no NetworkPolicy with policyTypes Ingress selects it; " +
        "an ingress rule without `from`; any pod peer (podSelector/namespaceSelector); an ipBlock outside `officeCidrs` (when no office networks are configured, every ipBlock: the pack does not guess what an office is; render writes the stack's torchpod:officeCidrs to policy-config.json). " +
        "Even from the office it reports any rule that opens the image's password-less ports, noVNC 7030 always and raw VNC 5900 unless `allowRawVnc` " +
        "(also through a rule without `ports`, a port without number, a range covering them or a named port resolving to them), and any Service selecting a TorchPod whose targetPort " +
        "(number or name) is one of them: the browser desktop belongs behind the authenticating proxy on 7031. Each message names the TorchPod, the port, the source and the NetworkPolicy (or Service). " +
        "Values unknown during preview (a namespace, a label, a policy's spec) skip the analysis with the advisory \"can't run policy during preview\"; `pulumi up` enforces it.",
    enforcementLevel: "mandatory",
    severity: "critical",
    configSchema: {
        properties: { torchpodSelector: SCHEMA.torchpodSelector, officeCidrs: SCHEMA.officeCidrs, allowRawVnc: SCHEMA.allowRawVnc },
    },
    remediationSteps:
        "Select every TorchPod with a NetworkPolicy of policyTypes [Ingress] whose rules allow only `from: [{ipBlock: {cidr: <office CIDR>}}]` on the enabled GUI ports (3389, the proxy's 7031; 5900 only with allowRawVnc), " +
        "each listed in `ports`; never 7030. Remove pod peers and rules without `from`, and Service ports targeting 7030 (or 5900).",
    validateStack: (args, report) => {
        const cfg = resolveConfig(args.getConfig<Record<string, unknown>>());
        const f = new Findings(
            report,
            "Switches after review: config officeCidrs (the office networks), allowRawVnc (raw VNC); no switch lets a pod in",
        );
        const net = stackNetwork(args.resources);
        // A malformed policy is judged here too, not left to the egress policy: each policy stands alone when others are disabled.
        const model = judgeableNetwork(net, f, "who may connect to TorchPods cannot be judged");
        if (!model) return;
        f.unknown(net.services.unknowns);
        const id = identify(stackPods(args.resources), cfg);
        const result = analyzeTorchPodIngress([...net.objects.map((o) => o.object), ...net.services.known], cfg, id.torchpodKeys, model);
        if (result.torchpods.length === 0)
            notApplicable(args, `no TorchPod in this stack (selector ${describeSelector(cfg.torchpodSelector)})`);
        for (const x of result.findings) f.violation(x.message, net.urnOf(x.kind, x.torchpod));
        for (const s of net.services.portsUnknown)
            if (result.torchpods.some((t) => servicesSelecting([s.object], t).length > 0)) f.unknown(s.unknowns);
        f.finish();
    },
};
