// Pods must not share the node's namespaces or ports.
import { containerLabel, isTrue, list, podPolicy, UNKNOWN_NOTE } from "../support/podPolicy";
import { Unknowns } from "../support/resources";
import { read } from "../support/unknowns";

export const noHostNamespaces = podPolicy({
    name: "no-host-namespaces",
    description:
        "Pods must not share the node's namespaces or ports: hostNetwork, hostPID, hostIPC, Windows hostProcess or any container hostPort. " +
        "A pod on the host network is outside every NetworkPolicy (a TorchPod there reaches the internet; MLab there relays freely) and a hostPort is reachable on the node's address. " +
        "Scope: every workload (config `scope`). " +
        UNKNOWN_NOTE,
    enforcementLevel: "mandatory",
    severity: "critical",
    config: ["scope", "torchpodSelector"],
    scope: (cfg) => cfg.scope,
    switches: "No switch (config scope: torchpods limits the policy to TorchPods)",
    remediationSteps: "Remove hostNetwork/hostPID/hostIPC and hostPort; expose ports through a ClusterIP Service behind NetworkPolicy.",
    check: ({ t, f, prefix }) => {
        const u: Unknowns = [];
        for (const k of ["hostNetwork", "hostPID", "hostIPC"]) {
            if (isTrue(read(t.spec, [k], u, t.specPath)))
                f.violation(
                    `${prefix}spec.${k} is true: the pod shares the node's ${k.slice(4).toLowerCase()} namespace${k === "hostNetwork" ? " and no NetworkPolicy applies to it" : ""}`,
                );
        }
        if (isTrue(read(t.spec, ["securityContext", "windowsOptions", "hostProcess"], u, t.specPath)))
            f.violation(`${prefix}securityContext.windowsOptions.hostProcess is true: the pod runs on the host`);
        for (const c of t.containers) {
            if (isTrue(read(c.container, ["securityContext", "windowsOptions", "hostProcess"], u, c.path)))
                f.violation(`${prefix}${containerLabel(c)}: windowsOptions.hostProcess is true`);
            const ports = read(c.container, ["ports"], u, c.path);
            list(ports).forEach((p: any, i) => {
                const hp = read(p, ["hostPort"], u, [...c.path, "ports", String(i)]);
                if (hp !== undefined && hp !== null && Number(hp) !== 0) {
                    f.violation(
                        `${prefix}${containerLabel(c)}: port ${p?.containerPort ?? "?"}/${p?.protocol ?? "TCP"} has hostPort ${hp}: reachable on the node's address, outside NetworkPolicy`,
                    );
                }
            });
        }
        f.unknown(u);
    },
});
