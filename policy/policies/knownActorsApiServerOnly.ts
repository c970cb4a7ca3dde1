// known-actors-api-server-only: the pods of the platform's known actors reach the API server and nothing
// else, and nothing reaches them.
import { StackValidationPolicy } from "@pulumi/policy";
import { EgressGrant, IngressGrant } from "@torchpod/netpol";
import { withinAny } from "../support/cidrs";
import { Findings } from "../support/findings";
import { cidrText, grantPortsText, podPeerText } from "../support/grantText";
import { StackPod, stackPods } from "../support/identity";
import { KNOWN_ACTORS, KnownActor } from "../support/knownActors";
import { judgeableNetwork, stackNetwork } from "../support/network";
import { resolveConfig, schemaFor } from "../support/packConfig";
import { notApplicable } from "../support/notApplicable";

export const KNOWN_ACTORS_NETWORK_POLICY = "known-actors-api-server-only";
/** The API server's ports: 443 on its Service IP, 443 or 6443 on the control plane's addresses. */
export const API_SERVER_PORTS = [443, 6443];

/** The service account a pod runs as (the namespace's `default` when none is named). */
export function serviceAccountOf(p: StackPod): string {
    const spec = p.t.spec ?? {};
    if (typeof spec.serviceAccountName === "string" && spec.serviceAccountName) return spec.serviceAccountName;
    if (typeof spec.serviceAccount === "string" && spec.serviceAccount) return spec.serviceAccount;
    return "default";
}

function peerText(g: EgressGrant | IngressGrant): string {
    const p = g.peer;
    return p.kind === "all"
        ? "every pod and address (the rule has no peer)"
        : p.kind === "pods"
          ? `pods (${podPeerText(p)})`
          : `IP range ${cidrText(p)}`;
}

/** Why an egress grant reaches more than the API server, or undefined. */
function egressProblem(g: EgressGrant, apiServerCidrs: string[]): string | undefined {
    if (g.peer.kind === "all") return "every destination (the rule has no `to`): DNS, pods, the internet";
    if (g.peer.kind === "pods") return `pods (${podPeerText(g.peer)}), DNS included`;
    if (apiServerCidrs.length === 0)
        return `IP range ${cidrText(g.peer)}, and no API server addresses are configured (apiServerCidrs; render writes torchpod:cluster.apiServerIp and controlPlaneCidrs), so the pack cannot tell the API server from the internet`;
    if (!withinAny(g.peer.cidr, apiServerCidrs))
        return `IP range ${cidrText(g.peer)}, not inside the API server's addresses (${apiServerCidrs.join(", ")})`;
    const ports = g.ports;
    const apiPortsOnly =
        ports !== "all" &&
        ports.every(
            (p) =>
                p.protocol === "TCP" &&
                typeof p.port === "number" &&
                API_SERVER_PORTS.includes(p.port) &&
                (p.endPort === undefined || p.endPort === p.port),
        );
    if (!apiPortsOnly)
        return `IP range ${cidrText(g.peer)} on ${grantPortsText(ports)}, not only the API server's TCP ${API_SERVER_PORTS.join(" and ")}`;
    return undefined;
}

/** The policy over a list of known actors (the platform's by default). */
export function knownActorsNetworkPolicy(actors: readonly KnownActor[] = KNOWN_ACTORS): StackValidationPolicy {
    return {
        name: KNOWN_ACTORS_NETWORK_POLICY,
        description:
            "Every pod running as a known actor's service account (it mounts a token with API rights) reaches the API server and nothing else: egress-isolated, its only egress ipBlocks inside " +
            "`apiServerCidrs` on TCP 443 and 6443 (no DNS, no pod, no internet), not on the node's network, and no ingress at all.",
        enforcementLevel: "mandatory",
        severity: "critical",
        configSchema: schemaFor(["apiServerCidrs"]),
        remediationSteps:
            "Give the actor's namespace a default deny (policyTypes Ingress and Egress) and one egress rule to the API server's Service IP and the control plane's addresses on 443/6443 (components/workingHours.ts's apiServerEgress).",
        validateStack: (args, report) => {
            const cfg = resolveConfig(args.getConfig<Record<string, unknown>>());
            const f = new Findings(report);
            const pods = stackPods(args.resources);
            const running = pods
                .map((p) => ({
                    p,
                    actor: actors.find(
                        (a) => a.serviceAccount.namespace === p.t.namespace && a.serviceAccount.name === serviceAccountOf(p),
                    ),
                }))
                .filter((x): x is { p: StackPod; actor: KnownActor } => x.actor !== undefined);
            if (running.length === 0)
                notApplicable(
                    args,
                    `no pod runs as a known actor (${actors.map((a) => `${a.serviceAccount.namespace}/${a.serviceAccount.name}`).join(", ")})`,
                );
            const rule =
                "A known actor's token carries API rights: its pods reach the API server only, and nothing reaches them (no switch)";
            const model = judgeableNetwork(stackNetwork(args.resources), f, "the known actors' network cannot be judged", (ns) =>
                running.some((x) => x.p.t.namespace === ns),
            );
            if (!model) {
                f.finish();
                return;
            }
            for (const { p, actor } of running) {
                const who = `${p.t.display} (the known actor ${actor.name})`;
                if (p.t.spec?.hostNetwork === true) {
                    f.violation(
                        `${who} runs on the node's network (spec.hostNetwork): no NetworkPolicy applies, so it reaches everything. ${rule}`,
                        p.urn,
                    );
                    continue;
                }
                const w = model.workloads.find((x) => `${x.kind}|${x.id}` === p.key);
                if (!w) continue;
                const egress = model.egressGrants(w);
                if (!egress.isolated)
                    f.violation(
                        `${who} may reach anything (DNS, the internet): no NetworkPolicy with policyTypes Egress selects it. ${rule}`,
                        p.urn,
                    );
                else
                    for (const g of egress.grants) {
                        const problem = egressProblem(g, cfg.apiServerCidrs);
                        if (problem)
                            f.violation(
                                `${who} may reach ${problem}: opened by NetworkPolicy ${g.policy} (egress rule #${g.ruleIndex}). ${rule}`,
                                p.urn,
                            );
                    }
                const ingress = model.ingressGrants(w);
                if (!ingress.isolated)
                    f.violation(
                        `${who} may be reached from anywhere: no NetworkPolicy with policyTypes Ingress selects it. ${rule}`,
                        p.urn,
                    );
                else
                    for (const g of ingress.grants)
                        f.violation(
                            `${who} may be reached from ${peerText(g)} on ${grantPortsText(g.ports)}: opened by NetworkPolicy ${g.policy} (ingress rule #${g.ruleIndex}). ${rule}`,
                            p.urn,
                        );
            }
            f.finish();
        },
    };
}

export const knownActorsApiServerOnly = knownActorsNetworkPolicy();
