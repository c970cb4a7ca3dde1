// mlab-closed-world: MLab's pods hold only what the pack can read: the Gitea container, its bootstrap,
// settings as literal env values from an allow-list, no mounted app.ini, no exec probes, no outside hosts.
import { Findings } from "../support/findings";
import { PackConfig, selects } from "../support/packConfig";
import { containerLabel, list, podPolicy, UNKNOWN_NOTE } from "../support/podPolicy";
import { ContainerRef, PodTemplate } from "../support/resources";
import { isUnknown } from "../support/unknowns";

/** app.ini sections MLab may set (Gitea 1.22; `_0X2E_` is an escaped dot, e.g. cron.update_checker). */
export const GITEA_SECTIONS = [
    "",
    "server",
    "database",
    "security",
    "service",
    "admin",
    "openid",
    "oauth2",
    "repository",
    "repository_0X2E_upload",
    "repository_0X2E_pull-request",
    "mirror",
    "webhook",
    "migrations",
    "log",
    "log_0X2E_file",
    "log_0X2E_console",
    "session",
    "cache",
    "picture",
    "ui",
    "api",
    "other",
    "indexer",
    "packages",
    "actions",
    "mailer",
    "cron",
    "cron_0X2E_update_checker",
    "cron_0X2E_repo_health_check",
    "cron_0X2E_delete_old_actions",
    "git",
    "git_0X2E_timeout",
    "lfs",
    "attachment",
    "storage",
    "time",
    "i18n",
    "markdown",
    "federation",
];
/** GITEA__ settings that may come from a Secret (valueFrom): credentials, never switches. */
export const GITEA_SECRET_SETTINGS = [
    "security__SECRET_KEY",
    "security__INTERNAL_TOKEN",
    "database__PASSWD",
    "oauth2__JWT_SECRET",
    "server__LFS_JWT_SECRET",
    "mailer__PASSWD",
];
/** Plain env vars of the Gitea image and the bootstrap. */
export const MLAB_PLAIN_ENV = [
    "USER_UID",
    "USER_GID",
    "GITEA_WORK_DIR",
    "GITEA_CUSTOM",
    "GITEA_TEMP",
    "TMPDIR",
    "HOME",
    "TZ",
    "MLAB_ADMIN_USER",
    "MLAB_ADMIN_EMAIL",
];
export const MLAB_SECRET_ENV = ["MLAB_ADMIN_PASSWORD"];
/** Settings that name a host outside the pod. */
const HOST_SETTINGS: Record<string, (v: string) => string | undefined> = {
    database__HOST: (v) => v,
    mailer__SMTP_ADDR: (v) => v,
    mailer__HOST: (v) => v,
    storage__MINIO_ENDPOINT: (v) => v,
    lfs__MINIO_ENDPOINT: (v) => v,
    attachment__MINIO_ENDPOINT: (v) => v,
    packages__MINIO_ENDPOINT: (v) => v,
    cache__HOST: (v) => v,
    session__PROVIDER_CONFIG: (v) => v,
    indexer__ISSUE_INDEXER_CONN_STR: (v) => v,
    indexer__REPO_INDEXER_CONN_STR: (v) => v,
    queue__CONN_STR: (v) => v,
};
const APP_INI_DIR = "/etc/gitea";
/** Log writer modes that stay in the pod ([log] MODE, logger.*.MODE name writers; a writer's MODE is its kind). */
const LOG_MODES = ["console", "file"];

function hostPart(v: string): string {
    const noScheme = v.replace(/^[a-z][a-z0-9+.-]*:\/\//i, "").replace(/^[^@/]*@/, "");
    return noScheme.split("/")[0];
}

function hostAllowed(v: string, cfg: PackConfig): boolean {
    const h = hostPart(v);
    if (h === "" || h === "localhost" || h.startsWith("127.") || h.startsWith("/")) return true;
    const bare = h.replace(/:\d+$/, "");
    return cfg.mlabExternalHosts.some((x) => x === h || x === bare || x.replace(/:\d+$/, "") === bare);
}

function judgeContainer(c: ContainerRef, t: PodTemplate, cfg: PackConfig, f: Findings, prefix: string, volumes: Map<string, any>): void {
    const lbl = `${prefix}MLab ${containerLabel(c)}`;
    const mlabImageRe = new RegExp(cfg.mlabImagePattern, "i");
    const image = c.container.image;
    if (c.field === "ephemeralContainers") {
        f.violation(`${lbl}: an ephemeral container in MLab's pod can read every repository and share its network (no switch)`);
        return;
    }
    if (c.field === "initContainers" && typeof image === "string" && !isUnknown(image) && !mlabImageRe.test(image))
        f.violation(
            `${lbl} runs ${image}: only the Gitea image (mlabImagePattern ${cfg.mlabImagePattern}) may run in MLab's pod, also as its bootstrap (config mlabImagePattern after review)`,
        );
    if (c.container.envFrom !== undefined && list(c.container.envFrom).length > 0)
        f.violation(`${lbl}: envFrom brings settings the pack cannot read (set each as a literal env value; no switch)`);
    list(c.container.env).forEach((e: any) => {
        if (!e || typeof e !== "object" || typeof e.name !== "string") return;
        const name: string = e.name;
        const literal = e.valueFrom === undefined;
        const m = /^GITEA__(.*?)__(.+)$/.exec(name);
        if (m) {
            const key = `${m[1]}__${m[2]}`;
            if (!GITEA_SECTIONS.includes(m[1])) {
                f.violation(
                    `${lbl}: env ${name} sets app.ini section [${m[1]}], outside the sections the pack can judge (${GITEA_SECTIONS.filter(
                        (s) => s,
                    )
                        .slice(0, 6)
                        .join(", ")}, ...; no switch)`,
                );
                return;
            }
            if (!literal) {
                if (!GITEA_SECRET_SETTINGS.includes(key))
                    f.violation(
                        `${lbl}: env ${name} comes from valueFrom: a setting must be a literal value the pack can read (only credentials ${GITEA_SECRET_SETTINGS.join(", ")} may come from Secrets)`,
                    );
                return;
            }
            // A log writer of kind `conn` sends Gitea's logs (paths, users, addresses) over the network. Writer
            // names ([log] MODE, logger.<name>.MODE) are their kinds unless a [log.<name>] section says otherwise,
            // which is itself checked here: every name and kind must be one that stays in the pod.
            if (
                /^log(_0X2E_[A-Za-z0-9_]+)?$/.test(m[1]) &&
                /(^|_0X2E_)MODE$/.test(m[2]) &&
                literal &&
                typeof e.value === "string" &&
                !isUnknown(e.value)
            ) {
                const bad = e.value
                    .split(",")
                    .map((x: string) => x.trim())
                    .filter((x: string) => x !== "" && !LOG_MODES.includes(x));
                if (bad.length > 0)
                    f.violation(
                        `${lbl}: env ${name}=${e.value} names log writer ${bad.join(", ")}: only ${LOG_MODES.join(" and ")} writers keep Gitea's logs in the pod (no switch)`,
                    );
                return;
            }
            if (literal && /^log_0X2E_/.test(m[1]) && m[2] === "ADDR")
                f.violation(
                    `${lbl}: env ${name}=${e.value} gives a log writer a network address: Gitea's logs would leave the pod (no switch)`,
                );
            const check = HOST_SETTINGS[key];
            if (check && typeof e.value === "string" && !isUnknown(e.value) && !hostAllowed(check(e.value) ?? "", cfg))
                f.violation(
                    `${lbl}: env ${name}=${e.value} names an outside host: MLab's data would leave through it. Allow it after review: config mlabExternalHosts: [${hostPart(e.value)}]`,
                );
            return;
        }
        if (name === "GITEA_APP_INI") {
            if (literal && typeof e.value === "string" && e.value.startsWith(`${APP_INI_DIR}/`)) return;
            f.violation(
                `${lbl}: env GITEA_APP_INI=${e.value ?? "(valueFrom)"} moves app.ini away from ${APP_INI_DIR}, where the pack proves it is regenerated from env`,
            );
            return;
        }
        if (MLAB_PLAIN_ENV.includes(name) && literal) return;
        if (MLAB_SECRET_ENV.includes(name)) return;
        f.violation(
            `${lbl}: env ${name} is not in the allow-list of MLab's settings (GITEA__ settings, ${MLAB_PLAIN_ENV.join(", ")}; no switch)`,
        );
    });
    list(c.container.volumeMounts).forEach((vm: any) => {
        if (!vm || typeof vm.mountPath !== "string") return;
        const p = vm.mountPath.replace(/\/+$/, "");
        if (!(p === APP_INI_DIR || p.startsWith(`${APP_INI_DIR}/`) || /app\.ini$/.test(p))) return;
        const vol = volumes.get(vm.name);
        if (vol && vol.emptyDir !== undefined) return;
        f.violation(
            `${lbl}: mounts volume ${vm.name} at ${vm.mountPath}: a mounted app.ini holds settings the pack cannot read (it must be an emptyDir the image fills from env; no switch)`,
        );
    });
    for (const probe of ["livenessProbe", "readinessProbe", "startupProbe"]) {
        if (c.container[probe]?.exec)
            f.violation(`${lbl}: ${probe} runs a command (exec) inside Gitea's pod on every period: use httpGet or tcpSocket (no switch)`);
    }
    for (const hook of ["postStart", "preStop"]) {
        if (c.container.lifecycle?.[hook]?.exec) f.violation(`${lbl}: lifecycle.${hook} runs a command inside Gitea's pod (no switch)`);
    }
    void t;
}

export const mlabClosedWorld = podPolicy({
    name: "mlab-closed-world",
    description:
        "MLab's pods (`mlabSelector`) are a closed world: only the Gitea image (`mlabImagePattern`) runs there, also as the bootstrap init container; no ephemeral containers; no envFrom; " +
        "settings only as GITEA__ env values in known app.ini sections, literal except the credentials Gitea needs; no setting naming an outside database, storage, mailer or cache unless `mlabExternalHosts` lists the host; " +
        "nothing mounted over app.ini (/etc/gitea is an emptyDir the image fills from env); no exec probes or lifecycle hooks. " +
        UNKNOWN_NOTE,
    enforcementLevel: "mandatory",
    severity: "critical",
    config: ["mlabSelector", "mlabImagePattern", "mlabExternalHosts"],
    scope: () => "all-workloads",
    switches: "No switch: MLab's pods are a closed world (config mlabExternalHosts names reviewed outside hosts)",
    remediationSteps: "Configure Gitea with literal GITEA__ env values; keep /etc/gitea an emptyDir; use httpGet probes.",
    check: ({ t, cfg, f, prefix }) => {
        if (!selects(cfg.mlabSelector, t.labels)) return;
        const volumes = new Map<string, any>();
        list(t.spec?.volumes).forEach((v: any) => v && typeof v.name === "string" && volumes.set(v.name, v));
        for (const c of t.containers) judgeContainer(c, t, cfg, f, prefix, volumes);
    },
});
