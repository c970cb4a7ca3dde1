// The Airlock: the one machine with internet. Same image and GUI as a TorchPod; the shared airlock
// volume (ReadWriteMany) is writable here only, with pip/ and apt/ folders for offline installs in
// the TorchPods; sftp (the image's sshd) on Service port 10022.
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { selectorLabels, workloadLabels } from "@torchpod/contract";
import { PVC_IGNORED_CHANGES } from "./volumes";
import { PLATFORM_DEFAULTS } from "./defaults";
import { AIRLOCK_MOUNT_PATH, AIRLOCK_NAMES, DESKTOP_PORTS, DESKTOP_PORT_NAMES, imageVersion } from "@torchpod/contract";
import { CREDENTIAL_KEYS, credentials, secretEnv } from "./desktop/credentials";
import { browserProxy, browserProxyConfigMap } from "./desktop/browserProxy";
import { desktopPorts, desktopProbes, desktopSecurityContext, modeFor, podHardening } from "./desktop/container";
import { endpoint, guiService, guiServicePorts } from "./desktop/service";
import { ExposureConfig, GuiConfig, Resources, TorchpodMode } from "./settings";
import { refuseInvalidArgs } from "./argProblems";
import { validateAirlockArgs } from "./airlock.validate";

export { validateAirlockArgs } from "./airlock.validate";

/** The folders the init container creates on the share. */
export const AIRLOCK_FOLDERS = ["pip", "apt"] as const;

export interface AirlockArgs {
    /** Namespace of TorchPods and the Airlock (they share the PVC); required. */
    readonly namespace: pulumi.Input<string>;
    /** `app.kubernetes.io/instance` of the Airlock (the stack's name); default "airlock". */
    readonly instance?: string;
    /** The image (the TorchPod image, pinned); default gemfield/torchpod:1.0. */
    readonly image?: string;
    /** Login name for the GUI and sftp; default "airlock". */
    readonly user?: string;
    /** cpu/memory requests and limits; default 1/4 cpu, 4Gi/16Gi. */
    readonly resources?: Resources;
    /** Size of the memory-backed /dev/shm; default 2Gi. */
    readonly shmSize?: string;
    /** Which GUIs are served; default RDP and browser, no raw VNC. */
    readonly gui?: GuiConfig;
    /** The image's TORCHPOD_MODE; default derived from `gui`. */
    readonly mode?: TorchpodMode;
    /** How the Service is exposed; default ClusterIP. */
    readonly exposure?: ExposureConfig;
    /** Office networks, the LoadBalancer's source ranges; default none. */
    readonly officeCidrs?: readonly string[];
    /** Service port of sftp (container port 22); default 10022. */
    readonly sftpPort?: number;
    /** Size of the airlock share; default 500Gi. */
    readonly shareSize?: string;
    /** StorageClass of the share (must support ReadWriteMany); default the cluster's default class. */
    readonly shareStorageClass?: string;
    /** The browser proxy's Caddyfile ConfigMap, shared per namespace; default one of the Airlock's own. */
    readonly proxyConfigMap?: k8s.core.v1.ConfigMap;
}

export class Airlock extends pulumi.ComponentResource {
    readonly deployment: k8s.apps.v1.Deployment;
    readonly service: k8s.core.v1.Service;
    readonly share: k8s.core.v1.PersistentVolumeClaim;
    /** Claim name of the share, for the TorchPods' read-only mounts. */
    readonly shareClaimName: pulumi.Output<string>;
    /** The Airlock's password (a Pulumi secret). */
    readonly password: pulumi.Output<string>;
    readonly user: string;
    readonly clusterIp: pulumi.Output<string>;
    readonly sftpPort: number;
    readonly sftpContainerPort: number = DESKTOP_PORTS.sftp;
    readonly sftpEndpoint: pulumi.Output<string>;
    readonly rdpEndpoint?: pulumi.Output<string>;
    readonly browserEndpoint?: pulumi.Output<string>;
    readonly vncEndpoint?: pulumi.Output<string>;

    constructor(name: string, args: AirlockArgs, opts?: pulumi.ComponentResourceOptions) {
        super("torchpod:index:Airlock", name, {}, opts);

        // Defaults, in one place.
        const instance = args.instance ?? "airlock";
        const image = args.image ?? PLATFORM_DEFAULTS.image;
        const user = args.user ?? PLATFORM_DEFAULTS.airlock.user;
        const res: Resources = args.resources ?? {
            cpuRequest: PLATFORM_DEFAULTS.airlock.cpu,
            cpuLimit: PLATFORM_DEFAULTS.airlock.cpuLimit,
            memoryRequest: PLATFORM_DEFAULTS.airlock.memory,
            memoryLimit: PLATFORM_DEFAULTS.airlock.memoryLimit,
        };
        const shmSize = args.shmSize ?? PLATFORM_DEFAULTS.airlock.shm;
        const gui: GuiConfig = args.gui ?? PLATFORM_DEFAULTS.gui;
        const mode = args.mode ?? modeFor(gui);
        const exposure: ExposureConfig = args.exposure ?? PLATFORM_DEFAULTS.exposure;
        const officeCidrs = args.officeCidrs ?? [];
        const sftpPort = args.sftpPort ?? PLATFORM_DEFAULTS.airlock.sftpPort;
        const shareSize = args.shareSize ?? PLATFORM_DEFAULTS.storage.airlockSize;
        refuseInvalidArgs("Airlock", validateAirlockArgs({ user, image, resources: res, shmSize, gui, mode, sftpPort }));
        const home = `/home/${user}`;

        this.user = user;
        this.sftpPort = sftpPort;
        const labels = workloadLabels("airlock", instance, imageVersion(image));
        const stableLabels = workloadLabels("airlock", instance);

        // The share: stable name, retained, never replaced by a config change; only its size may grow.
        this.share = new k8s.core.v1.PersistentVolumeClaim(
            AIRLOCK_NAMES.share,
            {
                metadata: { name: AIRLOCK_NAMES.share, namespace: args.namespace, labels: stableLabels },
                spec: {
                    accessModes: ["ReadWriteMany"],
                    ...(args.shareStorageClass ? { storageClassName: args.shareStorageClass } : {}),
                    resources: { requests: { storage: shareSize } },
                },
            },
            { parent: this, retainOnDelete: true, ignoreChanges: PVC_IGNORED_CHANGES },
        );
        this.shareClaimName = this.share.metadata.name;

        const creds = credentials(name, args.namespace, AIRLOCK_NAMES.secret, stableLabels, this);
        this.password = pulumi.secret(creds.password.result);

        const proxyConfigMap = gui.browser
            ? (args.proxyConfigMap ??
              browserProxyConfigMap(
                  `${name}-proxy`,
                  { name: AIRLOCK_NAMES.proxyConfig, namespace: args.namespace, labels: stableLabels },
                  { parent: this },
              ))
            : undefined;
        const proxy = proxyConfigMap
            ? browserProxy({ configMapName: proxyConfigMap.metadata.name, image: gui.proxyImage, user, secretName: AIRLOCK_NAMES.secret })
            : undefined;

        const folders = AIRLOCK_FOLDERS.map((f) => `${AIRLOCK_MOUNT_PATH}/${f}`).join(" ");
        const init: k8s.types.input.core.v1.Container = {
            name: "airlock-folders",
            image,
            command: ["/bin/sh", "-c", `mkdir -p ${folders} && chmod 1777 ${folders}`],
            resources: { requests: { cpu: "10m", memory: "16Mi" }, limits: { cpu: "200m", memory: "64Mi" } },
            securityContext: {
                privileged: false,
                allowPrivilegeEscalation: false,
                capabilities: { drop: ["ALL"], add: ["CHOWN", "DAC_OVERRIDE", "FOWNER"] },
                seccompProfile: { type: "RuntimeDefault" },
            },
            volumeMounts: [{ name: "share", mountPath: AIRLOCK_MOUNT_PATH }],
        };

        const container: k8s.types.input.core.v1.Container = {
            name: "airlock",
            image,
            env: [
                { name: "TORCHPOD_USER", value: user },
                secretEnv("TORCHPOD_PASSWORD", AIRLOCK_NAMES.secret, CREDENTIAL_KEYS.password),
                { name: "TORCHPOD_MODE", value: mode },
                { name: "HOME", value: home },
            ],
            workingDir: AIRLOCK_MOUNT_PATH,
            ports: [...desktopPorts(gui), { name: DESKTOP_PORT_NAMES.sftp, containerPort: DESKTOP_PORTS.sftp, protocol: "TCP" }],
            resources: {
                requests: { cpu: res.cpuRequest, memory: res.memoryRequest },
                limits: { cpu: res.cpuLimit, memory: res.memoryLimit },
            },
            securityContext: desktopSecurityContext(),
            ...desktopProbes(mode),
            volumeMounts: [
                { name: "share", mountPath: AIRLOCK_MOUNT_PATH },
                { name: "home", mountPath: home },
                { name: "dshm", mountPath: "/dev/shm" },
            ],
        };

        this.deployment = new k8s.apps.v1.Deployment(
            `${name}-deployment`,
            {
                metadata: { name: AIRLOCK_NAMES.deployment, namespace: args.namespace, labels },
                spec: {
                    replicas: 1,
                    strategy: { type: "Recreate" },
                    selector: { matchLabels: selectorLabels("airlock", instance) },
                    template: {
                        metadata: { labels },
                        spec: {
                            ...podHardening(),
                            terminationGracePeriodSeconds: 60,
                            initContainers: [init],
                            containers: [container, ...(proxy ? [proxy.container] : [])],
                            volumes: [
                                { name: "share", persistentVolumeClaim: { claimName: this.shareClaimName } },
                                // The Airlock keeps nothing private: its home is scratch space.
                                { name: "home", emptyDir: { sizeLimit: "20Gi" } },
                                { name: "dshm", emptyDir: { medium: "Memory", sizeLimit: shmSize } },
                                ...(proxy ? proxy.volumes : []),
                            ],
                        },
                    },
                },
            },
            { parent: this, dependsOn: [creds.secret, ...(proxyConfigMap ? [proxyConfigMap] : [])] },
        );

        this.service = guiService({
            name,
            namespace: args.namespace,
            serviceName: AIRLOCK_NAMES.service,
            labels: stableLabels,
            selector: selectorLabels("airlock", instance),
            ports: guiServicePorts(gui, [{ name: DESKTOP_PORT_NAMES.sftp, port: sftpPort, targetPort: DESKTOP_PORT_NAMES.sftp }]),
            exposure,
            officeCidrs,
            parent: this,
        });
        this.clusterIp = this.service.spec.clusterIP;
        this.sftpEndpoint = endpoint(this.service, sftpPort);
        this.rdpEndpoint = gui.rdp ? endpoint(this.service, DESKTOP_PORTS.rdp) : undefined;
        this.browserEndpoint = gui.browser ? endpoint(this.service, DESKTOP_PORTS.browser) : undefined;
        this.vncEndpoint = gui.vnc ? endpoint(this.service, DESKTOP_PORTS.vnc) : undefined;

        this.registerOutputs({
            shareClaimName: this.shareClaimName,
            password: this.password,
            sftpEndpoint: this.sftpEndpoint,
            rdpEndpoint: this.rdpEndpoint,
            browserEndpoint: this.browserEndpoint,
            vncEndpoint: this.vncEndpoint,
        });
    }
}
