// closed-world-volumes: TorchPods (by label or by data), the Airlock and MLab use only the volume
// types the pack can prove stay inside the pod; no pod mounts a service-account token by any route.
import { StackValidationPolicy } from "@pulumi/policy";
import { Findings } from "../support/findings";
import { identify, StackPod, stackPods } from "../support/identity";
import { PackConfig, resolveConfig, schemaFor } from "../support/packConfig";
import { objectsOf, parseKubeType, providerNamespace, metaOf } from "../support/resources";
import { isUnknown, unproxy } from "../support/unknowns";
import { notApplicable } from "../support/notApplicable";

/** Volume sources whose data stays in the pod or comes from the API server's own objects. */
export const ALLOWED_VOLUME_TYPES = ["persistentVolumeClaim", "configMap", "secret", "emptyDir", "downwardAPI", "projected"];

/** `ns/name` of every Secret of type kubernetes.io/service-account-token the stack declares. */
function tokenSecrets(resources: Parameters<typeof stackPods>[0]): Set<string> {
    const out = new Set<string>();
    for (const r of resources) {
        if (!parseKubeType(r.type)) continue;
        const id = { name: r.name, defaultNamespace: providerNamespace(r.provider) };
        for (const o of objectsOf(r.type, unproxy(r.props))) {
            if (o.kind !== "Secret" || o.obj?.type !== "kubernetes.io/service-account-token") continue;
            const m = metaOf(o, id);
            out.add(`${m.namespace}/${m.name}`);
        }
    }
    return out;
}

/** The volume problems of one pod; `closed` applies the allow-list (TorchPods, Airlock, MLab). */
export function volumeProblems(p: StackPod, closed: boolean, tokens: Set<string>): string[] {
    const out: string[] = [];
    const vols: unknown = p.t.spec?.volumes;
    if (!Array.isArray(vols)) return out;
    for (const v of vols) {
        if (!v || typeof v !== "object") continue;
        const name = String((v as any).name ?? "?");
        const types = Object.keys(v).filter((k) => k !== "name");
        for (const type of types) {
            const src = (v as any)[type];
            if (type === "secret" && src && typeof src.secretName === "string" && tokens.has(`${p.t.namespace}/${src.secretName}`)) {
                out.push(
                    `volume ${name} mounts Secret ${p.t.namespace}/${src.secretName}, a legacy service-account token (type kubernetes.io/service-account-token): an API credential past the network lock-down`,
                );
            } else if (type === "projected" && Array.isArray(src?.sources)) {
                src.sources.forEach((s: any) => {
                    if (closed && s && typeof s === "object" && s.serviceAccountToken)
                        out.push(`volume ${name} projects a serviceAccountToken: an API credential`);
                    if (
                        s &&
                        typeof s === "object" &&
                        s.secret &&
                        typeof s.secret.name === "string" &&
                        tokens.has(`${p.t.namespace}/${s.secret.name}`)
                    )
                        out.push(`volume ${name} projects Secret ${p.t.namespace}/${s.secret.name}, a legacy service-account token`);
                });
            } else if (type === "ephemeral" && closed) {
                out.push(
                    `volume ${name} is a generic ephemeral volume: it provisions a claim from a StorageClass the pack cannot see (it may be a network volume or a second volume on a shared export)`,
                );
            } else if (closed && !ALLOWED_VOLUME_TYPES.includes(type) && !isUnknown(type)) {
                out.push(
                    `volume ${name} is of type ${type}, outside the allow-list (${ALLOWED_VOLUME_TYPES.join(", ")}): the node may mount it over its own network, where no NetworkPolicy applies`,
                );
            }
        }
    }
    return out;
}

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
        const role = new Map<string, string>();
        for (const p of id.mlabs) role.set(p.key, "MLab");
        for (const p of id.airlocks) role.set(p.key, "Airlock");
        for (const t of id.torchpods) role.set(t.pod.key, t.byData ? `TorchPod (judged by data: ${t.by})` : "TorchPod");
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
