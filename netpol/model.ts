// NetworkModel: the workloads and NetworkPolicies of a set of manifests, and who may reach whom.
import { ClassEngine, ClassReachability } from "./classes";
import { ensureNamespace, namespaceLabels, toWorkload } from "./endpoints";
import { flattenLists } from "./lists";
import { isK8sNetworkPolicy, ParsedPeer, ParsedPolicy, ParsedRule, parsePolicy } from "./policies";
import { peerMatches, policySelects, ruleMatches } from "./semantics";
import { ServiceEndpoint, serviceBackends, toService } from "./services";
import { EgressGrant, Endpoint, GrantPeer, IngressGrant, K8sObject, MatrixEntry, Protocol, Verdict, WorkloadEndpoint } from "./types";
import { analyzerWarnings } from "./warnings";

export interface MatrixQuery {
    from?: Endpoint[];
    to?: Endpoint[];
    ports: number[];
    protocols: Protocol[];
    /** Add each entry's egress and ingress sides (isolated, allowedBy): computed once per pair of classes. */
    reasons?: boolean;
}

/** A connection to a Service port, judged on each pod behind it (see services.ts). */
export interface ServiceVerdict {
    /** Some backend accepts it (a connection may land on any of them). */
    allowed: boolean;
    service: string; // ns/name
    servicePort?: { name?: string; port: number; protocol: Protocol; targetPort: number | string };
    backends: { workload: string; targetPort?: number; verdict?: Verdict; problem?: string }[];
    /** Why nothing can be reached through the Service, when that is so for a reason other than policy. */
    problem?: string;
}

export class NetworkModel {
    readonly workloads: WorkloadEndpoint[];
    readonly policies: ParsedPolicy[];
    /** Namespace name → labels (declared or referenced; always with kubernetes.io/metadata.name). */
    readonly namespaces: Map<string, Record<string, string>>;
    readonly services: ServiceEndpoint[];
    /** What the analysis leaves out or finds suspicious (kinds it does not evaluate, policies selecting nothing...). */
    readonly warnings: string[];
    private readonly byId = new Map<string, WorkloadEndpoint>();
    private readonly indexOf = new Map<WorkloadEndpoint, number>();
    private readonly policiesByNs = new Map<string, ParsedPolicy[]>();
    private engineCache?: ClassEngine;

    private constructor(
        workloads: WorkloadEndpoint[],
        policies: ParsedPolicy[],
        namespaces: Map<string, Record<string, string>>,
        services: ServiceEndpoint[],
        warnings: string[],
    ) {
        this.workloads = workloads;
        this.policies = policies;
        this.namespaces = namespaces;
        this.services = services;
        this.warnings = warnings;
        workloads.forEach((w, i) => {
            if (!this.byId.has(w.id)) this.byId.set(w.id, w); // the first object of a name wins a lookup
            this.indexOf.set(w, i);
        });
        for (const p of policies) {
            const l = this.policiesByNs.get(p.namespace) ?? [];
            l.push(p);
            this.policiesByNs.set(p.namespace, l);
        }
    }

    /** Builds the model; throws NetpolError naming the policy and field for a malformed policy. */
    static fromObjects(objects: K8sObject[]): NetworkModel {
        const flat = flattenLists(objects).filter((o) => o !== null && typeof o === "object");
        const namespaces = namespaceLabels(flat);
        const declared = new Set(namespaces.keys());
        const policies = flat.filter(isK8sNetworkPolicy).map(parsePolicy);
        for (const p of policies) ensureNamespace(namespaces, p.namespace);
        const workloads: WorkloadEndpoint[] = [];
        for (const o of flat) {
            const w = toWorkload(o, namespaces);
            if (w) workloads.push(w);
        }
        const services = flat.map(toService).filter((s): s is ServiceEndpoint => s !== undefined);
        const warnings = uniqueIds(workloads);
        const used = new Set([...workloads.map((w) => w.namespace), ...policies.map((p) => p.namespace)]);
        warnings.push(...analyzerWarnings(flat, workloads, policies, declared, used));
        return new NetworkModel(workloads, policies, namespaces, services, warnings);
    }

    /** The workload with this id (NS/NAME, or NS/KIND/NAME where two kinds share a name). */
    workload(id: string): WorkloadEndpoint | undefined {
        return this.byId.get(id);
    }

    /**
     * The workloads a name given by a person may mean: the one with that id, or every workload of that
     * namespace and name whatever its kind (NS/NAME where a Deployment and a StatefulSet share the name).
     */
    findWorkloads(name: string): WorkloadEndpoint[] {
        const exact = this.byId.get(name);
        if (exact) return [exact];
        const parts = name.split("/");
        if (parts.length !== 2) return [];
        return this.workloads.filter((w) => w.namespace === parts[0] && w.name === parts[1]);
    }

    service(id: string): ServiceEndpoint | undefined {
        return this.services.find((s) => s.id === id);
    }

    /**
     * A connection to a Service's `port`/`protocol` (a Service port, not a container port): judged on
     * each pod the Service selects, at the target port the Service maps it to.
     */
    checkService(from: Endpoint, service: ServiceEndpoint, port: number, protocol: Protocol): ServiceVerdict {
        const base = { service: service.id, backends: [] as ServiceVerdict["backends"] };
        const sp = service.ports.find((p) => p.port === port && p.protocol === protocol);
        if (!sp) return { ...base, allowed: false, problem: `Service ${service.id} has no port ${port}/${protocol}` };
        const servicePort = { ...sp };
        if (!service.selector)
            return {
                ...base,
                servicePort,
                allowed: false,
                problem: `Service ${service.id} has no selector: its endpoints are not in the manifests`,
            };
        const backends = serviceBackends(service, sp, this.workloads).filter((b) => b.workload !== from);
        if (backends.length === 0)
            return { ...base, servicePort, allowed: false, problem: `Service ${service.id} selects no pod in the manifests` };
        const out: ServiceVerdict["backends"] = backends.map((b) =>
            b.targetPort === undefined
                ? { workload: b.workload.id, problem: `${b.workload.id} has no container port named "${sp.targetPort}" (${protocol})` }
                : { workload: b.workload.id, targetPort: b.targetPort, verdict: this.check(from, b.workload, b.targetPort, protocol) },
        );
        return { ...base, servicePort, backends: out, allowed: out.some((b) => b.verdict?.allowed === true) };
    }

    /** The class engine, built on first use (grants and single checks do not need it). */
    get engine(): ClassEngine {
        return (this.engineCache ??= new ClassEngine(this.workloads, this.policies, this.namespaces));
    }

    /** Class-level evaluation of every workload pair for one port and protocol. */
    reachability(port: number, protocol: Protocol): ClassReachability {
        return this.engine.evaluate(port, protocol);
    }

    private selecting(w: WorkloadEndpoint): ParsedPolicy[] {
        return (this.policiesByNs.get(w.namespace) ?? []).filter((p) => policySelects(p, w));
    }

    check(from: Endpoint, to: Endpoint, port: number, protocol: Protocol): Verdict {
        const side = (self: Endpoint, other: Endpoint, dir: "egress" | "ingress") => {
            if (self.type !== "workload") return { isolated: false, allowedBy: [] as string[] }; // only pods are policed
            const policies = this.selecting(self).filter((p) => (dir === "egress" ? p.egressIsolating : p.ingressIsolating));
            const allowedBy = policies.filter((p) => p[dir].some((r) => ruleMatches(p, r, other, port, protocol, to))).map((p) => p.id);
            return { isolated: policies.length > 0, allowedBy };
        };
        const egress = side(from, to, "egress");
        const ingress = side(to, from, "ingress");
        const ok = (s: { isolated: boolean; allowedBy: string[] }) => !s.isolated || s.allowedBy.length > 0;
        return { allowed: ok(egress) && ok(ingress), egress, ingress };
    }

    /**
     * All ordered pairs of distinct endpoints (default: all workloads) for each port × protocol,
     * ordered by port, protocol, from, to. Workload pairs use the class engine; pairs with an IP
     * endpoint (or a workload from elsewhere) use `check`.
     */
    matrix(q: MatrixQuery): MatrixEntry[] {
        const from = q.from ?? this.workloads;
        const to = q.to ?? this.workloads;
        const fromIdx = from.map((e) => (e.type === "workload" ? (this.indexOf.get(e) ?? -1) : -1));
        const toIdx = to.map((e) => (e.type === "workload" ? (this.indexOf.get(e) ?? -1) : -1));
        const out: MatrixEntry[] = [];
        const reasonCache = new Map<string, Verdict>();
        const reasons = (i: number, j: number, port: number, protocol: Protocol): Verdict => {
            if (fromIdx[i] < 0 || toIdx[j] < 0) return this.check(from[i], to[j], port, protocol);
            // Workloads of one class are indistinguishable to every policy: one check per pair of classes.
            const classOf = this.engine.classOf;
            const key = `${classOf[fromIdx[i]]},${classOf[toIdx[j]]}`;
            let v = reasonCache.get(key);
            if (!v) reasonCache.set(key, (v = this.check(from[i], to[j], port, protocol)));
            return v;
        };
        for (const port of q.ports) {
            for (const protocol of q.protocols) {
                reasonCache.clear();
                const needEngine = fromIdx.some((i) => i >= 0) && toIdx.some((i) => i >= 0);
                const reach = needEngine ? this.reachability(port, protocol) : undefined;
                for (let i = 0; i < from.length; i++) {
                    const f = from[i];
                    for (let j = 0; j < to.length; j++) {
                        const t = to[j];
                        if (f === t || (f.type === "ip" && t.type === "ip" && f.id === t.id)) continue;
                        const allowed =
                            reach && fromIdx[i] >= 0 && toIdx[j] >= 0
                                ? reach.workloadAllowed(fromIdx[i], toIdx[j])
                                : this.check(f, t, port, protocol).allowed;
                        const entry: MatrixEntry = { from: f.id, to: t.id, port, protocol, allowed };
                        if (q.reasons) {
                            const v = reasons(i, j, port, protocol);
                            entry.egress = { isolated: v.egress.isolated, allowedBy: [...v.egress.allowedBy] };
                            entry.ingress = { isolated: v.ingress.isolated, allowedBy: [...v.ingress.allowedBy] };
                        }
                        out.push(entry);
                    }
                }
            }
        }
        return out;
    }

    private grantPeer(p: ParsedPolicy, peer: ParsedPeer): GrantPeer {
        const matches = this.workloads.filter((w) => peerMatches(p, peer, w));
        if (peer.kind === "ipBlock") return { kind: "ipBlock", cidr: peer.cidr.text, except: peer.except.map((e) => e.text), matches };
        const g: GrantPeer = { kind: "pods", policyNamespace: p.namespace, matches };
        if (peer.namespaceSelector) g.namespaceSelector = peer.namespaceSelector;
        if (peer.podSelector) g.podSelector = peer.podSelector;
        return g;
    }

    private grants(w: WorkloadEndpoint, dir: "egress" | "ingress"): { isolated: boolean; grants: EgressGrant[] } {
        const policies = this.selecting(w).filter((p) => (dir === "egress" ? p.egressIsolating : p.ingressIsolating));
        const grants: EgressGrant[] = [];
        for (const p of policies) {
            for (const r of p[dir] as ParsedRule[]) {
                const ports = r.ports === "all" ? "all" : r.ports.map((s) => ({ ...s }));
                const peers: GrantPeer[] = r.peers === "all" ? [{ kind: "all" }] : r.peers.map((peer) => this.grantPeer(p, peer));
                for (const peer of peers) grants.push({ policy: p.id, ruleIndex: r.index, peer, ports });
            }
        }
        return { isolated: policies.length > 0, grants };
    }

    /** Every (policy, rule, peer) opening egress for `source`; isolated=false means all egress is open. */
    egressGrants(source: WorkloadEndpoint): { isolated: boolean; grants: EgressGrant[] } {
        return this.grants(source, "egress");
    }

    /** Every (policy, rule, peer) opening ingress to `target`; the peer is the source side. */
    ingressGrants(target: WorkloadEndpoint): { isolated: boolean; grants: IngressGrant[] } {
        return this.grants(target, "ingress");
    }
}

/**
 * Where a Deployment and a StatefulSet (or any two kinds) share a namespace and name, their ids say
 * the kind (NS/KIND/NAME), so no two workloads share an id. Returns a warning for objects of the same
 * kind and name (the API server keeps only one of them).
 */
function uniqueIds(workloads: WorkloadEndpoint[]): string[] {
    const groups = new Map<string, WorkloadEndpoint[]>();
    for (const w of workloads) {
        const list = groups.get(w.id);
        if (list) list.push(w);
        else groups.set(w.id, [w]);
    }
    const warnings: string[] = [];
    for (const [id, group] of groups) {
        if (group.length < 2) continue;
        const kinds = new Set(group.map((w) => w.kind));
        if (kinds.size > 1) for (const w of group) w.id = `${w.namespace}/${w.kind}/${w.name}`;
        const dupes = [...kinds].filter((k) => group.filter((w) => w.kind === k).length > 1);
        for (const k of dupes) warnings.push(`${k} ${id} appears more than once in the manifests: a cluster keeps only one of them`);
    }
    return warnings;
}
