// The authenticating proxy (Caddy, basic auth) in front of the image's password-less noVNC.
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { DESKTOP_PORTS, DESKTOP_PORT_NAMES } from "@torchpod/contract";
import { CREDENTIAL_KEYS, secretEnv } from "./credentials";

/**
 * The Caddyfile of the proxy sidecar: basic auth with the workload's user and bcrypt hash (from env),
 * then noVNC. The user's `Authorization` header (their password, base64) stops here: noVNC's nginx
 * needs none, and would only see, log or forward it.
 */
export const PROXY_CADDYFILE = [
    "{",
    "\tadmin off",
    "\tauto_https off",
    "\tpersist_config off",
    "}",
    `:${DESKTOP_PORTS.browser} {`,
    "\tbasic_auth {",
    "\t\t{$PROXY_USER} {$PROXY_PASSWORD_HASH}",
    "\t}",
    `\treverse_proxy 127.0.0.1:${DESKTOP_PORTS.novnc} {`,
    "\t\theader_up -Authorization",
    "\t}",
    "}",
    "",
].join("\n");

export interface BrowserProxy {
    readonly container: k8s.types.input.core.v1.Container;
    readonly volumes: k8s.types.input.core.v1.Volume[];
}

/**
 * The proxy's Caddyfile as a ConfigMap. It holds no per-user value (user and hash come from env),
 * so the platform creates one per namespace; a workload built on its own creates its own.
 */
export function browserProxyConfigMap(
    resourceName: string,
    args: { name: string; namespace: pulumi.Input<string>; labels: Record<string, string> },
    opts: pulumi.CustomResourceOptions,
): k8s.core.v1.ConfigMap {
    return new k8s.core.v1.ConfigMap(
        resourceName,
        {
            metadata: { name: args.name, namespace: args.namespace, labels: args.labels },
            data: { Caddyfile: PROXY_CADDYFILE },
        },
        opts,
    );
}

/** The proxy sidecar that puts basic auth in front of the image's password-less noVNC. */
export function browserProxy(args: { configMapName: pulumi.Input<string>; image: string; user: string; secretName: string }): BrowserProxy {
    const container: k8s.types.input.core.v1.Container = {
        name: "browser-proxy",
        image: args.image,
        command: ["caddy", "run", "--config", "/etc/caddy/Caddyfile", "--adapter", "caddyfile"],
        ports: [{ name: DESKTOP_PORT_NAMES.browser, containerPort: DESKTOP_PORTS.browser, protocol: "TCP" }],
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
        readinessProbe: { tcpSocket: { port: DESKTOP_PORTS.browser }, periodSeconds: 10 },
        livenessProbe: { tcpSocket: { port: DESKTOP_PORTS.browser }, periodSeconds: 20, failureThreshold: 3 },
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
