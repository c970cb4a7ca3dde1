// audit-log-only-writer-writes: the audit log is written by its writer alone; no user-facing pod touches it.
import { StackValidationPolicy } from "@pulumi/policy";
import { Findings } from "../support/findings";
import { identify, stackPods } from "../support/identity";
import { describeSelector, resolveConfig, schemaFor, selects } from "../support/packConfig";
import { claimMounts } from "../support/claims";
import { notApplicable } from "../support/notApplicable";

export const auditLogOnlyWriterWrites: StackValidationPolicy = {
    name: "audit-log-only-writer-writes",
    description:
        "The audit log's claim (`auditClaimPattern`) is mounted by no TorchPod (by label or by data), Airlock, MLab or MLab Job, not even read-only, and mounted writable only by the audit writer (`auditWriterSelector`); " +
        "the audit writer mounts the airlock share read-only, so it is never a second way into the share.",
    enforcementLevel: "mandatory",
    severity: "critical",
    configSchema: schemaFor([
        "auditClaimPattern",
        "auditWriterSelector",
        "torchpodSelector",
        "airlockSelector",
        "mlabSelector",
        "reconcilerSelector",
        "importerSelector",
        "homeClaimPattern",
        "airlockClaimPattern",
    ]),
    remediationSteps:
        "Mount the audit claim only in the audit writer's pod; read the log with `kubectl exec deploy/airlock-audit -- node /opt/airlock-audit/audit-writer.js show`.",
    validateStack: (args, report) => {
        const cfg = resolveConfig(args.getConfig<Record<string, unknown>>());
        const f = new Findings(report);
        const auditRe = new RegExp(cfg.auditClaimPattern);
        const airlockRe = new RegExp(cfg.airlockClaimPattern);
        const pods = stackPods(args.resources);
        const id = identify(pods, cfg);
        const roles = new Map<string, string>();
        for (const p of id.importers) roles.set(p.key, "MLab's importer");
        for (const p of id.reconcilers) roles.set(p.key, "MLab's reconciler");
        for (const p of id.mlabs) roles.set(p.key, "MLab");
        for (const p of id.airlocks) roles.set(p.key, "the Airlock");
        for (const t of id.torchpods) roles.set(t.pod.key, t.byData ? `a TorchPod (judged by data: ${t.by})` : "a TorchPod");
        let relevant = 0;
        for (const p of pods) {
            const writer = selects(cfg.auditWriterSelector, p.t.labels);
            const mounts = claimMounts(p.t);
            if (writer) relevant++;
            for (const m of mounts) {
                if (auditRe.test(m.claim)) {
                    relevant++;
                    const role = roles.get(p.key);
                    if (role)
                        f.violation(
                            `${p.t.display} is ${role} and mounts the audit log's claim ${m.claim}${m.writable ? " writable: it could rewrite the record of what entered" : " (read-only)"}; no user-facing pod may touch the audit log (no switch)`,
                            p.urn,
                        );
                    else if (m.writable && !writer)
                        f.violation(
                            `${p.t.display} mounts the audit log's claim ${m.claim} writable but is not the audit writer (selector ${describeSelector(cfg.auditWriterSelector)}): only the writer appends to the log (no switch)`,
                            p.urn,
                        );
                }
                if (writer && airlockRe.test(m.claim) && m.writable)
                    f.violation(
                        `${p.t.display} is the audit writer and mounts the airlock share ${m.claim} writable: it must only read it, or it is a way into the share that nothing records (no switch)`,
                        p.urn,
                    );
            }
        }
        if (relevant === 0)
            notApplicable(
                args,
                `no audit writer (selector ${describeSelector(cfg.auditWriterSelector)}) and no pod mounting a claim matching ${cfg.auditClaimPattern}`,
            );
        f.finish();
    },
};
