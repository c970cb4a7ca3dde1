// MLab: the code service, a hardened Gitea holding the approved projects. TorchPod users clone them
// and push feature branches over http; office computers fetch those branches. The only thing a
// TorchPod may talk to, and so never a relay: Gitea has no egress at all (not even DNS) and refuses
// migrations; approved upstreams arrive through short-lived importer Jobs instead.
//
// What this component creates, by concern:
// - ./mlab/gitea.ts: in `namespace` (Pod Security restricted), Gitea's Secrets, the retained data
//   volume (`mlab-data`), the one-replica Deployment and its Service (http and ssh);
// - ./mlab/accounts.ts: in `torchpodNamespace`, one Secret per user with git credentials and a system
//   gitconfig, which the TorchPod mounts read-only;
// - ./mlab/jobs.ts: the reconciler Job (users, projects, empty repositories, import accounts) and one
//   importer Job per project with an upstream.
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { GITEA_HTTP_CONTAINER_PORT, GITEA_SSH_CONTAINER_PORT, imageVersion, workloadLabels } from "@torchpod/contract";
import { PLATFORM_DEFAULTS } from "./common/defaults";
import { ExposureConfig, MlabConfig } from "./common/settings";
import { ACCESS_LOG_FILE, hostWithPort } from "./mlab/giteaSettings";
import { mlabEmailDomain, userAccounts, userCredentialSecretName } from "./mlab/accounts";
import { giteaServer } from "./mlab/gitea";
import { mlabJobs } from "./mlab/jobs";
import { MlabDatabaseEndpoint, mlabDatabaseEndpoint } from "./mlab/database";

export { giteaSettings, giteaEnvName, hostWithPort, NO_MIGRATION_HOST } from "./mlab/giteaSettings";
export { gitCredentialsLine, gitSystemConfig, mlabEmailDomain } from "./mlab/accounts";
export { BOOTSTRAP_SCRIPT_PATH, jwtSecretFromBase64 } from "./mlab/gitea";
export {
    IMPORTER_SCRIPT_PATH,
    MLAB_TEAM,
    RECONCILER_SCRIPT_PATH,
    ReconcilerDesiredState,
    importerAccountName,
    importerInputHash,
    reconcilerDesiredState,
    reconcilerInputHash,
} from "./mlab/jobs";
export {
    MlabDatabaseEndpoint,
    MlabDatabaseProblem,
    checkMlabDatabase,
    describeMlabDatabaseProblem,
    mlabDatabaseEndpoint,
} from "./mlab/database";

export interface MlabArgs {
    /** Namespace of Gitea, its volume, Secrets and Jobs (Pod Security restricted): the Namespaces component's output, so every child follows it; required. */
    readonly namespace: pulumi.Input<string>;
    /** Namespace of the TorchPods, where each user's git credential Secret is created (likewise an output); required. */
    readonly torchpodNamespace: pulumi.Input<string>;
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
    /** The outside PostgreSQL server (address and port), Gitea's only egress; undefined with SQLite. */
    readonly databaseEndpoint?: MlabDatabaseEndpoint;
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
    /**
     * How admins read the record of what leaves: the pushes over http in Gitea's access log (time, client
     * address, user, repository); which branch moved from which commit to which is Gitea's action feed.
     */
    readonly pushLogCommand: pulumi.Output<string>;
    /** The reconciler Job's name (`<name>-reconcile-<hash of its input>`). */
    readonly reconcileJobName: string;
    /** The Gitea Deployment, the Service, the reconciler Job and the importer Jobs by `owner/repo` (to depend on). */
    readonly deployment: k8s.apps.v1.Deployment;
    readonly service: k8s.core.v1.Service;
    readonly reconcileJob: k8s.batch.v1.Job;
    readonly importJobs: ReadonlyMap<string, k8s.batch.v1.Job>;

    private readonly prefix: string;
    private readonly credentialSecrets: ReadonlyMap<string, k8s.core.v1.Secret>;

    constructor(name: string, args: MlabArgs, opts?: pulumi.ComponentResourceOptions) {
        super("torchpod:index:Mlab", name, {}, opts);
        // The config itself was validated by the config layer (Gitea's reserved names, port clashes,
        // pinned images, a database reachable without DNS): nothing here throws after registering.
        const storageSize = args.storageSize ?? PLATFORM_DEFAULTS.storage.mlabSize;
        const { config, namespace, torchpodNamespace, users } = args;
        this.prefix = name;
        this.host = config.host;
        this.httpPort = config.httpPort;
        this.sshPort = config.sshPort;
        this.serviceName = name;
        this.databaseEndpoint = mlabDatabaseEndpoint(config.database);
        this.podLabels = workloadLabels("mlab", name, imageVersion(config.image));
        const labels = workloadLabels("mlab", name);
        const emailDomain = mlabEmailDomain(config.host);

        const gitea = giteaServer(
            {
                name,
                namespace,
                config,
                storageClass: args.storageClass,
                storageSize,
                exposure: args.exposure ?? PLATFORM_DEFAULTS.exposure,
                officeCidrs: args.officeCidrs ?? [],
                labels,
                podLabels: this.podLabels,
                emailDomain,
            },
            this,
        );
        this.deployment = gitea.deployment;
        this.service = gitea.service;
        this.clusterIp = this.service.spec.clusterIP;

        const accounts = userAccounts(
            { prefix: name, torchpodNamespace, users, host: config.host, httpPort: config.httpPort, labels },
            this,
        );
        this.credentialSecrets = accounts.secrets;

        const jobs = mlabJobs(
            {
                name,
                namespace,
                config,
                users,
                userPasswords: accounts.passwords,
                adminPassword: gitea.adminPassword,
                giteaUrl: this.clusterIp.apply((ip) => giteaServiceUrl(ip, config.httpPort)),
                reconcilerLabels: workloadLabels("mlab-reconciler", name),
                importerLabels: workloadLabels("mlab-importer", name),
                importWorkSize: storageSize,
                after: [this.deployment, this.service],
            },
            this,
        );
        this.reconcileJobName = jobs.reconcileJobName;
        this.reconcileJob = jobs.reconcileJob;
        this.importJobs = jobs.importJobs;

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
        this.pushLogCommand = pulumi.interpolate`kubectl -n ${namespace} exec deploy/${name} -c gitea -- grep git-receive-pack ${ACCESS_LOG_FILE}`;
        this.adminPassword = pulumi.secret(gitea.adminPassword);
        this.userPasswords = pulumi.secret(pulumi.all(Object.fromEntries(accounts.passwords)));

        this.registerOutputs({
            host: this.host,
            clusterIp: this.clusterIp,
            httpUrl: this.httpUrl,
            sshUrl: this.sshUrl,
            cloneUrls: this.cloneUrls,
            adminPassword: this.adminPassword,
            userPasswords: this.userPasswords,
            reconcileJobName: this.reconcileJobName,
            pushLogCommand: this.pushLogCommand,
        });
    }

    /** The Secret (in the TorchPod namespace) holding `git-credentials` and `gitconfig` for one user. Stable. */
    userCredentialSecretName(user: string): string {
        return userCredentialSecretName(this.prefix, user);
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

/**
 * The reconciler's and importer's URL of Gitea: the Service's cluster IP, since they have no DNS. A
 * real provider's preview of a new stack may not know the IP yet (undefined, not unknown): the URL is
 * then empty until `pulumi up` assigns it.
 */
export function giteaServiceUrl(ip: string | undefined, port: number): string {
    if (!ip) return "";
    return `http://${ip.includes(":") ? `[${ip}]` : ip}:${port}`;
}
