// MLab: the code service, a hardened Gitea holding the approved projects. TorchPod users clone them
// and push feature branches over http; office computers fetch those branches (see
// ../shared/000_f66a4957b00d80b2.txt, section 3). The only thing a TorchPod may talk to.
//
// What this component creates:
// - in `namespace` (Pod Security restricted): Gitea (rootless, pinned) as a one-replica Deployment
//   with the Recreate strategy on a retained data volume with a stable name; its Service (http and
//   ssh); the Secrets for Gitea's own keys and the admin; and the reconciler: a Job named by a hash of
//   its input that makes Gitea hold exactly the stack's users and projects (components/mlab/reconciler.js);
// - in `torchpodNamespace`: one Secret per user with git credentials and a system gitconfig, which
//   the TorchPod mounts read-only, so `git clone http://<host>/owner/repo` and `git push` just work.
//
// Configuration is environment only (components/mlab/giteaSettings.ts says what and why); app.ini is
// regenerated from it on every start, so a removed setting really goes away.
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import * as random from "@pulumi/random";
import { selectorLabels, workloadLabels } from "@torchpod/contract";
import { restrictedContainerSecurityContext, restrictedPodSecurityContext } from "./podSecurity";
import { giteaEnvName, giteaSettings, hostWithPort } from "./mlab/giteaSettings";
import { PLATFORM_DEFAULTS } from "./defaults";
import {
    GITEA_HTTP_CONTAINER_PORT,
    GITEA_SSH_CONTAINER_PORT,
    GITEA_WORK_DIR,
    MLAB_ADMIN_USER,
    MLAB_CREDENTIALS_PATH,
    imageVersion,
} from "@torchpod/contract";
import { exposureSpec } from "./desktop/service";
import { ExposureConfig, MlabConfig } from "./settings";

export { giteaSettings, giteaEnvName } from "./mlab/giteaSettings";

/** The reconciler script, shipped in a ConfigMap and run by `node` in the reconciler Job. */
export const RECONCILER_SCRIPT_PATH = path.join(__dirname, "mlab", "reconciler.js");
/** The admin bootstrap, run by the Gitea pod's init container. */
export const BOOTSTRAP_SCRIPT_PATH = path.join(__dirname, "mlab", "bootstrap-admin.sh");
/** The team, in every project organisation, that gives the stack's users write access. */
export const MLAB_TEAM = "torchpod-users";
/** The rootless image's user and group. */
const GITEA_UID = 1000;
/** app.ini lives in an emptyDir (regenerated from env on every start); a subdirectory, so docker-setup.sh can chmod it. */
const GITEA_APP_INI = "/etc/gitea/conf/app.ini";

export interface MlabArgs {
    /** Namespace of Gitea, its volume, Secrets and reconciler Job (Pod Security restricted; created elsewhere); no default. */
    readonly namespace: string;
    /** Namespace of the TorchPods, where each user's git credential Secret is created; no default. */
    readonly torchpodNamespace: string;
    /** The resolved `torchpod:mlab` configuration; no default. */
    readonly config: MlabConfig;
    /** TorchPod user names: each gets an MLab account with write access to every project, and a credential Secret; no default. */
    readonly users: readonly string[];
    /** StorageClass of the data volume (`storage.mlabClass`); default: the cluster's default class. */
    readonly storageClass?: string;
    /** Size of the data volume (`storage.mlabSize`; it can only grow); default "50Gi". */
    readonly storageSize?: string;
    /** How the Service is exposed (`exposure`; office computers need to reach it); default ClusterIP, no annotations. */
    readonly exposure?: ExposureConfig;
    /** Office CIDRs: a LoadBalancer Service admits only these (loadBalancerSourceRanges); default none (no cloud-side restriction). */
    readonly officeCidrs?: readonly string[];
}

/** What the reconciler Job is told to make true (the desired-state file it reads). */
export interface ReconcilerDesiredState {
    readonly adminUser: string;
    readonly team: string;
    readonly users: { readonly name: string; readonly email: string }[];
    readonly projects: { readonly owner: string; readonly repo: string; readonly upstream?: string }[];
}

/** The e-mail domain of MLab accounts: the host (Gitea's API wants a dotted domain). */
export function mlabEmailDomain(host: string): string {
    return host.includes(".") ? host : `${host}.local`;
}

/** The reconciler's desired state: users, projects and the managed team. Passwords are not part of it. */
export function reconcilerDesiredState(config: MlabConfig, users: readonly string[]): ReconcilerDesiredState {
    const domain = mlabEmailDomain(config.host);
    return {
        adminUser: MLAB_ADMIN_USER,
        team: MLAB_TEAM,
        users: users.map((name) => ({ name, email: `${name}@${domain}` })),
        projects: config.projects.map((p) => ({ owner: p.owner, repo: p.repo, ...(p.upstream ? { upstream: p.upstream } : {}) })),
    };
}

/**
 * A short hash of everything the reconciler acts on (users, projects, host, script, image), never of
 * passwords: the Job's name carries it, so a change of input runs the reconciler again and nothing
 * else does.
 */
export function reconcilerInputHash(config: MlabConfig, users: readonly string[], script: string): string {
    const input = {
        desired: reconcilerDesiredState(config, users),
        host: config.host,
        httpPort: config.httpPort,
        image: config.reconcilerImage,
        script: crypto.createHash("sha256").update(script).digest("hex"),
    };
    return crypto.createHash("sha256").update(JSON.stringify(input)).digest("hex").slice(0, 10);
}

/** A git credential-store line for one user (the password URL-encoded, as git expects). */
export function gitCredentialsLine(user: string, password: string, host: string, httpPort: number): string {
    return `http://${encodeURIComponent(user)}:${encodeURIComponent(password)}@${hostWithPort(host, httpPort)}\n`;
}

/**
 * The system gitconfig of a TorchPod (mounted at /etc/gitconfig). The credential helper only answers
 * `get` from the read-only credential file: git also asks helpers to `store` and `erase`, which
 * `git credential-store` does by rewriting its file, and that would fail loudly on a read-only mount.
 */
export function gitSystemConfig(user: string, host: string, httpPort: number): string {
    const url = `http://${hostWithPort(host, httpPort)}`;
    return [
        `[credential "${url}"]`,
        `\thelper = "!f() { test \\"$1\\" != get || exec git credential-store --file=${MLAB_CREDENTIALS_PATH}/git-credentials get; }; f"`,
        `[user]`,
        `\tname = ${user}`,
        `\temail = ${user}@${mlabEmailDomain(host)}`,
        `[init]`,
        `\tdefaultBranch = main`,
        "",
    ].join("\n");
}

/** The restricted Pod Security profile; the data volume holds every repository: never chown it recursively on start. */
const podSecurityContext = restrictedPodSecurityContext(GITEA_UID, { fsGroup: GITEA_UID, fsGroupChangePolicy: "OnRootMismatch" });
/** Read-only root: Gitea writes only to its volumes. */
const containerSecurityContext = restrictedContainerSecurityContext(GITEA_UID);

export class Mlab extends pulumi.ComponentResource {
    /** The host name TorchPods and office computers use (config.host). */
    readonly host: string;
    /** The Service's cluster IP: TorchPods map `host` to it in hostAliases (they have no DNS). */
    readonly clusterIp: pulumi.Output<string>;
    /** The Service's http port (config.httpPort). */
    readonly httpPort: number;
    /** The Service's ssh port (config.sshPort). */
    readonly sshPort: number;
    /** Gitea's http container port (NetworkPolicies allow it). */
    readonly httpContainerPort: number = GITEA_HTTP_CONTAINER_PORT;
    /** Gitea's ssh container port (NetworkPolicies allow it). */
    readonly sshContainerPort: number = GITEA_SSH_CONTAINER_PORT;
    /** Base of http clone URLs, e.g. http://mlab.example.internal/ (append owner/repo). */
    readonly httpUrl: pulumi.Output<string>;
    /** Base of ssh clone URLs, e.g. ssh://git@mlab.example.internal/ (append owner/repo.git). */
    readonly sshUrl: pulumi.Output<string>;
    /** Per approved project (`owner/repo`), its http and ssh clone URLs. */
    readonly cloneUrls: pulumi.Output<Record<string, { readonly http: string; readonly ssh: string }>>;
    /** The admin's password (secret). */
    readonly adminPassword: pulumi.Output<string>;
    /**
     * Each user's MLab password, by user (secret): TorchPods have it mounted, but the office computer
     * that fetches the user's branches (`git fetch mlab`) needs it too, and an admin hands it out.
     */
    readonly userPasswords: pulumi.Output<Record<string, string>>;
    /** The Service's name in `namespace`. */
    readonly serviceName: string;
    /** Labels of the Gitea pods (for NetworkPolicy peers). */
    readonly podLabels: Record<string, string>;
    /** The reconciler Job's name (`<name>-reconcile-<hash of its input>`). */
    readonly reconcileJobName: string;
    /** The Gitea Deployment, the Service and the reconciler Job (to depend on). */
    readonly deployment: k8s.apps.v1.Deployment;
    readonly service: k8s.core.v1.Service;
    readonly reconcileJob: k8s.batch.v1.Job;

    private readonly prefix: string;
    private readonly credentialSecrets = new Map<string, k8s.core.v1.Secret>();

    constructor(name: string, args: MlabArgs, opts?: pulumi.ComponentResourceOptions) {
        super("torchpod:index:Mlab", name, {}, opts);
        // Defaults, in one place. The config itself was validated by stacks/config.ts (Gitea's
        // reserved names, port clashes, pinned images): nothing here throws after registering.
        const storageClass = args.storageClass; // undefined: the cluster default class
        const storageSize = args.storageSize ?? PLATFORM_DEFAULTS.storage.mlabSize;
        const exposure: ExposureConfig = args.exposure ?? PLATFORM_DEFAULTS.exposure;
        const officeCidrs = args.officeCidrs ?? [];

        const { config, namespace, torchpodNamespace, users } = args;
        this.prefix = name;
        this.host = config.host;
        this.httpPort = config.httpPort;
        this.sshPort = config.sshPort;
        this.serviceName = name;
        this.podLabels = workloadLabels("mlab", name, imageVersion(config.image));
        const labels = workloadLabels("mlab", name);
        const reconcilerLabels = workloadLabels("mlab-reconciler", name);
        const emailDomain = mlabEmailDomain(config.host);

        // --- Secrets: random, stable in state, never literals ---------------------------------------
        const password = (id: string, length: number) =>
            new random.RandomPassword(
                `${name}-${id}`,
                {
                    length,
                    special: false,
                    minLower: 1,
                    minUpper: 1,
                    minNumeric: 1,
                },
                { parent: this },
            );
        const adminPw = password("admin-password", 32);
        // SECRET_KEY encrypts secrets in Gitea's database; INTERNAL_TOKEN authenticates Gitea's own
        // hooks and ssh to its web process. Both must be stable: random once, kept in a Secret.
        const secretKey = password("secret-key", 64);
        const internalToken = password("internal-token", 64);
        const giteaSecret = new k8s.core.v1.Secret(
            `${name}-gitea`,
            {
                metadata: { name: `${name}-gitea`, namespace, labels },
                type: "Opaque",
                stringData: { "secret-key": secretKey.result, "internal-token": internalToken.result },
            },
            { parent: this },
        );
        const adminSecret = new k8s.core.v1.Secret(
            `${name}-admin`,
            {
                metadata: { name: `${name}-admin`, namespace, labels },
                type: "Opaque",
                stringData: { username: MLAB_ADMIN_USER, password: adminPw.result },
            },
            { parent: this },
        );

        // --- The data volume: stable name, retained, never replaced by a config change -------------
        const pvc = new k8s.core.v1.PersistentVolumeClaim(
            `${name}-data`,
            {
                metadata: { name: `${name}-data`, namespace, labels },
                spec: {
                    accessModes: ["ReadWriteOnce"],
                    ...(storageClass ? { storageClassName: storageClass } : {}),
                    resources: { requests: { storage: storageSize } },
                },
            },
            {
                parent: this,
                // Removing MLab from the stack (or the stack) leaves the repositories on the cluster.
                retainOnDelete: true,
                // These fields are immutable: a changed storage class must not replace (and empty) the
                // volume. The size stays managed: growing it is an in-place update.
                ignoreChanges: [
                    "spec.storageClassName",
                    "spec.accessModes",
                    "spec.volumeMode",
                    "spec.selector",
                    "spec.volumeName",
                    "spec.dataSource",
                    "spec.dataSourceRef",
                ],
            },
        );

        // --- Gitea -----------------------------------------------------------------------------------
        const secretEnv = (envName: string, secretName: pulumi.Input<string>, key: string) => ({
            name: envName,
            valueFrom: { secretKeyRef: { name: secretName, key } },
        });
        const settings = giteaSettings(config);
        const env = [
            // The image's own variables, pointed at the writable volumes (read-only root file system).
            { name: "GITEA_APP_INI", value: GITEA_APP_INI },
            { name: "GITEA_WORK_DIR", value: GITEA_WORK_DIR },
            { name: "GITEA_TEMP", value: "/tmp/gitea" },
            { name: "TMPDIR", value: "/tmp/gitea" },
            { name: "HOME", value: `${GITEA_WORK_DIR}/git` },
            ...settings.map((s) => ({ name: giteaEnvName(s.section, s.key), value: s.value })),
            secretEnv(giteaEnvName("security", "SECRET_KEY"), giteaSecret.metadata.name, "secret-key"),
            secretEnv(giteaEnvName("security", "INTERNAL_TOKEN"), giteaSecret.metadata.name, "internal-token"),
            ...(config.database.type === "postgres"
                ? [secretEnv(giteaEnvName("database", "PASSWD"), config.database.passwordSecret.name, config.database.passwordSecret.key)]
                : []),
        ];
        const resources = {
            requests: { cpu: config.resources.cpuRequest, memory: config.resources.memoryRequest },
            limits: { cpu: config.resources.cpuLimit, memory: config.resources.memoryLimit },
        };
        const volumeMounts = [
            { name: "data", mountPath: GITEA_WORK_DIR },
            { name: "config", mountPath: "/etc/gitea" },
            { name: "tmp", mountPath: "/tmp" },
        ];
        const healthz = { httpGet: { path: "/api/healthz", port: "http" } };
        const selector = selectorLabels("mlab", name);
        this.deployment = new k8s.apps.v1.Deployment(
            name,
            {
                metadata: { name, namespace, labels: this.podLabels },
                spec: {
                    replicas: 1,
                    // One writer of the volume (ReadWriteOnce, SQLite): stop the old pod before the new one.
                    strategy: { type: "Recreate" },
                    revisionHistoryLimit: 3,
                    selector: { matchLabels: selector },
                    template: {
                        metadata: { labels: { ...this.podLabels, ...selector } },
                        spec: {
                            automountServiceAccountToken: false,
                            enableServiceLinks: false,
                            securityContext: podSecurityContext,
                            initContainers: [
                                {
                                    // Through the image's entrypoint (args only): docker-setup.sh writes app.ini first.
                                    name: "bootstrap-admin",
                                    image: config.image,
                                    args: ["/bin/sh", "-c", fs.readFileSync(BOOTSTRAP_SCRIPT_PATH, "utf8")],
                                    env: [
                                        ...env,
                                        { name: "MLAB_ADMIN_USER", value: MLAB_ADMIN_USER },
                                        { name: "MLAB_ADMIN_EMAIL", value: `${MLAB_ADMIN_USER}@${emailDomain}` },
                                        secretEnv("MLAB_ADMIN_PASSWORD", adminSecret.metadata.name, "password"),
                                    ],
                                    securityContext: containerSecurityContext,
                                    resources,
                                    volumeMounts,
                                },
                            ],
                            containers: [
                                {
                                    name: "gitea",
                                    image: config.image,
                                    env,
                                    ports: [
                                        { name: "http", containerPort: GITEA_HTTP_CONTAINER_PORT, protocol: "TCP" },
                                        { name: "ssh", containerPort: GITEA_SSH_CONTAINER_PORT, protocol: "TCP" },
                                    ],
                                    // Schema migrations after an upgrade can take minutes: the startup probe covers them.
                                    startupProbe: { ...healthz, periodSeconds: 5, timeoutSeconds: 5, failureThreshold: 120 },
                                    readinessProbe: { ...healthz, periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 3 },
                                    livenessProbe: { ...healthz, periodSeconds: 20, timeoutSeconds: 5, failureThreshold: 6 },
                                    securityContext: containerSecurityContext,
                                    resources,
                                    volumeMounts,
                                },
                            ],
                            volumes: [
                                { name: "data", persistentVolumeClaim: { claimName: pvc.metadata.name } },
                                // app.ini, regenerated from the environment on every start.
                                { name: "config", emptyDir: { sizeLimit: "16Mi" } },
                                { name: "tmp", emptyDir: { sizeLimit: "2Gi" } },
                            ],
                        },
                    },
                },
            },
            { parent: this },
        );

        this.service = new k8s.core.v1.Service(
            name,
            {
                metadata: {
                    name,
                    namespace,
                    labels,
                    // Load balancer annotations are for load balancers, as on the TorchPods' Services.
                    ...(exposure.type === "LoadBalancer" && Object.keys(exposure.annotations).length > 0
                        ? { annotations: { ...exposure.annotations } }
                        : {}),
                },
                spec: {
                    selector,
                    ports: [
                        { name: "http", port: config.httpPort, targetPort: GITEA_HTTP_CONTAINER_PORT, protocol: "TCP" },
                        { name: "ssh", port: config.sshPort, targetPort: GITEA_SSH_CONTAINER_PORT, protocol: "TCP" },
                    ],
                    // Same rules as the TorchPods' Services: office networks only, no NodePorts, and
                    // externalTrafficPolicy Local, without which the load balancer's traffic arrives
                    // SNATed to a node address and MLab's office ipBlock ingress rule never matches it.
                    ...exposureSpec(exposure, officeCidrs),
                },
            },
            { parent: this },
        );
        this.clusterIp = this.service.spec.clusterIP;

        // --- Accounts: a random password per user, as TorchPod-side git credentials ---------------
        const userPasswords = new Map<string, pulumi.Output<string>>();
        for (const user of users) {
            const pw = password(`user-${user}-password`, 32);
            userPasswords.set(user, pw.result);
            this.credentialSecrets.set(
                user,
                new k8s.core.v1.Secret(
                    `${name}-git-${user}`,
                    {
                        metadata: {
                            name: this.userCredentialSecretName(user),
                            namespace: torchpodNamespace,
                            labels: { ...labels, "torchpod.dev/user": user },
                        },
                        type: "Opaque",
                        stringData: {
                            "git-credentials": pw.result.apply((p) => gitCredentialsLine(user, p, config.host, config.httpPort)),
                            gitconfig: gitSystemConfig(user, config.host, config.httpPort),
                        },
                    },
                    { parent: this },
                ),
            );
        }

        // --- The reconciler Job --------------------------------------------------------------------
        const script = fs.readFileSync(RECONCILER_SCRIPT_PATH, "utf8");
        const hash = reconcilerInputHash(config, users, script);
        this.reconcileJobName = `${name}-reconcile-${hash}`;
        const reconcilerSecret = new k8s.core.v1.Secret(
            `${name}-reconciler`,
            {
                metadata: { name: `${name}-reconciler`, namespace, labels: reconcilerLabels },
                type: "Opaque",
                stringData: {
                    "admin-password": adminPw.result,
                    ...Object.fromEntries([...userPasswords].map(([user, pw]) => [`user.${user}`, pw])),
                },
            },
            { parent: this },
        );
        const reconcilerConfig = new k8s.core.v1.ConfigMap(
            `${name}-reconciler`,
            {
                metadata: { name: `${name}-reconciler-${hash}`, namespace, labels: reconcilerLabels },
                immutable: true,
                data: {
                    "reconciler.js": script,
                    "desired.json": JSON.stringify(reconcilerDesiredState(config, users), null, 2) + "\n",
                },
            },
            { parent: this },
        );
        const giteaUrl = this.clusterIp.apply((ip) => `http://${ip.includes(":") ? `[${ip}]` : ip}:${config.httpPort}`);
        this.reconcileJob = new k8s.batch.v1.Job(
            `${name}-reconcile`,
            {
                metadata: {
                    name: this.reconcileJobName,
                    namespace,
                    labels: reconcilerLabels,
                    // Pulumi waits for the Job and fails the update when it fails. Without this, a failed
                    // Job (say, an upstream that was down during an import) would fail every later
                    // update with the same input; with it, the next `pulumi up` runs it again.
                    annotations: { "pulumi.com/replaceUnready": "true" },
                },
                spec: {
                    // Each pod waits for Gitea and is idempotent: a retry picks up where a failure left off.
                    backoffLimit: 3,
                    // Imports of large upstreams happen inside this Job.
                    activeDeadlineSeconds: 2 * 60 * 60,
                    template: {
                        metadata: { labels: reconcilerLabels },
                        spec: {
                            restartPolicy: "Never",
                            automountServiceAccountToken: false,
                            enableServiceLinks: false,
                            securityContext: podSecurityContext,
                            containers: [
                                {
                                    name: "reconciler",
                                    image: config.reconcilerImage,
                                    command: ["node", "/opt/mlab-reconciler/reconciler.js"],
                                    env: [
                                        // The Service's cluster IP: the reconciler needs no DNS.
                                        { name: "MLAB_URL", value: giteaUrl },
                                        { name: "MLAB_DESIRED_STATE", value: "/opt/mlab-reconciler/desired.json" },
                                        { name: "MLAB_CREDENTIALS_DIR", value: "/etc/mlab-reconciler/credentials" },
                                    ],
                                    securityContext: containerSecurityContext,
                                    resources: { requests: { cpu: "10m", memory: "32Mi" }, limits: { cpu: "500m", memory: "128Mi" } },
                                    volumeMounts: [
                                        { name: "script", mountPath: "/opt/mlab-reconciler", readOnly: true },
                                        { name: "secrets", mountPath: "/etc/mlab-reconciler/credentials", readOnly: true },
                                    ],
                                },
                            ],
                            volumes: [
                                { name: "script", configMap: { name: reconcilerConfig.metadata.name, defaultMode: 0o444 } },
                                // Group-readable: the files belong to root and the pod's fsGroup.
                                { name: "secrets", secret: { secretName: reconcilerSecret.metadata.name, defaultMode: 0o440 } },
                            ],
                        },
                    },
                },
            },
            {
                parent: this,
                // After Gitea is up (Pulumi waits for the Deployment to be ready) and the admin exists.
                dependsOn: [this.deployment, this.service, reconcilerSecret, reconcilerConfig],
                // Same name, changed spec (e.g. a new cluster IP): a Job is immutable, delete it first.
                deleteBeforeReplace: true,
                // Pulumi's default wait is 10 minutes; imports of large upstreams take longer.
                customTimeouts: { create: "2h", update: "2h" },
            },
        );

        const httpBase = `http://${hostWithPort(config.host, config.httpPort)}/`;
        const sshBase = config.sshPort === 22 ? `ssh://git@${config.host}/` : `ssh://git@${config.host}:${config.sshPort}/`;
        this.httpUrl = pulumi.output(httpBase);
        this.sshUrl = pulumi.output(sshBase);
        this.cloneUrls = pulumi.output(
            Object.fromEntries(
                config.projects.map((p) => {
                    const full = `${p.owner}/${p.repo}`;
                    return [full, { http: `${httpBase}${full}.git`, ssh: `${sshBase}${full}.git` }];
                }),
            ),
        );
        this.adminPassword = pulumi.secret(adminPw.result);
        this.userPasswords = pulumi.secret(pulumi.all(Object.fromEntries(userPasswords)));

        this.registerOutputs({
            host: this.host,
            clusterIp: this.clusterIp,
            httpUrl: this.httpUrl,
            sshUrl: this.sshUrl,
            cloneUrls: this.cloneUrls,
            adminPassword: this.adminPassword,
            userPasswords: this.userPasswords,
            reconcileJobName: this.reconcileJobName,
        });
    }

    /** The Secret (in the TorchPod namespace) holding `git-credentials` and `gitconfig` for one user. Stable. */
    userCredentialSecretName(user: string): string {
        return `${this.prefix}-git-${user}`;
    }

    /**
     * That Secret's name as an Output, so a TorchPod that mounts it waits for exactly that Secret
     * (depending on the whole MLab component instead would wait on every user's objects).
     */
    userCredentialSecretRef(user: string): pulumi.Output<string> {
        const secret = this.credentialSecrets.get(user);
        if (!secret) throw new Error(`MLab has no account for user '${user}' (users: ${[...this.credentialSecrets.keys()].join(", ")})`);
        return secret.metadata.name;
    }
}
