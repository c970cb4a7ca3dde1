// MLab's Gitea: its keys (Secrets), the retained data volume, the one-replica Deployment (rootless,
// pinned, read-only root, restricted Pod Security) with the admin bootstrap as init container, and the
// Service (http and ssh). Configuration is environment only (./giteaSettings.ts says what and why);
// app.ini is regenerated from it on every start, so a removed setting really goes away, and every
// secret Gitea would otherwise generate into that regenerated file comes from a Secret instead.
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import * as random from "@pulumi/random";
import {
    GITEA_HTTP_CONTAINER_PORT,
    GITEA_SSH_CONTAINER_PORT,
    GITEA_WORK_DIR,
    MLAB_ADMIN_USER,
    MLAB_DATA_CLAIM_NAME,
    selectorLabels,
} from "@torchpod/contract";
import { restrictedContainerSecurityContext, restrictedPodSecurityContext } from "../podSecurity";
import { exposureSpec } from "../desktop/service";
import { ExposureConfig, MlabConfig } from "../settings";
import { giteaEnvName, giteaSettings } from "./giteaSettings";
import { mlabPassword } from "./accounts";
import { mlabDatabaseEndpoint } from "./database";

/** The admin bootstrap, run by the Gitea pod's init container. */
export const BOOTSTRAP_SCRIPT_PATH = path.join(__dirname, "bootstrap-admin.sh");
/** The rootless image's user and group. */
export const GITEA_UID = 1000;
/** app.ini lives in an emptyDir (regenerated from env on every start); a subdirectory, so docker-setup.sh can chmod it. */
const GITEA_APP_INI = "/etc/gitea/conf/app.ini";

/** The restricted Pod Security profile; the data volume holds every repository: never chown it recursively on start. */
export const giteaPodSecurityContext = restrictedPodSecurityContext(GITEA_UID, {
    fsGroup: GITEA_UID,
    fsGroupChangePolicy: "OnRootMismatch",
});
/** Read-only root: Gitea (and the Jobs beside it) write only to their volumes. */
export const giteaContainerSecurityContext = restrictedContainerSecurityContext(GITEA_UID);

/**
 * Gitea 1.22's JWT secret format ([oauth2] JWT_SECRET, generate.DecodeJwtSecret): 32 bytes in
 * unpadded base64url. `base64` is the standard (padded) encoding RandomBytes gives.
 */
export function jwtSecretFromBase64(base64: string): string {
    return base64.replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

export interface GiteaArgs {
    /** The MLab component's name: Deployment and Service name, prefix of the others. */
    readonly name: string;
    readonly namespace: pulumi.Input<string>;
    readonly config: MlabConfig;
    readonly storageClass?: string;
    readonly storageSize: string;
    readonly exposure: ExposureConfig;
    readonly officeCidrs: readonly string[];
    /** Labels of the objects around Gitea. */
    readonly labels: Record<string, string>;
    /** Labels of Gitea's pods (with the version). */
    readonly podLabels: Record<string, string>;
    readonly emailDomain: string;
}

export interface GiteaResources {
    readonly adminPassword: pulumi.Output<string>;
    readonly dataClaim: k8s.core.v1.PersistentVolumeClaim;
    readonly deployment: k8s.apps.v1.Deployment;
    readonly service: k8s.core.v1.Service;
}

export function giteaServer(args: GiteaArgs, parent: pulumi.Resource): GiteaResources {
    const { name, namespace, config, labels } = args;
    const adminPw = mlabPassword(`${name}-admin-password`, 32, parent);
    // SECRET_KEY encrypts secrets in Gitea's database; INTERNAL_TOKEN authenticates Gitea's own hooks
    // and ssh to its web process; JWT_SECRET signs CSRF, account and (were it on) OAuth2 tokens: Gitea
    // 1.22 generates one into app.ini whenever it finds none, even with [oauth2] ENABLED=false, and an
    // app.ini in an emptyDir would get a new one on every start (open forms then fail once). All three
    // must be stable: random once, kept in a Secret.
    const secretKey = mlabPassword(`${name}-secret-key`, 64, parent);
    const internalToken = mlabPassword(`${name}-internal-token`, 64, parent);
    const jwt = new random.RandomBytes(`${name}-jwt-secret`, { length: 32 }, { parent });
    const giteaSecret = new k8s.core.v1.Secret(
        `${name}-gitea`,
        {
            metadata: { name: `${name}-gitea`, namespace, labels },
            type: "Opaque",
            stringData: {
                "secret-key": secretKey.result,
                "internal-token": internalToken.result,
                "jwt-secret": jwt.base64.apply(jwtSecretFromBase64),
            },
        },
        { parent },
    );
    const adminSecret = new k8s.core.v1.Secret(
        `${name}-admin`,
        {
            metadata: { name: `${name}-admin`, namespace, labels },
            type: "Opaque",
            stringData: { username: MLAB_ADMIN_USER, password: adminPw.result },
        },
        { parent },
    );

    // --- The data volume: stable name, retained, never replaced by a config change ----------------
    const dataClaim = new k8s.core.v1.PersistentVolumeClaim(
        `${name}-data`,
        {
            metadata: { name: MLAB_DATA_CLAIM_NAME, namespace, labels },
            spec: {
                accessModes: ["ReadWriteOnce"],
                ...(args.storageClass ? { storageClassName: args.storageClass } : {}),
                resources: { requests: { storage: args.storageSize } },
            },
        },
        {
            parent,
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

    // --- Gitea -------------------------------------------------------------------------------------
    const secretEnv = (envName: string, secretName: pulumi.Input<string>, key: string) => ({
        name: envName,
        valueFrom: { secretKeyRef: { name: secretName, key } },
    });
    const database = mlabDatabaseEndpoint(config.database);
    const env = [
        // The image's own variables, pointed at the writable volumes (read-only root file system).
        { name: "GITEA_APP_INI", value: GITEA_APP_INI },
        { name: "GITEA_WORK_DIR", value: GITEA_WORK_DIR },
        { name: "GITEA_TEMP", value: "/tmp/gitea" },
        { name: "TMPDIR", value: "/tmp/gitea" },
        { name: "HOME", value: `${GITEA_WORK_DIR}/git` },
        ...giteaSettings(config).map((s) => ({ name: giteaEnvName(s.section, s.key), value: s.value })),
        secretEnv(giteaEnvName("security", "SECRET_KEY"), giteaSecret.metadata.name, "secret-key"),
        secretEnv(giteaEnvName("security", "INTERNAL_TOKEN"), giteaSecret.metadata.name, "internal-token"),
        secretEnv(giteaEnvName("oauth2", "JWT_SECRET"), giteaSecret.metadata.name, "jwt-secret"),
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
    const deployment = new k8s.apps.v1.Deployment(
        name,
        {
            metadata: { name, namespace, labels: args.podLabels },
            spec: {
                replicas: 1,
                // One writer of the volume (ReadWriteOnce, SQLite): stop the old pod before the new one.
                strategy: { type: "Recreate" },
                revisionHistoryLimit: 3,
                selector: { matchLabels: selector },
                template: {
                    metadata: { labels: { ...args.podLabels, ...selector } },
                    spec: {
                        automountServiceAccountToken: false,
                        enableServiceLinks: false,
                        securityContext: giteaPodSecurityContext,
                        // MLab has no DNS: a database named by host name is mapped to its address here.
                        ...(database?.hostAlias ? { hostAliases: [{ ip: database.ip, hostnames: [database.hostAlias] }] } : {}),
                        initContainers: [
                            {
                                // Through the image's entrypoint (args only): docker-setup.sh writes app.ini first.
                                name: "bootstrap-admin",
                                image: config.image,
                                args: ["/bin/sh", "-c", fs.readFileSync(BOOTSTRAP_SCRIPT_PATH, "utf8")],
                                env: [
                                    ...env,
                                    { name: "MLAB_ADMIN_USER", value: MLAB_ADMIN_USER },
                                    { name: "MLAB_ADMIN_EMAIL", value: `${MLAB_ADMIN_USER}@${args.emailDomain}` },
                                    secretEnv("MLAB_ADMIN_PASSWORD", adminSecret.metadata.name, "password"),
                                ],
                                securityContext: giteaContainerSecurityContext,
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
                                securityContext: giteaContainerSecurityContext,
                                resources,
                                volumeMounts,
                            },
                        ],
                        volumes: [
                            { name: "data", persistentVolumeClaim: { claimName: dataClaim.metadata.name } },
                            // app.ini, regenerated from the environment on every start.
                            { name: "config", emptyDir: { sizeLimit: "16Mi" } },
                            { name: "tmp", emptyDir: { sizeLimit: "2Gi" } },
                        ],
                    },
                },
            },
        },
        { parent },
    );

    const exposure = args.exposure;
    const service = new k8s.core.v1.Service(
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
                ...exposureSpec(exposure, args.officeCidrs),
            },
        },
        { parent },
    );
    return { adminPassword: adminPw.result, dataClaim, deployment, service };
}
