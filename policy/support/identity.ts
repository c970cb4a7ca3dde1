// Who is who in a stack: TorchPods (by label and by the data they can touch), the Airlock, MLab, its
// reconciler and importer. Every TorchPod policy reads the TorchPods from here, so a pod that mounts a
// home claim, or a claim a TorchPod writes, is judged as a TorchPod whatever its labels.
import { describeSelector, PackConfig, selects } from "./packConfig";
import { claimMounts } from "./claims";
import { StackResource } from "./network";
import { objectsOf, parseKubeType, PodTemplate, podTemplatesOfObject, providerNamespace, Unknowns } from "./resources";
import { unproxy } from "./unknowns";
import { propagateCopies, sourceHolds, StorageGraph, storageGraph, templateCopies } from "./userDataCopies";

export interface StackPod {
    t: PodTemplate;
    urn: string;
    /** `Kind|ns/name` as the NetworkPolicy analyzer names the workload (custom resources' templates are Pods). */
    key: string;
    /** A StatefulSet's volumeClaimTemplates: claims its pods mount by the template's name. */
    claimTemplates?: unknown;
}

/** The pods of a stack, with the copy graph of the same resources (snapshots, clones), so identify() follows copies. */
export type StackPods = StackPod[] & { storage?: StorageGraph };

export interface JudgedTorchPod {
    pod: StackPod;
    /** How it was identified: "label", or the data it touches. */
    by: string;
    /** Identified by data only (its labels say otherwise or nothing). */
    byData: boolean;
}

export interface StackIdentity {
    pods: StackPod[];
    torchpods: JudgedTorchPod[];
    airlocks: StackPod[];
    mlabs: StackPod[];
    reconcilers: StackPod[];
    importers: StackPod[];
    /** Keys (`Kind|ns/name`) of every TorchPod, by label or by data. */
    torchpodKeys: Set<string>;
    /** `ns/claim` → why the claim holds a user's data (a home claim, a TorchPod writes it, or a copy of one). */
    torchpodClaims: Map<string, string>;
    /** `ns/snapshot` → why the VolumeSnapshot holds a user's data. */
    userDataSnapshots: Map<string, string>;
    /** Pod-template labels unknown during preview. */
    labelUnknowns: Unknowns;
}

export function podKey(t: PodTemplate): string {
    return `${t.embedded ? "Pod" : t.kind}|${t.namespace}/${t.name}`;
}

function labelled(sel: PackConfig["torchpodSelector"], t: PodTemplate): boolean {
    return selects(sel, t.labels) || (Object.keys(t.ownerLabels).length > 0 && selects(sel, t.ownerLabels));
}

/** Every pod template of the stack (Patch resources left out: they change objects outside the stack). */
export function stackPods(resources: readonly StackResource[]): StackPods {
    const out: StackPods = [];
    for (const r of resources) {
        if (!parseKubeType(r.type)) continue;
        const props = unproxy(r.props);
        const id = { name: r.name, defaultNamespace: providerNamespace(r.provider) };
        for (const f of objectsOf(r.type, props)) {
            const templates = podTemplatesOfObject(f, id);
            templates.forEach((t, i) => {
                if (t.patch) return;
                // The analyzer names several templates of one custom resource `name[i]` (see embeddedWorkloadObjects).
                const key = t.embedded && templates.length > 1 ? `Pod|${t.namespace}/${t.name}[${i}]` : podKey(t);
                const claimTemplates = f.kind === "StatefulSet" ? f.obj?.spec?.volumeClaimTemplates : undefined;
                out.push({ t, urn: r.urn, key, ...(claimTemplates !== undefined ? { claimTemplates } : {}) });
            });
        }
    }
    out.storage = storageGraph(resources);
    return out;
}

/** Identifies the stack's workloads (see the file comment). */
export function identify(pods: StackPods, cfg: PackConfig): StackIdentity {
    const homeRe = new RegExp(cfg.homeClaimPattern);
    const torchpods = new Map<string, JudgedTorchPod>();
    const claims = new Map<string, string>();
    const labelUnknowns: Unknowns = [];
    for (const p of pods) {
        labelUnknowns.push(...p.t.labelUnknowns);
        if (labelled(cfg.torchpodSelector, p.t))
            torchpods.set(p.key, { pod: p, by: `label ${describeSelector(cfg.torchpodSelector)}`, byData: false });
    }
    const homeWhy = `a home claim (homeClaimPattern ${cfg.homeClaimPattern})`;
    for (const p of pods) for (const m of claimMounts(p.t)) if (homeRe.test(m.claim)) claims.set(`${p.t.namespace}/${m.claim}`, homeWhy);
    const graph = pods.storage ?? { claims: new Map(), snapshots: new Map() };
    for (const k of graph.claims.keys()) if (homeRe.test(k.slice(k.indexOf("/") + 1)) && !claims.has(k)) claims.set(k, homeWhy);
    let snapshots = new Map<string, string>();
    // To a fixed point: a TorchPod's writable claims hold user data, and so does every copy of user data
    // (snapshot, clone, claim template); a pod that mounts user data is a TorchPod.
    for (let changed = true; changed;) {
        changed = false;
        const copies = propagateCopies(graph, claims);
        snapshots = copies.snapshots;
        for (const tp of torchpods.values())
            for (const m of claimMounts(tp.pod.t)) {
                const k = `${tp.pod.t.namespace}/${m.claim}`;
                if (m.writable && !claims.has(k)) {
                    claims.set(k, `TorchPod ${tp.pod.t.display} mounts it writable`);
                    changed = true;
                }
            }
        for (const p of pods) {
            if (torchpods.has(p.key)) continue;
            const touched = claimMounts(p.t).find((m) => claims.has(`${p.t.namespace}/${m.claim}`));
            const copied = touched
                ? undefined
                : templateCopies(p.t, p.claimTemplates).find((c) => sourceHolds(c.source, claims, snapshots));
            if (!touched && !copied) continue;
            torchpods.set(p.key, {
                pod: p,
                by: touched
                    ? `it mounts claim ${touched.claim} (${claims.get(`${p.t.namespace}/${touched.claim}`)})`
                    : `its claim template ${copied!.volume} (${copied!.where}) copies ${copied!.source.kind} ${copied!.source.namespace}/${copied!.source.name} (${sourceHolds(copied!.source, claims, snapshots)})`,
                byData: true,
            });
            changed = true;
        }
    }
    const role = (sel: PackConfig["mlabSelector"]) => pods.filter((p) => selects(sel, p.t.labels));
    return {
        pods,
        torchpods: [...torchpods.values()],
        airlocks: role(cfg.airlockSelector),
        mlabs: role(cfg.mlabSelector).filter((p) => !torchpods.has(p.key)),
        reconcilers: role(cfg.reconcilerSelector),
        importers: role(cfg.importerSelector),
        torchpodKeys: new Set(torchpods.keys()),
        torchpodClaims: claims,
        userDataSnapshots: snapshots,
        labelUnknowns,
    };
}

/**
 * The pods the closed world covers (TorchPods, by label or by data, the Airlock and MLab), by pod key, with
 * how a message names each: "MLab", "Airlock", "TorchPod" or "TorchPod (judged by data: ...)".
 */
export function closedWorldRoles(id: StackIdentity): Map<string, string> {
    const role = new Map<string, string>();
    for (const p of id.mlabs) role.set(p.key, "MLab");
    for (const p of id.airlocks) role.set(p.key, "Airlock");
    for (const t of id.torchpods) role.set(t.pod.key, t.byData ? `TorchPod (judged by data: ${t.by})` : "TorchPod");
    return role;
}

/** One line for people: how many of each the pack identified, and by which selector. */
export function inventoryText(id: StackIdentity, cfg: PackConfig): string {
    const byData = id.torchpods.filter((t) => t.byData).length;
    return (
        `${id.torchpods.length} TorchPod${id.torchpods.length === 1 ? "" : "s"} (selector ${describeSelector(cfg.torchpodSelector)}` +
        `${byData ? `; ${byData} of them judged by the data they mount` : ""}), ` +
        `${id.airlocks.length} Airlock${id.airlocks.length === 1 ? "" : "s"} (selector ${describeSelector(cfg.airlockSelector)}), ` +
        `${id.mlabs.length} MLab${id.mlabs.length === 1 ? "" : "s"} (selector ${describeSelector(cfg.mlabSelector)})`
    );
}
