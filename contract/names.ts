// Kubernetes object names and account names the platform owns. Names are explicit and stable: a
// config change never renames (and so never replaces) a volume.

/** The airlock share's claim, in the TorchPod namespace. */
export const AIRLOCK_CLAIM_NAME = "airlock-share";

/** MLab's data volume claim, in the MLab namespace. */
export const MLAB_DATA_CLAIM_NAME = "mlab-data";

/** The prefix of every user's home claim: `home-<user>`. */
export const HOME_CLAIM_PREFIX = "home-";

/** The ConfigMap of the browser proxy's Caddyfile that the platform shares per namespace. */
export const SHARED_PROXY_CONFIG_NAME = "browser-proxy";

/** The names of one user's objects. */
export function torchpodNames(user: string) {
    return {
        deployment: `torchpod-${user}`,
        service: `torchpod-${user}`,
        secret: `torchpod-${user}-credentials`,
        proxyConfig: `torchpod-${user}-proxy`,
        home: `${HOME_CLAIM_PREFIX}${user}`,
    };
}

/** The Airlock's objects (one per stack). */
export const AIRLOCK_NAMES = {
    deployment: "airlock",
    service: "airlock",
    secret: "airlock-credentials",
    proxyConfig: "airlock-proxy",
    share: AIRLOCK_CLAIM_NAME,
} as const;

/**
 * The Airlock's audit trail (one per stack, in the TorchPod namespace): the writer's Deployment, its
 * append-only log volume (no user-facing pod mounts it), the sftp session logs the Airlock's sshd
 * writes (the writer reads them to tell sftp uploads apart), and the ConfigMaps of both sides.
 */
export const AIRLOCK_AUDIT_NAMES = {
    deployment: "airlock-audit",
    claim: "airlock-audit",
    sftpLogClaim: "airlock-sftp-log",
    script: "airlock-audit-writer",
    sftpConfig: "airlock-sftp-audit",
} as const;

/**
 * The working-hours schedule: the one in-cluster actor with API rights. It lives in a namespace of its
 * own (never the TorchPod namespace), and its service account may only scale the TorchPod Deployments
 * it is given by name (WORKING_HOURS_RULE with their resourceNames), through a RoleBinding in the
 * TorchPod namespace. The pack knows it by these names.
 */
export const WORKING_HOURS_NAMES = {
    /** Its own namespace (fixed: the pack knows the actor by its service account there). */
    namespace: "torchpod-schedule",
    serviceAccount: "torchpod-schedule",
    /** The Role and RoleBinding, in the TorchPod namespace. */
    role: "torchpod-schedule",
    start: "torchpod-schedule-start",
    stop: "torchpod-schedule-stop",
    script: "torchpod-schedule-script",
    /** NetworkPolicies of its namespace. */
    denyAll: "default-deny",
    apiServer: "working-hours-api-server",
} as const;

/** Exactly the API rights of the working-hours actor, on the named TorchPod Deployments only (resourceNames). */
export const WORKING_HOURS_RULE = {
    apiGroups: ["apps"],
    resources: ["deployments/scale"],
    verbs: ["get", "patch", "update"],
} as const;

/** Gitea's administrator ("admin" itself is a reserved name in Gitea). */
export const MLAB_ADMIN_USER = "mlab-admin";

/** Prefix of MLab's import accounts (one per approved upstream, `mlab-import-<hash>`): no user or organisation may take it. */
export const MLAB_IMPORTER_PREFIX = "mlab-import-";

/**
 * Names Gitea 1.22 refuses for users and organisations (models/user: reservedUsernames), so the
 * stack config can reject them before anything is deployed.
 */
export const GITEA_RESERVED_NAMES: readonly string[] = [
    ".",
    "..",
    ".well-known",
    "admin",
    "api",
    "assets",
    "attachments",
    "avatar",
    "avatars",
    "captcha",
    "commits",
    "debug",
    "error",
    "explore",
    "favicon.ico",
    "ghost",
    "gitea-actions",
    "issues",
    "login",
    "manifest.json",
    "metrics",
    "milestones",
    "new",
    "notifications",
    "org",
    "pulls",
    "raw",
    "repo",
    "repo-avatars",
    "robots.txt",
    "search",
    "serviceworker.js",
    "ssh_info",
    "swagger.v1.json",
    "user",
    "v2",
];
/** Suffixes Gitea 1.22 refuses in user and organisation names (reservedUserPatterns). */
export const GITEA_RESERVED_SUFFIXES: readonly string[] = [".keys", ".gpg", ".rss", ".atom", ".png"];

/** True when Gitea (or MLab's own admin) owns the name: no user or organisation may take it. Case-insensitive, as Gitea is. */
export function isGiteaReservedName(name: string): boolean {
    const lower = name.toLowerCase();
    return (
        lower === MLAB_ADMIN_USER ||
        lower.startsWith(MLAB_IMPORTER_PREFIX) ||
        GITEA_RESERVED_NAMES.includes(lower) ||
        GITEA_RESERVED_SUFFIXES.some((s) => lower.endsWith(s))
    );
}

/** Keys of a user's MLab credential Secret, which MLab creates and the TorchPod mounts. */
export const MLAB_CREDENTIAL_KEYS = { gitconfig: "gitconfig", gitCredentials: "git-credentials" } as const;
