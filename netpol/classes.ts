// The fast engine: workloads that no policy can tell apart (same namespace, pod labels,
// container ports, and ipBlocks containing their IP) form one class. Each policy's selection and
// each peer's matches are computed once as bitsets over classes; a (port, protocol) evaluation
// is then unions of bitsets, so cost grows with classes × policies / 32, not pairs × rules.
import { Bitset } from "./bitset";
import { ipBlockContains } from "./net";
import { ParsedPeer, ParsedPolicy, ParsedRule } from "./policies";
import { matchesSelector, selectorKey } from "./selector";
import { addressOf } from "./semantics";
import { ContainerPort, LabelSelector, Protocol, WorkloadEndpoint } from "./types";

export interface WorkloadClass {
    index: number;
    namespace: string;
    labels: Record<string, string>;
    namespaceLabels: Record<string, string>;
    ports: ContainerPort[];
    hostNetwork: boolean; // never isolated by a policy (see semantics.policySelects)
    members: number[]; // workload indexes
}

interface CompiledRule {
    rule: ParsedRule;
    peers: Bitset; // classes some peer matches (all classes when the rule has no from/to)
    numeric: { protocol: Protocol; port?: number; endPort?: number }[] | "all";
    named: { protocol: Protocol; name: string }[];
}

interface CompiledPolicy {
    policy: ParsedPolicy;
    selected: number[]; // class indexes
    ingress: CompiledRule[];
    egress: CompiledRule[];
}

/** Per source class, the destination classes it may reach for one (port, protocol). */
export class ClassReachability {
    constructor(
        readonly port: number,
        readonly protocol: Protocol,
        readonly classOf: Int32Array,
        readonly allowed: Bitset[],
    ) {}

    classAllowed(fromClass: number, toClass: number): boolean {
        return this.allowed[fromClass].has(toClass);
    }

    /** By workload index (position in NetworkModel.workloads). */
    workloadAllowed(from: number, to: number): boolean {
        return this.allowed[this.classOf[from]].has(this.classOf[to]);
    }
}

export class ClassEngine {
    readonly classes: WorkloadClass[] = [];
    readonly classOf: Int32Array;
    private readonly byNamespace = new Map<string, number[]>();
    private readonly compiled: CompiledPolicy[];
    private readonly namedPortIndex = new Map<string, Bitset>();
    private readonly selectionCache = new Map<string, Bitset>();

    constructor(
        workloads: WorkloadEndpoint[],
        policies: ParsedPolicy[],
        private readonly namespaces: Map<string, Record<string, string>>,
    ) {
        // Distinct ipBlocks, so a pod's IP membership can be part of its class signature.
        const blockIndex = new Map<string, number>();
        const blocks: Extract<ParsedPeer, { kind: "ipBlock" }>[] = [];
        const blockKey = (b: Extract<ParsedPeer, { kind: "ipBlock" }>) =>
            `${b.cidr.family}:${b.cidr.base}/${b.cidr.prefix}-${b.except
                .map((e) => `${e.base}/${e.prefix}`)
                .sort()
                .join(",")}`;
        for (const p of policies) {
            for (const r of [...p.ingress, ...p.egress]) {
                if (r.peers === "all") continue;
                for (const peer of r.peers) {
                    if (peer.kind !== "ipBlock") continue;
                    const k = blockKey(peer);
                    if (!blockIndex.has(k)) {
                        blockIndex.set(k, blocks.length);
                        blocks.push(peer);
                    }
                }
            }
        }

        const signature = new Map<string, number>();
        const classBlocks: number[][] = [];
        this.classOf = new Int32Array(workloads.length);
        workloads.forEach((w, wi) => {
            const a = addressOf(w.ip);
            const inBlocks = a ? blocks.flatMap((b, bi) => (ipBlockContains(b.cidr, b.except, a) ? [bi] : [])) : [];
            const sig = JSON.stringify([
                w.namespace,
                Object.keys(w.labels)
                    .sort()
                    .map((k) => [k, w.labels[k]]),
                w.ports.map((p) => `${p.name ?? ""}/${p.protocol}/${p.containerPort}`).sort(),
                inBlocks,
                w.hostNetwork === true,
            ]);
            let ci = signature.get(sig);
            if (ci === undefined) {
                ci = this.classes.length;
                signature.set(sig, ci);
                this.classes.push({
                    index: ci,
                    namespace: w.namespace,
                    labels: w.labels,
                    namespaceLabels: w.namespaceLabels,
                    ports: w.ports,
                    hostNetwork: w.hostNetwork === true,
                    members: [],
                });
                classBlocks.push(inBlocks);
                const list = this.byNamespace.get(w.namespace) ?? [];
                list.push(ci);
                this.byNamespace.set(w.namespace, list);
            }
            this.classes[ci].members.push(wi);
            this.classOf[wi] = ci;
        });
        const n = this.classes.length;

        // Classes inside each distinct ipBlock.
        const blockClasses = blocks.map(() => new Bitset(n));
        classBlocks.forEach((bs, ci) => bs.forEach((bi) => blockClasses[bi].set(ci)));

        // Classes with a named container port, by name/protocol/number.
        for (const c of this.classes) {
            for (const p of c.ports) {
                if (!p.name) continue;
                const k = `${p.name}/${p.protocol}/${p.containerPort}`;
                let b = this.namedPortIndex.get(k);
                if (!b) this.namedPortIndex.set(k, (b = new Bitset(n)));
                b.set(c.index);
            }
        }

        const compileRule = (p: ParsedPolicy, r: ParsedRule): CompiledRule => {
            let peers: Bitset;
            if (r.peers === "all") peers = Bitset.full(n);
            else {
                peers = new Bitset(n);
                for (const peer of r.peers) {
                    if (peer.kind === "ipBlock") peers.or(blockClasses[blockIndex.get(blockKey(peer))!]);
                    else peers.or(this.selection(p.namespace, peer.namespaceSelector, peer.podSelector));
                }
            }
            const numeric: CompiledRule["numeric"] = r.ports === "all" ? "all" : [];
            const named: CompiledRule["named"] = [];
            if (r.ports !== "all") {
                for (const s of r.ports) {
                    if (typeof s.port === "string") named.push({ protocol: s.protocol, name: s.port });
                    else
                        (numeric as Exclude<CompiledRule["numeric"], "all">).push({
                            protocol: s.protocol,
                            port: s.port,
                            endPort: s.endPort,
                        });
                }
            }
            return { rule: r, peers, numeric, named };
        };

        this.compiled = policies.map((p) => ({
            policy: p,
            selected: this.selection(p.namespace, undefined, p.podSelector)
                .toArray()
                .filter((ci) => !this.classes[ci].hostNetwork),
            ingress: p.ingress.map((r) => compileRule(p, r)),
            egress: p.egress.map((r) => compileRule(p, r)),
        }));
    }

    /** Classes matched by (namespaceSelector?, podSelector?) seen from a policy in `policyNs`; cached. */
    private selection(policyNs: string, nsSel: LabelSelector | undefined, podSel: LabelSelector | undefined): Bitset {
        const key = `${nsSel ? selectorKey(nsSel) : "@" + policyNs}|${selectorKey(podSel)}`;
        let b = this.selectionCache.get(key);
        if (b) return b;
        b = new Bitset(this.classes.length);
        const namespaces = nsSel
            ? [...this.namespaces].filter(([, labels]) => matchesSelector(nsSel, labels)).map(([ns]) => ns)
            : [policyNs];
        for (const ns of namespaces) {
            for (const ci of this.byNamespace.get(ns) ?? []) {
                if (!podSel || matchesSelector(podSel, this.classes[ci].labels)) b.set(ci);
            }
        }
        this.selectionCache.set(key, b);
        return b;
    }

    /**
     * Classes whose ports admit (port, protocol) for a rule: "all" (every destination),
     * "none", or a bitset when only named ports match (they depend on the destination pod).
     */
    private portTargets(r: CompiledRule, port: number, protocol: Protocol): "all" | "none" | Bitset {
        if (r.numeric === "all") return "all";
        for (const s of r.numeric) {
            if (s.protocol !== protocol) continue;
            if (s.port === undefined) return "all";
            if (s.endPort !== undefined ? port >= s.port && port <= s.endPort : port === s.port) return "all";
        }
        let out: Bitset | undefined;
        for (const s of r.named) {
            if (s.protocol !== protocol) continue;
            const b = this.namedPortIndex.get(`${s.name}/${protocol}/${port}`);
            if (b) (out ??= new Bitset(this.classes.length)).or(b);
        }
        return out ?? "none";
    }

    evaluate(port: number, protocol: Protocol): ClassReachability {
        const n = this.classes.length;
        const egressIsolated = new Uint8Array(n);
        const ingressIsolated = new Uint8Array(n);
        const egressAllowed: (Bitset | undefined)[] = new Array(n);
        const ingressAllowed: (Bitset | undefined)[] = new Array(n);

        for (const cp of this.compiled) {
            if (cp.selected.length === 0) continue;
            if (cp.policy.egressIsolating) {
                // Destinations this policy opens to any pod it selects.
                const opened = new Bitset(n);
                for (const r of cp.egress) {
                    const t = this.portTargets(r, port, protocol);
                    if (t === "all") opened.or(r.peers);
                    else if (t !== "none") opened.orAnd(r.peers, t);
                }
                for (const ci of cp.selected) {
                    egressIsolated[ci] = 1;
                    (egressAllowed[ci] ??= new Bitset(n)).or(opened);
                }
            }
            if (cp.policy.ingressIsolating) {
                // Sources opened regardless of the selected pod, then rules whose named ports
                // must be resolved on each selected pod.
                const opened = new Bitset(n);
                const perTarget: { peers: Bitset; targets: Bitset }[] = [];
                for (const r of cp.ingress) {
                    const t = this.portTargets(r, port, protocol);
                    if (t === "all") opened.or(r.peers);
                    else if (t !== "none") perTarget.push({ peers: r.peers, targets: t });
                }
                for (const ci of cp.selected) {
                    ingressIsolated[ci] = 1;
                    const acc = (ingressAllowed[ci] ??= new Bitset(n)).or(opened);
                    for (const pt of perTarget) if (pt.targets.has(ci)) acc.or(pt.peers);
                }
            }
        }

        const everything = Bitset.full(n);
        const allowed: Bitset[] = new Array(n);
        for (let a = 0; a < n; a++) {
            const out = new Bitset(n);
            const egress = egressIsolated[a] ? egressAllowed[a]! : everything;
            for (const b of egress) {
                if (!ingressIsolated[b] || ingressAllowed[b]!.has(a)) out.set(b);
            }
            allowed[a] = out;
        }
        return new ClassReachability(port, protocol, this.classOf, allowed);
    }
}
