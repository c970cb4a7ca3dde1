// One researcher's GPU desktop: the desktop workload (components/desktop/workload.ts) with a home
// volume that survives every config change, the airlock share read-only, GPUs, and MLab's host and
// git credentials (TorchPods have no DNS: MLab's name comes from hostAliases).
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { AIRLOCK_CLAIM_NAME, AIRLOCK_MOUNT_PATH, MLAB_CREDENTIALS_PATH, MLAB_CREDENTIAL_KEYS, torchpodNames } from "@torchpod/contract";
import { PLATFORM_DEFAULTS, defaultResources } from "./common/defaults";
import { PVC_IGNORED_CHANGES } from "./common/volumes";
import { modeFor } from "./desktop/container";
import { SHM_MOUNT, DesktopComponent, homeMount, shmVolume, stableDesktopLabels } from "./desktop/workload";
import { ExposureConfig, GpuConfig, GuiConfig, Resources, TorchpodMode } from "./common/settings";
import { refuseInvalidArgs } from "./common/argProblems";
import { validateTorchPodArgs } from "./torchpod.validate";
import { IsolationGate } from "./isolationGate";

export { validateTorchPodArgs } from "./torchpod.validate";

export interface TorchPodMlabAccess {
    /** MLab's host name; resolved in the pod through hostAliases (TorchPods have no DNS). */
    readonly host: string;
    /** MLab Service's cluster IP, the hostAliases address. */
    readonly clusterIp: pulumi.Input<string>;
    /** The user's Secret (keys `gitconfig`, `git-credentials`) in the TorchPod namespace, mounted read-only. */
    readonly credentialsSecretName: pulumi.Input<string>;
}

/**
 * A TorchPod's arguments. The platform passes every field resolved from the stack config; a TorchPod
 * built on its own takes the platform's defaults (components/common/defaults.ts) for the optional ones.
 */
export interface TorchPodArgs {
    /** The user's name (a login name, DNS-1123 label): names the Deployment, Service, Secret and home volume. */
    readonly user: string;
    /** Namespace of TorchPods and the Airlock (Pod Security baseline): the Namespaces component's output. */
    readonly namespace: pulumi.Input<string>;
    /** GPUs requested and limited. @default 0 (no GPU, no GPU node selector) */
    readonly gpus?: number;
    /** cpu/memory requests and limits. @default PLATFORM_DEFAULTS.user: 2/8 cpu, 8Gi/32Gi */
    readonly resources?: Resources;
    /** Size of the memory-backed /dev/shm. @default "8Gi" */
    readonly shmSize?: string;
    /** Size of the home volume (it may only grow). @default "100Gi" */
    readonly homeSize?: string;
    /** The TorchPod image, pinned. @default PLATFORM_DEFAULTS.image */
    readonly image?: string;
    /** Which GUIs are served. @default RDP and the browser, no raw VNC */
    readonly gui?: GuiConfig;
    /** The image's TORCHPOD_MODE. @default the mode `gui` needs (modeFor) */
    readonly mode?: TorchpodMode;
    /** How the Service is exposed. @default ClusterIP */
    readonly exposure?: ExposureConfig;
    /** Office networks, the LoadBalancer's source ranges. @default none */
    readonly officeCidrs?: readonly string[];
    /** GPU resource name, node selector and tolerations (used when gpus > 0). @default nvidia.com/gpu, its taint tolerated */
    readonly gpu?: Omit<GpuConfig, "quota">;
    /** StorageClass of the home volume. @default the cluster's default class */
    readonly homeStorageClass?: string;
    /** Claim name of the airlock share, mounted read-only: the Airlock's output. @default "airlock-share" */
    readonly airlockClaimName?: pulumi.Input<string>;
    /** MLab access (hostAliases and git credentials). @default none */
    readonly mlab?: TorchPodMlabAccess;
    /**
     * The isolation gate (EnforcementProbe.isolationGate): the pod's only init container, so the desktop
     * starts only once NetworkPolicy isolates the pod. The platform always passes it. @default none
     */
    readonly isolationGate?: IsolationGate;
    /** What the Deployment waits for (the lock-down and the enforcement probe). @default none */
    readonly dependsOn?: readonly pulumi.Resource[];
    /** The browser proxy's Caddyfile ConfigMap, shared per namespace. @default one of this TorchPod's own */
    readonly proxyConfigMap?: k8s.core.v1.ConfigMap;
    /**
     * Suspended: the Deployment runs no pod (replicas 0), so its GPUs leave the quota. Nothing else
     * changes: the home volume, the password, the Secret and the Service stay as they are, and
     * resuming (false) only brings the pod back. @default false
     */
    readonly suspended?: boolean;
    /**
     * Started and stopped by the working-hours schedule: while not suspended, `spec.replicas` is left
     * to the schedule (Pulumi does not set it, so `pulumi up` never starts a pod out of hours).
     * @default false
     */
    readonly scheduled?: boolean;
}

export class TorchPod extends DesktopComponent {
    readonly user: string;
    readonly home: k8s.core.v1.PersistentVolumeClaim;
    /** True when the TorchPod runs no pod (`suspended`). */
    readonly suspended: boolean;

    constructor(name: string, args: TorchPodArgs, opts?: pulumi.ComponentResourceOptions) {
        // Defaults and the rules first: a TorchPod with bad arguments registers nothing, not even itself.
        const user = args.user;
        const d = PLATFORM_DEFAULTS.user;
        const gpus = args.gpus ?? d.gpus;
        const resources = args.resources ?? defaultResources("user");
        const shmSize = args.shmSize ?? d.shm;
        const image = args.image ?? PLATFORM_DEFAULTS.image;
        const gui = args.gui ?? PLATFORM_DEFAULTS.gui;
        const mode = args.mode ?? modeFor(gui);
        const exposure = args.exposure ?? PLATFORM_DEFAULTS.exposure;
        const officeCidrs = args.officeCidrs ?? [];
        const gpu = args.gpu ?? PLATFORM_DEFAULTS.gpu;
        refuseInvalidArgs(
            "TorchPod",
            validateTorchPodArgs({
                user,
                image,
                gpus,
                gpuResource: gpu.resourceName,
                resources,
                shmSize,
                gui,
                mode,
                exposure,
                officeCidrs,
            }),
        );
        super("torchpod:index:TorchPod", name, {}, opts);
        const names = torchpodNames(user);
        const identity = { component: "torchpod" as const, instance: user };
        this.user = user;
        this.suspended = args.suspended ?? false;

        // The home volume: explicit stable name, retained on delete (also when the user leaves the
        // config), and immune to config changes that would replace it. Its resource name depends on
        // the user only, so its URN never changes.
        this.home = new k8s.core.v1.PersistentVolumeClaim(
            `home-${user}`,
            {
                metadata: { name: names.home, namespace: args.namespace, labels: stableDesktopLabels(identity) },
                spec: {
                    accessModes: ["ReadWriteOnce"],
                    ...(args.homeStorageClass ? { storageClassName: args.homeStorageClass } : {}),
                    resources: { requests: { storage: args.homeSize ?? d.home } },
                },
            },
            { parent: this, retainOnDelete: true, ignoreChanges: PVC_IGNORED_CHANGES },
        );

        const mlab = args.mlab;
        this.buildDesktop(name, {
            ...identity,
            namespace: args.namespace,
            names,
            user,
            image,
            mode,
            gui,
            resources,
            extendedResources: gpus > 0 ? { [gpu.resourceName]: String(gpus) } : {},
            workingDir: `/home/${user}`,
            env: [
                // pip installs offline from what the Airlock downloaded.
                { name: "PIP_NO_INDEX", value: "1" },
                { name: "PIP_FIND_LINKS", value: `${AIRLOCK_MOUNT_PATH}/pip` },
                ...(mlab ? [{ name: "MLAB_HOST", value: mlab.host }] : []),
            ],
            volumeMounts: [
                homeMount(user),
                SHM_MOUNT,
                { name: "airlock", mountPath: AIRLOCK_MOUNT_PATH, readOnly: true },
                ...(mlab
                    ? [
                          { name: "mlab-credentials", mountPath: MLAB_CREDENTIALS_PATH, readOnly: true },
                          {
                              name: "mlab-credentials",
                              mountPath: "/etc/gitconfig",
                              subPath: MLAB_CREDENTIAL_KEYS.gitconfig,
                              readOnly: true,
                          },
                      ]
                    : []),
            ],
            volumes: [
                { name: "home", persistentVolumeClaim: { claimName: this.home.metadata.name } },
                shmVolume(shmSize),
                { name: "airlock", persistentVolumeClaim: { claimName: args.airlockClaimName ?? AIRLOCK_CLAIM_NAME, readOnly: true } },
                ...(mlab ? [{ name: "mlab-credentials", secret: { secretName: mlab.credentialsSecretName, defaultMode: 0o444 } }] : []),
                ...(args.isolationGate ? [args.isolationGate.volume] : []),
            ],
            podSpec: {
                ...(args.isolationGate ? { initContainers: [args.isolationGate.initContainer] } : {}),
                ...(mlab ? { hostAliases: [{ ip: mlab.clusterIp, hostnames: [mlab.host] }] } : {}),
                ...(gpus > 0 ? { nodeSelector: { ...gpu.nodeSelector }, tolerations: gpu.tolerations.map((t) => ({ ...t })) } : {}),
            },
            exposure: args.exposure ?? PLATFORM_DEFAULTS.exposure,
            officeCidrs: args.officeCidrs ?? [],
            proxyConfigMap: args.proxyConfigMap,
            dependsOn: args.dependsOn,
            replicas: this.suspended ? 0 : args.scheduled ? "unmanaged" : 1,
            // The schedule's actor writes replicas through the scale subresource and so owns the field;
            // patchForce lets Pulumi take it back when the user is suspended (replicas 0).
            ...(args.scheduled ? { deploymentAnnotations: { "pulumi.com/patchForce": "true" } } : {}),
        });

        this.registerDesktopOutputs({ user, homeClaimName: this.home.metadata.name, suspended: this.suspended });
    }
}
