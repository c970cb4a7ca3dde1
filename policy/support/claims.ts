// Which PersistentVolumeClaims a pod template mounts, and how (read-only or writable).
import { PodTemplate } from "./resources";
import { isUnknown } from "./unknowns";

export interface ClaimMount {
    /** The pod's volume name. */
    volume: string;
    claim: string;
    /** Some container mounts it without readOnly (and the claim is not marked readOnly in the volume). */
    writable: boolean;
    /** The containers that mount it, with their mount paths. */
    mounts: { container: string; path: string; readOnly: boolean }[];
}

function truthy(v: unknown): boolean {
    return v === true || v === "true";
}

/** The claims a pod template mounts (known values only; a claim name unknown during preview is left out). */
export function claimMounts(t: Pick<PodTemplate, "spec" | "containers">): ClaimMount[] {
    const vols: unknown = t.spec?.volumes;
    if (!Array.isArray(vols)) return [];
    const out: ClaimMount[] = [];
    for (const v of vols) {
        if (!v || typeof v !== "object") continue;
        const pvc = (v as any).persistentVolumeClaim;
        const name = (v as any).name;
        if (!pvc || typeof pvc !== "object" || typeof pvc.claimName !== "string" || isUnknown(pvc.claimName) || typeof name !== "string")
            continue;
        const sourceRo = truthy(pvc.readOnly);
        const mounts: ClaimMount["mounts"] = [];
        for (const c of t.containers) {
            const ms: unknown = c.container.volumeMounts;
            if (!Array.isArray(ms)) continue;
            for (const m of ms)
                if (m && typeof m === "object" && (m as any).name === name)
                    mounts.push({
                        container: c.name,
                        path: String((m as any).mountPath ?? "?"),
                        readOnly: sourceRo || truthy((m as any).readOnly),
                    });
        }
        out.push({ volume: name, claim: pvc.claimName, writable: !sourceRo && mounts.some((m) => !m.readOnly), mounts });
    }
    return out;
}

/** The home claims (config `homeClaimPattern`) a pod template mounts. */
export function homeClaimsOf(t: Pick<PodTemplate, "spec" | "containers">, homeClaimPattern: string): string[] {
    const re = new RegExp(homeClaimPattern);
    return claimMounts(t)
        .filter((m) => re.test(m.claim))
        .map((m) => m.claim);
}
