// The typed, validated stack configuration. `stacks/parse.ts` builds it from `Pulumi.<stack>.yaml`
// (keys `torchpod:*`); components receive the parts they need and never read pulumi.Config.
// Every field here is resolved: defaults are applied once, in the parser.

import {
    TorchpodMode,
    ServiceExposure,
    Toleration,
    Resources,
    GuiConfig,
    ExposureConfig,
    NamespacesConfig,
    StorageConfig,
    GpuConfig,
    ClusterConfig,
    KubernetesProviderConfig,
    MlabProject,
    MlabDatabase,
    MlabConfig,
    AirlockConfig,
    ProbeConfig,
} from "../components/settings";

export type {
    TorchpodMode,
    ServiceExposure,
    Toleration,
    Resources,
    GuiConfig,
    ExposureConfig,
    NamespacesConfig,
    StorageConfig,
    GpuConfig,
    ClusterConfig,
    KubernetesProviderConfig,
    MlabProject,
    MlabDatabase,
    MlabConfig,
    AirlockConfig,
    ProbeConfig,
};

/** One researcher and their TorchPod (`torchpod:users[i]`). */
export interface UserConfig {
    /** DNS-1123 label; names the TorchPod, its home volume and its MLab account. */
    readonly name: string;
    /** GPUs requested and limited (integer >= 0). */
    readonly gpus: number;
    readonly resources: Resources;
    /** Size of the memory-backed /dev/shm. */
    readonly shmSize: string;
    /** Size of the home volume (can only grow). */
    readonly homeSize: string;
    /** Optional per-user image override (pinned). */
    readonly image: string;
}

/** Which GUI endpoints each TorchPod (and the Airlock) serves. */
export interface StackConfig {
    /** The stack's name (Pulumi stack). */
    readonly stack: string;
    /** The TorchPod image, `gemfield/torchpod:<tag>` or a digest; never `:latest`. */
    readonly image: string;
    readonly mode: TorchpodMode;
    readonly users: readonly UserConfig[];
    readonly officeCidrs: readonly string[];
    readonly gui: GuiConfig;
    readonly exposure: ExposureConfig;
    readonly namespaces: NamespacesConfig;
    readonly storage: StorageConfig;
    readonly gpu: GpuConfig;
    readonly cluster: ClusterConfig;
    readonly kubernetes: KubernetesProviderConfig;
    readonly airlock: AirlockConfig;
    readonly mlab: MlabConfig;
    readonly probe: ProbeConfig;
}
