// Images are pinned by tag or digest.
import { parseImage } from "@torchpod/contract";
import { containerLabel, podPolicy } from "../support/podPolicy";
import { Unknowns } from "../support/resources";
import { read } from "../support/unknowns";

export const pinnedImages = podPolicy({
    name: "pinned-images",
    description:
        "Images must be pinned: a tag other than `latest`, or a digest. An untagged or :latest image changes under a running platform without review " +
        "(the design pins gemfield/torchpod:<tag> and Gitea). Advisory by default (hygiene, not a network route); set it mandatory in the policy config for production stacks. " +
        'Scope: every workload. An image unknown during preview gives the advisory "can\'t run policy during preview".',
    enforcementLevel: "advisory",
    severity: "medium",
    config: [],
    scope: () => "all-workloads",
    switches: "Switch: this policy's enforcementLevel",
    remediationSteps: "Use image: <name>:<version> or <name>@sha256:<digest>.",
    check: ({ t, f, prefix }) => {
        const u: Unknowns = [];
        for (const c of t.containers) {
            const image = read(c.container, ["image"], u, c.path);
            if (typeof image !== "string" || image === "") continue;
            const { tag, digest } = parseImage(image);
            if (digest !== undefined) continue;
            if (tag === undefined) f.violation(`${prefix}${containerLabel(c)}: image ${image} has no tag (means :latest)`);
            else if (tag.toLowerCase() === "latest") f.violation(`${prefix}${containerLabel(c)}: image ${image} uses :latest`);
        }
        f.unknown(u);
    },
});
