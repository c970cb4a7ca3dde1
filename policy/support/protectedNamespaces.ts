// The namespaces whose pods hold a user's data or MLab's: where API rights, admission-time changes and
// log shipping are judged.
import { PackConfig } from "./packConfig";
import { StackIdentity } from "./identity";

export interface ProtectedNamespaces {
    /** Namespaces holding TorchPods (by label or by data). */
    torchpod: Set<string>;
    /** MLab's namespaces: those of MLab's pods and `mlabNamespaces`. */
    mlab: Set<string>;
    all: Set<string>;
    /** `torchpod` (TorchPod namespace) or `mlab` (MLab namespace) for messages. */
    describe(ns: string): string;
}

export function protectedNamespaces(id: StackIdentity, cfg: PackConfig): ProtectedNamespaces {
    const torchpod = new Set(id.torchpods.map((t) => t.pod.t.namespace));
    const mlab = new Set([...id.mlabs.map((p) => p.t.namespace), ...cfg.mlabNamespaces]);
    const all = new Set([...torchpod, ...mlab]);
    return {
        torchpod,
        mlab,
        all,
        describe: (ns) => (torchpod.has(ns) ? `${ns} (a TorchPod namespace)` : mlab.has(ns) ? `${ns} (MLab's namespace)` : ns),
    };
}
