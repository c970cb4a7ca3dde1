// The desktop container's pieces that TorchPods and the Airlock share: ports, probes and hardening.
import * as k8s from "@pulumi/kubernetes";
import { DESKTOP_PORTS, DESKTOP_PORT_NAMES } from "@torchpod/contract";
import { GuiConfig, TorchpodMode } from "../common/settings";

/** The image's TORCHPOD_MODE for the enabled GUIs: VNC serves both raw VNC and noVNC (the browser). */
export function modeFor(gui: Pick<GuiConfig, "rdp" | "browser" | "vnc">): TorchpodMode {
    const vnc = gui.browser || gui.vnc;
    return gui.rdp && vnc ? "VNCRDP" : gui.rdp ? "RDP" : "VNC";
}

/** The desktop container's GUI ports: RDP when enabled, raw VNC only when explicitly enabled (noVNC stays internal). */
export function desktopPorts(gui: GuiConfig): k8s.types.input.core.v1.ContainerPort[] {
    return [
        ...(gui.rdp ? [{ name: DESKTOP_PORT_NAMES.rdp, containerPort: DESKTOP_PORTS.rdp, protocol: "TCP" }] : []),
        ...(gui.vnc ? [{ name: DESKTOP_PORT_NAMES.vnc, containerPort: DESKTOP_PORTS.vnc, protocol: "TCP" }] : []),
    ];
}

/**
 * Probes that fit the image: its desktop takes a while to come up, so a generous startup probe,
 * then TCP checks on the GUI server the mode runs (xrdp when RDP is on, Xvnc otherwise).
 */
export function desktopProbes(
    mode: TorchpodMode,
): Pick<k8s.types.input.core.v1.Container, "startupProbe" | "readinessProbe" | "livenessProbe"> {
    const port = mode === "VNC" ? DESKTOP_PORTS.vnc : DESKTOP_PORTS.rdp;
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
export function podHardening(): Pick<
    k8s.types.input.core.v1.PodSpec,
    "automountServiceAccountToken" | "enableServiceLinks" | "hostNetwork" | "hostPID" | "hostIPC" | "shareProcessNamespace"
> {
    return {
        automountServiceAccountToken: false,
        enableServiceLinks: false,
        hostNetwork: false,
        hostPID: false,
        hostIPC: false,
        shareProcessNamespace: false,
    };
}
