// The volume allow-list of TorchPods, the Airlock and MLab, and the service-account tokens no pod may
// mount: what closed-world-volumes judges and audit-writer-no-egress applies to the audit writer.
import { StackPod } from "./identity";
import { StackResource } from "./network";
import { objectsOf, parseKubeType, providerNamespace, metaOf } from "./resources";
import { isUnknown, unproxy } from "./unknowns";

/** Volume sources whose data stays in the pod or comes from the API server's own objects. */
export const ALLOWED_VOLUME_TYPES = ["persistentVolumeClaim", "configMap", "secret", "emptyDir", "downwardAPI", "projected"];

/** `ns/name` of every Secret of type kubernetes.io/service-account-token the stack declares. */
export function tokenSecrets(resources: readonly StackResource[]): Set<string> {
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
