// One researcher's GPU desktop: a Deployment of the TorchPod image with a home volume that
// survives every config change, the airlock share read-only, a random password delivered through a
// Secret, and a Service with the enabled GUI protocols (the browser desktop only behind the
// authenticating proxy).
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { selectorLabels, workloadLabels } from "@torchpod/contract";
import { PLATFORM_DEFAULTS } from "./defaults";
import {
    AIRLOCK_CLAIM_NAME,
    AIRLOCK_MOUNT_PATH,
    DESKTOP_PORTS,
    MLAB_CREDENTIALS_PATH,
    MLAB_CREDENTIAL_KEYS,
    imageVersion,
    torchpodNames,
} from "@torchpod/contract";
import { PVC_IGNORED_CHANGES } from "./volumes";
import { CREDENTIAL_KEYS, credentials, secretEnv } from "./desktop/credentials";
import { browserProxy, browserProxyConfigMap } from "./desktop/browserProxy";
import { desktopPorts, desktopProbes, desktopSecurityContext, modeFor, podHardening } from "./desktop/container";
import { endpoint, guiService, guiServicePorts } from "./desktop/service";
import { ExposureConfig, GpuConfig, GuiConfig, Resources, TorchpodMode } from "./settings";
import { refuseInvalidArgs } from "./argProblems";
import { validateTorchPodArgs } from "./torchpod.validate";

export { validateTorchPodArgs } from "./torchpod.validate";

export interface TorchPodMlabAccess {
    /** MLab's host name; resolved in the pod through hostAliases (TorchPods have no DNS); required. */
    readonly host: string;
    /** MLab Service's cluster IP, the hostAliases address; required. */
    readonly clusterIp: pulumi.Input<string>;
    /** The user's Secret (keys `gitconfig`, `git-credentials`) in the TorchPod namespace, mounted read-only; required. */
    readonly credentialsSecretName: pulumi.Input<string>;
}

export interface TorchPodArgs {
    /** The user's name (DNS-1123 label): names the Deployment, Service, Secret and home volume; required. */
    readonly user: string;
    /** Namespace of TorchPods and the Airlock (Pod Security baseline); required. */
    readonly namespace: pulumi.Input<string>;
    /** GPUs requested and limited; default 0 (no GPU, no GPU node selector). */
    readonly gpus?: number;
    /** cpu/memory requests and limits; default the `torchpod:defaults` values (2/8 cpu, 8Gi/32Gi). */
    readonly resources?: Resources;
    /** Size of the memory-backed /dev/shm; default 8Gi. */
    readonly shmSize?: string;
    /** Size of the home volume (may only grow); default 100Gi. */
    readonly homeSize?: string;
    /** The TorchPod image (pinned); default gemfield/torchpod:1.0. */
    readonly image?: string;
    /** Which GUIs are served; default RDP and browser, no raw VNC. */
    readonly gui?: GuiConfig;
    /** The image's TORCHPOD_MODE; default derived from `gui`. */
    readonly mode?: TorchpodMode;
    /** How the Service is exposed; default ClusterIP. */
    readonly exposure?: ExposureConfig;
    /** Office networks, the LoadBalancer's source ranges; default none. */
    readonly officeCidrs?: readonly string[];
    /** GPU resource name, node selector and tolerations (used when gpus > 0); default nvidia.com/gpu with its taint tolerated. */
    readonly gpu?: Omit<GpuConfig, "quota">;
    /** StorageClass of the home volume; default the cluster's default class. */
    readonly homeStorageClass?: string;
    /** Claim name of the airlock share, mounted read-only; default "airlock-share". */
    readonly airlockClaimName?: pulumi.Input<string>;
    /** MLab access (hostAliases + git credentials); default none. */
    readonly mlab?: TorchPodMlabAccess;
    /** Resources the Deployment waits for (the enforcement probe); default none. */
    readonly dependsOn?: readonly pulumi.Resource[];
    /** The browser proxy's Caddyfile ConfigMap, shared per namespace; default one of this TorchPod's own. */
    readonly proxyConfigMap?: k8s.core.v1.ConfigMap;
}

export class TorchPod extends pulumi.ComponentResource {
    readonly user: string;
    readonly deployment: k8s.apps.v1.Deployment;
    readonly service: k8s.core.v1.Service;
    readonly home: k8s.core.v1.PersistentVolumeClaim;
    readonly secret: k8s.core.v1.Secret;
    /** The user's password (a Pulumi secret). */
    readonly password: pulumi.Output<string>;
    /** `host:port` per enabled GUI; undefined when that GUI is off. */
    readonly rdpEndpoint?: pulumi.Output<string>;
    readonly browserEndpoint?: pulumi.Output<string>;
    readonly vncEndpoint?: pulumi.Output<string>;

    constructor(name: string, args: TorchPodArgs, opts?: pulumi.ComponentResourceOptions) {
        super("torchpod:index:TorchPod", name, {}, opts);

        // Defaults, in one place.
        const user = args.user;
        const gpus = args.gpus ?? PLATFORM_DEFAULTS.user.gpus;
        const res: Resources = args.resources ?? {
            cpuRequest: PLATFORM_DEFAULTS.user.cpu,
            cpuLimit: PLATFORM_DEFAULTS.user.cpuLimit,
            memoryRequest: PLATFORM_DEFAULTS.user.memory,
            memoryLimit: PLATFORM_DEFAULTS.user.memoryLimit,
        };
        const shmSize = args.shmSize ?? PLATFORM_DEFAULTS.user.shm;
        const homeSize = args.homeSize ?? PLATFORM_DEFAULTS.user.home;
        const image = args.image ?? PLATFORM_DEFAULTS.image;
        const gui: GuiConfig = args.gui ?? PLATFORM_DEFAULTS.gui;
        const mode = args.mode ?? modeFor(gui);
        const exposure: ExposureConfig = args.exposure ?? PLATFORM_DEFAULTS.exposure;
        const officeCidrs = args.officeCidrs ?? [];
        const gpu = args.gpu ?? PLATFORM_DEFAULTS.gpu;
        const airlockClaimName = args.airlockClaimName ?? AIRLOCK_CLAIM_NAME;
        refuseInvalidArgs("TorchPod", validateTorchPodArgs({ user, image, gpus, resources: res, shmSize, gui, mode }));
        const names = torchpodNames(user);
        const home = `/home/${user}`;

        this.user = user;
        const labels = workloadLabels("torchpod", user, imageVersion(image));
        const stableLabels = workloadLabels("torchpod", user);

        const creds = credentials(name, args.namespace, names.secret, stableLabels, this);
        this.secret = creds.secret;
        this.password = pulumi.secret(creds.password.result);

        // The home volume: explicit stable name, retained on delete (also when the user leaves the
        // config), and immune to config changes that would replace it. Its resource name depends on
        // the user only, so its URN never changes.
        this.home = new k8s.core.v1.PersistentVolumeClaim(
            `home-${user}`,
            {
                metadata: { name: names.home, namespace: args.namespace, labels: stableLabels },
                spec: {
                    accessModes: ["ReadWriteOnce"],
                    ...(args.homeStorageClass ? { storageClassName: args.homeStorageClass } : {}),
                    resources: { requests: { storage: homeSize } },
                },
            },
            { parent: this, retainOnDelete: true, ignoreChanges: PVC_IGNORED_CHANGES },
        );

        const proxyConfigMap = gui.browser
            ? (args.proxyConfigMap ??
              browserProxyConfigMap(
                  `${name}-proxy`,
                  { name: names.proxyConfig, namespace: args.namespace, labels: stableLabels },
                  { parent: this },
              ))
            : undefined;
        const proxy = proxyConfigMap
            ? browserProxy({ configMapName: proxyConfigMap.metadata.name, image: gui.proxyImage, user, secretName: names.secret })
            : undefined;

        const gpuResources: Record<string, string> = gpus > 0 ? { [gpu.resourceName]: String(gpus) } : {};
        const mlab = args.mlab;

        const container: k8s.types.input.core.v1.Container = {
            name: "torchpod",
            image,
            env: [
                { name: "TORCHPOD_USER", value: user },
                secretEnv("TORCHPOD_PASSWORD", names.secret, CREDENTIAL_KEYS.password),
                { name: "TORCHPOD_MODE", value: mode },
                { name: "HOME", value: home },
                // pip installs offline from what the Airlock downloaded.
                { name: "PIP_NO_INDEX", value: "1" },
                { name: "PIP_FIND_LINKS", value: `${AIRLOCK_MOUNT_PATH}/pip` },
                ...(mlab ? [{ name: "MLAB_HOST", value: mlab.host }] : []),
            ],
            workingDir: home,
            ports: desktopPorts(gui),
            resources: {
                requests: { cpu: res.cpuRequest, memory: res.memoryRequest, ...gpuResources },
                limits: { cpu: res.cpuLimit, memory: res.memoryLimit, ...gpuResources },
            },
            securityContext: desktopSecurityContext(),
            ...desktopProbes(mode),
            volumeMounts: [
                { name: "home", mountPath: home },
                { name: "dshm", mountPath: "/dev/shm" },
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
        };

        this.deployment = new k8s.apps.v1.Deployment(
            `${name}-deployment`,
            {
                metadata: { name: names.deployment, namespace: args.namespace, labels },
                spec: {
                    replicas: 1,
                    // The home volume is ReadWriteOnce: the old pod must stop before the new one mounts it.
                    strategy: { type: "Recreate" },
                    selector: { matchLabels: selectorLabels("torchpod", user) },
                    template: {
                        metadata: { labels },
                        spec: {
                            ...podHardening(),
                            terminationGracePeriodSeconds: 60,
                            ...(mlab ? { hostAliases: [{ ip: mlab.clusterIp, hostnames: [mlab.host] }] } : {}),
                            ...(gpus > 0
                                ? {
                                      nodeSelector: { ...gpu.nodeSelector },
                                      tolerations: gpu.tolerations.map((t) => ({ ...t })),
                                  }
                                : {}),
                            containers: [container, ...(proxy ? [proxy.container] : [])],
                            volumes: [
                                { name: "home", persistentVolumeClaim: { claimName: this.home.metadata.name } },
                                { name: "dshm", emptyDir: { medium: "Memory", sizeLimit: shmSize } },
                                { name: "airlock", persistentVolumeClaim: { claimName: airlockClaimName, readOnly: true } },
                                ...(mlab
                                    ? [{ name: "mlab-credentials", secret: { secretName: mlab.credentialsSecretName, defaultMode: 0o444 } }]
                                    : []),
                                ...(proxy ? proxy.volumes : []),
                            ],
                        },
                    },
                },
            },
            { parent: this, dependsOn: [creds.secret, ...(proxyConfigMap ? [proxyConfigMap] : []), ...(args.dependsOn ?? [])] },
        );

        this.service = guiService({
            name,
            namespace: args.namespace,
            serviceName: names.service,
            labels: stableLabels,
            selector: selectorLabels("torchpod", user),
            ports: guiServicePorts(gui),
            exposure,
            officeCidrs,
            parent: this,
        });
        this.rdpEndpoint = gui.rdp ? endpoint(this.service, DESKTOP_PORTS.rdp) : undefined;
        this.browserEndpoint = gui.browser ? endpoint(this.service, DESKTOP_PORTS.browser) : undefined;
        this.vncEndpoint = gui.vnc ? endpoint(this.service, DESKTOP_PORTS.vnc) : undefined;

        this.registerOutputs({
            user,
            password: this.password,
            rdpEndpoint: this.rdpEndpoint,
            browserEndpoint: this.browserEndpoint,
            vncEndpoint: this.vncEndpoint,
            homeClaimName: this.home.metadata.name,
        });
    }
}
