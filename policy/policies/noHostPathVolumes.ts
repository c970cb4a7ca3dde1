// No hostPath volume in a pod, and no hostPath PersistentVolume.
import { ResourceValidationArgs } from "@pulumi/policy";
import { Findings } from "../support/findings";
import { objectsOf } from "../support/resources";
import { list, podPolicy, UNKNOWN_NOTE } from "../support/podPolicy";
import { Unknowns } from "../support/resources";
import { read, unproxy } from "../support/unknowns";

function hostPathPersistentVolumes(args: ResourceValidationArgs, f: Findings): boolean {
    let seen = false;
    for (const o of objectsOf(args.type, unproxy(args.props))) {
        if (o.kind !== "PersistentVolume") continue;
        seen = true;
        const u: Unknowns = [];
        const hp = read(o.obj, ["spec", "hostPath"], u, o.path);
        if (hp !== undefined && hp !== null)
            f.violation(
                `PersistentVolume ${o.obj?.metadata?.name ?? args.name} is a hostPath volume (${hp?.path ?? "?"}): whoever claims it reads and writes the node's filesystem`,
            );
        f.unknown(u);
    }
    return seen;
}

export const noHostPathVolumes = podPolicy(
    {
        name: "no-hostpath-volumes",
        description:
            "Pods must not mount hostPath volumes, and no PersistentVolume may be a hostPath: the node's filesystem holds other pods' data, the container runtime socket and kubelet credentials. " +
            "Scope: every workload (config `scope`). " +
            UNKNOWN_NOTE,
        enforcementLevel: "mandatory",
        severity: "critical",
        config: ["scope", "torchpodSelector"],
        scope: (cfg) => cfg.scope,
        switches: "No switch (config scope: torchpods limits the policy to TorchPods)",
        remediationSteps: "Use a PersistentVolumeClaim or an emptyDir instead of hostPath.",
        check: ({ t, f, prefix }) => {
            const u: Unknowns = [];
            const vols = read(t.spec, ["volumes"], u, t.specPath);
            list(vols).forEach((v: any, i) => {
                const hp = read(v, ["hostPath"], u, [...t.specPath, "volumes", String(i)]);
                if (hp !== undefined && hp !== null)
                    f.violation(`${prefix}volume ${v?.name ?? i} is a hostPath (${hp?.path ?? "?"}): the node's filesystem`);
            });
            f.unknown(u);
        },
    },
    (args, f) => hostPathPersistentVolumes(args, f),
);
