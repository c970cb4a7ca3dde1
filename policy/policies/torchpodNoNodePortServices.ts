// TorchPod Services must not be reachable on the nodes' addresses.
import { StackValidationPolicy } from "@pulumi/policy";
import { describeSelector, resolveConfig, SCHEMA, selectorImplies, selects } from "../support/packConfig";
import { Findings } from "../support/findings";
import { metaOf, objectsOf, parseKubeType, podTemplatesOf, providerNamespace, Unknowns } from "../support/resources";
import { isUnknown, read, unproxy } from "../support/unknowns";
import { serviceExposures } from "../support/serviceExposure";
import { notApplicable } from "../support/notApplicable";

export const torchpodNoNodePortServices: StackValidationPolicy = {
    name: "torchpod-no-nodeport-services",
    description:
        "No Service that selects TorchPods may be exposed on the nodes or beyond the office: type NodePort, type LoadBalancer without allocateLoadBalancerNodePorts: false, " +
        "type LoadBalancer without loadBalancerSourceRanges (or with a range outside `officeCidrs`; with no office networks configured, any range), or any externalIPs. " +
        "A Service selects TorchPods when its selector is implied by `torchpodSelector`'s labels (it would select every future TorchPod of its namespace) or it selects a TorchPod workload of the stack. " +
        "Node ports bypass the office-network ingress rules (kube-proxy forwards from every node and may hide the client address). " +
        'A Service whose type or selector is unknown during preview gives the advisory "can\'t run policy during preview".',
    enforcementLevel: "mandatory",
    severity: "high",
    configSchema: { properties: { torchpodSelector: SCHEMA.torchpodSelector, officeCidrs: SCHEMA.officeCidrs } },
    remediationSteps: "Use a ClusterIP Service for TorchPods; reach them through the office ingress path the stack configures.",
    validateStack: (args, report) => {
        const cfg = resolveConfig(args.getConfig<Record<string, unknown>>());
        const f = new Findings(
            report,
            "No switch: TorchPods are reached through the office ingress path only; config officeCidrs names the office networks",
        );
        const torchpods: { namespace: string; labels: Record<string, string>; display: string }[] = [];
        const services: { urn: string; obj: any; path: string[]; namespace: string; name: string }[] = [];
        for (const r of args.resources) {
            if (!parseKubeType(r.type)) continue;
            const props = unproxy(r.props);
            const id = { name: r.name, defaultNamespace: providerNamespace(r.provider) };
            for (const t of podTemplatesOf(r.type, props, id)) {
                if (t.labelUnknowns.length === 0 && selects(cfg.torchpodSelector, t.labels)) torchpods.push(t);
            }
            for (const o of objectsOf(r.type, props)) {
                if (o.kind !== "Service") continue;
                const m = metaOf(o, id);
                services.push({ urn: r.urn, obj: o.obj, path: o.path, namespace: m.namespace, name: m.name });
            }
        }
        if (services.length === 0) notApplicable(args, "no Service in this stack");
        for (const s of services) {
            const u: Unknowns = [];
            const exposures = serviceExposures(s.obj, s.path, cfg.officeCidrs, u);
            const type = read(s.obj, ["spec", "type"]);
            const selector = read(s.obj, ["spec", "selector"], u, s.path);
            if (exposures.length === 0) {
                if (u.length && !(typeof type === "string" && type !== "NodePort" && type !== "LoadBalancer")) f.unknown(u);
                continue;
            }
            if (!selector || typeof selector !== "object") {
                if (u.length) f.unknown(u);
                continue; // no selector: endpoints are managed by hand, not TorchPods by label
            }
            const labels: Record<string, string> = {};
            const selUnknown = Object.entries(selector).filter(([, v]) => isUnknown(v));
            if (selUnknown.length) {
                f.unknown(selUnknown.map(([k, v]) => ({ sentinel: v as string, path: [...s.path, "spec", "selector", k] })));
                continue;
            }
            for (const [k, v] of Object.entries(selector)) labels[k] = String(v);
            const structural = Object.keys(labels).length > 0 && selectorImplies(cfg.torchpodSelector, { matchLabels: labels });
            const concrete = torchpods.filter((t) => t.namespace === s.namespace && selects({ matchLabels: labels }, t.labels));
            if (!structural && concrete.length === 0) continue;
            const whom = concrete.length
                ? `selects TorchPod${concrete.length > 1 ? "s" : ""} ${concrete.map((t) => t.display).join(", ")}`
                : `its selector ${describeSelector({ matchLabels: labels })} selects every TorchPod of namespace ${s.namespace}`;
            f.violation(`Service ${s.namespace}/${s.name} ${whom} and is exposed outside the cluster: ${exposures.join("; ")}`, s.urn);
        }
        f.finish();
    },
};
