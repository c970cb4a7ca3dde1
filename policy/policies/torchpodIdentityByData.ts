// torchpod-identity-by-data: a pod is judged by the data it can touch, not only by its labels.
import { StackValidationPolicy } from "@pulumi/policy";
import { claimMounts } from "../support/claims";
import { Findings } from "../support/findings";
import { identify, stackPods } from "../support/identity";
import { isTorchPodTemplate, resolveConfig, schemaFor, selects } from "../support/packConfig";
import { PodPolicyDef } from "../support/podPolicy";
import { noPrivilegedContainers } from "./noPrivilegedContainers";
import { torchpodAirlockReadOnly } from "./torchpodAirlockReadOnly";
import { torchpodNoServiceAccountToken } from "./torchpodNoServiceAccountToken";
import { notApplicable } from "../support/notApplicable";

/** The TorchPod-only checks of the resource policies, run here on pods that only the whole stack shows to be TorchPods. */
const TORCHPOD_CHECKS: PodPolicyDef[] = [torchpodAirlockReadOnly.def, torchpodNoServiceAccountToken.def, noPrivilegedContainers.def];

export const torchpodIdentityByData: StackValidationPolicy = {
    name: "torchpod-identity-by-data",
    description:
        "A pod that mounts a home claim (`homeClaimPattern`) or any claim a TorchPod mounts writable is a TorchPod, whatever its labels: every TorchPod policy judges it " +
        "(the network policies and volume allow-list directly; the TorchPod checks of airlock read-only, no service-account token and dropped NET_RAW here, when only the whole stack shows it). " +
        "Such a claim mounted by an Airlock- or MLab-labelled pod is refused: those have a way out (the internet, or where reviewed code leaves).",
    enforcementLevel: "mandatory",
    severity: "critical",
    configSchema: schemaFor([
        "torchpodSelector",
        "airlockSelector",
        "mlabSelector",
        "homeClaimPattern",
        "airlockMountPath",
        "airlockClaimPattern",
    ]),
    remediationSteps:
        "Give each user's data to that user's TorchPod only; move what the Airlock or MLab needs through the airlock share or MLab's repositories.",
    validateStack: (args, report) => {
        const cfg = resolveConfig(args.getConfig<Record<string, unknown>>());
        const f = new Findings(report);
        const id = identify(stackPods(args.resources), cfg);
        const byData = id.torchpods.filter((t) => t.byData);
        if (id.torchpods.length === 0) notApplicable(args, "no TorchPod in this stack, by label or by data");
        const outward = id.airlocks.map((p) => ({ p, role: "Airlock" }));
        // MLab-labelled pods judged TorchPods are left out of id.mlabs by identify(): check their labels here.
        for (const t of byData) {
            if (id.airlocks.includes(t.pod)) continue;
            const labels = t.pod.t.labels;
            const role = selects(cfg.airlockSelector, labels) ? "Airlock" : selects(cfg.mlabSelector, labels) ? "MLab" : undefined;
            if (role) outward.push({ p: t.pod, role });
        }
        const reported = new Set<string>();
        for (const { p, role } of outward) {
            for (const m of claimMounts(p.t)) {
                const why = id.torchpodClaims.get(`${p.t.namespace}/${m.claim}`);
                if (!why || reported.has(`${p.key}|${m.claim}`)) continue;
                reported.add(`${p.key}|${m.claim}`);
                f.violation(
                    `${p.t.display} (${role}) mounts claim ${m.claim} at ${m.mounts.map((x) => x.path).join(", ") || "(no container)"}, which holds a user's data (${why}): the ${role} ${role === "Airlock" ? "has the internet" : "is where reviewed code leaves"}, so this is a way out for that data (no switch: a user's data stays in their TorchPod)`,
                    p.urn,
                );
            }
        }
        for (const t of byData) {
            // Pods whose own resource shows them to be TorchPods are judged by the resource policies already.
            if (isTorchPodTemplate(cfg, t.pod.t)) continue;
            for (const def of TORCHPOD_CHECKS) {
                const local = new Findings((message) =>
                    f.violation(`${t.pod.t.display} (judged a TorchPod: ${t.by}): [${def.name}] ${message}`, t.pod.urn),
                );
                def.check({ t: t.pod.t, cfg, isTorchPod: true, f: local, prefix: "" });
                f.unknown(local.unknowns);
            }
        }
        f.finish();
    },
};
