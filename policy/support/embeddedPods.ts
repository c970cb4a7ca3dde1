// Pod specs wherever a custom resource carries them, in the shape of the kind at hand: a PodTemplateSpec
// (Argo Rollout, Kubeflow jobs, Knative), a bare PodSpec (`containers`), a workflow template with one
// `container` or `script` (Argo Workflows), task `steps` and `sidecars` (Tekton), with the volumes and
// claim templates their ancestors declare (a workflow's `spec.volumes` serves every template). Also
// what the pack cannot read there: container lists of another shape, manifests inside strings, and
// hostPath fields outside any pod spec.
import { isUnknown } from "./unknowns";

function isPlainObject(v: unknown): v is Record<string, any> {
    return typeof v === "object" && v !== null && !Array.isArray(v);
}

const CONTAINER_LISTS = ["containers", "initContainers", "ephemeralContainers", "sidecars", "steps"] as const;
const SINGLE_CONTAINERS = ["container", "script"] as const;
const MAX_DEPTH = 16;
/** Pod-level fields a bare pod spec takes from the nearest ancestor that sets them. */
const INHERITED_POD_FIELDS = [
    "automountServiceAccountToken",
    "serviceAccountName",
    "hostNetwork",
    "hostPID",
    "hostIPC",
    "securityContext",
    "runtimeClassName",
    "dnsPolicy",
    "dnsConfig",
    "hostAliases",
] as const;

/** A plain object that is a container: it names an image (or its image is unknown during preview). */
function isContainer(v: unknown): v is Record<string, any> {
    return isPlainObject(v) && (typeof v.image === "string" || isUnknown(v.image));
}

export interface EmbeddedPodSpec {
    /** Path of the object that holds the pod spec (its PodTemplateSpec, or the bare spec itself). */
    path: string[];
    /** A PodTemplateSpec ({metadata, spec}) found as is. */
    template: boolean;
    /** The pod spec to judge: for bare shapes, one synthesised from its containers and the volumes in reach. */
    spec: any;
    /** Labels its pods carry: the template's own, else ancestors' podMetadata and the object's. */
    labels: Record<string, string> | undefined;
}

export interface EmbeddedScan {
    pods: EmbeddedPodSpec[];
    /** What looks like a pod spec but cannot be read: `path: why`. */
    unparsable: { path: string[]; why: string }[];
    /** Manifests inside string fields (a workflow's resource template): objects nothing judges. */
    manifests: { path: string[] }[];
    /** hostPath fields outside the volumes of the pod specs above. */
    hostPaths: { path: string[]; value: unknown }[];
}

function volumesInReach(ancestors: Record<string, any>[], own: Record<string, any>): any[] {
    const out: any[] = [];
    for (const o of [...ancestors, own]) {
        if (Array.isArray(o.volumes)) out.push(...o.volumes);
        // Claim templates become claims the pods mount by the template's name: generic ephemeral volumes.
        if (Array.isArray(o.volumeClaimTemplates))
            for (const t of o.volumeClaimTemplates)
                if (isPlainObject(t)) out.push({ name: t.metadata?.name ?? t.name, ephemeral: { volumeClaimTemplate: { spec: t.spec } } });
    }
    return out;
}

function labelsInReach(
    ownerLabels: unknown,
    ancestors: Record<string, any>[],
    own: Record<string, any>,
): Record<string, string> | undefined {
    let out: Record<string, string> | undefined = isPlainObject(ownerLabels) ? { ...ownerLabels } : undefined;
    for (const o of [...ancestors, own]) {
        const l = o.podMetadata?.labels ?? (o === own ? o.metadata?.labels : undefined);
        if (isPlainObject(l)) out = { ...(out ?? {}), ...l };
    }
    return out;
}

/** Scans a custom resource's object (not a built-in pod owner) for pod specs and what cannot be read. */
export function scanEmbedded(obj: any): EmbeddedScan {
    const scan: EmbeddedScan = { pods: [], unparsable: [], manifests: [], hostPaths: [] };
    const covered = new Set<unknown>(); // volume arrays and volumes judged as part of a pod spec
    const visit = (v: any, path: string[], ancestors: Record<string, any>[], depth: number) => {
        if (depth > MAX_DEPTH) return;
        if (typeof v === "string") {
            if (/(^|\n)\s*kind:\s*\S/.test(v) && /(^|\n)\s*apiVersion:\s*\S/.test(v)) scan.manifests.push({ path });
            else if (/^\s*\{[\s\S]*"kind"\s*:[\s\S]*"apiVersion"\s*:|^\s*\{[\s\S]*"apiVersion"\s*:[\s\S]*"kind"\s*:/.test(v))
                scan.manifests.push({ path });
            return;
        }
        if (v === null || typeof v !== "object") return;
        if (Array.isArray(v)) {
            v.forEach((x, i) => visit(x, [...path, String(i)], ancestors, depth + 1));
            return;
        }
        // A PodTemplateSpec found as is.
        if (isPlainObject(v.spec) && Array.isArray(v.spec.containers)) {
            scan.pods.push({ path, template: true, spec: v.spec, labels: undefined });
            if (Array.isArray(v.spec.volumes)) v.spec.volumes.forEach((x: unknown) => covered.add(x));
            visitRest(v, path, ancestors, depth, ["spec"]);
            return;
        }
        // Known container lists of another shape cannot be read: refused rather than skipped.
        for (const k of CONTAINER_LISTS) {
            const list = v[k];
            if (list === undefined || list === null || isUnknown(list)) continue;
            if (!Array.isArray(list)) scan.unparsable.push({ path: [...path, k], why: `${k} is ${typeof list}, not a list of containers` });
            else if (k !== "steps" && list.some((c: unknown) => !isPlainObject(c) && !isUnknown(c)))
                scan.unparsable.push({ path: [...path, k], why: `${k} holds entries that are not containers` });
        }
        const listed = CONTAINER_LISTS.flatMap((k) =>
            Array.isArray(v[k]) ? v[k].filter((c: unknown) => isContainer(c) || (k !== "steps" && isUnknown(c))) : [],
        );
        const single = SINGLE_CONTAINERS.map((k) => v[k]).filter(isContainer);
        const hasPodSpec = Array.isArray(v.containers) || listed.length > 0 || single.length > 0;
        if (hasPodSpec) {
            const volumes = volumesInReach(ancestors, v);
            volumes.forEach((x) => covered.add(x));
            const containers = [
                ...(Array.isArray(v.containers) ? v.containers : []),
                ...single,
                ...(["sidecars", "steps"] as const).flatMap((k) => (Array.isArray(v[k]) ? v[k].filter(isContainer) : [])),
            ];
            const { containers: _c, initContainers, ephemeralContainers, volumes: _v, ...rest } = v;
            void _c;
            void _v;
            // Pod-level settings a workflow declares once for all its templates (Argo's spec.hostNetwork, ...).
            const inherited: Record<string, unknown> = {};
            for (const k of INHERITED_POD_FIELDS)
                if (rest[k] === undefined) {
                    const from = [...ancestors].reverse().find((a) => a[k] !== undefined);
                    if (from) inherited[k] = from[k];
                }
            const spec = {
                ...rest,
                ...inherited,
                containers,
                ...(initContainers !== undefined ? { initContainers } : {}),
                ...(ephemeralContainers !== undefined ? { ephemeralContainers } : {}),
                volumes,
            };
            scan.pods.push({ path, template: false, spec, labels: labelsInReach(obj?.metadata?.labels, ancestors, v) });
            visitRest(v, path, ancestors, depth, [...CONTAINER_LISTS, ...SINGLE_CONTAINERS, "volumes", "volumeClaimTemplates"]);
            return;
        }
        visitRest(v, path, ancestors, depth, []);
    };
    const visitRest = (v: Record<string, any>, path: string[], ancestors: Record<string, any>[], depth: number, skip: string[]) => {
        for (const [k, x] of Object.entries(v)) {
            if (skip.includes(k) || (depth === 0 && (k === "status" || k === "metadata"))) continue;
            if (k === "hostPath" && !covered.has(v)) {
                hostPathCandidates.push({ holder: v, path: [...path, k], value: x });
                continue;
            }
            visit(x, [...path, k], [...ancestors, v], depth + 1);
        }
    };
    const hostPathCandidates: { holder: unknown; path: string[]; value: unknown }[] = [];
    visit(obj, [], [], 0);
    // Judged after the walk: a volume declared before the pod spec that mounts it is covered too.
    scan.hostPaths = hostPathCandidates.filter((h) => !covered.has(h.holder)).map(({ path, value }) => ({ path, value }));
    return scan;
}
