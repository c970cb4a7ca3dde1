// The policies of the torchpod-lockdown pack, one per file. Import these (tests, tools); only ../index.ts
// constructs the PolicyPack (constructing one starts the Analyzer gRPC server).
import { EnforcementLevel, Policies } from "@pulumi/policy";
import { auditLogOnlyWriterWrites } from "./auditLogOnlyWriterWrites";
import { auditWriterNoEgress } from "./auditWriterNoEgress";
import { auditWriterNoIngress } from "./auditWriterNoIngress";
import { knownActorsApiServerOnly } from "./knownActorsApiServerOnly";
import { admissionChangesReviewed } from "./admissionChangesReviewed";
import { apiRightsReviewed } from "./apiRightsReviewed";
import { browserProxyBasicAuth } from "./browserProxyBasicAuth";
import { closedWorldDevices } from "./closedWorldDevices";
import { closedWorldVolumes } from "./closedWorldVolumes";
import { customResourceWorkloads } from "./customResourceWorkloads";
import { knownResourceTypesPolicy } from "./knownResourceTypes";
import { mlabClosedWorld } from "./mlabClosedWorld";
import { mlabIngressByTrafficTable } from "./mlabIngressByTrafficTable";
import { routesByTrafficTable } from "./routesByTrafficTable";
import { userDataCopiesFollowed } from "./userDataCopiesFollowed";
import { mlabCredentialHolders } from "./mlabCredentialHolders";
import { mlabGiteaNoRelay } from "./mlabGiteaNoRelay";
import { mlabNoEgress } from "./mlabNoEgress";
import { noHostNamespaces } from "./noHostNamespaces";
import { noHostPathVolumes } from "./noHostPathVolumes";
import { noLiteralSecretsInEnv } from "./noLiteralSecretsInEnv";
import { noPrivilegedContainers } from "./noPrivilegedContainers";
import { onlyCoreNetworkPolicy } from "./onlyCoreNetworkPolicy";
import { pinnedImages } from "./pinnedImages";
import { podTokensCarryNoApiRights } from "./podTokensCarryNoApiRights";
import { telemetryReviewed } from "./telemetryReviewed";
import { torchpodAirlockReadOnly } from "./torchpodAirlockReadOnly";
import { torchpodEgressOnlyToMlab } from "./torchpodEgressOnlyToMlab";
import { torchpodIdentityByData } from "./torchpodIdentityByData";
import { torchpodIngressOnlyFromOffice } from "./torchpodIngressOnlyFromOffice";
import { torchpodInventory } from "./torchpodInventory";
import { torchpodNamespacePodSecurity } from "./torchpodNamespacePodSecurity";
import { torchpodNoNodePortServices } from "./torchpodNoNodePortServices";
import { torchpodNoServiceAccountToken } from "./torchpodNoServiceAccountToken";
import { userDataVolumesReviewed } from "./userDataVolumesReviewed";

export const PACK_NAME = "torchpod-lockdown";
export const PACK_ENFORCEMENT_LEVEL: EnforcementLevel = "mandatory";
export const PACK_DESCRIPTION =
    "TorchPod lock-down, closed world: a TorchPod may reach only MLab (Gitea http and ssh), MLab reaches nothing, and whatever the pack cannot prove safe is refused " +
    "(resource types of any provider, volume types, devices and runtimes, policy kinds, API rights, admission-time changes, log shipping, MLab's pod contents and settings), with the config switch that would allow it after review. Pods are judged by the data they mount, not only by their labels.";

export const resourcePolicies = [
    noHostNamespaces,
    noPrivilegedContainers,
    noHostPathVolumes,
    torchpodAirlockReadOnly,
    torchpodNoServiceAccountToken,
    noLiteralSecretsInEnv,
    mlabGiteaNoRelay,
    mlabClosedWorld,
    browserProxyBasicAuth,
    pinnedImages,
    customResourceWorkloads,
];

/** Refuses every type outside the table of resource types, and every type whose judging policy is not in `policies`. */
export const knownResourceTypes = knownResourceTypesPolicy(() => policies.map((p) => p.name));

export const stackPolicies = [
    torchpodInventory,
    knownResourceTypes,
    torchpodEgressOnlyToMlab,
    torchpodIngressOnlyFromOffice,
    torchpodNamespacePodSecurity,
    torchpodNoNodePortServices,
    torchpodIdentityByData,
    closedWorldVolumes,
    closedWorldDevices,
    userDataVolumesReviewed,
    onlyCoreNetworkPolicy,
    mlabNoEgress,
    mlabCredentialHolders,
    auditLogOnlyWriterWrites,
    auditWriterNoEgress,
    auditWriterNoIngress,
    apiRightsReviewed,
    knownActorsApiServerOnly,
    podTokensCarryNoApiRights,
    admissionChangesReviewed,
    telemetryReviewed,
    mlabIngressByTrafficTable,
    routesByTrafficTable,
    userDataCopiesFollowed,
];

export const policies: Policies = [...stackPolicies, ...resourcePolicies];

export {
    auditLogOnlyWriterWrites,
    auditWriterNoEgress,
    admissionChangesReviewed,
    apiRightsReviewed,
    mlabIngressByTrafficTable,
    routesByTrafficTable,
    userDataCopiesFollowed,
    browserProxyBasicAuth,
    closedWorldDevices,
    closedWorldVolumes,
    customResourceWorkloads,
    mlabClosedWorld,
    mlabCredentialHolders,
    mlabGiteaNoRelay,
    mlabNoEgress,
    noHostNamespaces,
    noHostPathVolumes,
    noLiteralSecretsInEnv,
    noPrivilegedContainers,
    onlyCoreNetworkPolicy,
    pinnedImages,
    podTokensCarryNoApiRights,
    telemetryReviewed,
    torchpodAirlockReadOnly,
    torchpodEgressOnlyToMlab,
    torchpodIdentityByData,
    torchpodIngressOnlyFromOffice,
    torchpodInventory,
    torchpodNamespacePodSecurity,
    torchpodNoNodePortServices,
    torchpodNoServiceAccountToken,
    userDataVolumesReviewed,
};
export { analyzeTorchPodEgress } from "./torchpodEgressOnlyToMlab";
export type { EgressFinding } from "./torchpodEgressOnlyToMlab";
export { analyzeTorchPodIngress } from "./torchpodIngressOnlyFromOffice";
export { torchPodsOf } from "../support/torchpods";
export type { IngressFinding } from "./torchpodIngressOnlyFromOffice";
export { networkObjectsOf } from "../support/network";
export { resolveConfig, PACK_DEFAULTS, selectorImplies } from "../support/packConfig";
export type { PackConfig } from "../support/packConfig";
