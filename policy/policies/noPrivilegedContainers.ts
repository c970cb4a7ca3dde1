// Containers must not be privileged nor add dangerous capabilities; TorchPods drop NET_RAW.
import { containerLabel, isTrue, list, normalizeCap, podPolicy, UNKNOWN_NOTE } from "../support/podPolicy";
import { Unknowns } from "../support/resources";
import { isUnknown, read } from "../support/unknowns";

export const noPrivilegedContainers = podPolicy({
    name: "no-privileged-or-dangerous-capabilities",
    description:
        "Containers must not be privileged nor add dangerous capabilities (default: ALL, NET_ADMIN, NET_RAW, SYS_ADMIN, SYS_MODULE, SYS_PTRACE, SYS_RAWIO, BPF, DAC_READ_SEARCH; config `dangerousCapabilities`); " +
        "every TorchPod container must also drop NET_RAW (config `torchpodRequiredDrops`; dropping ALL satisfies it), which container runtimes grant by default and which allows packet spoofing on the node's network. " +
        "Privileged or NET_ADMIN containers can rewrite the node's packet filters and so undo every NetworkPolicy. Scope: every workload (config `scope`). " +
        UNKNOWN_NOTE,
    enforcementLevel: "mandatory",
    severity: "critical",
    config: ["scope", "torchpodSelector", "dangerousCapabilities", "torchpodRequiredDrops"],
    scope: (cfg) => cfg.scope,
    switches: "Switches after review: config dangerousCapabilities, torchpodRequiredDrops",
    remediationSteps:
        "Remove privileged: true and the added capabilities; add securityContext.capabilities.drop: [NET_RAW] to TorchPod containers.",
    check: ({ t, cfg, isTorchPod, f, prefix }) => {
        const dangerous = new Set(cfg.dangerousCapabilities.map(normalizeCap));
        const u: Unknowns = [];
        for (const c of t.containers) {
            const sc = read(c.container, ["securityContext"], u, c.path);
            if (isTrue(read(sc, ["privileged"], u, [...c.path, "securityContext"])))
                f.violation(`${prefix}${containerLabel(c)} is privileged: it has every capability and the node's devices`);
            const capsPath = [...c.path, "securityContext", "capabilities"];
            const add = read(sc, ["capabilities", "add"], u, [...c.path, "securityContext"]);
            const added = list(add)
                .filter((x) => !isUnknown(x))
                .map(normalizeCap);
            list(add).forEach((x, i) => isUnknown(x) && u.push({ sentinel: x as string, path: [...capsPath, "add", String(i)] }));
            const bad = added.filter((x) => dangerous.has(x));
            if (bad.length) f.violation(`${prefix}${containerLabel(c)} adds capabilit${bad.length > 1 ? "ies" : "y"} ${bad.join(", ")}`);
            if (isTorchPod) {
                const dropRaw = read(sc, ["capabilities", "drop"], u, [...c.path, "securityContext"]);
                if (t.patch && dropRaw === undefined) continue; // a patch that leaves capabilities alone
                const drops = new Set(
                    list(dropRaw)
                        .filter((x) => !isUnknown(x))
                        .map(normalizeCap),
                );
                list(dropRaw).forEach((x, i) => isUnknown(x) && u.push({ sentinel: x as string, path: [...capsPath, "drop", String(i)] }));
                const missing = cfg.torchpodRequiredDrops.map(normalizeCap).filter((x) => !drops.has(x) && !drops.has("ALL"));
                if (missing.length)
                    f.violation(
                        `${prefix}TorchPod ${containerLabel(c)} does not drop ${missing.join(", ")} (granted by default: raw sockets allow spoofing on the node's network)`,
                    );
            }
        }
        f.unknown(u);
    },
});
