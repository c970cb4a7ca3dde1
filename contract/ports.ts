// Ports of the platform's workloads. Port names are part of the contract: NetworkPolicies, Services,
// tools and the policy pack refer to them.

/** Container ports of the TorchPod image (also the Airlock's), and of the browser proxy sidecar. */
export const DESKTOP_PORTS = {
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

/** Names of the desktop's container and Service ports. */
export const DESKTOP_PORT_NAMES = { rdp: "rdp", browser: "browser", vnc: "vnc", sftp: "sftp" } as const;

/** The image's ports that serve a desktop without any password: never opened to anyone but the proxy (noVNC) or unless a stack enables raw VNC. */
export const PASSWORDLESS_DESKTOP_PORTS = { novnc: DESKTOP_PORTS.novnc, vnc: DESKTOP_PORTS.vnc } as const;

/** Gitea's listening ports inside MLab's pod (the rootless image's defaults): the only ports a TorchPod may reach. */
export const GITEA_HTTP_CONTAINER_PORT = 3000;
export const GITEA_SSH_CONTAINER_PORT = 2222;
