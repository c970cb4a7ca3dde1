// The resolved settings the components take. The config layer (stacks/) builds them from a stack's
// config and applies every default once; components never read pulumi.Config.

/** Which GUI protocols the image serves (`TORCHPOD_MODE`). */
export type TorchpodMode = "VNC" | "RDP" | "VNCRDP";

/** How user-facing Services are exposed. NodePort is deliberately absent: it opens every node. */
export type ServiceExposure = "ClusterIP" | "LoadBalancer";

export interface Toleration {
    readonly key?: string;
    readonly operator?: "Exists" | "Equal";
    readonly value?: string;
    readonly effect?: "NoSchedule" | "PreferNoSchedule" | "NoExecute";
    readonly tolerationSeconds?: number;
}

/** Compute resources of one workload, as Kubernetes quantities. */
export interface Resources {
    readonly cpuRequest: string;
    readonly cpuLimit: string;
    readonly memoryRequest: string;
    readonly memoryLimit: string;
}

export interface GuiConfig {
    /** xrdp on 3389, PAM login with the user's password. */
    readonly rdp: boolean;
    /** noVNC in the browser, only behind the authenticating proxy sidecar. */
    readonly browser: boolean;
    /** Raw VNC on 5900: the image's VNC has no password, so only when explicitly enabled. */
    readonly vnc: boolean;
    /** Pinned image of the authenticating proxy sidecar in front of noVNC (Caddy). */
    readonly proxyImage: string;
}

export interface ExposureConfig {
    readonly type: ServiceExposure;
    /** Annotations for LoadBalancer Services (cloud-specific). */
    readonly annotations: Readonly<Record<string, string>>;
}

export interface NamespacesConfig {
    /** TorchPods and the Airlock: they share the airlock PVC, and a PVC is namespaced. Pod Security baseline. */
    readonly torchpods: string;
    /** MLab (Gitea) and its reconciler. Pod Security restricted. */
    readonly mlab: string;
}

export interface StorageConfig {
    /** StorageClass of per-user home volumes (ReadWriteOnce); undefined = cluster default. */
    readonly homeClass?: string;
    /** StorageClass of the airlock share (ReadWriteMany); undefined = cluster default. */
    readonly airlockClass?: string;
    readonly airlockSize: string;
    /** StorageClass of MLab's data volume; undefined = cluster default. */
    readonly mlabClass?: string;
    readonly mlabSize: string;
}

export interface GpuConfig {
    /** Extended resource name users ask for unless they name another (`users[i].gpuResource`), e.g. nvidia.com/gpu. */
    readonly resourceName: string;
    /** Node selector of every GPU TorchPod; a user's own `gpuNodeSelector` is merged over it. */
    readonly nodeSelector: Readonly<Record<string, string>>;
    readonly tolerations: readonly Toleration[];
    /**
     * ResourceQuota of the TorchPod namespace, per extended resource name (one `requests.<name>` entry
     * each); undefined = no quota. The config's integer form is `{[resourceName]: n}`.
     */
    readonly quota?: Readonly<Record<string, number>>;
}

export interface ClusterConfig {
    /** Pod CIDRs (IPv4 and/or IPv6); excluded from Airlock/MLab internet egress. */
    readonly podCidrs: readonly string[];
    /** Service CIDRs; excluded likewise. */
    readonly serviceCidrs: readonly string[];
    /** Namespace and pod labels of the cluster DNS (Airlock and MLab may use it; TorchPods never). */
    readonly dnsNamespace: string;
    readonly dnsPodLabels: Readonly<Record<string, string>>;
    /** Cluster IP of the DNS Service, for the enforcement probe. */
    readonly dnsServiceIp: string;
    /** The API server's in-cluster address (for the enforcement probe), e.g. 10.96.0.1. */
    readonly apiServerIp: string;
    /**
     * The control plane's real addresses (a managed cluster's public API endpoint, node networks):
     * NetworkPolicies see these, not the Service IP, so they are excepted from internet egress too.
     */
    readonly controlPlaneCidrs: readonly string[];
    /** True when any configured CIDR is IPv6: the IPv6 private ranges are excluded too. */
    readonly dualStack: boolean;
}

export interface KubernetesProviderConfig {
    /** kubeconfig context to deploy to; undefined = the ambient provider. */
    readonly context?: string;
    /** Path to a kubeconfig file; undefined = the default lookup. */
    readonly kubeconfig?: string;
}

export interface MlabProject {
    /** `owner/repo`, both Gitea names. */
    readonly owner: string;
    readonly repo: string;
    /** Imported once from here when given (an https URL on an allow-listed host). */
    readonly upstream?: string;
}

export type MlabDatabase =
    | { readonly type: "sqlite" }
    | {
          readonly type: "postgres";
          /** `host` or `host:port` (default 5432). */
          readonly host: string;
          /**
           * The server's IP address when `host` is a name: MLab has no DNS, so Gitea maps `host` to it
           * through hostAliases and the lock-down opens exactly this address and port.
           */
          readonly address?: string;
          readonly name: string;
          readonly user: string;
          /** An existing Secret in the MLab namespace holding the password. */
          readonly passwordSecret: { readonly name: string; readonly key: string };
          readonly sslMode: string;
      };

export interface MlabConfig {
    /** Gitea rootless image, pinned. */
    readonly image: string;
    /** Host name TorchPods and office computers use for MLab (hostAliases in TorchPods). */
    readonly host: string;
    /** External http port office computers use (ROOT_URL); the Service serves it. */
    readonly httpPort: number;
    readonly sshPort: number;
    readonly projects: readonly MlabProject[];
    /** Hosts migrations may import from. */
    readonly migrationAllowedHosts: readonly string[];
    readonly database: MlabDatabase;
    /** Image that runs the reconciler Job (pinned). */
    readonly reconcilerImage: string;
    readonly resources: Resources;
}

export interface AirlockConfig {
    readonly resources: Resources;
    /** Size of the Airlock's memory-backed /dev/shm. */
    readonly shmSize: string;
    /** Service port of sftp (container port 22). */
    readonly sftpPort: number;
    /** Login name inside the Airlock (GUI and sftp); its password is random. */
    readonly user: string;
}

export interface ProbeConfig {
    /** Run the fail-closed enforcement probe before TorchPods start. */
    readonly enabled: boolean;
    /** Pinned small image that runs the probe script. */
    readonly image: string;
    /** An internet address the probe must NOT reach (TCP 443). */
    readonly internetAddress: string;
    /** Seconds each connection attempt may take. */
    readonly timeoutSeconds: number;
}

/** A day of the week as `torchpod:schedule.days` names it. */
export type Weekday = "Mon" | "Tue" | "Wed" | "Thu" | "Fri" | "Sat" | "Sun";

export interface ScheduleConfig {
    /** IANA time zone of the hours, e.g. Europe/Berlin (the CronJobs' `timeZone`). */
    readonly timeZone: string;
    /** `HH:MM` (24 h) when TorchPods start, on `days`. */
    readonly start: string;
    /** `HH:MM` when they stop, on `days`. */
    readonly stop: string;
    /** Working days; outside them TorchPods stay stopped. */
    readonly days: readonly Weekday[];
    /** The schedule's own namespace (never the TorchPod namespace); the platform always uses WORKING_HOURS_NAMES.namespace, which the pack knows. */
    readonly namespace: string;
    /** Pinned image that runs the scaling script (node). */
    readonly image: string;
}
