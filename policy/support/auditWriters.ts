// The audit writer: the pod selected by `auditWriterSelector`, and every pod that mounts the audit log's
// claim writable (whatever its labels, it can change the record of what entered).
import { claimMounts } from "./claims";
import { StackPod } from "./identity";
import { PackConfig, selects } from "./packConfig";
import type { GuardedWorkload } from "./rbac";

export function auditWriters(pods: readonly StackPod[], cfg: Pick<PackConfig, "auditWriterSelector" | "auditClaimPattern">): StackPod[] {
    const auditRe = new RegExp(cfg.auditClaimPattern);
    return pods.filter(
        (p) => selects(cfg.auditWriterSelector, p.t.labels) || claimMounts(p.t).some((m) => m.writable && auditRe.test(m.claim)),
    );
}

/**
 * The audit writers' workloads, whose scale is no harmless write: at zero replicas nothing records what
 * enters the airlock share (scaling a TorchPod, the Airlock or MLab to zero denies service, which the
 * platform's admins see at once; it carries no data out).
 */
export function auditWriterScaleGuards(writers: readonly StackPod[]): GuardedWorkload[] {
    return writers
        .filter((p) => !p.t.embedded)
        .map((p) => ({
            kind: p.t.kind,
            namespace: p.t.namespace,
            name: p.t.name,
            why: `the audit writer ${p.t.display} (at zero replicas nothing records what enters)`,
        }));
}
