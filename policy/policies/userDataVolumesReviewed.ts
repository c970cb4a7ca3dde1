// user-data-volumes-reviewed: user data lives only on volumes the pack can account for.
import { StackValidationPolicy } from "@pulumi/policy";
import { Findings } from "../support/findings";
import { identify, stackPods } from "../support/identity";
import { resolveConfig, schemaFor } from "../support/packConfig";
import { claimMounts } from "../support/claims";
import { metaOf, objectsOf, parseKubeType, providerNamespace } from "../support/resources";
import { unproxy } from "../support/unknowns";
import { notApplicable } from "../support/notApplicable";

/** PersistentVolume sources that are a disk attached to one node (no shared export, no node path). */
export const NODE_ATTACHED_DISKS = ["gcePersistentDisk", "awsElasticBlockStore", "azureDisk"];

/** Where a PersistentVolume's data lives, as a string two volumes on one export share. */
export function exportOf(spec: any): { backend: string; where: string } | undefined {
    if (!spec || typeof spec !== "object") return undefined;
    const norm = (p: unknown) => String(p ?? "").replace(/\/+$/, "") || "/";
    if (spec.nfs) return { backend: "nfs", where: `nfs://${spec.nfs.server}${norm(spec.nfs.path)}` };
    if (spec.cephfs)
        return { backend: "cephfs", where: `cephfs://${[...(spec.cephfs.monitors ?? [])].sort().join(",")}${norm(spec.cephfs.path)}` };
    if (spec.csi) return { backend: "csi", where: `csi://${spec.csi.driver}/${spec.csi.volumeHandle}` };
    if (spec.iscsi) return { backend: "iscsi", where: `iscsi://${spec.iscsi.targetPortal}/${spec.iscsi.iqn}/${spec.iscsi.lun}` };
    if (spec.rbd) return { backend: "rbd", where: `rbd://${spec.rbd.pool ?? "rbd"}/${spec.rbd.image}` };
    if (spec.glusterfs) return { backend: "glusterfs", where: `glusterfs://${spec.glusterfs.endpoints}/${spec.glusterfs.path}` };
    if (spec.local) return { backend: "local", where: `local://${norm(spec.local.path)}` };
    if (spec.hostPath) return { backend: "hostPath", where: `hostPath://${norm(spec.hostPath.path)}` };
    for (const k of Object.keys(spec)) {
        const v = spec[k];
        if (v && typeof v === "object" && !Array.isArray(v) && !["capacity", "claimRef", "nodeAffinity", "mountOptions"].includes(k))
            return { backend: k, where: `${k}://${JSON.stringify(v)}` };
    }
    return undefined;
}

export const userDataVolumesReviewed: StackValidationPolicy = {
    name: "user-data-volumes-reviewed",
    description:
        "Claims of user data (home claims, the airlock share, MLab's data, the audit log, any claim a TorchPod writes) must be dynamically provisioned or bound to a PersistentVolume named in `reviewedVolumes`; " +
        "a PersistentVolume the stack declares with a network or node backend (anything but a node-attached cloud disk) must be named there; two PersistentVolumes on one export are refused (a second door into the same data); " +
        "a StorageClass the stack declares must use a provisioner listed in `reviewedStorageProvisioners`.",
    enforcementLevel: "mandatory",
    severity: "critical",
    configSchema: schemaFor([
        "torchpodSelector",
        "homeClaimPattern",
        "airlockClaimPattern",
        "mlabDataClaimPattern",
        "auditClaimPattern",
        "reviewedVolumes",
        "reviewedStorageProvisioners",
    ]),
    remediationSteps:
        "Let user-data claims be provisioned by the cluster's default StorageClass, or review the PersistentVolume and name it in the policy config `reviewedVolumes`.",
    validateStack: (args, report) => {
        const cfg = resolveConfig(args.getConfig<Record<string, unknown>>());
        const f = new Findings(report);
        const reviewed = new Set(cfg.reviewedVolumes);
        const id = identify(stackPods(args.resources), cfg);
        const userClaim = (ns: string, name: string): string | undefined => {
            if (id.torchpodClaims.has(`${ns}/${name}`)) return id.torchpodClaims.get(`${ns}/${name}`);
            if (new RegExp(cfg.homeClaimPattern).test(name)) return "a home claim";
            if (new RegExp(cfg.airlockClaimPattern).test(name)) return "the airlock share";
            if (new RegExp(cfg.mlabDataClaimPattern).test(name)) return "MLab's data";
            if (new RegExp(cfg.auditClaimPattern).test(name)) return "the audit log";
            return undefined;
        };
        const pvs: { name: string; urn: string; exp?: { backend: string; where: string } }[] = [];
        let seen = 0;
        for (const r of args.resources) {
            if (!parseKubeType(r.type)) continue;
            const rid = { name: r.name, defaultNamespace: providerNamespace(r.provider) };
            for (const o of objectsOf(r.type, unproxy(r.props))) {
                if (o.patch) continue;
                const m = metaOf(o, rid);
                if (o.kind === "PersistentVolumeClaim") {
                    seen++;
                    const why = userClaim(m.namespace, m.name);
                    const vn = o.obj?.spec?.volumeName;
                    if (why && typeof vn === "string" && vn !== "" && !reviewed.has(vn))
                        f.violation(
                            `PersistentVolumeClaim ${m.namespace}/${m.name} holds user data (${why}) and binds PersistentVolume ${vn}, which is not reviewed: a static volume may be a network export readable elsewhere. Allow it after review: config reviewedVolumes: [${vn}]`,
                            r.urn,
                        );
                } else if (o.kind === "PersistentVolume") {
                    seen++;
                    const exp = exportOf(o.obj?.spec);
                    pvs.push({ name: m.name, urn: r.urn, exp });
                    if (exp && !NODE_ATTACHED_DISKS.includes(exp.backend) && !reviewed.has(m.name))
                        f.violation(
                            `PersistentVolume ${m.name} has a ${exp.backend} backend (${exp.where}): the node mounts it over its own network or from its own disk, where no NetworkPolicy applies. Allow it after review: config reviewedVolumes: [${m.name}]`,
                            r.urn,
                        );
                } else if (o.kind === "StorageClass") {
                    seen++;
                    const prov = String(o.obj?.provisioner ?? "(none)");
                    if (!cfg.reviewedStorageProvisioners.includes(prov))
                        f.violation(
                            `StorageClass ${m.name} uses provisioner ${prov}, which is not reviewed: its volumes may be network exports shared with machines outside the lock-down. Allow it after review: config reviewedStorageProvisioners: [${prov}]`,
                            r.urn,
                        );
                }
            }
        }
        const byExport = new Map<string, string[]>();
        for (const pv of pvs) if (pv.exp) byExport.set(pv.exp.where, [...(byExport.get(pv.exp.where) ?? []), pv.name]);
        for (const [where, names] of byExport)
            if (names.length > 1)
                f.violation(
                    `PersistentVolumes ${names.join(", ")} are the same export (${where}): a second volume on one export is a side channel into whatever the first holds (no switch: give each its own export)`,
                    pvs.find((p) => p.name === names[1])?.urn,
                );
        if (seen === 0 && id.torchpods.every((t) => claimMounts(t.pod.t).length === 0))
            notApplicable(args, "no volume, claim or StorageClass in this stack");
        f.finish();
    },
};
