// How a NetworkPolicy grant's peer and ports read in a violation message: one wording for every policy.
import { GrantPeer, GrantPorts } from "@torchpod/netpol";
import { describeSelector } from "./packConfig";

/** An ipBlock peer: `10.0.0.0/8 except 10.1.0.0/16`. */
export function cidrText(p: Extract<GrantPeer, { kind: "ipBlock" }>): string {
    return `${p.cidr}${p.except.length ? ` except ${p.except.join(", ")}` : ""}`;
}

/** A pod peer's selectors: `namespaces {…}, pods {…}`, or the policy's own namespace and all its pods. */
export function podPeerText(p: Extract<GrantPeer, { kind: "pods" }>): string {
    const namespaces = p.namespaceSelector ? `namespaces ${describeSelector(p.namespaceSelector)}` : `namespace ${p.policyNamespace}`;
    return `${namespaces}, ${p.podSelector ? `pods ${describeSelector(p.podSelector)}` : "all pods"}`;
}

/** A grant's ports as written (`TCP 3000`, `TCP 3000-3010`, `UDP (every port)`); named ports by name. */
export function grantPortsText(ports: GrantPorts): string {
    if (ports === "all") return "any port (the rule has no `ports`)";
    return ports
        .map((p) =>
            p.port === undefined
                ? `${p.protocol} (every port)`
                : `${p.protocol} ${p.port}${p.endPort !== undefined ? `-${p.endPort}` : ""}`,
        )
        .join(", ");
}
