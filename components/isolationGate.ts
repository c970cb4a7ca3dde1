// The isolation gate: an init container of every TorchPod. A network plugin isolates a new pod only a
// moment after it starts (it learns the pod's address first; kube-router: about a second), and in that
// moment the pod reaches whatever an unisolated pod reaches. Init containers share the pod's network
// namespace and finish before the desktop starts, so the gate (components/probe/probe.js --gate) waits
// until the cluster DNS and the API server, which always answer an unisolated pod, are blocked: user code
// from the home volume (shell profiles, autostart) never runs on an open network. A gate that still gets
// answers after GATE_BOUND_SECONDS exits non-zero and the kubelet runs it again (fail closed).
import * as k8s from "@pulumi/kubernetes";
import { restrictedContainerSecurityContext } from "./common/podSecurity";
import { ClusterConfig, ProbeConfig } from "./common/settings";
import type { ProbeScriptConfig } from "./enforcementProbe";

/** How long the gate waits for isolation before it fails (and the kubelet runs it again). */
export const GATE_BOUND_SECONDS = 60;
/** The gate's init container and the volume of its script, as a TorchPod's pod spec takes them. */
export interface IsolationGate {
    readonly initContainer: k8s.types.input.core.v1.Container;
    readonly volume: k8s.types.input.core.v1.Volume;
}

/** The gate's targets: what answers any pod that is not isolated and a TorchPod must never reach (pure). */
export function gateScriptConfig(config: Pick<ProbeConfig, "timeoutSeconds">, cluster: ClusterConfig): ProbeScriptConfig {
    return {
        timeoutMs: Math.round(config.timeoutSeconds * 1000),
        reachRetrySeconds: 0,
        isolationSettleSeconds: GATE_BOUND_SECONDS,
        mustReach: [],
        mustNotReach: [
            { name: "the cluster DNS", host: cluster.dnsServiceIp, port: 53, kind: "dns-udp" },
            { name: "the cluster DNS over TCP", host: cluster.dnsServiceIp, port: 53, kind: "tcp" },
            { name: "the API server", host: cluster.apiServerIp, port: 443, kind: "tcp" },
        ],
    };
}

/** Volume name in the TorchPod's pod; no desktop volume is called so. */
export const GATE_VOLUME = "isolation-gate-script";

/**
 * The gate's init container: the probe's pinned image and script, the restricted profile as the node
 * image's `node` user (1000), no volume but the script.
 */
export function isolationGate(p: {
    image: string;
    scriptConfigMapName: k8s.types.input.core.v1.ConfigMapVolumeSource["name"];
    config: Pick<ProbeConfig, "timeoutSeconds">;
    cluster: ClusterConfig;
}): IsolationGate {
    return {
        initContainer: {
            name: "isolation-gate",
            image: p.image,
            command: ["node", "/probe/probe.js", "--gate"],
            env: [{ name: "PROBE_CONFIG", value: JSON.stringify(gateScriptConfig(p.config, p.cluster)) }],
            securityContext: { ...restrictedContainerSecurityContext(1000), seccompProfile: { type: "RuntimeDefault" } },
            resources: { requests: { cpu: "10m", memory: "32Mi" }, limits: { cpu: "200m", memory: "128Mi" } },
            volumeMounts: [{ name: GATE_VOLUME, mountPath: "/probe", readOnly: true }],
            terminationMessagePolicy: "FallbackToLogsOnError",
        },
        volume: { name: GATE_VOLUME, configMap: { name: p.scriptConfigMapName, defaultMode: 0o444 } },
    };
}
