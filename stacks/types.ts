// The typed, validated stack configuration. `stacks/parse.ts` builds it from `Pulumi.<stack>.yaml`
// (keys `torchpod:*`); components receive the parts they need and never read pulumi.Config.
// Every field here is resolved: defaults are applied once, in the parser.

import type * as S from "../components/common/settings";

// The settings types components take are the config's types too.
export type * from "../components/common/settings";

/** One researcher and their TorchPod (`torchpod:users[i]`). */
export interface UserConfig {
    /** DNS-1123 label; names the TorchPod, its home volume and its MLab account. */
    readonly name: string;
    /** GPUs requested and limited (integer >= 0). */
    readonly gpus: number;
    /** The extended resource `gpus` counts (a GPU kind or a MIG profile); default `gpu.resourceName`. */
    readonly gpuResource: string;
    /** Where this user's GPUs are: the user's `gpuNodeSelector` merged over `gpu.nodeSelector`. */
    readonly gpuNodeSelector: Readonly<Record<string, string>>;
    readonly resources: S.Resources;
    /** Size of the memory-backed /dev/shm. */
    readonly shmSize: string;
    /** Size of the home volume (can only grow). */
    readonly homeSize: string;
    /** Optional per-user image override (pinned). */
    readonly image: string;
    /**
     * Suspended: the TorchPod is scaled to zero and its GPUs leave the quota; home volume, password,
     * Service and MLab account stay, so resuming restores them unchanged.
     */
    readonly suspended: boolean;
}

/** Which GUI endpoints each TorchPod (and the Airlock) serves. */
export interface StackConfig {
    /** The stack's name (Pulumi stack). */
    readonly stack: string;
    /** The TorchPod image, `gemfield/torchpod:<tag>` or a digest; never `:latest`. */
    readonly image: string;
    readonly mode: S.TorchpodMode;
    readonly users: readonly UserConfig[];
    readonly officeCidrs: readonly string[];
    readonly gui: S.GuiConfig;
    readonly exposure: S.ExposureConfig;
    readonly namespaces: S.NamespacesConfig;
    readonly storage: S.StorageConfig;
    readonly gpu: S.GpuConfig;
    readonly cluster: S.ClusterConfig;
    readonly kubernetes: S.KubernetesProviderConfig;
    readonly airlock: S.AirlockConfig;
    readonly mlab: S.MlabConfig;
    readonly probe: S.ProbeConfig;
    /** Working hours; undefined = TorchPods run until suspended. */
    readonly schedule?: S.ScheduleConfig;
}
