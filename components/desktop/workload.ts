// The desktop workload TorchPods and the Airlock both are: one image, one login with a random
// password from a Secret, the browser proxy in front of noVNC, a Recreate Deployment of one replica,
// and the user-facing Service with the enabled GUIs. Each component adds only what is its own
// (volumes, extra env, ports, scheduling).
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { ComponentName, DESKTOP_PORTS, imageVersion, selectorLabels, workloadLabels } from "@torchpod/contract";
import { CREDENTIAL_KEYS, credentials, secretEnv } from "./credentials";
import { browserProxy, browserProxyConfigMap } from "./browserProxy";
import { desktopPorts, desktopProbes, desktopSecurityContext, podHardening } from "./container";
import { GuiServicePort, endpoint, guiService, guiServicePorts } from "./service";
import { ExposureConfig, GuiConfig, Resources, TorchpodMode } from "../common/settings";

export interface DesktopWorkloadArgs {
    /** `app.kubernetes.io/component` of the pods. */
    readonly component: Extract<ComponentName, "torchpod" | "airlock">;
    /** `app.kubernetes.io/instance` of the pods (the user for a TorchPod). */
    readonly instance: string;
    readonly namespace: pulumi.Input<string>;
    /** Object names: the Deployment, the Service, the credentials Secret and the workload's own proxy ConfigMap. */
    readonly names: { readonly deployment: string; readonly service: string; readonly secret: string; readonly proxyConfig: string };
    /** The login inside the desktop (its home is /home/<user>). */
    readonly user: string;
    readonly image: string;
    readonly mode: TorchpodMode;
    readonly gui: GuiConfig;
    readonly resources: Resources;
    /** Extended resources requested and limited alike (GPUs). */
    readonly extendedResources?: Readonly<Record<string, string>>;
    /** The desktop container's working directory. */
    readonly workingDir: string;
    /** Env after TORCHPOD_USER, TORCHPOD_PASSWORD, TORCHPOD_MODE and HOME. */
    readonly env?: readonly k8s.types.input.core.v1.EnvVar[];
    /** Container ports after the GUI ones. */
    readonly ports?: readonly k8s.types.input.core.v1.ContainerPort[];
    /** Service ports after the GUI ones. */
    readonly servicePorts?: readonly GuiServicePort[];
    readonly volumeMounts: readonly k8s.types.input.core.v1.VolumeMount[];
    /** Volumes; the browser proxy's are added after them. */
    readonly volumes: readonly k8s.types.input.core.v1.Volume[];
    /** Pod spec fields of the workload's own (init containers, host aliases, scheduling). */
    readonly podSpec?: Pick<k8s.types.input.core.v1.PodSpec, "initContainers" | "hostAliases" | "nodeSelector" | "tolerations">;
    readonly exposure: ExposureConfig;
    readonly officeCidrs: readonly string[];
    /** The namespace's shared proxy ConfigMap; without it the workload creates its own (when the browser GUI is on). */
    readonly proxyConfigMap?: k8s.core.v1.ConfigMap;
    /** What the Deployment waits for besides its Secret and proxy ConfigMap. */
    readonly dependsOn?: readonly pulumi.Resource[];
    /**
     * The Deployment's replicas: 1 (running) or 0 (suspended); "unmanaged" leaves `spec.replicas` out,
     * so another writer (the working-hours schedule, through the scale subresource) owns it and
     * `pulumi up` never resets it. @default 1
     */
    readonly replicas?: 0 | 1 | "unmanaged";
    /** Annotations of the Deployment. @default none */
    readonly deploymentAnnotations?: Readonly<Record<string, string>>;
}

export interface DesktopWorkload {
    readonly deployment: k8s.apps.v1.Deployment;
    readonly service: k8s.core.v1.Service;
    readonly secret: k8s.core.v1.Secret;
    /** The login's password (a Pulumi secret). */
    readonly password: pulumi.Output<string>;
    /** `host:port` per enabled GUI; undefined when that GUI is off. */
    readonly rdpEndpoint?: pulumi.Output<string>;
    readonly browserEndpoint?: pulumi.Output<string>;
    readonly vncEndpoint?: pulumi.Output<string>;
}

/** The mount of the desktop's home, /home/<user>, from the volume named "home". */
export function homeMount(user: string): k8s.types.input.core.v1.VolumeMount {
    return { name: "home", mountPath: `/home/${user}` };
}

/** The memory-backed /dev/shm (PyTorch DataLoader workers pass batches through it); it counts against the memory limit. */
export const SHM_MOUNT: k8s.types.input.core.v1.VolumeMount = { name: "dshm", mountPath: "/dev/shm" };
export function shmVolume(sizeLimit: string): k8s.types.input.core.v1.Volume {
    return { name: "dshm", emptyDir: { medium: "Memory", sizeLimit } };
}

/** Labels of the workload's objects that never change (selectors, claims, Secrets). */
export function stableDesktopLabels(args: Pick<DesktopWorkloadArgs, "component" | "instance">): Record<string, string> {
    return workloadLabels(args.component, args.instance);
}

/** Builds the desktop's Secret, proxy, Deployment and Service as children of `parent` (resource names start with `name`). */
export function desktopWorkload(name: string, args: DesktopWorkloadArgs, parent: pulumi.Resource): DesktopWorkload {
    const { gui, names, namespace } = args;
    const labels = workloadLabels(args.component, args.instance, imageVersion(args.image));
    const stableLabels = stableDesktopLabels(args);
    const selector = selectorLabels(args.component, args.instance);

    const creds = credentials(name, namespace, names.secret, stableLabels, parent);
    const proxyConfigMap = gui.browser
        ? (args.proxyConfigMap ??
          browserProxyConfigMap(`${name}-proxy`, { name: names.proxyConfig, namespace, labels: stableLabels }, { parent }))
        : undefined;
    const proxy = proxyConfigMap
        ? browserProxy({ configMapName: proxyConfigMap.metadata.name, image: gui.proxyImage, user: args.user, secretName: names.secret })
        : undefined;

    const extended = args.extendedResources ?? {};
    const container: k8s.types.input.core.v1.Container = {
        name: args.component,
        image: args.image,
        env: [
            { name: "TORCHPOD_USER", value: args.user },
            secretEnv("TORCHPOD_PASSWORD", names.secret, CREDENTIAL_KEYS.password),
            { name: "TORCHPOD_MODE", value: args.mode },
            { name: "HOME", value: `/home/${args.user}` },
            ...(args.env ?? []),
        ],
        workingDir: args.workingDir,
        ports: [...desktopPorts(gui), ...(args.ports ?? [])],
        resources: {
            requests: { cpu: args.resources.cpuRequest, memory: args.resources.memoryRequest, ...extended },
            limits: { cpu: args.resources.cpuLimit, memory: args.resources.memoryLimit, ...extended },
        },
        securityContext: desktopSecurityContext(),
        ...desktopProbes(args.mode),
        volumeMounts: [...args.volumeMounts],
    };

    const deployment = new k8s.apps.v1.Deployment(
        `${name}-deployment`,
        {
            metadata: {
                name: names.deployment,
                namespace,
                labels,
                ...(args.deploymentAnnotations ? { annotations: { ...args.deploymentAnnotations } } : {}),
            },
            spec: {
                ...(args.replicas === "unmanaged" ? {} : { replicas: args.replicas ?? 1 }),
                // Home volumes are ReadWriteOnce: the old pod must stop before the new one mounts it.
                strategy: { type: "Recreate" },
                selector: { matchLabels: selector },
                template: {
                    metadata: { labels },
                    spec: {
                        ...podHardening(),
                        terminationGracePeriodSeconds: 60,
                        ...args.podSpec,
                        containers: [container, ...(proxy ? [proxy.container] : [])],
                        volumes: [...args.volumes, ...(proxy ? proxy.volumes : [])],
                    },
                },
            },
        },
        { parent, dependsOn: [creds.secret, ...(proxyConfigMap ? [proxyConfigMap] : []), ...(args.dependsOn ?? [])] },
    );

    const service = guiService({
        name,
        namespace,
        serviceName: names.service,
        labels: stableLabels,
        selector,
        ports: guiServicePorts(gui, args.servicePorts),
        exposure: args.exposure,
        officeCidrs: args.officeCidrs,
        parent,
    });

    return {
        deployment,
        service,
        secret: creds.secret,
        password: pulumi.secret(creds.password.result),
        rdpEndpoint: gui.rdp ? endpoint(service, DESKTOP_PORTS.rdp) : undefined,
        browserEndpoint: gui.browser ? endpoint(service, DESKTOP_PORTS.browser) : undefined,
        vncEndpoint: gui.vnc ? endpoint(service, DESKTOP_PORTS.vnc) : undefined,
    };
}

/**
 * A ComponentResource whose heart is one desktop workload (TorchPod, Airlock): the workload's objects,
 * password and endpoints are the component's. Subclasses call `buildDesktop` once in their constructor.
 */
export abstract class DesktopComponent extends pulumi.ComponentResource {
    private built?: DesktopWorkload;

    protected buildDesktop(name: string, args: DesktopWorkloadArgs): DesktopWorkload {
        this.built = desktopWorkload(name, args, this);
        return this.built;
    }

    private get desktop(): DesktopWorkload {
        if (!this.built) throw new Error(`${this.constructor.name}: the desktop is not built yet`);
        return this.built;
    }

    get deployment(): k8s.apps.v1.Deployment {
        return this.desktop.deployment;
    }
    get service(): k8s.core.v1.Service {
        return this.desktop.service;
    }
    /** The credentials Secret (password and its bcrypt hash). */
    get secret(): k8s.core.v1.Secret {
        return this.desktop.secret;
    }
    /** The login's password (a Pulumi secret). */
    get password(): pulumi.Output<string> {
        return this.desktop.password;
    }
    /** `host:port` per enabled GUI; undefined when that GUI is off. */
    get rdpEndpoint(): pulumi.Output<string> | undefined {
        return this.desktop.rdpEndpoint;
    }
    get browserEndpoint(): pulumi.Output<string> | undefined {
        return this.desktop.browserEndpoint;
    }
    get vncEndpoint(): pulumi.Output<string> | undefined {
        return this.desktop.vncEndpoint;
    }

    /** The outputs every desktop registers, plus the component's own. */
    protected registerDesktopOutputs(own: Record<string, unknown>): void {
        this.registerOutputs({
            ...own,
            password: this.password,
            rdpEndpoint: this.rdpEndpoint,
            browserEndpoint: this.browserEndpoint,
            vncEndpoint: this.vncEndpoint,
        });
    }
}
