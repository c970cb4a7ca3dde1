// A TorchPod mounts the airlock share read-only.
import { containerLabel, isTrue, list, podPolicy, UNKNOWN_NOTE } from "../support/podPolicy";
import { Unknowns } from "../support/resources";
import { read } from "../support/unknowns";

function normPath(p: string): string {
    return p.length > 1 ? p.replace(/\/+$/, "") : p;
}

/** True when some volume source of `vol` is itself read-only (persistentVolumeClaim.readOnly, nfs.readOnly, ...). */
function volumeSourceReadOnly(vol: any): boolean {
    if (!vol || typeof vol !== "object") return false;
    return Object.entries(vol).some(([k, src]) => k !== "name" && src !== null && typeof src === "object" && isTrue((src as any).readOnly));
}

export const torchpodAirlockReadOnly = podPolicy({
    name: "torchpod-airlock-read-only",
    description:
        "A TorchPod may mount the shared airlock only read-only: every volumeMount at the airlock path (config `airlockMountPath`, default /opt/public/airlock) " +
        "and every mount of a PersistentVolumeClaim whose name matches `airlockClaimPattern` (default /airlock/i) must have readOnly: true on the mount or on the claim. " +
        "A writable airlock is a drop box the internet-connected Airlock machine reads. " +
        UNKNOWN_NOTE,
    enforcementLevel: "mandatory",
    severity: "critical",
    config: ["torchpodSelector", "airlockMountPath", "airlockClaimPattern"],
    scope: () => "torchpods",
    switches: "No switch: the airlock share is read-only in TorchPods",
    remediationSteps: "Set readOnly: true on the TorchPod's airlock volumeMount (and persistentVolumeClaim.readOnly: true).",
    check: ({ t, cfg, f, prefix }) => {
        const u: Unknowns = [];
        const airlockPath = normPath(cfg.airlockMountPath);
        const claimRe = new RegExp(cfg.airlockClaimPattern, "i");
        const vols = new Map<string, any>();
        const volsRaw = read(t.spec, ["volumes"], u, t.specPath);
        list(volsRaw).forEach((v: any) => {
            if (v && typeof v.name === "string") vols.set(v.name, v);
        });
        for (const c of t.containers) {
            const mountsRaw = read(c.container, ["volumeMounts"], u, c.path);
            list(mountsRaw).forEach((m: any, i) => {
                const mp = [...c.path, "volumeMounts", String(i)];
                const path = read(m, ["mountPath"], u, mp);
                const volName = read(m, ["name"], u, mp);
                const vol = typeof volName === "string" ? vols.get(volName) : undefined;
                const claim = vol ? read(vol, ["persistentVolumeClaim", "claimName"], u, [...t.specPath, "volumes", volName]) : undefined;
                const atAirlock = typeof path === "string" && normPath(path) === airlockPath;
                const isAirlockClaim = typeof claim === "string" && claimRe.test(claim);
                if (!atAirlock && !isAirlockClaim) return;
                const ro = read(m, ["readOnly"], u, mp);
                if (isTrue(ro) || volumeSourceReadOnly(vol)) return;
                const what = isAirlockClaim ? `the airlock claim ${claim}` : `volume ${volName}`;
                f.violation(`${prefix}${containerLabel(c)} mounts ${what} at ${path} writable (set readOnly: true)`);
            });
        }
        f.unknown(u);
    },
});
