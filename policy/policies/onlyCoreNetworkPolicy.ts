// only-core-network-policy: the pack proves isolation under networking.k8s.io/v1 NetworkPolicy only.
import { StackValidationPolicy } from "@pulumi/policy";
import { Findings } from "../support/findings";
import { identify, stackPods } from "../support/identity";
import { resolveConfig, schemaFor } from "../support/packConfig";
import { metaOf, objectsOf, parseKubeType, providerNamespace } from "../support/resources";
import { unproxy } from "../support/unknowns";
import { isPolicyLikeKind, POLICY_LIKE_KINDS } from "../support/resourceTypes";

export { isPolicyLikeKind, POLICY_LIKE_KINDS };

export const MULTUS_ANNOTATION = "k8s.v1.cni.cncf.io/networks";

export const onlyCoreNetworkPolicy: StackValidationPolicy = {
    name: "only-core-network-policy",
    description:
        "The pack proves isolation under networking.k8s.io/v1 NetworkPolicy only. Any other network-policy-like kind (AdminNetworkPolicy, BaselineAdminNetworkPolicy, Calico NetworkPolicy/GlobalNetworkPolicy, " +
        "Cilium CiliumNetworkPolicy/CiliumClusterwideNetworkPolicy, NetworkAttachmentDefinition) and any Multus network annotation (k8s.v1.cni.cncf.io/networks) on a TorchPod is refused unless `reviewedPolicyKinds` lists the kind.",
    enforcementLevel: "mandatory",
    severity: "critical",
    configSchema: schemaFor(["torchpodSelector", "homeClaimPattern", "reviewedPolicyKinds"]),
    remediationSteps:
        "Express the rule as a networking.k8s.io/v1 NetworkPolicy, or review the kind and list it in the policy config `reviewedPolicyKinds`.",
    validateStack: (args, report) => {
        const cfg = resolveConfig(args.getConfig<Record<string, unknown>>());
        const f = new Findings(report);
        const reviewed = (group: string, kind: string) =>
            cfg.reviewedPolicyKinds.includes(kind) || cfg.reviewedPolicyKinds.includes(`${group}/${kind}`);
        for (const r of args.resources) {
            const t = parseKubeType(r.type);
            if (!t) continue;
            const rid = { name: r.name, defaultNamespace: providerNamespace(r.provider) };
            for (const o of objectsOf(r.type, unproxy(r.props))) {
                const slash = o.apiVersion.indexOf("/");
                const group = slash < 0 ? "core" : o.apiVersion.slice(0, slash);
                if (!isPolicyLikeKind(group, o.kind) || reviewed(group, o.kind)) continue;
                const m = metaOf(o, rid);
                f.violation(
                    `${o.kind} ${m.namespace}/${m.name} (${o.apiVersion}): cannot prove isolation under ${group}/${o.kind}: it can allow what the NetworkPolicies deny (or attach a second network). Allow it after review: config reviewedPolicyKinds: [${group}/${o.kind}]`,
                    r.urn,
                );
            }
        }
        const id = identify(stackPods(args.resources), cfg);
        for (const tp of id.torchpods) {
            const nets = tp.pod.t.annotations[MULTUS_ANNOTATION];
            if (nets !== undefined && !reviewed("k8s.cni.cncf.io", "NetworkAttachmentDefinition"))
                f.violation(
                    `${tp.pod.t.display} (TorchPod) requests secondary networks (${MULTUS_ANNOTATION}: ${nets}): cannot prove isolation under k8s.cni.cncf.io/NetworkAttachmentDefinition, NetworkPolicy does not govern a second interface. Allow it after review: config reviewedPolicyKinds: [k8s.cni.cncf.io/NetworkAttachmentDefinition]`,
                    tp.pod.urn,
                );
        }
        f.finish();
    },
};
