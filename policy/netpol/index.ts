// The NetworkPolicy analyzer: networking.k8s.io/v1 semantics over plain manifests (no Pulumi).
export * from "./types";
export { NetpolError } from "./errors";
export { NetworkModel } from "./model";
export type { MatrixQuery } from "./model";
export { ClassReachability } from "./classes";
export { parsePolicy, isK8sNetworkPolicy } from "./policies";
export type { ParsedPolicy, ParsedRule, ParsedPeer } from "./policies";
export { matchesSelector } from "./selector";
export { parseAddress, parseCidr, ipBlockContains } from "./cidr";
export type { Cidr, Address } from "./cidr";
export { flattenLists } from "./lists";
export { NAMESPACE_NAME_LABEL } from "./endpoints";
export { loadManifests, ManifestError, sourceOf } from "./manifests";
