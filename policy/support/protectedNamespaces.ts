// The namespaces whose pods hold a user's data or MLab's: where API rights, admission-time changes and
// log shipping are judged.
import { claimMounts } from "./claims";
import { PackConfig, selects } from "./packConfig";
import { StackIdentity } from "./identity";

/** The pack config the protected namespaces are found by (every policy that uses them takes these keys). */
export const PROTECTED_NAMESPACE_KEYS = [
    "torchpodSelector",
    "homeClaimPattern",
    "mlabSelector",
    "mlabNamespaces",
    "airlockSelector",
    "auditWriterSelector",
    "auditClaimPattern",
    "airlockClaimPattern",
] as const;

export interface ProtectedNamespaces {
    /** Namespaces holding TorchPods (by label or by data). */
    torchpod: Set<string>;
    /** MLab's namespaces: those of MLab's pods and `mlabNamespaces`. */
    mlab: Set<string>;
    /**
     * The other namespaces holding user data: the Airlock's (the airlock share) and the audit writer's
     * (the audit log), and any with a pod mounting either claim. exec there reads or rewrites the record
     * of what entered, and a changed writer pod could ship it out.
     */
    airlock: Set<string>;
    all: Set<string>;
    /** `torchpod` (TorchPod namespace) or `mlab` (MLab namespace) for messages. */
    describe(ns: string): string;
}

export function protectedNamespaces(id: StackIdentity, cfg: PackConfig): ProtectedNamespaces {
    const torchpod = new Set(id.torchpods.map((t) => t.pod.t.namespace));
    const mlab = new Set([...id.mlabs.map((p) => p.t.namespace), ...cfg.mlabNamespaces]);
    const auditRe = new RegExp(cfg.auditClaimPattern);
    const airlockRe = new RegExp(cfg.airlockClaimPattern);
    const airlock = new Set(
        [
            ...id.airlocks,
            ...id.pods.filter(
                (p) =>
                    selects(cfg.auditWriterSelector, p.t.labels) ||
                    claimMounts(p.t).some((m) => auditRe.test(m.claim) || airlockRe.test(m.claim)),
            ),
        ]
            .map((p) => p.t.namespace)
            .filter((ns) => !torchpod.has(ns) && !mlab.has(ns)),
    );
    const all = new Set([...torchpod, ...mlab, ...airlock]);
    return {
        torchpod,
        mlab,
        airlock,
        all,
        describe: (ns) =>
            torchpod.has(ns)
                ? `${ns} (a TorchPod namespace)`
                : mlab.has(ns)
                  ? `${ns} (MLab's namespace)`
                  : airlock.has(ns)
                    ? `${ns} (the Airlock's namespace: the airlock share and the audit log)`
                    : ns,
    };
}
