// The policies of the torchpod-lockdown pack. Import these (tests, tools); only ../index.ts
// constructs the PolicyPack (constructing one starts the Analyzer gRPC server).
import { EnforcementLevel, Policies } from "@pulumi/policy";
import { torchpodEgressOnlyToMlab } from "./egress";
import { torchpodIngressOnlyFromOffice, torchpodNamespacePodSecurity } from "./ingress";
import { torchpodNoNodePortServices } from "./services";
import { resourcePolicies } from "./workloads";

export const PACK_NAME = "torchpod-lockdown";
export const PACK_ENFORCEMENT_LEVEL: EnforcementLevel = "mandatory";
export const PACK_DESCRIPTION =
    "TorchPod lock-down: a TorchPod may reach only MLab (Gitea http and ssh), and none of the known escape routes is open " +
    "(connections into a TorchPod from anything but office networks, a TorchPod namespace below Pod Security baseline, host namespaces and ports, privileged containers, hostPath, a writable airlock, service-account tokens, exposed TorchPod Services, literal credentials, Gitea relays, unpinned images).";

export const policies: Policies = [
    torchpodEgressOnlyToMlab,
    torchpodIngressOnlyFromOffice,
    torchpodNamespacePodSecurity,
    torchpodNoNodePortServices,
    ...resourcePolicies,
];

export { torchpodEgressOnlyToMlab, analyzeTorchPodEgress, networkObjectsOf } from "./egress";
export type { EgressFinding } from "./egress";
export { torchpodNoNodePortServices } from "./services";
export { torchpodIngressOnlyFromOffice, torchpodNamespacePodSecurity, analyzeTorchPodIngress, torchPodsOf } from "./ingress";
export type { IngressFinding } from "./ingress";
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
} from "./workloads";
export { resolveConfig, PACK_DEFAULTS, selectorImplies } from "./packConfig";
export type { PackConfig } from "./packConfig";
