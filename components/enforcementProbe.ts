// The fail-closed enforcement probe. A NetworkPolicy is only a request: a network plugin that ignores
// it (flannel) accepts every policy and enforces none. Before any TorchPod starts, a Job whose pod
// carries TorchPod labels (so exactly the TorchPod policies apply to it) checks that MLab's http and ssh
// ports answer (the positive controls: the only "yes" in a TorchPod's row of the traffic table) and that
// the internet, the metadata address, the cluster DNS (UDP and TCP), the API server, the Airlock and
// another TorchPod do not. MLab's own row (no egress at all) is enforced by the same network plugin:
// a plugin that enforces the TorchPods' egress policies enforces MLab's. The Pulumi Kubernetes provider waits
// for a Job to complete and fails the update when it fails; TorchPods `dependsOn` this component, so
// on a cluster that does not enforce the lock-down `pulumi up` stops before any TorchPod exists.
//
// "Another TorchPod" is a stand-in: a tiny listener Deployment with TorchPod labels behind a ClusterIP
// Service (TorchPods may not exist yet on the first deployment, and a target that is not listening
// proves nothing). Pulumi waits for it to be ready before the Job starts.
import * as crypto from "crypto";
import * as fs from "fs";
import * as net from "net";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { workloadLabels } from "@torchpod/contract";
import { restrictedContainerSecurityContext, restrictedPodSecurityContext } from "./common/podSecurity";
import { GUI_PORTS } from "./networkLockdown";
import { refuseInvalidArgs } from "./common/argProblems";
import { validateProbeArgs } from "./enforcementProbe.validate";

export { validateProbeArgs } from "./enforcementProbe.validate";
import { ClusterConfig, ProbeConfig, Toleration } from "./common/settings";

/** Every probe pod carries this label ("true"): it tells the probe apart from real TorchPods; no policy selects on it. */
export const PROBE_LABEL = "torchpod.dev/probe";
/** `client` on the Job's pod, `target` on the stand-in TorchPod. */
export const PROBE_ROLE_LABEL = "torchpod.dev/probe-role";
/**
 * `app.kubernetes.io/instance` of the probe's pods. The dot makes it a value no user name (a DNS-1123
 * label) can take, so no TorchPod's selector ever matches the probe's pods.
 */
export const PROBE_INSTANCE = "torchpod.enforcement-probe";
/** Object names: TorchPods' objects are `torchpod-<user>`/`home-<user>`, so these never collide with a user's. */
export const PROBE_TARGET_NAME = "enforcement-probe-target";
/** The probe script, shipped in a ConfigMap and run by `node`. */
export const PROBE_SCRIPT_PATH = path.join(__dirname, "probe", "probe.js");
/** The cloud metadata address every cloud serves (IPv6: AWS's). */
export const METADATA_V4 = "169.254.169.254";
export const METADATA_V6 = "fd00:ec2::254";
/** On dual-stack clusters the internet is also checked in the other family (well-known anycast resolvers' HTTPS). */
export const INTERNET_V4 = "1.1.1.1";
export const INTERNET_V6 = "2606:4700:4700::1111";

export interface EnforcementProbeArgs {
    /** The TorchPods' namespace: the probe must sit where TorchPods sit so their policies apply; no default. */
    readonly namespace: pulumi.Input<string>;
    /** Image, internet address and per-check timeout; `enabled: false` creates nothing (with a warning); no default. */
    readonly config: ProbeConfig;
    /** DNS Service and API server addresses the probe must not reach; no default. */
    readonly cluster: ClusterConfig;
    /** MLab's Gitea Service (cluster IP, http Service port and, when given, ssh Service port): must answer; no default (ssh: not checked). */
    readonly mlab: { readonly ip: pulumi.Input<string>; readonly port: number; readonly sshPort?: number };
    /** The Airlock's sftp Service (cluster IP and Service port, 10022): must not answer; no default. */
    readonly airlock: { readonly ip: pulumi.Input<string>; readonly port: number };
    /** The lock-down's fingerprint (NetworkLockdown.fingerprint): a changed lock-down reruns the probe; default "". */
    readonly lockdownFingerprint?: pulumi.Input<string>;
    /** The TorchPod port the stand-in TorchPod listens on; default 3389 (rdp). */
    readonly targetPort?: number;
    /** Seconds MLab is retried before the probe gives up (Gitea may still be starting); default 120. */
    readonly mlabRetrySeconds?: number;
    /** Node selector of the probe's pods (run them where TorchPods run, e.g. the GPU nodes); default none. */
    readonly nodeSelector?: Readonly<Record<string, string>>;
    /** Tolerations of the probe's pods; default none. */
    readonly tolerations?: readonly Toleration[];
}

/** One check of the probe script (see components/probe/probe.js). */
export interface ProbeTarget {
    readonly name: string;
    readonly host: string;
    readonly port: number;
    readonly kind: "tcp" | "dns-udp";
}

export interface ProbeScriptConfig {
    readonly timeoutMs: number;
    readonly reachRetrySeconds: number;
    /** How long a forbidden target that answers is tried again before it counts as a leak (new pods are isolated a moment late); the script's default is 30. */
    readonly isolationSettleSeconds?: number;
    readonly mustReach: ProbeTarget[];
    readonly mustNotReach: ProbeTarget[];
}

/** The probe script's configuration from resolved addresses (pure; exported for tests). */
export function probeScriptConfig(p: {
    config: ProbeConfig;
    cluster: ClusterConfig;
    mlab: { ip: string; port: number; sshPort?: number };
    airlock: { ip: string; port: number };
    target: { ip: string; port: number };
    mlabRetrySeconds: number;
}): ProbeScriptConfig {
    const internet = p.config.internetAddress;
    return {
        timeoutMs: Math.round(p.config.timeoutSeconds * 1000),
        reachRetrySeconds: p.mlabRetrySeconds,
        mustReach: [
            { name: "MLab", host: p.mlab.ip, port: p.mlab.port, kind: "tcp" },
            ...(p.mlab.sshPort !== undefined ? [{ name: "MLab's ssh", host: p.mlab.ip, port: p.mlab.sshPort, kind: "tcp" as const }] : []),
        ],
        mustNotReach: [
            { name: "the internet", host: internet, port: 443, kind: "tcp" },
            { name: "an internet resolver", host: internet, port: 53, kind: "dns-udp" },
            ...(p.cluster.dualStack
                ? [
                      net.isIPv6(internet)
                          ? { name: "the internet (IPv4)", host: INTERNET_V4, port: 443, kind: "tcp" as const }
                          : { name: "the internet (IPv6)", host: INTERNET_V6, port: 443, kind: "tcp" as const },
                  ]
                : []),
            { name: "the cloud metadata address", host: METADATA_V4, port: 80, kind: "tcp" },
            ...(p.cluster.dualStack
                ? [{ name: "the cloud metadata address (IPv6)", host: METADATA_V6, port: 80, kind: "tcp" as const }]
                : []),
            { name: "the cluster DNS", host: p.cluster.dnsServiceIp, port: 53, kind: "dns-udp" },
            { name: "the cluster DNS over TCP", host: p.cluster.dnsServiceIp, port: 53, kind: "tcp" },
            { name: "the API server", host: p.cluster.apiServerIp, port: 443, kind: "tcp" },
            { name: "the Airlock's sftp", host: p.airlock.ip, port: p.airlock.port, kind: "tcp" },
            { name: "another TorchPod", host: p.target.ip, port: p.target.port, kind: "tcp" },
        ],
    };
}

/** The probe Job's name: a hash of everything it checks and runs, so any change runs it again. */
export function probeJobName(input: unknown): string {
    return `enforcement-probe-${crypto.createHash("sha256").update(JSON.stringify(input)).digest("hex").slice(0, 10)}`;
}

/** The restricted Pod Security profile, for both probe pods; 1000 is `node` in the official node images. */
const podSecurityContext = restrictedPodSecurityContext(1000);
const containerSecurityContext = restrictedContainerSecurityContext();
const resources = {
    requests: { cpu: "10m", memory: "32Mi" },
    limits: { cpu: "200m", memory: "128Mi" },
};

/**
 * The enforcement probe. Make every TorchPod `dependsOn` this component (or its `job`), and give this
 * component `dependsOn: [lockdown, mlab]` so it runs against the finished lock-down and a running MLab.
 */
export class EnforcementProbe extends pulumi.ComponentResource {
    /** The probe Job; undefined when the probe is disabled. */
    readonly job: k8s.batch.v1.Job | undefined;
    /** The Job's name (`enforcement-probe-<hash>`); undefined when disabled. */
    readonly jobName: pulumi.Output<string> | undefined;
    /** The stand-in TorchPod the probe must not reach. */
    readonly target: k8s.apps.v1.Deployment | undefined;

    constructor(name: string, args: EnforcementProbeArgs, opts?: pulumi.ComponentResourceOptions) {
        // The rules first: a probe with bad arguments registers nothing, not even itself.
        refuseInvalidArgs("EnforcementProbe", validateProbeArgs(args));
        super("torchpod:index:EnforcementProbe", name, {}, opts);
        const lockdownFingerprint = args.lockdownFingerprint ?? "";
        const targetPort = args.targetPort ?? GUI_PORTS.rdp;
        const mlabRetrySeconds = args.mlabRetrySeconds ?? 120;
        const nodeSelector = args.nodeSelector ?? {};
        const tolerations = args.tolerations ?? [];

        if (!args.config.enabled) {
            pulumi.log.warn("the enforcement probe is disabled: nothing proves this cluster enforces the TorchPod lock-down", this);
            this.job = undefined;
            this.jobName = undefined;
            this.target = undefined;
            this.registerOutputs({});
            return;
        }

        const script = fs.readFileSync(PROBE_SCRIPT_PATH, "utf8");
        const scriptHash = crypto.createHash("sha256").update(script).digest("hex").slice(0, 10);
        const placement = {
            ...(Object.keys(nodeSelector).length > 0 ? { nodeSelector: { ...nodeSelector } } : {}),
            ...(tolerations.length > 0 ? { tolerations: tolerations.map((t) => ({ ...t })) } : {}),
        };

        // The script, immutable and named by its content: the upstream dependencies (the lock-down,
        // MLab) are attached here, and everything below consumes its name, so nothing runs before them.
        const scriptMap = new k8s.core.v1.ConfigMap(
            `${name}-script`,
            {
                metadata: {
                    name: `enforcement-probe-script-${scriptHash}`,
                    namespace: args.namespace,
                    labels: workloadLabels("enforcement-probe", PROBE_INSTANCE),
                },
                immutable: true,
                data: { "probe.js": script },
            },
            { parent: this, dependsOn: opts?.dependsOn },
        );

        const basePodSpec = {
            automountServiceAccountToken: false,
            enableServiceLinks: false,
            securityContext: podSecurityContext,
            ...placement,
            volumes: [{ name: "script", configMap: { name: scriptMap.metadata.name, defaultMode: 0o444 } }],
        };
        const podLabels = (role: "client" | "target") => ({
            // TorchPod labels: exactly the TorchPod policies apply to the probe's pods.
            ...workloadLabels("torchpod", PROBE_INSTANCE),
            [PROBE_LABEL]: "true",
            [PROBE_ROLE_LABEL]: role,
        });
        const mount = [{ name: "script", mountPath: "/probe", readOnly: true }];

        // The stand-in TorchPod.
        const targetSelector = {
            "app.kubernetes.io/component": "torchpod",
            "app.kubernetes.io/instance": PROBE_INSTANCE,
            [PROBE_ROLE_LABEL]: "target",
        };
        this.target = new k8s.apps.v1.Deployment(
            `${name}-target`,
            {
                metadata: {
                    name: PROBE_TARGET_NAME,
                    namespace: args.namespace,
                    labels: workloadLabels("enforcement-probe", PROBE_INSTANCE),
                },
                spec: {
                    replicas: 1,
                    selector: { matchLabels: targetSelector },
                    template: {
                        metadata: { labels: podLabels("target") },
                        spec: {
                            ...basePodSpec,
                            containers: [
                                {
                                    name: "target",
                                    image: args.config.image,
                                    command: ["node", "/probe/probe.js", "--serve", String(targetPort)],
                                    ports: [{ name: "rdp", containerPort: targetPort, protocol: "TCP" }],
                                    // The kubelet's probes come from the node, which NetworkPolicy does not govern.
                                    readinessProbe: { tcpSocket: { port: targetPort }, periodSeconds: 2, failureThreshold: 3 },
                                    securityContext: containerSecurityContext,
                                    resources,
                                    volumeMounts: mount,
                                },
                            ],
                        },
                    },
                },
            },
            { parent: this },
        );
        const targetService = new k8s.core.v1.Service(
            `${name}-target`,
            {
                metadata: {
                    name: PROBE_TARGET_NAME,
                    namespace: args.namespace,
                    labels: workloadLabels("enforcement-probe", PROBE_INSTANCE),
                },
                spec: {
                    type: "ClusterIP",
                    selector: targetSelector,
                    ports: [{ name: "rdp", port: targetPort, targetPort: "rdp", protocol: "TCP" }],
                },
            },
            { parent: this },
        );

        const probeConfig = pulumi
            .all([args.mlab.ip, args.airlock.ip, targetService.spec.clusterIP])
            .apply(([mlabIp, airlockIp, targetIp]) =>
                probeScriptConfig({
                    config: args.config,
                    cluster: args.cluster,
                    mlab: { ip: mlabIp, port: args.mlab.port, ...(args.mlab.sshPort !== undefined ? { sshPort: args.mlab.sshPort } : {}) },
                    airlock: { ip: airlockIp, port: args.airlock.port },
                    target: { ip: targetIp, port: targetPort },
                    mlabRetrySeconds,
                }),
            );
        const configJson = probeConfig.apply((c) => JSON.stringify(c));
        this.jobName = pulumi
            .all([configJson, pulumi.output(lockdownFingerprint)])
            .apply(([c, fp]) => probeJobName({ script: scriptHash, image: args.config.image, config: c, lockdown: fp, placement }));

        // Image pull and pod start count against the deadline; the checks themselves take at most
        // the MLab retry window plus a few timeouts (the forbidden targets are checked in parallel).
        const activeDeadlineSeconds = Math.ceil(mlabRetrySeconds + 4 * args.config.timeoutSeconds + 240);
        this.job = new k8s.batch.v1.Job(
            `${name}-job`,
            {
                metadata: {
                    name: this.jobName,
                    namespace: args.namespace,
                    labels: workloadLabels("enforcement-probe", PROBE_INSTANCE),
                    annotations: {
                        // A failed probe is run again on the next `pulumi up` (after the cluster is fixed)
                        // instead of being waited on forever.
                        "pulumi.com/replaceUnready": "true",
                    },
                },
                spec: {
                    // Fail closed, once: a leak is not a flake. No TTL, so the result stays readable.
                    backoffLimit: 0,
                    completions: 1,
                    parallelism: 1,
                    activeDeadlineSeconds,
                    template: {
                        metadata: { labels: podLabels("client") },
                        spec: {
                            ...basePodSpec,
                            restartPolicy: "Never",
                            containers: [
                                {
                                    name: "probe",
                                    image: args.config.image,
                                    command: ["node", "/probe/probe.js"],
                                    env: [{ name: "PROBE_CONFIG", value: configJson }],
                                    securityContext: containerSecurityContext,
                                    resources,
                                    volumeMounts: mount,
                                    // The failure message is written to the termination log: `kubectl describe` shows it.
                                    terminationMessagePolicy: "FallbackToLogsOnError",
                                },
                            ],
                        },
                    },
                },
            },
            {
                parent: this,
                dependsOn: [this.target],
                customTimeouts: { create: `${activeDeadlineSeconds + 120}s`, update: `${activeDeadlineSeconds + 120}s` },
            },
        );
        this.registerOutputs({ jobName: this.jobName });
    }
}
