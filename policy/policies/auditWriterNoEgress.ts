// audit-writer-no-egress: the audit writer, and any pod that can write the audit log, has no way out.
import { StackValidationPolicy } from "@pulumi/policy";
import { Findings } from "../support/findings";
import { stackPods } from "../support/identity";
import { judgeableNetwork, stackNetwork } from "../support/network";
import { describeSelector, resolveConfig, schemaFor } from "../support/packConfig";
import { auditWriters, reportWriterGrants } from "../support/auditWriters";
import { notApplicable } from "../support/notApplicable";
import { volumeProblems } from "../support/volumeTypes";

export const auditWriterNoEgress: StackValidationPolicy = {
    name: "audit-writer-no-egress",
    description:
        "The audit writer (`auditWriterSelector`) and every pod that mounts the audit log's claim (`auditClaimPattern`) writable has no egress at all: selected by an egress-isolating NetworkPolicy that opens nothing " +
        "(no DNS, no pod, no address), not on the node's network, and using only volumes that stay in the pod (no inline network or node volumes).",
    enforcementLevel: "mandatory",
    severity: "critical",
    configSchema: schemaFor(["auditWriterSelector", "auditClaimPattern"]),
    remediationSteps:
        "Select the audit writer with a NetworkPolicy of policyTypes [Ingress, Egress] and no rules (the lock-down's airlock-audit-isolated); keep it off the host network.",
    validateStack: (args, report) => {
        const cfg = resolveConfig(args.getConfig<Record<string, unknown>>());
        const f = new Findings(report);
        const writers = auditWriters(stackPods(args.resources), cfg);
        if (writers.length === 0)
            notApplicable(
                args,
                `no audit writer (selector ${describeSelector(cfg.auditWriterSelector)}) and no pod writing a claim matching ${cfg.auditClaimPattern}`,
            );
        const rule = "The audit writer reaches nothing: the record of what entered must not leave, nor be fed from outside (no switch)";
        for (const p of writers)
            for (const problem of volumeProblems(p, true, new Set()))
                f.violation(`audit writer ${p.t.display}: ${problem}. ${rule}`, p.urn);
        const net = stackNetwork(args.resources);
        const model = judgeableNetwork(net, f, "the audit writer's egress cannot be judged", (ns) =>
            writers.some((p) => p.t.namespace === ns),
        );
        if (!model) {
            f.finish();
            return;
        }
        reportWriterGrants(f, writers, model, "egress", rule);
        f.finish();
    },
};
