// Public data shapes of the NetworkPolicy analyzer (networking.k8s.io/v1 semantics).
// Plain TypeScript on purpose: the CLI, the render script and the CrossGuard pack all share it.

export type Protocol = "TCP" | "UDP" | "SCTP";
export const PROTOCOLS: readonly Protocol[] = ["TCP", "UDP", "SCTP"];

export interface K8sObject {
    apiVersion?: string;
    kind?: string;
    metadata?: {
        name?: string;
        namespace?: string;
        labels?: Record<string, string>;
        annotations?: Record<string, string>;
    };
    spec?: any;
    status?: any;
    [k: string]: unknown;
}

export interface ContainerPort {
    name?: string;
    containerPort: number;
    protocol: Protocol;
}

export interface WorkloadEndpoint {
    type: "workload";
    id: string; // namespace/name, or namespace/kind/name where two kinds share the name
    namespace: string;
    name: string;
    kind: string;
    labels: Record<string, string>;
    namespaceLabels: Record<string, string>;
    ports: ContainerPort[];
    ip?: string;
    /** spec.hostNetwork: NetworkPolicy does not apply to such pods (they use the node's network). */
    hostNetwork?: boolean;
}

export interface IpEndpoint {
    type: "ip";
    id: string; // the IP itself
    ip: string;
}

export type Endpoint = WorkloadEndpoint | IpEndpoint;

export interface Verdict {
    allowed: boolean;
    egress: { isolated: boolean; allowedBy: string[] /* policy ns/name */ };
    ingress: { isolated: boolean; allowedBy: string[] };
}

export type SelectorOperator = "In" | "NotIn" | "Exists" | "DoesNotExist";

export interface LabelSelectorRequirement {
    key: string;
    operator: SelectorOperator;
    values?: string[];
}

export interface LabelSelector {
    matchLabels?: Record<string, string>;
    matchExpressions?: LabelSelectorRequirement[];
}

/** One entry of a rule's `ports`, defaults applied (protocol TCP). `port` is a number or a port name. */
export interface PortSpec {
    protocol: Protocol;
    port?: number | string;
    endPort?: number;
}

export type GrantPorts = "all" | PortSpec[];

/** The peer of a grant. For egress it is the destination side, for ingress the source side. */
export type GrantPeer =
    | { kind: "all" } // rule without to/from: every pod everywhere and every IP
    | {
          kind: "pods";
          namespaceSelector?: LabelSelector;
          podSelector?: LabelSelector;
          policyNamespace: string; // where podSelector-only peers look
          matches: WorkloadEndpoint[]; // the workloads of the manifests it matches
      }
    | {
          kind: "ipBlock";
          cidr: string;
          except: string[];
          matches: WorkloadEndpoint[]; // workloads whose status.podIP falls inside (our documented choice)
      };

export interface EgressGrant {
    policy: string; // ns/name
    ruleIndex: number; // index in spec.egress
    peer: GrantPeer;
    ports: GrantPorts;
}

export interface IngressGrant {
    policy: string; // ns/name
    ruleIndex: number; // index in spec.ingress
    peer: GrantPeer;
    ports: GrantPorts;
}

export interface MatrixEntry {
    from: string;
    to: string;
    port: number;
    protocol: Protocol;
    allowed: boolean;
    /** With MatrixQuery.reasons: is the source isolated for egress, and which policies allow this. */
    egress?: { isolated: boolean; allowedBy: string[] };
    /** With MatrixQuery.reasons: is the destination isolated for ingress, and which policies allow this. */
    ingress?: { isolated: boolean; allowedBy: string[] };
}
