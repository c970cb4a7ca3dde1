// Who may open connections to a TorchPod (office networks only), and the Pod Security level of the
// namespaces TorchPods run in.
import { StackValidationPolicy } from "@pulumi/policy";
import { GrantPorts, K8sObject, NetpolError, NetworkModel, WorkloadEndpoint } from "@torchpod/netpol";
import { portMatches } from "@torchpod/netpol/semantics";
import { describeSelector, PackConfig, resolveConfig, SCHEMA, selects } from "./packConfig";
import { isWideCidr, withinAny } from "./cidrs";
import { EMBEDDED_FROM, ownerKey, ownerLabelsOf } from "./embedded";
import { networkObjectsOf } from "./egress";
import { Findings } from "./findings";
import { isPodOwningKind, metaOf, objectsOf, parseKubeType, podTemplateOfObject, providerNamespace, Unknowns } from "./resources";
import { isUnknown, read, unknownPaths, unproxy } from "./unknowns";

/** The TorchPods of a model: pod-template labels or the owning object's labels match `torchpodSelector`. */
export function torchPodsOf(
    model: NetworkModel,
    objects: K8sObject[],
    cfg: Pick<PackConfig, "torchpodSelector">,
): { torchpods: WorkloadEndpoint[]; kindOf: (w: WorkloadEndpoint) => string } {
    const owners = ownerLabelsOf(objects);
    const isTorchPod = (w: WorkloadEndpoint) => {
        if (selects(cfg.torchpodSelector, w.labels)) return true;
        const l = owners.get(ownerKey(w.kind, w.id));
        return l !== undefined && selects(cfg.torchpodSelector, l);
    };
    const kindOf = (w: WorkloadEndpoint) => owners.get(`${EMBEDDED_FROM}|${w.kind}|${w.id}`)?.[EMBEDDED_FROM] ?? w.kind;
    return { torchpods: model.workloads.filter(isTorchPod), kindOf };
}

export interface IngressFinding {
    torchpod: string;
    kind: string;
    message: string;
}

function portsText(ports: "all" | { protocol: string; port?: number | string; endPort?: number }[]): string {
    if (ports === "all") return "any port (the rule has no `ports`)";
    return ports
        .map((p) =>
            p.port === undefined
                ? `${p.protocol} (every port)`
                : `${p.protocol} ${p.port}${p.endPort !== undefined ? `-${p.endPort}` : ""}`,
        )
        .join(", ");
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
 * Judges who may connect to each TorchPod: only office networks (ipBlocks inside `officeCidrs`, or
 * when that is empty no wider than /8 IPv4, /32 IPv6). No pod may: another user's TorchPod, the
 * Airlock (which has the internet) or any pod that can reach out could pull a TorchPod's data. Even
 * from the office, no rule may open the image's password-less ports (noVNC 7030; raw VNC 5900 unless
 * `allowRawVnc`), and no Service selecting the TorchPod may forward to them.
 */
export function analyzeTorchPodIngress(
    objects: K8sObject[],
    cfg: PackConfig,
): { torchpods: WorkloadEndpoint[]; findings: IngressFinding[] } {
    const model = NetworkModel.fromObjects(objects);
    const { torchpods, kindOf } = torchPodsOf(model, objects, cfg);
    const hostNetwork = new Set<string>();
    for (const o of objects) {
        if (!isPodOwningKind(o.kind)) continue;
        const t = podTemplateOfObject({ kind: o.kind!, apiVersion: String(o.apiVersion ?? ""), obj: o, path: [], patch: false });
        if (t && t.spec && (t.spec.hostNetwork === true || t.spec.hostNetwork === "true"))
            hostNetwork.add(`${o.kind}|${t.namespace}/${t.name}`);
    }
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
        if (hostNetwork.has(`${t.kind}|${t.id}`)) continue; // reported by torchpod-egress-only-to-mlab and no-host-namespaces
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
                const who = `${p.namespaceSelector ? `namespaces ${describeSelector(p.namespaceSelector)}` : `namespace ${p.policyNamespace}`}, ${p.podSelector ? `pods ${describeSelector(p.podSelector)}` : "all pods"}`;
                const now = p.matches.filter((w) => w !== t).map((w) => w.id);
                add(
                    `from pods (${who}${now.length ? `; matches ${now.join(", ")}` : ""}) on ${portsText(g.ports)}: only office networks may connect to a TorchPod, no pod (a TorchPod, the Airlock, MLab) may: ${by}${nopw}`,
                );
            } else {
                const outside = cfg.officeCidrs.length ? !withinAny(p.cidr, cfg.officeCidrs) : isWideCidr(p.cidr);
                const src = `${p.cidr}${p.except.length ? ` except ${p.except.join(", ")}` : ""}`;
                if (outside) {
                    const why = cfg.officeCidrs.length
                        ? `not inside the office networks (${cfg.officeCidrs.join(", ")})`
                        : "wider than any office network (/8 IPv4, /32 IPv6)";
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
        "an ingress rule without `from`; any pod peer (podSelector/namespaceSelector); an ipBlock outside `officeCidrs` (when empty: wider than /8 IPv4 or /32 IPv6, e.g. 0.0.0.0/0, ::/0, ::ffff:0:0/96). " +
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
        const f = new Findings(report);
        const { objects, unknowns } = networkObjectsOf(args.resources);
        if (unknowns.length) {
            f.unknown(unknowns);
            f.finish();
        }
        const services = serviceObjectsOf(args.resources, f);
        let result: ReturnType<typeof analyzeTorchPodIngress>;
        try {
            result = analyzeTorchPodIngress([...objects.map((o) => o.object), ...services.known], cfg);
        } catch (e) {
            if (e instanceof NetpolError) return; // reported by torchpod-egress-only-to-mlab
            throw e;
        }
        if (result.torchpods.length === 0) args.notApplicable("no TorchPod in this stack");
        const urnOf = (id: string, kind: string) =>
            objects.find((o) => o.object.kind === kind && `${o.object.metadata?.namespace}/${o.object.metadata?.name}` === id)?.urn;
        for (const x of result.findings) f.violation(x.message, urnOf(x.torchpod, x.kind));
        for (const s of services.portsUnknown)
            if (result.torchpods.some((t) => servicesSelecting([s.object], t).length > 0)) f.unknown(s.unknowns);
        f.finish();
    },
};

/**
 * The Services of the stack as plain objects for `analyzeTorchPodIngress` (namespace defaulted like
 * the provider does). A Service whose namespace or selector is unknown during preview is left out and
 * recorded as unknown; one with only its ports unknown is returned in `portsUnknown` (it matters only
 * if it selects a TorchPod).
 */
function serviceObjectsOf(
    resources: Parameters<typeof networkObjectsOf>[0],
    f: Findings,
): { known: K8sObject[]; portsUnknown: { object: K8sObject; unknowns: Unknowns }[] } {
    const known: K8sObject[] = [];
    const portsUnknown: { object: K8sObject; unknowns: Unknowns }[] = [];
    for (const r of resources) {
        if (!parseKubeType(r.type)) continue;
        const props = unproxy(r.props);
        const id = { name: r.name, defaultNamespace: providerNamespace(r.provider) };
        for (const o of objectsOf(r.type, props)) {
            if (o.kind !== "Service" || o.patch) continue;
            const u: Unknowns = [];
            const m = metaOf(o, id, u);
            const selector = read(o.obj, ["spec", "selector"], u, o.path);
            u.push(...unknownPaths(selector, [...o.path, "spec", "selector"]));
            if (u.length) {
                f.unknown(u);
                continue;
            }
            const pu: Unknowns = [];
            const ports = read(o.obj, ["spec", "ports"], pu, o.path);
            pu.push(...unknownPaths(ports, [...o.path, "spec", "ports"]));
            const object: K8sObject = {
                apiVersion: "v1",
                kind: "Service",
                metadata: { name: m.name, namespace: m.namespace },
                spec: { selector, ports },
            };
            if (pu.length) portsUnknown.push({ object, unknowns: pu });
            else known.push(object);
        }
    }
    return { known, portsUnknown };
}

export const POD_SECURITY_ENFORCE = "pod-security.kubernetes.io/enforce";

export const torchpodNamespacePodSecurity: StackValidationPolicy = {
    name: "torchpod-namespace-pod-security",
    description:
        `Every namespace of the stack that holds TorchPods must enforce Pod Security \`baseline\` or \`restricted\` (label ${POD_SECURITY_ENFORCE}; config \`torchpodPodSecurityLevels\`), never \`privileged\` nor unset ` +
        "(the cluster's default is usually privileged). The image runs as root, so baseline is the floor the design allows; it makes the API server itself refuse hostNetwork, hostPath, " +
        "privileged containers and added capabilities in that namespace, including pods this pack never sees (kubectl, operators, Helm releases). " +
        'Namespaces the stack does not declare are not judged. A label unknown during preview gives the advisory "can\'t run policy during preview".',
    enforcementLevel: "mandatory",
    severity: "high",
    configSchema: {
        properties: { torchpodSelector: SCHEMA.torchpodSelector, torchpodPodSecurityLevels: SCHEMA.torchpodPodSecurityLevels },
    },
    remediationSteps: `Label the TorchPod namespace ${POD_SECURITY_ENFORCE}: baseline (or restricted).`,
    validateStack: (args, report) => {
        const cfg = resolveConfig(args.getConfig<Record<string, unknown>>());
        const f = new Findings(report);
        const { objects } = networkObjectsOf(args.resources);
        const k8s = objects.map((o) => o.object);
        let model: NetworkModel;
        try {
            model = NetworkModel.fromObjects(k8s.filter((o) => o.kind !== "NetworkPolicy"));
        } catch (e) {
            if (e instanceof NetpolError) return;
            throw e;
        }
        const { torchpods } = torchPodsOf(model, k8s, cfg);
        const namespaces = [...new Set(torchpods.map((w) => w.namespace))].sort();
        if (namespaces.length === 0) args.notApplicable("no TorchPod in this stack");
        for (const ns of namespaces) {
            const decl = objects.filter((o) => o.object.kind === "Namespace" && o.object.metadata?.name === ns);
            for (const d of decl) {
                const labels: unknown = d.object.metadata?.labels;
                if (isUnknown(labels)) {
                    f.unknown([{ sentinel: labels as string, path: ["metadata", "labels"] }]);
                    continue;
                }
                const v = (labels as Record<string, unknown> | undefined)?.[POD_SECURITY_ENFORCE];
                if (isUnknown(v)) {
                    f.unknown([{ sentinel: v as string, path: ["metadata", "labels", POD_SECURITY_ENFORCE] }]);
                    continue;
                }
                if (typeof v === "string" && cfg.torchpodPodSecurityLevels.includes(v)) continue;
                const users = torchpods.filter((w) => w.namespace === ns).map((w) => w.name);
                f.violation(
                    `Namespace ${ns} holds TorchPods (${users.slice(0, 3).join(", ")}${users.length > 3 ? `, +${users.length - 3}` : ""}) and ${v === undefined ? `has no ${POD_SECURITY_ENFORCE} label (the cluster default, usually privileged, applies)` : `enforces Pod Security ${JSON.stringify(v)}`}: it must enforce ${cfg.torchpodPodSecurityLevels.join(" or ")}`,
                    d.urn,
                );
            }
        }
        f.finish();
    },
};
