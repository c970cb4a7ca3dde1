// NetworkModel: the workloads and NetworkPolicies of a set of manifests, and who may reach whom.
import { ClassEngine, ClassReachability } from "./classes";
import { ensureNamespace, namespaceLabels, toWorkload } from "./endpoints";
import { flattenLists } from "./lists";
import { isK8sNetworkPolicy, ParsedPeer, ParsedPolicy, ParsedRule, parsePolicy } from "./policies";
import { peerMatches, policySelects, ruleMatches } from "./semantics";
import { EgressGrant, Endpoint, GrantPeer, IngressGrant, K8sObject, MatrixEntry, Protocol, Verdict, WorkloadEndpoint } from "./types";

export interface MatrixQuery {
    from?: Endpoint[];
    to?: Endpoint[];
    ports: number[];
    protocols: Protocol[];
}

export class NetworkModel {
    readonly workloads: WorkloadEndpoint[];
    readonly policies: ParsedPolicy[];
    /** Namespace name → labels (declared or referenced; always with kubernetes.io/metadata.name). */
    readonly namespaces: Map<string, Record<string, string>>;
    private readonly byId = new Map<string, WorkloadEndpoint>();
    private readonly indexOf = new Map<WorkloadEndpoint, number>();
    private readonly policiesByNs = new Map<string, ParsedPolicy[]>();
    private engineCache?: ClassEngine;

    private constructor(workloads: WorkloadEndpoint[], policies: ParsedPolicy[], namespaces: Map<string, Record<string, string>>) {
        this.workloads = workloads;
        this.policies = policies;
        this.namespaces = namespaces;
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
        const policies = flat.filter(isK8sNetworkPolicy).map(parsePolicy);
        for (const p of policies) ensureNamespace(namespaces, p.namespace);
        const workloads: WorkloadEndpoint[] = [];
        for (const o of flat) {
            const w = toWorkload(o, namespaces);
            if (w) workloads.push(w);
        }
        return new NetworkModel(workloads, policies, namespaces);
    }

    workload(id: string): WorkloadEndpoint | undefined {
        return this.byId.get(id);
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
        for (const port of q.ports) {
            for (const protocol of q.protocols) {
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
                        out.push({ from: f.id, to: t.id, port, protocol, allowed });
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
