// The Airlock: the one machine with internet. The desktop workload (components/desktop/workload.ts)
// with the shared airlock volume (ReadWriteMany) writable here only, pip/ and apt/ folders for offline
// installs in the TorchPods, and sftp (the image's sshd) on Service port 10022, whose sessions log every
// file operation for the audit trail (./airlock/sftpAudit.ts; the writer is ./airlockAudit.ts).
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { AIRLOCK_MOUNT_PATH, AIRLOCK_NAMES, DESKTOP_PORTS, DESKTOP_PORT_NAMES } from "@torchpod/contract";
import { PLATFORM_DEFAULTS, defaultResources } from "./common/defaults";
import { PVC_IGNORED_CHANGES } from "./common/volumes";
import { modeFor } from "./desktop/container";
import { endpoint } from "./desktop/service";
import { SHM_MOUNT, DesktopComponent, homeMount, shmVolume, stableDesktopLabels } from "./desktop/workload";
import { ExposureConfig, GuiConfig, Resources, TorchpodMode } from "./common/settings";
import { refuseInvalidArgs } from "./common/argProblems";
import { validateAirlockArgs } from "./airlock.validate";
import { sftpAudit } from "./airlock/sftpAudit";

export { validateAirlockArgs } from "./airlock.validate";

/** The folders the init container creates on the share. */
export const AIRLOCK_FOLDERS = ["pip", "apt"] as const;

/**
 * The Airlock's arguments. The platform passes every field resolved from the stack config; an Airlock
 * built on its own takes the platform's defaults (components/common/defaults.ts) for the optional ones.
 */
export interface AirlockArgs {
    /** Namespace of TorchPods and the Airlock (they share the claim): the Namespaces component's output. */
    readonly namespace: pulumi.Input<string>;
    /** `app.kubernetes.io/instance` of the Airlock (the stack's name). @default "airlock" */
    readonly instance?: string;
    /** The image (the TorchPod image, pinned). @default PLATFORM_DEFAULTS.image */
    readonly image?: string;
    /** Login name for the GUI and sftp. @default "airlock" */
    readonly user?: string;
    /** cpu/memory requests and limits. @default PLATFORM_DEFAULTS.airlock: 1/4 cpu, 4Gi/16Gi */
    readonly resources?: Resources;
    /** Size of the memory-backed /dev/shm. @default "2Gi" */
    readonly shmSize?: string;
    /** Which GUIs are served. @default RDP and the browser, no raw VNC */
    readonly gui?: GuiConfig;
    /** The image's TORCHPOD_MODE. @default the mode `gui` needs (modeFor) */
    readonly mode?: TorchpodMode;
    /** How the Service is exposed. @default ClusterIP */
    readonly exposure?: ExposureConfig;
    /** Office networks, the LoadBalancer's source ranges. @default none */
    readonly officeCidrs?: readonly string[];
    /** Service port of sftp (container port 22). @default 10022 */
    readonly sftpPort?: number;
    /** Size of the airlock share. @default "500Gi" */
    readonly shareSize?: string;
    /** StorageClass of the share (must support ReadWriteMany). @default the cluster's default class */
    readonly shareStorageClass?: string;
    /** The browser proxy's Caddyfile ConfigMap, shared per namespace. @default one of the Airlock's own */
    readonly proxyConfigMap?: k8s.core.v1.ConfigMap;
}

export class Airlock extends DesktopComponent {
    readonly share: k8s.core.v1.PersistentVolumeClaim;
    /** Claim name of the share, for the TorchPods' read-only mounts. */
    readonly shareClaimName: pulumi.Output<string>;
    readonly user: string;
    readonly clusterIp: pulumi.Output<string>;
    readonly sftpPort: number;
    /** The sshd container port behind the sftp Service port. */
    get sftpContainerPort(): number {
        return DESKTOP_PORTS.sftp;
    }
    readonly sftpEndpoint: pulumi.Output<string>;
    /** The sftp session logs (ReadWriteMany, retained), which the audit writer reads. */
    readonly sftpLogClaim: k8s.core.v1.PersistentVolumeClaim;
    readonly sftpLogClaimName: pulumi.Output<string>;

    constructor(name: string, args: AirlockArgs, opts?: pulumi.ComponentResourceOptions) {
        // Defaults and the rules first: an Airlock with bad arguments registers nothing, not even itself.
        const d = PLATFORM_DEFAULTS.airlock;
        const image = args.image ?? PLATFORM_DEFAULTS.image;
        const user = args.user ?? d.user;
        const resources = args.resources ?? defaultResources("airlock");
        const shmSize = args.shmSize ?? d.shm;
        const gui = args.gui ?? PLATFORM_DEFAULTS.gui;
        const mode = args.mode ?? modeFor(gui);
        const exposure = args.exposure ?? PLATFORM_DEFAULTS.exposure;
        const officeCidrs = args.officeCidrs ?? [];
        const sftpPort = args.sftpPort ?? d.sftpPort;
        refuseInvalidArgs("Airlock", validateAirlockArgs({ user, image, resources, shmSize, gui, mode, exposure, officeCidrs, sftpPort }));
        super("torchpod:index:Airlock", name, {}, opts);
        const identity = { component: "airlock" as const, instance: args.instance ?? "airlock" };
        this.user = user;
        this.sftpPort = sftpPort;

        // The share: stable name, retained, never replaced by a config change; only its size may grow.
        this.share = new k8s.core.v1.PersistentVolumeClaim(
            AIRLOCK_NAMES.share,
            {
                metadata: { name: AIRLOCK_NAMES.share, namespace: args.namespace, labels: stableDesktopLabels(identity) },
                spec: {
                    accessModes: ["ReadWriteMany"],
                    ...(args.shareStorageClass ? { storageClassName: args.shareStorageClass } : {}),
                    resources: { requests: { storage: args.shareSize ?? PLATFORM_DEFAULTS.storage.airlockSize } },
                },
            },
            { parent: this, retainOnDelete: true, ignoreChanges: PVC_IGNORED_CHANGES },
        );
        this.shareClaimName = this.share.metadata.name;

        const audit = sftpAudit(
            name,
            { namespace: args.namespace, labels: stableDesktopLabels(identity), storageClass: args.shareStorageClass },
            this,
        );
        this.sftpLogClaim = audit.logClaim;
        this.sftpLogClaimName = audit.logClaim.metadata.name;

        const folders = AIRLOCK_FOLDERS.map((f) => `${AIRLOCK_MOUNT_PATH}/${f}`).join(" ");
        const init: k8s.types.input.core.v1.Container = {
            name: "airlock-folders",
            image,
            command: ["/bin/sh", "-c", `mkdir -p ${folders} && chmod 1777 ${folders} && ${audit.initScript}`],
            resources: { requests: { cpu: "10m", memory: "16Mi" }, limits: { cpu: "200m", memory: "64Mi" } },
            securityContext: {
                privileged: false,
                allowPrivilegeEscalation: false,
                capabilities: { drop: ["ALL"], add: ["CHOWN", "DAC_OVERRIDE", "FOWNER"] },
                seccompProfile: { type: "RuntimeDefault" },
            },
            volumeMounts: [{ name: "share", mountPath: AIRLOCK_MOUNT_PATH }, ...audit.initMounts],
        };

        this.buildDesktop(name, {
            ...identity,
            namespace: args.namespace,
            names: AIRLOCK_NAMES,
            user,
            image,
            mode,
            gui,
            resources,
            workingDir: AIRLOCK_MOUNT_PATH,
            ports: [{ name: DESKTOP_PORT_NAMES.sftp, containerPort: DESKTOP_PORTS.sftp, protocol: "TCP" }],
            servicePorts: [{ name: DESKTOP_PORT_NAMES.sftp, port: sftpPort, targetPort: DESKTOP_PORT_NAMES.sftp }],
            volumeMounts: [{ name: "share", mountPath: AIRLOCK_MOUNT_PATH }, homeMount(user), SHM_MOUNT, ...audit.mounts],
            volumes: [
                { name: "share", persistentVolumeClaim: { claimName: this.shareClaimName } },
                // The Airlock keeps nothing private: its home is scratch space.
                { name: "home", emptyDir: { sizeLimit: "20Gi" } },
                shmVolume(shmSize),
                ...audit.volumes,
            ],
            podSpec: { initContainers: [init] },
            exposure: args.exposure ?? PLATFORM_DEFAULTS.exposure,
            officeCidrs: args.officeCidrs ?? [],
            proxyConfigMap: args.proxyConfigMap,
        });
        this.clusterIp = this.service.spec.clusterIP;
        this.sftpEndpoint = endpoint(this.service, sftpPort);

        this.registerDesktopOutputs({
            shareClaimName: this.shareClaimName,
            sftpEndpoint: this.sftpEndpoint,
            sftpLogClaimName: this.sftpLogClaimName,
        });
    }
}
