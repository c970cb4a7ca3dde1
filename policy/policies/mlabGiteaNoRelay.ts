// MLab's Gitea must not relay data out (mirrors, webhooks, migrations, other containers).
import { Findings } from "../support/findings";
import { PackConfig, selects } from "../support/packConfig";
import { PodTemplate } from "../support/resources";
import { envMap, giteaBool, arbitraryHostEntries, tokens } from "../support/gitea";
import { containerLabel, podPolicy, UNKNOWN_NOTE } from "../support/podPolicy";
import { Unknowns } from "../support/resources";
import { read } from "../support/unknowns";

export const mlabGiteaNoRelay = podPolicy({
    name: "mlab-gitea-no-relay",
    description:
        "MLab's Gitea must not relay data out of the lock-down. Every long-running container of an MLab pod (config `mlabSelector`; containers, restartable init containers, ephemeral containers) must run the Gitea image " +
        "(`mlabImagePattern`, default the official gitea/gitea from any registry): anything else shares MLab's network namespace, can listen on MLab's ports and reach the internet on 443. " +
        "In every container that runs Gitea (image matching `giteaImagePattern`, or GITEA__ settings) `command` and `args` must not be set (the image's entrypoint writes the GITEA__ settings into app.ini), and env must set: " +
        "push mirrors off (GITEA__mirror__ENABLED=false, or GITEA__mirror__DISABLE_NEW_PUSH=true); webhooks off (GITEA__security__DISABLE_WEBHOOKS=true) or GITEA__webhook__ALLOWED_HOST_LIST set (Gitea's default is `external`); " +
        "migrations not from local networks (GITEA__migrations__ALLOW_LOCALNETWORKS not true) and only from listed hosts (GITEA__migrations__ALLOWED_DOMAINS set). " +
        "A host list must not contain `*`, `all`, `external`, a CIDR wider than /8 (IPv4) or /32 (IPv6, IPv4-mapped counted as IPv4), nor a glob other than `*.<domain>.<tld>` (`*.com`, `*hub.com`, `git?ub.com`). " +
        "Booleans are read as Gitea reads them (Go strconv.ParseBool: 1, t, TRUE, ... are true). " +
        "Settings must be literal env values: valueFrom, envFrom and app.ini are invisible to the pack and count as unset (env wins over envFrom for the same name, so envFrom cannot override a literal). " +
        UNKNOWN_NOTE,
    enforcementLevel: "mandatory",
    severity: "high",
    config: ["mlabSelector", "torchpodSelector", "giteaImagePattern", "mlabImagePattern"],
    scope: () => "all-workloads",
    switches: "Switches after review: config mlabImagePattern, giteaImagePattern; no switch enables mirrors, open webhooks or migrations",
    remediationSteps:
        "Set GITEA__mirror__ENABLED=false, GITEA__webhook__ALLOWED_HOST_LIST to the approved hosts (or GITEA__security__DISABLE_WEBHOOKS=true), GITEA__migrations__ALLOW_LOCALNETWORKS=false and GITEA__migrations__ALLOWED_DOMAINS to the approved upstreams.",
    check: ({ t, cfg, f, prefix }) => {
        // Runs for every workload, but judges only MLab and its Gitea containers. When the labels are
        // unknown during preview and the pod would fail as MLab, it cannot be verified (advisory).
        if (t.labelUnknowns.length > 0) {
            const probe = new Findings(() => undefined);
            judgeGitea(t, cfg, probe, prefix);
            if (probe.count > 0 || probe.unknowns.length > 0) f.unknown(t.labelUnknowns);
            return;
        }
        if (!selects(cfg.mlabSelector, t.labels)) return;
        judgeGitea(t, cfg, f, prefix);
    },
});

function judgeGitea(t: PodTemplate, cfg: PackConfig, f: Findings, prefix: string): void {
    const imageRe = new RegExp(cfg.giteaImagePattern, "i");
    const mlabImageRe = new RegExp(cfg.mlabImagePattern, "i");
    const u: Unknowns = [];
    for (const c of t.containers) {
        // Init containers finish before the pod serves; restartable ones (native sidecars) run beside it.
        const restartable = c.field === "initContainers" && read(c.container, ["restartPolicy"], u, c.path) === "Always";
        if (c.field === "initContainers" && !restartable) continue;
        const image = read(c.container, ["image"], u, c.path);
        // Every long-running container shares MLab's network namespace: whatever listens on MLab's
        // ports (or any port) there is reachable from TorchPods and may reach the internet on 443.
        if (typeof image === "string" && !mlabImageRe.test(image)) {
            f.violation(
                `${prefix}MLab ${containerLabel(c)} runs ${image}, not Gitea (mlabImagePattern ${cfg.mlabImagePattern}): any process in MLab's pod can listen on MLab's ports and relay TorchPod traffic out`,
            );
        }
        if (c.field === "ephemeralContainers") continue;
        const env = envMap(c);
        const isGitea = (typeof image === "string" && imageRe.test(image)) || [...env.keys()].some((k) => k.startsWith("GITEA__"));
        if (!isGitea) continue;
        const lbl = `${prefix}MLab ${containerLabel(c)}`;
        for (const k of ["command", "args"]) {
            const v = read(c.container, [k], u, c.path);
            if (Array.isArray(v) && v.length > 0) {
                f.violation(
                    `${lbl}: sets ${k} (${v.map((x) => JSON.stringify(x)).join(" ")}): the image's entrypoint is what writes the GITEA__ settings into app.ini, so with it replaced the settings judged here may not apply`,
                );
            }
        }
        const get = (k: string): string | undefined | null => {
            const v = env.get(k);
            if (!v) return undefined;
            if (v.kind === "unknown") {
                u.push({ sentinel: v.sentinel, path: v.path });
                return null;
            }
            return v.kind === "literal" ? v.value : undefined;
        };
        const refNote = (k: string) => (env.get(k)?.kind === "ref" ? ` (${k} comes from valueFrom, which the pack cannot read)` : "");

        const mirrorEnabled = get("GITEA__mirror__ENABLED");
        const noNewPush = get("GITEA__mirror__DISABLE_NEW_PUSH");
        if (
            mirrorEnabled !== null &&
            noNewPush !== null &&
            giteaBool(mirrorEnabled ?? undefined) !== false &&
            giteaBool(noNewPush ?? undefined) !== true
        ) {
            f.violation(
                `${lbl}: push mirrors are enabled (GITEA__mirror__ENABLED is ${mirrorEnabled === undefined ? "not set; Gitea's default is true" : JSON.stringify(mirrorEnabled)})${refNote("GITEA__mirror__ENABLED")}: a user can push MLab's repositories to any remote`,
            );
        }

        const webhooksOff = get("GITEA__security__DISABLE_WEBHOOKS");
        if (webhooksOff !== null && giteaBool(webhooksOff ?? undefined) !== true) {
            const hosts = get("GITEA__webhook__ALLOWED_HOST_LIST");
            if (hosts === undefined || (hosts !== null && tokens(hosts).length === 0)) {
                f.violation(
                    `${lbl}: GITEA__webhook__ALLOWED_HOST_LIST is not set${refNote("GITEA__webhook__ALLOWED_HOST_LIST")} (Gitea's default \`external\` lets webhooks post to any internet host)`,
                );
            } else if (hosts !== null) {
                const bad = arbitraryHostEntries(hosts);
                if (bad.length)
                    f.violation(
                        `${lbl}: GITEA__webhook__ALLOWED_HOST_LIST allows arbitrary hosts (${bad.join(", ")}): webhooks can post repository data anywhere`,
                    );
            }
        }

        const local = get("GITEA__migrations__ALLOW_LOCALNETWORKS");
        if (local !== null && giteaBool(local ?? undefined) === true) {
            f.violation(
                `${lbl}: GITEA__migrations__ALLOW_LOCALNETWORKS is ${JSON.stringify(local)} (true): migrations may fetch from local and cluster addresses`,
            );
        }
        const domains = get("GITEA__migrations__ALLOWED_DOMAINS");
        if (domains === undefined || (domains !== null && tokens(domains).length === 0)) {
            f.violation(
                `${lbl}: GITEA__migrations__ALLOWED_DOMAINS is not set${refNote("GITEA__migrations__ALLOWED_DOMAINS")} (Gitea then migrates from any host: a URL can carry data out)`,
            );
        } else if (domains !== null) {
            const bad = arbitraryHostEntries(domains);
            if (bad.length) f.violation(`${lbl}: GITEA__migrations__ALLOWED_DOMAINS allows arbitrary hosts (${bad.join(", ")})`);
        }
    }
    f.unknown(u);
}
