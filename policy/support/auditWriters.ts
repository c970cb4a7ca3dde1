// The audit writer: the pod selected by `auditWriterSelector`, and every pod that mounts the audit log's
// claim writable (whatever its labels, it can change the record of what entered).
import type { NetworkModel } from "@torchpod/netpol";
import { claimMounts } from "./claims";
import { Findings } from "./findings";
import { cidrText, grantPortsText, podPeerText } from "./grantText";
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

/** How the two audit-writer network policies word one direction's findings. */
const DIRECTION_TEXT = {
    egress: {
        onHost: "no NetworkPolicy applies, so it reaches everything",
        open: "may reach anything (DNS, the internet): no NetworkPolicy with policyTypes Egress selects it",
        everyPeer: "every destination (the rule has no `to`)",
        grant: (peer: string) => `may reach ${peer}`,
    },
    ingress: {
        onHost: "no NetworkPolicy applies, so everything reaches it",
        open: "may be reached from anywhere: no NetworkPolicy with policyTypes Ingress selects it",
        everyPeer: "every pod and address (the rule has no `from`)",
        grant: (peer: string, ports: string) => `may be reached from ${peer} on ${ports}`,
    },
} as const;

/**
 * Reports every way the writers' traffic may go in `direction`: the node's network, no isolating
 * policy, or any grant at all (the writers are allowed none either way). `rule` ends each message.
 */
export function reportWriterGrants(
    f: Findings,
    writers: readonly StackPod[],
    model: NetworkModel,
    direction: "egress" | "ingress",
    rule: string,
): void {
    const text = DIRECTION_TEXT[direction];
    for (const p of writers) {
        if (p.t.spec?.hostNetwork === true) {
            f.violation(`audit writer ${p.t.display} runs on the node's network (spec.hostNetwork): ${text.onHost}. ${rule}`, p.urn);
            continue;
        }
        const w = model.workloads.find((x) => `${x.kind}|${x.id}` === p.key);
        if (!w) continue;
        const { isolated, grants } = direction === "egress" ? model.egressGrants(w) : model.ingressGrants(w);
        if (!isolated) {
            f.violation(`audit writer ${p.t.display} ${text.open}. ${rule}`, p.urn);
            continue;
        }
        for (const g of grants) {
            const peer =
                g.peer.kind === "all"
                    ? text.everyPeer
                    : g.peer.kind === "pods"
                      ? `pods (${podPeerText(g.peer)})`
                      : `IP range ${cidrText(g.peer)}`;
            f.violation(
                `audit writer ${p.t.display} ${text.grant(peer, grantPortsText(g.ports))}: opened by NetworkPolicy ${g.policy} (${direction} rule #${g.ruleIndex}). ${rule}`,
                p.urn,
            );
        }
    }
}
