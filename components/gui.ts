// What TorchPods and the Airlock share (same image, same GUI): credentials, the authenticating
// proxy in front of noVNC, the user-facing Service, container hardening and the image's probes.
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import * as random from "@pulumi/random";
import { ExposureConfig, GuiConfig, TorchpodMode } from "../stacks/types";

/** Container ports of the TorchPod image, and the proxy sidecar's. Port names are a contract (NetworkPolicies, tools). */
export const PORTS = {
    /** xrdp, PAM login with the user's password. */
    rdp: 3389,
    /** Xvnc: no password (`-SecurityTypes none`). */
    vnc: 5900,
    /** The image's noVNC (nginx): no password; reached only by the proxy sidecar over loopback. */
    novnc: 7030,
    /** The authenticating proxy sidecar (Caddy, basic auth) in front of noVNC. */
    browser: 7031,
    /** sshd (sftp), served by the Airlock only. */
    sftp: 22,
} as const;

export const PORT_NAMES = { rdp: "rdp", browser: "browser", vnc: "vnc", sftp: "sftp" } as const;

/** Where the airlock share lives in every pod of the image (read-only in TorchPods, writable in the Airlock). */
export const AIRLOCK_MOUNT_PATH = "/opt/public/airlock";

/** Keys of the per-workload credentials Secret. */
export const CREDENTIAL_KEYS = { password: "password", bcrypt: "password-bcrypt" } as const;

export interface Credentials {
    readonly password: random.RandomPassword;
    readonly secret: k8s.core.v1.Secret;
    /** The Secret's name (explicit, stable). */
    readonly secretName: string;
}

/**
 * A random password and the Secret that delivers it (and its bcrypt hash, for the proxy) to pods.
 * Pods read it through secretKeyRef only: the password never appears in a pod spec.
 */
export function credentials(
    name: string, namespace: pulumi.Input<string>, secretName: string, labels: Record<string, string>, parent: pulumi.Resource,
): Credentials {
    // Letters and digits only: the image feeds it to chpasswd; 24 of them are ~140 bits.
    const password = new random.RandomPassword(`${name}-password`, { length: 24, special: false }, { parent });
    const secret = new k8s.core.v1.Secret(`${name}-credentials`, {
        metadata: { name: secretName, namespace, labels },
        type: "Opaque",
        stringData: {
            [CREDENTIAL_KEYS.password]: password.result,
            [CREDENTIAL_KEYS.bcrypt]: password.bcryptHash,
        },
    }, { parent });
    return { password, secret, secretName };
}

export function secretEnv(envName: string, secretName: string, key: string): k8s.types.input.core.v1.EnvVar {
    return { name: envName, valueFrom: { secretKeyRef: { name: secretName, key } } };
}

/** The Caddyfile of the proxy sidecar: basic auth with the workload's user and bcrypt hash (from env), then noVNC. */
export const PROXY_CADDYFILE = [
    "{",
    "\tadmin off",
    "\tauto_https off",
    "\tpersist_config off",
    "}",
    `:${PORTS.browser} {`,
    "\tbasic_auth {",
    "\t\t{$PROXY_USER} {$PROXY_PASSWORD_HASH}",
    "\t}",
    `\treverse_proxy 127.0.0.1:${PORTS.novnc}`,
    "}",
    "",
].join("\n");

export interface BrowserProxy {
    readonly container: k8s.types.input.core.v1.Container;
    readonly volumes: k8s.types.input.core.v1.Volume[];
}

/** The name of the ConfigMap the platform shares between all proxies of a namespace. */
export const SHARED_PROXY_CONFIG_NAME = "browser-proxy";

/**
 * The proxy's Caddyfile as a ConfigMap. It holds no per-user value (user and hash come from env),
 * so the platform creates one per namespace; a workload built on its own creates its own.
 */
export function browserProxyConfigMap(
    resourceName: string, args: { name: string; namespace: pulumi.Input<string>; labels: Record<string, string> }, opts: pulumi.CustomResourceOptions,
): k8s.core.v1.ConfigMap {
    return new k8s.core.v1.ConfigMap(resourceName, {
        metadata: { name: args.name, namespace: args.namespace, labels: args.labels },
        data: { Caddyfile: PROXY_CADDYFILE },
    }, opts);
}

/** The proxy sidecar that puts basic auth in front of the image's password-less noVNC. */
export function browserProxy(args: {
    configMapName: pulumi.Input<string>; image: string; user: string; secretName: string;
}): BrowserProxy {
    const container: k8s.types.input.core.v1.Container = {
        name: "browser-proxy",
        image: args.image,
        command: ["caddy", "run", "--config", "/etc/caddy/Caddyfile", "--adapter", "caddyfile"],
        ports: [{ name: PORT_NAMES.browser, containerPort: PORTS.browser, protocol: "TCP" }],
        env: [
            { name: "PROXY_USER", value: args.user },
            secretEnv("PROXY_PASSWORD_HASH", args.secretName, CREDENTIAL_KEYS.bcrypt),
            { name: "XDG_DATA_HOME", value: "/data" },
            { name: "XDG_CONFIG_HOME", value: "/config" },
        ],
        resources: { requests: { cpu: "10m", memory: "32Mi" }, limits: { cpu: "500m", memory: "128Mi" } },
        securityContext: {
            runAsNonRoot: true,
            runAsUser: 65532,
            runAsGroup: 65532,
            allowPrivilegeEscalation: false,
            privileged: false,
            readOnlyRootFilesystem: true,
            // The image's caddy binary carries the file capability cap_net_bind_service=+ep; with it
            // outside the bounding set exec fails with EPERM. Kept in the set, no_new_privs still
            // withholds it from the non-root process (7031 needs none).
            capabilities: { drop: ["ALL"], add: ["NET_BIND_SERVICE"] },
            seccompProfile: { type: "RuntimeDefault" },
        },
        readinessProbe: { tcpSocket: { port: PORTS.browser }, periodSeconds: 10 },
        livenessProbe: { tcpSocket: { port: PORTS.browser }, periodSeconds: 20, failureThreshold: 3 },
        volumeMounts: [
            { name: "proxy-config", mountPath: "/etc/caddy", readOnly: true },
            { name: "proxy-data", mountPath: "/data" },
            { name: "proxy-state", mountPath: "/config" },
        ],
    };
    const volumes: k8s.types.input.core.v1.Volume[] = [
        { name: "proxy-config", configMap: { name: args.configMapName } },
        { name: "proxy-data", emptyDir: { sizeLimit: "16Mi" } },
        { name: "proxy-state", emptyDir: { sizeLimit: "16Mi" } },
    ];
    return { container, volumes };
}

/** The desktop container's GUI ports: RDP when enabled, raw VNC only when explicitly enabled (noVNC stays internal). */
export function desktopPorts(gui: GuiConfig): k8s.types.input.core.v1.ContainerPort[] {
    return [
        ...(gui.rdp ? [{ name: PORT_NAMES.rdp, containerPort: PORTS.rdp, protocol: "TCP" }] : []),
        ...(gui.vnc ? [{ name: PORT_NAMES.vnc, containerPort: PORTS.vnc, protocol: "TCP" }] : []),
    ];
}

/**
 * Probes that fit the image: its desktop takes a while to come up, so a generous startup probe,
 * then TCP checks on the GUI server the mode runs (xrdp when RDP is on, Xvnc otherwise).
 */
export function desktopProbes(mode: TorchpodMode): Pick<k8s.types.input.core.v1.Container, "startupProbe" | "readinessProbe" | "livenessProbe"> {
    const port = mode === "VNC" ? PORTS.vnc : PORTS.rdp;
    return {
        startupProbe: { tcpSocket: { port }, periodSeconds: 10, failureThreshold: 60 },
        readinessProbe: { tcpSocket: { port }, periodSeconds: 10, failureThreshold: 3 },
        livenessProbe: { tcpSocket: { port }, periodSeconds: 30, timeoutSeconds: 5, failureThreshold: 5 },
    };
}

/**
 * The desktop container's security context. The image runs as root and users `sudo`, so
 * privilege escalation stays allowed (Pod Security baseline permits it); everything that could
 * touch the network stack or the host is dropped.
 */
export function desktopSecurityContext(): k8s.types.input.core.v1.SecurityContext {
    return {
        privileged: false,
        allowPrivilegeEscalation: true,
        // sshd and sudo keep the runtime's default SETUID/SETGID/SYS_CHROOT/AUDIT_WRITE.
        capabilities: { drop: ["NET_ADMIN", "NET_RAW", "SYS_ADMIN", "SYS_MODULE", "SYS_PTRACE", "SYS_TIME", "SYS_BOOT", "BPF", "PERFMON"] },
        seccompProfile: { type: "RuntimeDefault" },
    };
}

/** Pod-level hardening shared by every pod of the image: no token, no service links, nothing from the host. */
export function podHardening(): Pick<k8s.types.input.core.v1.PodSpec,
    "automountServiceAccountToken" | "enableServiceLinks" | "hostNetwork" | "hostPID" | "hostIPC" | "shareProcessNamespace"> {
    return {
        automountServiceAccountToken: false,
        enableServiceLinks: false,
        hostNetwork: false,
        hostPID: false,
        hostIPC: false,
        shareProcessNamespace: false,
    };
}

export interface GuiServicePort {
    readonly name: string;
    readonly port: number;
    readonly targetPort: string;
}

/** The Service ports of the enabled GUIs (targets by port name), plus any extra (sftp). */
export function guiServicePorts(gui: GuiConfig, extra: readonly GuiServicePort[] = []): GuiServicePort[] {
    return [
        ...(gui.rdp ? [{ name: PORT_NAMES.rdp, port: PORTS.rdp, targetPort: PORT_NAMES.rdp }] : []),
        ...(gui.browser ? [{ name: PORT_NAMES.browser, port: PORTS.browser, targetPort: PORT_NAMES.browser }] : []),
        ...(gui.vnc ? [{ name: PORT_NAMES.vnc, port: PORTS.vnc, targetPort: PORT_NAMES.vnc }] : []),
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
export function exposureSpec(exposure: ExposureConfig, officeCidrs: readonly string[]): {
    type: ExposureConfig["type"]; loadBalancerSourceRanges?: string[]; externalTrafficPolicy?: string; allocateLoadBalancerNodePorts?: boolean;
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
    name: string; namespace: pulumi.Input<string>; serviceName: string; labels: Record<string, string>;
    selector: Record<string, string>; ports: readonly GuiServicePort[]; exposure: ExposureConfig;
    officeCidrs: readonly string[]; parent: pulumi.Resource;
}): k8s.core.v1.Service {
    const lb = args.exposure.type === "LoadBalancer";
    return new k8s.core.v1.Service(`${args.name}-service`, {
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
    }, { parent: args.parent });
}

/** `host:port` of a Service port: the load balancer's address when it has one, else the cluster IP. */
export function endpoint(service: k8s.core.v1.Service, port: number): pulumi.Output<string> {
    return pulumi.all([service.status, service.spec]).apply(([status, spec]) => {
        const ingress = status?.loadBalancer?.ingress?.[0];
        const host = ingress?.ip || ingress?.hostname || spec?.clusterIP || "";
        return host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
    });
}
