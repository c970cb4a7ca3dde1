// MLab's Jobs: the reconciler, which holds the admin credential and reaches only Gitea's http port, and
// one importer per approved project with an upstream, which clones the upstream and pushes it into the
// empty repository the reconciler created, with an account that can write that one repository only.
//
//   reconciler (node, ./reconciler.js)   users, organisations, the users' team, empty repositories, the
//                                        import accounts of still-empty repositories (and their removal)
//   importer (Gitea image's git, ./importer.sh)
//                                        cluster DNS + TCP 443 to the internet (the upstream) + Gitea http
//
// Gitea itself never fetches anything (migrations are off, MLab has no egress). Both Jobs reach Gitea by
// the Service's cluster IP, so neither needs DNS for it. Each Job is named by a hash of its input: a
// change of input runs it again, and nothing else does.
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { MLAB_ADMIN_USER, MLAB_IMPORTER_PREFIX } from "@torchpod/contract";
import { MlabConfig, MlabProject } from "../common/settings";
import { mlabEmailDomain, mlabPassword } from "./accounts";
import { giteaContainerSecurityContext, giteaPodSecurityContext } from "./gitea";

/** The reconciler script, shipped in a ConfigMap and run by `node` in the reconciler Job. */
export const RECONCILER_SCRIPT_PATH = path.join(__dirname, "reconciler.js");
/** The importer script, run by `/bin/sh` in each importer Job (the Gitea image, for its git). */
export const IMPORTER_SCRIPT_PATH = path.join(__dirname, "importer.sh");
/** The team, in every project organisation, that gives the stack's users write access. */
export const MLAB_TEAM = "torchpod-users";

/** What the reconciler Job is told to make true (the desired-state file it reads). */
export interface ReconcilerDesiredState {
    readonly adminUser: string;
    readonly team: string;
    readonly emailDomain: string;
    readonly users: { readonly name: string; readonly email: string }[];
    readonly projects: { readonly owner: string; readonly repo: string; readonly upstream?: string; readonly importer?: string }[];
}

/**
 * The Gitea account that imports one project (`mlab-import-<10 hex digits of owner/repo>`): a name no
 * user or organisation can take (the config layer reserves the prefix), at most 22 characters.
 */
export function importerAccountName(project: Pick<MlabProject, "owner" | "repo">): string {
    const key = `${project.owner}/${project.repo}`.toLowerCase();
    return `${MLAB_IMPORTER_PREFIX}${crypto.createHash("sha256").update(key).digest("hex").slice(0, 10)}`;
}

/** The reconciler's desired state: users, projects (with their import accounts) and the managed team. No passwords. */
export function reconcilerDesiredState(config: MlabConfig, users: readonly string[]): ReconcilerDesiredState {
    const domain = mlabEmailDomain(config.host);
    return {
        adminUser: MLAB_ADMIN_USER,
        team: MLAB_TEAM,
        emailDomain: domain,
        users: users.map((name) => ({ name, email: `${name}@${domain}` })),
        projects: config.projects.map((p) => ({
            owner: p.owner,
            repo: p.repo,
            ...(p.upstream ? { upstream: p.upstream, importer: importerAccountName(p) } : {}),
        })),
    };
}

const sha = (s: string) => crypto.createHash("sha256").update(s).digest("hex");

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
        script: sha(script),
    };
    return sha(JSON.stringify(input)).slice(0, 10);
}

/** A short hash of one import's input (project, upstream, account, script, image): the importer Job's name carries it. */
export function importerInputHash(config: MlabConfig, project: MlabProject, script: string): string {
    const input = { project: `${project.owner}/${project.repo}`, upstream: project.upstream, image: config.image, script: sha(script) };
    return sha(JSON.stringify(input)).slice(0, 8);
}

export interface MlabJobsArgs {
    readonly name: string;
    readonly namespace: pulumi.Input<string>;
    readonly config: MlabConfig;
    readonly users: readonly string[];
    readonly userPasswords: ReadonlyMap<string, pulumi.Output<string>>;
    readonly adminPassword: pulumi.Output<string>;
    /** Gitea's base URL by the Service's cluster IP, e.g. http://10.96.3.4:80. */
    readonly giteaUrl: pulumi.Output<string>;
    readonly reconcilerLabels: Record<string, string>;
    readonly importerLabels: Record<string, string>;
    /** Scratch space of an importer (the clone): the data volume's size, since no import can be larger. */
    readonly importWorkSize: string;
    /** What the reconciler waits for (Gitea's Deployment and Service). */
    readonly after: pulumi.Resource[];
}

export interface MlabJobs {
    readonly reconcileJobName: string;
    readonly reconcileJob: k8s.batch.v1.Job;
    /** Importer Jobs by `owner/repo`. */
    readonly importJobs: ReadonlyMap<string, k8s.batch.v1.Job>;
}

/** Pulumi waits for a Job and fails the update when it fails; with this, the next `pulumi up` runs a failed Job again. */
const RERUN_WHEN_FAILED = { "pulumi.com/replaceUnready": "true" };

export function mlabJobs(args: MlabJobsArgs, parent: pulumi.Resource): MlabJobs {
    const { name, namespace, config, users } = args;

    // --- Import accounts: one random password per project with an upstream, rotated with its upstream -----
    const imports = config.projects
        .filter((p) => p.upstream)
        .map((project) => {
            const account = importerAccountName(project);
            const password = mlabPassword(`${name}-import-${account.slice(MLAB_IMPORTER_PREFIX.length)}-password`, 32, parent, {
                project: `${project.owner}/${project.repo}`,
                upstream: project.upstream!,
            });
            return { project, account, password: password.result };
        });

    // --- The reconciler --------------------------------------------------------------------------------
    const script = fs.readFileSync(RECONCILER_SCRIPT_PATH, "utf8");
    const hash = reconcilerInputHash(config, users, script);
    const reconcileJobName = `${name}-reconcile-${hash}`;
    const reconcilerSecret = new k8s.core.v1.Secret(
        `${name}-reconciler`,
        {
            metadata: { name: `${name}-reconciler`, namespace, labels: args.reconcilerLabels },
            type: "Opaque",
            stringData: {
                "admin-password": args.adminPassword,
                ...Object.fromEntries([...args.userPasswords].map(([user, pw]) => [`user.${user}`, pw])),
                ...Object.fromEntries(imports.map((i) => [`import.${i.account}`, i.password])),
            },
        },
        { parent },
    );
    const reconcilerConfig = new k8s.core.v1.ConfigMap(
        `${name}-reconciler`,
        {
            metadata: { name: `${name}-reconciler-${hash}`, namespace, labels: args.reconcilerLabels },
            immutable: true,
            data: {
                "reconciler.js": script,
                "desired.json": JSON.stringify(reconcilerDesiredState(config, users), null, 2) + "\n",
            },
        },
        { parent },
    );
    const reconcileJob = new k8s.batch.v1.Job(
        `${name}-reconcile`,
        {
            metadata: { name: reconcileJobName, namespace, labels: args.reconcilerLabels, annotations: RERUN_WHEN_FAILED },
            spec: {
                // Each pod waits for Gitea and is idempotent: a retry picks up where a failure left off.
                backoffLimit: 3,
                activeDeadlineSeconds: 30 * 60,
                template: mlabJobPod(
                    args.reconcilerLabels,
                    {
                        name: "reconciler",
                        image: config.reconcilerImage,
                        command: ["node", "/opt/mlab-reconciler/reconciler.js"],
                        env: [
                            // The Service's cluster IP: the reconciler needs no DNS.
                            { name: "MLAB_URL", value: args.giteaUrl },
                            { name: "MLAB_DESIRED_STATE", value: "/opt/mlab-reconciler/desired.json" },
                            { name: "MLAB_CREDENTIALS_DIR", value: "/etc/mlab-reconciler/credentials" },
                        ],
                        securityContext: giteaContainerSecurityContext,
                        resources: { requests: { cpu: "10m", memory: "32Mi" }, limits: { cpu: "500m", memory: "128Mi" } },
                        volumeMounts: [
                            { name: "script", mountPath: "/opt/mlab-reconciler", readOnly: true },
                            { name: "secrets", mountPath: "/etc/mlab-reconciler/credentials", readOnly: true },
                        ],
                    },
                    [
                        { name: "script", configMap: { name: reconcilerConfig.metadata.name, defaultMode: 0o444 } },
                        // Group-readable: the files belong to root and the pod's fsGroup.
                        { name: "secrets", secret: { secretName: reconcilerSecret.metadata.name, defaultMode: 0o440 } },
                    ],
                ),
            },
        },
        {
            parent,
            // After Gitea is up (Pulumi waits for the Deployment to be ready) and the admin exists.
            dependsOn: [...args.after, reconcilerSecret, reconcilerConfig],
            // Same name, changed spec (e.g. a new cluster IP): a Job is immutable, delete it first.
            deleteBeforeReplace: true,
            // The reconciler itself waits up to a quarter of an hour for Gitea (see reconciler.js).
            customTimeouts: { create: "30m", update: "30m" },
        },
    );

    // --- One importer per project with an upstream -------------------------------------------------------
    const importerScript = fs.readFileSync(IMPORTER_SCRIPT_PATH, "utf8");
    const importJobs = new Map<string, k8s.batch.v1.Job>();
    for (const { project, account, password } of imports) {
        const id = account.slice(MLAB_IMPORTER_PREFIX.length);
        const full = `${project.owner}/${project.repo}`;
        // Only this import's credential: the importer never sees the admin's or anyone else's.
        const secret = new k8s.core.v1.Secret(
            `${name}-import-${id}`,
            {
                metadata: {
                    name: `${name}-import-${id}`,
                    namespace,
                    labels: args.importerLabels,
                    annotations: { "torchpod.dev/mlab-project": full },
                },
                type: "Opaque",
                stringData: { username: account, password },
            },
            { parent },
        );
        importJobs.set(
            full,
            new k8s.batch.v1.Job(
                `${name}-import-${id}`,
                {
                    metadata: {
                        name: `${name}-import-${id}-${importerInputHash(config, project, importerScript)}`,
                        namespace,
                        labels: args.importerLabels,
                        annotations: { ...RERUN_WHEN_FAILED, "torchpod.dev/mlab-project": full },
                    },
                    spec: {
                        backoffLimit: 2,
                        // Large upstreams take a while to clone and push.
                        activeDeadlineSeconds: 2 * 60 * 60,
                        template: mlabJobPod(
                            args.importerLabels,
                            {
                                name: "importer",
                                // The pinned Gitea image, for its git and sh; its entrypoint (Gitea) is not run.
                                image: config.image,
                                command: ["/bin/sh", "-c", importerScript],
                                env: [
                                    { name: "MLAB_URL", value: args.giteaUrl },
                                    { name: "MLAB_IMPORT_REPO", value: full },
                                    { name: "MLAB_IMPORT_UPSTREAM", value: project.upstream! },
                                    { name: "MLAB_IMPORT_CREDENTIALS_DIR", value: "/etc/mlab-import/credentials" },
                                    { name: "MLAB_IMPORT_WORK_DIR", value: "/work" },
                                ],
                                securityContext: giteaContainerSecurityContext,
                                resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "1", memory: "1Gi" } },
                                volumeMounts: [
                                    { name: "credentials", mountPath: "/etc/mlab-import/credentials", readOnly: true },
                                    { name: "work", mountPath: "/work" },
                                ],
                            },
                            [
                                { name: "credentials", secret: { secretName: secret.metadata.name, defaultMode: 0o440 } },
                                { name: "work", emptyDir: { sizeLimit: args.importWorkSize } },
                            ],
                        ),
                    },
                },
                {
                    parent,
                    // After the reconciler made the empty repository and the import account.
                    dependsOn: [reconcileJob, secret],
                    deleteBeforeReplace: true,
                    // Pulumi's default wait is 10 minutes; imports of large upstreams take longer.
                    customTimeouts: { create: "2h", update: "2h" },
                },
            ),
        );
    }
    return { reconcileJobName, reconcileJob, importJobs };
}

/** The pod of an MLab Job: runs once, holds no service-account token and no service links, under the restricted profile. */
function mlabJobPod(
    labels: Record<string, string>,
    container: k8s.types.input.core.v1.Container,
    volumes: k8s.types.input.core.v1.Volume[],
): k8s.types.input.core.v1.PodTemplateSpec {
    return {
        metadata: { labels },
        spec: {
            restartPolicy: "Never",
            automountServiceAccountToken: false,
            enableServiceLinks: false,
            securityContext: giteaPodSecurityContext,
            containers: [container],
            volumes,
        },
    };
}
