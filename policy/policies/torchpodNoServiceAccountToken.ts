// A TorchPod carries no Kubernetes API credential.
import { list, podPolicy, UNKNOWN_NOTE } from "../support/podPolicy";
import { Unknowns } from "../support/resources";
import { read } from "../support/unknowns";

export const torchpodNoServiceAccountToken = podPolicy({
    name: "torchpod-no-service-account-token",
    description:
        "A TorchPod must not carry a Kubernetes API credential: spec.automountServiceAccountToken must be false and no projected volume may hold a serviceAccountToken. " +
        "With a token a user can talk to the API server (create pods, port-forward, read Secrets) past the network lock-down. " +
        UNKNOWN_NOTE,
    enforcementLevel: "mandatory",
    severity: "high",
    config: ["torchpodSelector"],
    scope: () => "torchpods",
    switches: "No switch: a TorchPod carries no API credential",
    remediationSteps: "Set spec.automountServiceAccountToken: false on the TorchPod's pod template.",
    check: ({ t, f, prefix }) => {
        const u: Unknowns = [];
        const auto = read(t.spec, ["automountServiceAccountToken"], u, t.specPath);
        const unknownAuto = u.length > 0;
        if (!unknownAuto && auto !== false && !(t.patch && auto === undefined)) {
            f.violation(
                `${prefix}TorchPod mounts a service-account token (spec.automountServiceAccountToken is ${auto === undefined ? "not set" : JSON.stringify(auto)}; must be false)`,
            );
        }
        const vols = read(t.spec, ["volumes"], u, t.specPath);
        list(vols).forEach((v: any, i) => {
            const sources = read(v, ["projected", "sources"], u, [...t.specPath, "volumes", String(i)]);
            if (list(sources).some((s: any) => s && typeof s === "object" && s.serviceAccountToken)) {
                f.violation(`${prefix}TorchPod volume ${v?.name ?? i} projects a serviceAccountToken`);
            }
        });
        f.unknown(u);
    },
});
