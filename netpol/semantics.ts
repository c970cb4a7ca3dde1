// The NetworkPolicy rules for one connection, written plainly: used by `check`, the grants,
// and as the reference the class-level engine is tested against.
import { Address, ipBlockContains, parseAddress } from "./net";
import { ParsedPeer, ParsedPolicy, ParsedRule } from "./policies";
import { matchesSelector } from "./selector";
import { Endpoint, PortSpec, Protocol, WorkloadEndpoint } from "./types";

/**
 * A policy applies to the pods of its own namespace that its podSelector matches, except pods on
 * the host network: NetworkPolicy does not govern the node's network namespace (the API leaves it
 * undefined; plugins leave such pods unisolated), so they are never isolated here. As peers they
 * are still matched by selectors, which never under-reports what may be reachable.
 */
export function policySelects(p: ParsedPolicy, w: WorkloadEndpoint): boolean {
    return w.namespace === p.namespace && !w.hostNetwork && matchesSelector(p.podSelector, w.labels);
}

const addressCache = new Map<string, Address | null>();
export function addressOf(ip: string | undefined): Address | undefined {
    if (ip === undefined) return undefined;
    let a = addressCache.get(ip);
    if (a === undefined) {
        a = parseAddress(ip) ?? null;
        addressCache.set(ip, a);
    }
    return a ?? undefined;
}

/**
 * Does one peer of policy `p` match the endpoint on the other side?
 * - namespaceSelector and podSelector together are AND'ed; podSelector alone means the
 *   policy's namespace; namespaceSelector alone means every pod of matching namespaces.
 * - ipBlock matches IP endpoints, and pods by their status.podIP (documented choice: the API
 *   says ipBlock is meant for cluster-external IPs and CNIs differ on pod IPs; treating pod IPs
 *   inside the block as matched never under-reports what may be reachable).
 */
export function peerMatches(p: ParsedPolicy, peer: ParsedPeer, e: Endpoint): boolean {
    if (peer.kind === "ipBlock") {
        const a = addressOf(e.ip);
        return a !== undefined && ipBlockContains(peer.cidr, peer.except, a);
    }
    if (e.type !== "workload") return false;
    const nsOk = peer.namespaceSelector ? matchesSelector(peer.namespaceSelector, e.namespaceLabels) : e.namespace === p.namespace;
    return nsOk && (!peer.podSelector || matchesSelector(peer.podSelector, e.labels));
}

/**
 * Does one `ports` entry admit (port, protocol) towards `dest`? Named ports are resolved on the
 * destination pod (for egress rules the pod connected to, for ingress rules the selected pod):
 * it needs a container port with that name, that protocol and that number. An IP has no names.
 */
export function portMatches(spec: PortSpec, port: number, protocol: Protocol, dest: Endpoint): boolean {
    if (spec.protocol !== protocol) return false;
    if (spec.port === undefined) return true;
    if (typeof spec.port === "number") return spec.endPort !== undefined ? port >= spec.port && port <= spec.endPort : port === spec.port;
    if (dest.type !== "workload") return false;
    return dest.ports.some((cp) => cp.name === spec.port && cp.protocol === protocol && cp.containerPort === port);
}

/** A rule admits a connection when a peer matches (or it has none) and a port matches (or it has none). */
export function ruleMatches(p: ParsedPolicy, r: ParsedRule, other: Endpoint, port: number, protocol: Protocol, dest: Endpoint): boolean {
    const portOk = r.ports === "all" || r.ports.some((s) => portMatches(s, port, protocol, dest));
    if (!portOk) return false;
    return r.peers === "all" || r.peers.some((peer) => peerMatches(p, peer, other));
}
