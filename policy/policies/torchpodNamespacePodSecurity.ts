// torchpod-namespace-pod-security: namespaces holding TorchPods enforce Pod Security baseline or restricted.
import { StackValidationPolicy } from "@pulumi/policy";
import { describeSelector, resolveConfig, SCHEMA } from "../support/packConfig";
import { Findings } from "../support/findings";
import { identify, stackPods } from "../support/identity";
import { stackNetwork } from "../support/network";
import { isUnknown } from "../support/unknowns";
import { notApplicable } from "../support/notApplicable";

export const POD_SECURITY_ENFORCE = "pod-security.kubernetes.io/enforce";

export const torchpodNamespacePodSecurity: StackValidationPolicy = {
    name: "torchpod-namespace-pod-security",
    description:
        `Every namespace of the stack that holds TorchPods must enforce Pod Security \`baseline\` or \`restricted\` (label ${POD_SECURITY_ENFORCE}; config \`torchpodPodSecurityLevels\`), never \`privileged\` nor unset ` +
        "(the cluster's default is usually privileged). The image runs as root, so baseline is the floor the design allows; it makes the API server itself refuse hostNetwork, hostPath, " +
        "privileged containers and added capabilities in that namespace, including pods this pack never sees (kubectl, operators, Helm releases). " +
        'Namespaces the stack does not declare are not judged. A label unknown during preview gives the advisory "can\'t run policy during preview".',
    enforcementLevel: "mandatory",
    severity: "high",
    configSchema: {
        properties: { torchpodSelector: SCHEMA.torchpodSelector, torchpodPodSecurityLevels: SCHEMA.torchpodPodSecurityLevels },
    },
    remediationSteps: `Label the TorchPod namespace ${POD_SECURITY_ENFORCE}: baseline (or restricted).`,
    validateStack: (args, report) => {
        const cfg = resolveConfig(args.getConfig<Record<string, unknown>>());
        const f = new Findings(report, "Switch: config torchpodPodSecurityLevels (never privileged)");
        const { objects } = stackNetwork(args.resources);
        const torchpods = identify(stackPods(args.resources), cfg).torchpods.map((x) => ({
            namespace: x.pod.t.namespace,
            name: x.pod.t.name,
        }));
        const namespaces = [...new Set(torchpods.map((w) => w.namespace))].sort();
        if (namespaces.length === 0) notApplicable(args, `no TorchPod in this stack (selector ${describeSelector(cfg.torchpodSelector)})`);
        for (const ns of namespaces) {
            const decl = objects.filter((o) => o.object.kind === "Namespace" && o.object.metadata?.name === ns);
            for (const d of decl) {
                const labels: unknown = d.object.metadata?.labels;
                if (isUnknown(labels)) {
                    f.unknown([{ sentinel: labels as string, path: ["metadata", "labels"] }]);
                    continue;
                }
                const v = (labels as Record<string, unknown> | undefined)?.[POD_SECURITY_ENFORCE];
                if (isUnknown(v)) {
                    f.unknown([{ sentinel: v as string, path: ["metadata", "labels", POD_SECURITY_ENFORCE] }]);
                    continue;
                }
                if (typeof v === "string" && cfg.torchpodPodSecurityLevels.includes(v)) continue;
                const users = torchpods.filter((w) => w.namespace === ns).map((w) => w.name);
                f.violation(
                    `Namespace ${ns} holds TorchPods (${users.slice(0, 3).join(", ")}${users.length > 3 ? `, +${users.length - 3}` : ""}) and ${v === undefined ? `has no ${POD_SECURITY_ENFORCE} label (the cluster default, usually privileged, applies)` : `enforces Pod Security ${JSON.stringify(v)}`}: it must enforce ${cfg.torchpodPodSecurityLevels.join(" or ")}`,
                    d.urn,
                );
            }
        }
        f.finish();
    },
};
