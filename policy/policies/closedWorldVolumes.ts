// closed-world-volumes: TorchPods (by label or by data), the Airlock and MLab use only the volume
// types the pack can prove stay inside the pod; no pod mounts a service-account token by any route.
import { StackValidationPolicy } from "@pulumi/policy";
import { Findings } from "../support/findings";
import { closedWorldRoles, identify, stackPods } from "../support/identity";
import { PackConfig, resolveConfig, schemaFor } from "../support/packConfig";
import { tokenSecrets, volumeProblems } from "../support/volumeTypes";
import { notApplicable } from "../support/notApplicable";

export const closedWorldVolumes: StackValidationPolicy = {
    name: "closed-world-volumes",
    description:
        "TorchPods (by label, or judged so by the data they mount), the Airlock and MLab may use only persistentVolumeClaim, configMap, secret, emptyDir, downwardAPI and projected volumes " +
        "(no generic ephemeral volumes, no inline nfs, iscsi, cephfs, csi, rbd, hostPath, ...); no pod at all may mount a service-account token Secret or project a serviceAccountToken into those pods.",
    enforcementLevel: "mandatory",
    severity: "critical",
    configSchema: schemaFor(["torchpodSelector", "airlockSelector", "mlabSelector", "homeClaimPattern"]),
    remediationSteps:
        "Put the data on a PersistentVolumeClaim of a dynamically provisioned (or reviewed, config `reviewedVolumes`) volume; remove service-account token Secrets from pods.",
    validateStack: (args, report) => {
        const cfg: PackConfig = resolveConfig(args.getConfig<Record<string, unknown>>());
        const f = new Findings(report);
        const pods = stackPods(args.resources);
        if (pods.length === 0) notApplicable(args, "no pod template in this stack");
        const id = identify(pods, cfg);
        const role = closedWorldRoles(id);
        const tokens = tokenSecrets(args.resources);
        for (const p of pods) {
            const who = role.get(p.key);
            for (const problem of volumeProblems(p, who !== undefined, tokens))
                f.violation(
                    `${p.t.display}${who ? ` (${who})` : ""}: ${problem}. Allowed only after review: config reviewedVolumes names reviewed PersistentVolumes; inline volumes have no switch`,
                    p.urn,
                );
        }
        f.finish();
    },
};
