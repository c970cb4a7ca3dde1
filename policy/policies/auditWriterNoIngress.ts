// audit-writer-no-ingress: nothing reaches the audit writer, nor any pod that can write the audit log.
import { StackValidationPolicy } from "@pulumi/policy";
import { auditWriters, reportWriterGrants } from "../support/auditWriters";
import { Findings } from "../support/findings";
import { stackPods } from "../support/identity";
import { judgeableNetwork, stackNetwork } from "../support/network";
import { describeSelector, resolveConfig, schemaFor } from "../support/packConfig";
import { notApplicable } from "../support/notApplicable";

export const auditWriterNoIngress: StackValidationPolicy = {
    name: "audit-writer-no-ingress",
    description:
        "Nothing reaches the audit writer (`auditWriterSelector`) or any pod that mounts the audit log's claim (`auditClaimPattern`) writable: selected by an ingress-isolating NetworkPolicy that admits " +
        "nothing, and not on the node's network. Admins read the log through the API server (kubectl exec), never over the pod network.",
    enforcementLevel: "mandatory",
    severity: "critical",
    configSchema: schemaFor(["auditWriterSelector", "auditClaimPattern"]),
    remediationSteps:
        "Select the audit writer with a NetworkPolicy of policyTypes [Ingress, Egress] and no rules (the lock-down's airlock-audit-isolated), and open no ingress to it.",
    validateStack: (args, report) => {
        const cfg = resolveConfig(args.getConfig<Record<string, unknown>>());
        const f = new Findings(report);
        const writers = auditWriters(stackPods(args.resources), cfg);
        if (writers.length === 0)
            notApplicable(
                args,
                `no audit writer (selector ${describeSelector(cfg.auditWriterSelector)}) and no pod writing a claim matching ${cfg.auditClaimPattern}`,
            );
        const rule = "Nothing reaches the audit writer: a way in is a way to read or feed the record of what entered (no switch)";
        const model = judgeableNetwork(stackNetwork(args.resources), f, "the audit writer's ingress cannot be judged", (ns) =>
            writers.some((p) => p.t.namespace === ns),
        );
        if (!model) {
            f.finish();
            return;
        }
        reportWriterGrants(f, writers, model, "ingress", rule);
        f.finish();
    },
};
