// Copies of volumes: snapshots, clones (`dataSource`/`dataSourceRef`) and claim templates (generic
// ephemeral volumes, StatefulSet volumeClaimTemplates). A copy of user data is user data under another
// name; this is the graph of what copies what, read from the stack's resources, and the propagation
// of "holds user data" along it.
import { metaOf, objectsOf, parseKubeType, PodTemplate, providerNamespace } from "./resources";
import { unproxy } from "./unknowns";

/** What a claim was made from, as `Kind ns/name` (Kind: PersistentVolumeClaim or VolumeSnapshot). */
export interface CopySource {
    kind: "PersistentVolumeClaim" | "VolumeSnapshot";
    namespace: string;
    name: string;
    /** How, for messages: `dataSourceRef`, `VolumeSnapshot mlab/x`, ... */
    via: string;
}

export interface StorageGraph {
    /** `ns/claim` of every PersistentVolumeClaim the stack declares → what it was cloned or restored from. */
    claims: Map<string, CopySource[]>;
    /** `ns/snapshot` of every VolumeSnapshot → the claim it copies (same namespace). */
    snapshots: Map<string, CopySource | undefined>;
}

const key = (namespace: string, name: string) => `${namespace}/${name}`;

/** The source a claim spec names in `dataSourceRef` or `dataSource` (other kinds: populators, not followed here). */
export function claimSpecSource(spec: any, namespace: string): CopySource | undefined {
    for (const field of ["dataSourceRef", "dataSource"] as const) {
        const ref = spec?.[field];
        if (!ref || typeof ref !== "object" || typeof ref.name !== "string") continue;
        const group = typeof ref.apiGroup === "string" ? ref.apiGroup : "";
        const ns = field === "dataSourceRef" && typeof ref.namespace === "string" && ref.namespace !== "" ? ref.namespace : namespace;
        if (ref.kind === "PersistentVolumeClaim" && group === "") return { kind: ref.kind, namespace: ns, name: ref.name, via: field };
        if (ref.kind === "VolumeSnapshot" && group === "snapshot.storage.k8s.io")
            return { kind: ref.kind, namespace: ns, name: ref.name, via: field };
    }
    return undefined;
}

/** The copy graph of a stack's resources. */
export function storageGraph(resources: readonly { type: string; name: string; props: unknown; provider?: any }[]): StorageGraph {
    const claims = new Map<string, CopySource[]>();
    const snapshots = new Map<string, CopySource | undefined>();
    for (const r of resources) {
        if (!parseKubeType(r.type)) continue;
        const id = { name: r.name, defaultNamespace: providerNamespace(r.provider) };
        for (const o of objectsOf(r.type, unproxy(r.props))) {
            if (o.patch) continue;
            const m = metaOf(o, id);
            if (o.kind === "PersistentVolumeClaim") {
                const src = claimSpecSource(o.obj?.spec, m.namespace);
                claims.set(key(m.namespace, m.name), src ? [src] : []);
            } else if (o.kind === "VolumeSnapshot" && o.apiVersion.startsWith("snapshot.storage.k8s.io/")) {
                const claim = o.obj?.spec?.source?.persistentVolumeClaimName;
                snapshots.set(
                    key(m.namespace, m.name),
                    typeof claim === "string"
                        ? { kind: "PersistentVolumeClaim", namespace: m.namespace, name: claim, via: "spec.source" }
                        : undefined,
                );
            }
        }
    }
    return { claims, snapshots };
}

/** A claim a pod template creates for itself (ephemeral volume or StatefulSet template) and what it copies. */
export interface TemplateCopy {
    /** The pod's volume (or the StatefulSet's template) name. */
    volume: string;
    source: CopySource;
    where: string;
}

/** The claim templates of a pod (ephemeral volumes; `statefulSetTemplates` from its StatefulSet) that copy a claim or snapshot. */
export function templateCopies(t: Pick<PodTemplate, "spec" | "namespace">, statefulSetTemplates: unknown): TemplateCopy[] {
    const out: TemplateCopy[] = [];
    const vols: unknown = t.spec?.volumes;
    if (Array.isArray(vols))
        vols.forEach((v: any, i: number) => {
            const src = claimSpecSource(v?.ephemeral?.volumeClaimTemplate?.spec, t.namespace);
            if (src && typeof v?.name === "string")
                out.push({ volume: v.name, source: src, where: `spec.volumes[${i}].ephemeral.volumeClaimTemplate` });
        });
    if (Array.isArray(statefulSetTemplates))
        statefulSetTemplates.forEach((c: any, i: number) => {
            const src = claimSpecSource(c?.spec, t.namespace);
            const name = c?.metadata?.name;
            if (src && typeof name === "string") out.push({ volume: name, source: src, where: `spec.volumeClaimTemplates[${i}]` });
        });
    return out;
}

/**
 * Extends `held` (`ns/claim` → why it holds user data) with every claim and snapshot copied from one
 * of them, to a fixed point. Returns the snapshots that hold user data (`ns/snapshot` → why).
 */
export function propagateCopies(graph: StorageGraph, held: Map<string, string>): { snapshots: Map<string, string>; changed: boolean } {
    const snaps = new Map<string, string>();
    let changed = false;
    for (let again = true; again;) {
        again = false;
        for (const [k, src] of graph.snapshots) {
            if (snaps.has(k) || !src) continue;
            const why = held.get(key(src.namespace, src.name));
            if (why) {
                snaps.set(k, `VolumeSnapshot ${k} copies claim ${src.namespace}/${src.name}, which holds ${why}`);
                again = true;
            }
        }
        for (const [k, sources] of graph.claims) {
            if (held.has(k)) continue;
            for (const s of sources) {
                const sk = key(s.namespace, s.name);
                const why = s.kind === "PersistentVolumeClaim" ? held.get(sk) : snaps.get(sk);
                if (!why) continue;
                held.set(
                    k,
                    `a copy (${s.via} ${s.kind} ${sk}) of ${s.kind === "PersistentVolumeClaim" ? `a claim that holds ${why}` : why.replace(/^VolumeSnapshot \S+ /, "a snapshot that ")}`,
                );
                again = changed = true;
                break;
            }
        }
    }
    return { snapshots: snaps, changed };
}

/** Why a source holds user data, or undefined (a claim in `held`, or a snapshot in `snapshots`). */
export function sourceHolds(s: CopySource, held: ReadonlyMap<string, string>, snapshots: ReadonlyMap<string, string>): string | undefined {
    const k = key(s.namespace, s.name);
    return s.kind === "PersistentVolumeClaim" ? held.get(k) : snapshots.get(k);
}
