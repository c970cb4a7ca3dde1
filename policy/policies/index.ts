// The policies of the torchpod-lockdown pack. Import these (tests, tools); only ../index.ts
// constructs the PolicyPack (constructing one starts the Analyzer gRPC server).
import { EnforcementLevel, Policies } from "@pulumi/policy";
import { torchpodEgressOnlyToMlab } from "./egress";
import { torchpodNoNodePortServices } from "./services";
import { resourcePolicies } from "./workloads";

export const PACK_NAME = "torchpod-lockdown";
export const PACK_ENFORCEMENT_LEVEL: EnforcementLevel = "mandatory";
export const PACK_DESCRIPTION =
  "TorchPod lock-down: a TorchPod may reach only MLab (Gitea http and ssh), and none of the known escape routes is open " +
  "(host namespaces and ports, privileged containers, hostPath, a writable airlock, service-account tokens, node ports, literal credentials, Gitea relays, unpinned images).";

export const policies: Policies = [torchpodEgressOnlyToMlab, torchpodNoNodePortServices, ...resourcePolicies];

export { torchpodEgressOnlyToMlab, analyzeTorchPodEgress, networkObjectsOf } from "./egress";
export type { EgressFinding } from "./egress";
export { torchpodNoNodePortServices } from "./services";
export {
  noHostNamespaces,
  noPrivilegedContainers,
  noHostPathVolumes,
  torchpodAirlockReadOnly,
  torchpodNoServiceAccountToken,
  noLiteralSecretsInEnv,
  mlabGiteaNoRelay,
  pinnedImages,
  resourcePolicies,
  parseImage,
} from "./workloads";
export { resolveConfig, DEFAULTS, selectorImplies } from "./config";
export type { PackConfig } from "./config";
