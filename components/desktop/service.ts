// The user-facing Service of a workload (TorchPods, the Airlock, MLab) and the addresses it exports.
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { DESKTOP_PORTS, DESKTOP_PORT_NAMES } from "@torchpod/contract";
import { ExposureConfig, GuiConfig } from "../common/settings";

export interface GuiServicePort {
    readonly name: string;
    readonly port: number;
    readonly targetPort: string;
}

/** The Service ports of the enabled GUIs (targets by port name), plus any extra (sftp). */
export function guiServicePorts(gui: GuiConfig, extra: readonly GuiServicePort[] = []): GuiServicePort[] {
    return [
        ...(gui.rdp ? [{ name: DESKTOP_PORT_NAMES.rdp, port: DESKTOP_PORTS.rdp, targetPort: DESKTOP_PORT_NAMES.rdp }] : []),
        ...(gui.browser ? [{ name: DESKTOP_PORT_NAMES.browser, port: DESKTOP_PORTS.browser, targetPort: DESKTOP_PORT_NAMES.browser }] : []),
        ...(gui.vnc ? [{ name: DESKTOP_PORT_NAMES.vnc, port: DESKTOP_PORTS.vnc, targetPort: DESKTOP_PORT_NAMES.vnc }] : []),
        ...extra,
    ];
}

/**
 * The exposure part of a user-facing Service's spec (TorchPods, the Airlock, MLab). With
 * LoadBalancer: only the office networks (loadBalancerSourceRanges); `externalTrafficPolicy: Local`,
 * so the pod and its NetworkPolicy see the client's own address (with the default, Cluster, nodes
 * SNAT it and an office ipBlock ingress rule never matches); and no NodePorts allocated, which
 * would open the ports on every node past the source ranges. NodePort itself is never used.
 */
export function exposureSpec(
    exposure: ExposureConfig,
    officeCidrs: readonly string[],
): {
    type: ExposureConfig["type"];
    loadBalancerSourceRanges?: string[];
    externalTrafficPolicy?: string;
    allocateLoadBalancerNodePorts?: boolean;
} {
    if (exposure.type !== "LoadBalancer") return { type: exposure.type };
    return {
        type: exposure.type,
        loadBalancerSourceRanges: [...officeCidrs],
        externalTrafficPolicy: "Local",
        allocateLoadBalancerNodePorts: false,
    };
}

/**
 * The user-facing Service. With LoadBalancer: only the office networks (loadBalancerSourceRanges),
 * `externalTrafficPolicy: Local` (the pod and its NetworkPolicy see the client's address), and no
 * NodePorts allocated. NodePort is never used.
 */
export function guiService(args: {
    name: string;
    namespace: pulumi.Input<string>;
    serviceName: string;
    labels: Record<string, string>;
    selector: Record<string, string>;
    ports: readonly GuiServicePort[];
    exposure: ExposureConfig;
    officeCidrs: readonly string[];
    parent: pulumi.Resource;
}): k8s.core.v1.Service {
    const lb = args.exposure.type === "LoadBalancer";
    return new k8s.core.v1.Service(
        `${args.name}-service`,
        {
            metadata: {
                name: args.serviceName,
                namespace: args.namespace,
                labels: args.labels,
                ...(lb && Object.keys(args.exposure.annotations).length > 0 ? { annotations: { ...args.exposure.annotations } } : {}),
            },
            spec: {
                selector: args.selector,
                ports: args.ports.map((p) => ({ name: p.name, port: p.port, targetPort: p.targetPort, protocol: "TCP" })),
                ...exposureSpec(args.exposure, args.officeCidrs),
            },
        },
        { parent: args.parent },
    );
}

/** `host:port` of a Service port: the load balancer's address when it has one, else the cluster IP. */
export function endpoint(service: k8s.core.v1.Service, port: number): pulumi.Output<string> {
    return pulumi.all([service.status, service.spec]).apply(([status, spec]) => {
        const ingress = status?.loadBalancer?.ingress?.[0];
        const host = ingress?.ip || ingress?.hostname || spec?.clusterIP || "";
        return host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
    });
}
