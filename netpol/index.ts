// The NetworkPolicy analyzer: networking.k8s.io/v1 semantics over plain manifests (no Pulumi).
//
// Choices worth knowing (each is explained where it is implemented):
// - ipBlock peers match IP endpoints and also pods whose status.podIP is inside the block
//   (the API leaves pod IPs to the CNI; matching them never under-reports reachability).
// - policyTypes defaults like the API server: Ingress always, Egress iff spec.egress has a rule.
// - An absent spec.podSelector selects every pod of the namespace (as `{}`).
// - Policies the API server would reject, and unknown fields (typos such as `form:`), throw
//   NetpolError instead of being read as something more permissive.
// - Only networking.k8s.io (and extensions/v1beta1) NetworkPolicies count; Calico's and other
//   projects' kinds of the same name are not evaluated, and model.warnings names them.
// - Pods with spec.hostNetwork are never isolated (NetworkPolicy does not govern the node's network);
//   selectors still match them as peers.
// - Services map a Service port to its targetPort on each selected pod (checkService); the matrix
//   itself is over pods and workloads, as NetworkPolicy is.
// - Where two kinds share a namespace and name (a Deployment and a StatefulSet `db`), their ids say
//   the kind: NS/KIND/NAME. findWorkloads("NS/NAME") returns every candidate, never a silent pick.
// - model.warnings says what was left out: policy kinds not evaluated (Cilium, Calico, AdminNetworkPolicy...),
//   custom resources whose pods are not seen, namespaces used but not declared, policies selecting nothing.
// - Loopback (a workload to itself) is not evaluated: matrix() returns pairs of distinct endpoints.
export * from "./types";
export { NetpolError } from "./errors";
export { NetworkModel } from "./model";
export type { MatrixQuery, ServiceVerdict } from "./model";
export { toService, serviceBackends, serviceSelects } from "./services";
export type { ServiceEndpoint, ServicePort, ServiceBackend } from "./services";
export { analyzerWarnings, isOtherTrafficPolicy } from "./warnings";
export { ClassReachability } from "./classes";
export { parsePolicy, isK8sNetworkPolicy } from "./policies";
export type { ParsedPolicy, ParsedRule, ParsedPeer } from "./policies";
export { matchesSelector } from "./selector";
export * from "./net";
export { flattenLists } from "./lists";
export { NAMESPACE_NAME_LABEL, TEMPLATE_PATHS } from "./endpoints";
export { loadManifests, ManifestError, sourceOf, POLICY_CONFIG_FILE, PULUMI_RESOURCES_FILE } from "./manifests";
