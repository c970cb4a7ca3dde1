// Who may open connections to a TorchPod (office networks only), and the Pod Security level of the
// namespaces TorchPods run in.
import { StackValidationPolicy } from "@pulumi/policy";
import { K8sObject, NetpolError, NetworkModel, WorkloadEndpoint } from "../netpol";
import { describeSelector, PackConfig, resolveConfig, SCHEMA, selects } from "./config";
import { isWideCidr, withinAny } from "./cidrs";
import { EMBEDDED_FROM, ownerKey, ownerLabelsOf } from "./embedded";
import { networkObjectsOf } from "./egress";
import { Findings } from "./findings";
import { isPodOwningKind, podTemplateOfObject } from "./resources";
import { isUnknown } from "./unknowns";

/** The TorchPods of a model: pod-template labels or the owning object's labels match `torchpodSelector`. */
export function torchPodsOf(model: NetworkModel, objects: K8sObject[], cfg: Pick<PackConfig, "torchpodSelector">): { torchpods: WorkloadEndpoint[]; kindOf: (w: WorkloadEndpoint) => string } {
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
  return ports.map((p) => (p.port === undefined ? `${p.protocol} (every port)` : `${p.protocol} ${p.port}${p.endPort !== undefined ? `-${p.endPort}` : ""}`)).join(", ");
}

/**
 * Judges who may connect to each TorchPod: only office networks (ipBlocks inside `officeCidrs`, or
 * when that is empty no wider than /8 IPv4, /32 IPv6). No pod may: another user's TorchPod, the
 * Airlock (which has the internet) or any pod that can reach out could pull a TorchPod's data.
 */
export function analyzeTorchPodIngress(objects: K8sObject[], cfg: PackConfig): { torchpods: WorkloadEndpoint[]; findings: IngressFinding[] } {
  const model = NetworkModel.fromObjects(objects);
  const { torchpods, kindOf } = torchPodsOf(model, objects, cfg);
  const hostNetwork = new Set<string>();
  for (const o of objects) {
    if (!isPodOwningKind(o.kind)) continue;
    const t = podTemplateOfObject({ kind: o.kind!, apiVersion: String(o.apiVersion ?? ""), obj: o, path: [], patch: false });
    if (t && t.spec && (t.spec.hostNetwork === true || t.spec.hostNetwork === "true")) hostNetwork.add(`${o.kind}|${t.namespace}/${t.name}`);
  }
  const findings: IngressFinding[] = [];
  for (const t of torchpods) {
    const add = (what: string) => findings.push({ torchpod: t.id, kind: t.kind, message: `TorchPod ${t.id} (${kindOf(t)}) accepts connections ${what}` });
    if (hostNetwork.has(`${t.kind}|${t.id}`)) continue; // reported by torchpod-egress-only-to-mlab and no-host-namespaces
    const { isolated, grants } = model.ingressGrants(t);
    if (!isolated) {
      add(`from every pod and address: no NetworkPolicy with policyTypes Ingress selects it (namespace ${t.namespace}); any pod that can reach the internet (the Airlock) could pull its data`);
      continue;
    }
    for (const g of grants) {
      const by = `opened by NetworkPolicy ${g.policy} (ingress rule #${g.ruleIndex})`;
      const p = g.peer;
      if (p.kind === "all") {
        add(`from every pod and address (the rule has no \`from\`) on ${portsText(g.ports)}: ${by}`);
      } else if (p.kind === "pods") {
        const who = `${p.namespaceSelector ? `namespaces ${describeSelector(p.namespaceSelector)}` : `namespace ${p.policyNamespace}`}, ${p.podSelector ? `pods ${describeSelector(p.podSelector)}` : "all pods"}`;
        const now = p.matches.filter((w) => w !== t).map((w) => w.id);
        add(`from pods (${who}${now.length ? `; matches ${now.join(", ")}` : ""}) on ${portsText(g.ports)}: only office networks may connect to a TorchPod, no pod (a TorchPod, the Airlock, MLab) may: ${by}`);
      } else {
        const outside = cfg.officeCidrs.length ? !withinAny(p.cidr, cfg.officeCidrs) : isWideCidr(p.cidr);
        if (outside) {
          const why = cfg.officeCidrs.length ? `not inside the office networks (${cfg.officeCidrs.join(", ")})` : "wider than any office network (/8 IPv4, /32 IPv6)";
          add(`from ${p.cidr}${p.except.length ? ` except ${p.except.join(", ")}` : ""}, ${why}, on ${portsText(g.ports)}: ${by}`);
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
    "Values unknown during preview (a namespace, a label, a policy's spec) skip the analysis with the advisory \"can't run policy during preview\"; `pulumi up` enforces it.",
  enforcementLevel: "mandatory",
  severity: "critical",
  configSchema: { properties: { torchpodSelector: SCHEMA.torchpodSelector, officeCidrs: SCHEMA.officeCidrs } },
  remediationSteps:
    "Select every TorchPod with a NetworkPolicy of policyTypes [Ingress] whose rules allow only `from: [{ipBlock: {cidr: <office CIDR>}}]` on the enabled GUI ports; remove pod peers and rules without `from`.",
  validateStack: (args, report) => {
    const cfg = resolveConfig(args.getConfig<Record<string, unknown>>());
    const f = new Findings(report);
    const { objects, unknowns } = networkObjectsOf(args.resources);
    if (unknowns.length) {
      f.unknown(unknowns);
      f.finish();
    }
    let result: ReturnType<typeof analyzeTorchPodIngress>;
    try {
      result = analyzeTorchPodIngress(
        objects.map((o) => o.object),
        cfg,
      );
    } catch (e) {
      if (e instanceof NetpolError) return; // reported by torchpod-egress-only-to-mlab
      throw e;
    }
    if (result.torchpods.length === 0) args.notApplicable("no TorchPod in this stack");
    const urnOf = (id: string, kind: string) => objects.find((o) => o.object.kind === kind && `${o.object.metadata?.namespace}/${o.object.metadata?.name}` === id)?.urn;
    for (const x of result.findings) f.violation(x.message, urnOf(x.torchpod, x.kind));
  },
};

export const POD_SECURITY_ENFORCE = "pod-security.kubernetes.io/enforce";

export const torchpodNamespacePodSecurity: StackValidationPolicy = {
  name: "torchpod-namespace-pod-security",
  description:
    `Every namespace of the stack that holds TorchPods must enforce Pod Security \`baseline\` or \`restricted\` (label ${POD_SECURITY_ENFORCE}; config \`torchpodPodSecurityLevels\`), never \`privileged\` nor unset ` +
    "(the cluster's default is usually privileged). The image runs as root, so baseline is the floor the design allows; it makes the API server itself refuse hostNetwork, hostPath, " +
    "privileged containers and added capabilities in that namespace, including pods this pack never sees (kubectl, operators, Helm releases). " +
    "Namespaces the stack does not declare are not judged. A label unknown during preview gives the advisory \"can't run policy during preview\".",
  enforcementLevel: "mandatory",
  severity: "high",
  configSchema: { properties: { torchpodSelector: SCHEMA.torchpodSelector, torchpodPodSecurityLevels: SCHEMA.torchpodPodSecurityLevels } },
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
