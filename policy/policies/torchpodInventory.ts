// torchpod-inventory: the pack is never silent about what it identified.
import { StackValidationPolicy } from "@pulumi/policy";
import { Findings } from "../support/findings";
import { identify, inventoryText, stackPods } from "../support/identity";
import { resolveConfig, schemaFor } from "../support/packConfig";
import { notApplicable } from "../support/notApplicable";

export const torchpodInventory: StackValidationPolicy = {
    name: "torchpod-inventory",
    description:
        "Says what the pack identified: when no TorchPod is found (by `torchpodSelector` or by the data pods mount), every TorchPod policy had nothing to judge, which is reported loudly " +
        "(labels other than the label contract, e.g. plain app:/group: labels, need `torchpodSelector`). Set it mandatory for CI that must never pass an empty stack.",
    enforcementLevel: "advisory",
    severity: "high",
    configSchema: schemaFor(["torchpodSelector", "airlockSelector", "mlabSelector", "homeClaimPattern"]),
    remediationSteps:
        "Label TorchPods with the label contract (app.kubernetes.io/component: torchpod), or set torchpodSelector to the labels they carry.",
    validateStack: (args, report) => {
        const cfg = resolveConfig(args.getConfig<Record<string, unknown>>());
        const f = new Findings(report);
        const id = identify(stackPods(args.resources), cfg);
        if (id.torchpods.length > 0) notApplicable(args, `identified ${inventoryText(id, cfg)}`);
        f.violation(
            `no TorchPod identified: ${inventoryText(id, cfg)} among ${id.pods.length} pod template${id.pods.length === 1 ? "" : "s"}. Every TorchPod policy had nothing to judge; if these manifests hold TorchPods, set torchpodSelector (pack-wide) to their labels`,
        );
        f.finish();
    },
};
