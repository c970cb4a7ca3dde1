// routes-by-traffic-table: no Ingress or Gateway API route leads to a TorchPod, nor unreviewed to MLab.
import { StackValidationPolicy } from "@pulumi/policy";
import { WorkloadEndpoint } from "@torchpod/netpol";
import { describeSelector, resolveConfig, schemaFor, selectorImplies, selects } from "../support/packConfig";
import { Findings } from "../support/findings";
import { identify, stackPods } from "../support/identity";
import { torchPodsAndMlabsOf } from "../support/torchpods";
import { stackNetwork } from "../support/network";
import { notApplicable } from "../support/notApplicable";
import { FoundObject, metaOf, objectsOf, parseKubeType, providerNamespace } from "../support/resources";
import { read, unproxy } from "../support/unknowns";

export const GATEWAY_API_GROUP = "gateway.networking.k8s.io";
/** Gateway API route kinds: each sends traffic from a Gateway to its backendRefs. */
export const GATEWAY_ROUTE_KINDS = ["HTTPRoute", "GRPCRoute", "TCPRoute", "TLSRoute", "UDPRoute"];
const INGRESS_GROUPS = ["networking.k8s.io", "extensions"];

interface Backend {
    kind: string;
    name: string;
    namespace: string;
    /** Where it sits in the route, for messages. */
    at: string;
}

/** The backends an Ingress sends to (default backend and every path; v1 and v1beta1 shapes). */
function ingressBackends(o: FoundObject, ns: string): Backend[] {
    const out: Backend[] = [];
    const add = (b: any, at: string) => {
        if (!b || typeof b !== "object") return;
        const svc = b.service?.name ?? b.serviceName;
        if (typeof svc === "string") out.push({ kind: "Service", name: svc, namespace: ns, at });
        else if (b.resource && typeof b.resource === "object")
            out.push({ kind: String(b.resource.kind ?? "?"), name: String(b.resource.name ?? "?"), namespace: ns, at });
    };
    add(read(o.obj, ["spec", "defaultBackend"]) ?? read(o.obj, ["spec", "backend"]), "spec.defaultBackend");
    const rules = read(o.obj, ["spec", "rules"]);
    if (Array.isArray(rules))
        rules.forEach((r: any, i: number) => {
            const paths = r?.http?.paths;
            if (Array.isArray(paths)) paths.forEach((p: any, j: number) => add(p?.backend, `spec.rules[${i}].http.paths[${j}]`));
        });
    return out;
}

/** The backendRefs of a Gateway API route (rules' backendRefs, and request mirrors' backendRef). */
function routeBackends(o: FoundObject, ns: string): Backend[] {
    const out: Backend[] = [];
    const add = (b: any, at: string) => {
        if (!b || typeof b !== "object" || typeof b.name !== "string") return;
        const group = typeof b.group === "string" ? b.group : "";
        const kind = typeof b.kind === "string" ? b.kind : "Service";
        out.push({
            kind: group === "" ? kind : `${group}/${kind}`,
            name: b.name,
            namespace: typeof b.namespace === "string" ? b.namespace : ns,
            at,
        });
    };
    const rules = read(o.obj, ["spec", "rules"]);
    if (!Array.isArray(rules)) return out;
    rules.forEach((r: any, i: number) => {
        (Array.isArray(r?.backendRefs) ? r.backendRefs : []).forEach((b: any, j: number) => {
            add(b, `spec.rules[${i}].backendRefs[${j}]`);
            (Array.isArray(b?.filters) ? b.filters : []).forEach((f: any, k: number) =>
                add(f?.requestMirror?.backendRef, `spec.rules[${i}].backendRefs[${j}].filters[${k}].requestMirror`),
            );
        });
        (Array.isArray(r?.filters) ? r.filters : []).forEach((f: any, k: number) =>
            add(f?.requestMirror?.backendRef, `spec.rules[${i}].filters[${k}].requestMirror`),
        );
    });
    return out;
}

export const routesByTrafficTable: StackValidationPolicy = {
    name: "routes-by-traffic-table",
    description:
        "No Ingress or Gateway API route (HTTPRoute, GRPCRoute, TCPRoute, TLSRoute, UDPRoute) may lead to a TorchPod, and one to MLab only when reviewed (`reviewedRoutes`): " +
        "the traffic table lets only office networks in, and a route is a door whose sources the pack cannot see (the controller or gateway admits whoever reaches it). " +
        "A backend is a TorchPod or MLab when its Service selects one (concretely, or by structure: its selector would select every TorchPod). " +
        "A backend the stack does not declare, or of another kind than Service, in a namespace holding TorchPods or MLab is refused too (the pack cannot see where it leads), as is a Gateway in such a namespace. " +
        "IngressClasses are judged through the Ingresses that use them.",
    enforcementLevel: "mandatory",
    severity: "critical",
    configSchema: schemaFor(["torchpodSelector", "mlabSelector", "mlabNamespaces", "homeClaimPattern", "reviewedRoutes"]),
    remediationSteps:
        "Reach TorchPods through their own LoadBalancer Service with loadBalancerSourceRanges inside the office networks; reach MLab the same way, or review the route " +
        "(its controller admits only office networks) and name it in the policy config `reviewedRoutes` (`Kind ns/name`).",
    validateStack: (args, report) => {
        const cfg = resolveConfig(args.getConfig<Record<string, unknown>>());
        const f = new Findings(
            report,
            "Switch after review: config reviewedRoutes (routes to MLab, `Kind ns/name`); no switch lets a route reach a TorchPod",
        );
        const net = stackNetwork(args.resources);
        const id = identify(stackPods(args.resources), cfg);
        const { torchpods, mlabs } = net.model
            ? torchPodsAndMlabsOf(
                  net.model,
                  net.objects.map((o) => o.object),
                  cfg,
                  id.torchpodKeys,
              )
            : { torchpods: [] as WorkloadEndpoint[], mlabs: [] as WorkloadEndpoint[] };
        const guarded = new Map<string, string>();
        for (const w of torchpods) guarded.set(w.namespace, "TorchPods");
        for (const w of mlabs) if (!guarded.has(w.namespace)) guarded.set(w.namespace, "MLab");
        const services = new Map<string, Record<string, string> | undefined>();
        const routes: { urn: string; kind: string; ns: string; name: string; backends: Backend[] }[] = [];
        for (const r of args.resources) {
            const t = parseKubeType(r.type);
            if (!t) continue;
            const rid = { name: r.name, defaultNamespace: providerNamespace(r.provider) };
            for (const o of objectsOf(r.type, unproxy(r.props))) {
                if (o.patch) continue;
                const m = metaOf(o, rid);
                const group = o.apiVersion.includes("/") ? o.apiVersion.split("/")[0] : "";
                if (o.kind === "Service" && group === "") {
                    const sel = read(o.obj, ["spec", "selector"]);
                    services.set(
                        `${m.namespace}/${m.name}`,
                        sel && typeof sel === "object"
                            ? Object.fromEntries(Object.entries(sel).map(([k, v]) => [k, String(v)]))
                            : undefined,
                    );
                } else if (o.kind === "Ingress" && INGRESS_GROUPS.includes(group)) {
                    routes.push({ urn: r.urn, kind: o.kind, ns: m.namespace, name: m.name, backends: ingressBackends(o, m.namespace) });
                } else if (group === GATEWAY_API_GROUP && GATEWAY_ROUTE_KINDS.includes(o.kind)) {
                    routes.push({ urn: r.urn, kind: o.kind, ns: m.namespace, name: m.name, backends: routeBackends(o, m.namespace) });
                } else if (group === GATEWAY_API_GROUP && o.kind === "Gateway") {
                    routes.push({ urn: r.urn, kind: o.kind, ns: m.namespace, name: m.name, backends: [] });
                }
            }
        }
        if (routes.length === 0) notApplicable(args, "no Ingress, Gateway or Gateway API route in this stack");
        const reviewed = new Set(cfg.reviewedRoutes);
        for (const route of routes) {
            const label = `${route.kind} ${route.ns}/${route.name}`;
            if (route.kind === "Gateway") {
                const what = guarded.get(route.ns);
                if (what && !reviewed.has(label))
                    f.violation(
                        `${label} is a Gateway in namespace ${route.ns}, which holds ${what}: its listeners admit whoever reaches the gateway, and a gateway's proxy may run beside ${what}. Allow it after review: config reviewedRoutes: ["${label}"]${what === "TorchPods" ? " (no route may then reach a TorchPod)" : ""}`,
                        route.urn,
                    );
                continue;
            }
            for (const b of route.backends) {
                const leads: { what: "TorchPods" | "MLab"; how: string }[] = [];
                if (b.kind === "Service") {
                    const key = `${b.namespace}/${b.name}`;
                    if (!services.has(key)) {
                        const what = guarded.get(b.namespace);
                        if (what)
                            leads.push({
                                what: what as "TorchPods" | "MLab",
                                how: `Service ${key}, which the stack does not declare, in a namespace holding ${what}`,
                            });
                    } else {
                        const sel = services.get(key);
                        if (sel && Object.keys(sel).length > 0) {
                            const hit = (ws: WorkloadEndpoint[]) =>
                                ws.filter((w) => w.namespace === b.namespace && selects({ matchLabels: sel }, w.labels));
                            const tp = hit(torchpods);
                            if (tp.length || selectorImplies(cfg.torchpodSelector, { matchLabels: sel }))
                                leads.push({
                                    what: "TorchPods",
                                    how: `Service ${key}, which selects ${tp.length ? tp.map((w) => `${w.kind} ${w.id}`).join(", ") : `every TorchPod of namespace ${b.namespace} (selector ${describeSelector({ matchLabels: sel })})`}`,
                                });
                            const ml = hit(mlabs);
                            if (ml.length)
                                leads.push({
                                    what: "MLab",
                                    how: `Service ${key}, which selects MLab ${ml.map((w) => `${w.kind} ${w.id}`).join(", ")}`,
                                });
                        }
                    }
                } else {
                    const what = guarded.get(b.namespace);
                    if (what)
                        leads.push({
                            what: what as "TorchPods" | "MLab",
                            how: `a ${b.kind} backend ${b.namespace}/${b.name} the pack cannot follow, in a namespace holding ${what}`,
                        });
                }
                for (const l of leads) {
                    if (l.what === "TorchPods")
                        f.violation(
                            `${label} routes to a TorchPod (${b.at}: ${l.how}): only office networks may connect to a TorchPod, and a route admits whoever reaches its controller (no switch)`,
                            route.urn,
                        );
                    else if (!reviewed.has(label))
                        f.violation(
                            `${label} routes to MLab (${b.at}: ${l.how}): the traffic table lets only office networks, TorchPods, the reconciler and the importer reach MLab, and the pack cannot see whom the route admits. Allow it after review: config reviewedRoutes: ["${label}"]`,
                            route.urn,
                        );
                }
            }
        }
        f.finish();
    },
};
