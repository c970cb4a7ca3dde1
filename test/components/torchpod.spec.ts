import * as assert from "assert";
import { TorchPod, TorchPodArgs } from "../../components/torchpod";
import { LABEL_COMPONENT, LABEL_INSTANCE, LABEL_MANAGED_BY, LABEL_PART_OF } from "@torchpod/contract";
import { k8s, ofType, podSpecs, runPiece, ProgramRun } from "../mocks";
import { PROXY_CADDYFILE } from "../../components/desktop/browserProxy";
import { EnforcementProbe } from "../../components/enforcementProbe";
import { DEFAULT_CLUSTER } from "../mocks";

const DEPLOYMENT = "kubernetes:apps/v1:Deployment";
const SERVICE = "kubernetes:core/v1:Service";
const PVC = "kubernetes:core/v1:PersistentVolumeClaim";

function runTorchPod(overrides: Partial<TorchPodArgs> = {}): Promise<ProgramRun> {
    return runPiece(() => {
        const tp = new TorchPod("alice", { user: "alice", namespace: "torchpod", ...overrides });
        return { password: tp.password, rdp: tp.rdpEndpoint, browser: tp.browserEndpoint, vnc: tp.vncEndpoint };
    });
}

const container = (run: ProgramRun, name: string) => {
    const spec = k8s(run, DEPLOYMENT, "torchpod-alice").spec.template.spec;
    return spec.containers.find((c: any) => c.name === name);
};

describe("TorchPod component", () => {
    it("built on its own with bad arguments, refuses them naming each and registers nothing", async () => {
        const run = await runTorchPod({ user: "root", shmSize: "64Gi", mode: "RDP" });
        assert.match(String(run.error), /TorchPod: user "root"/);
        assert.match(String(run.error), /TorchPod: shmSize 64Gi is above the memory limit 32Gi/);
        assert.match(String(run.error), /TorchPod: mode RDP cannot serve the enabled GUIs/);
        assert.strictEqual(run.resources.length, 0, run.resources.map((r) => r.urn).join(", "));
    });

    it("runs one replica with the Recreate strategy (the home volume is ReadWriteOnce)", async () => {
        const run = await runTorchPod();
        const d = k8s(run, DEPLOYMENT, "torchpod-alice");
        assert.strictEqual(d.spec.replicas, 1);
        assert.strictEqual(d.spec.strategy.type, "Recreate");
        assert.strictEqual(d.metadata.namespace, "torchpod");
    });

    it("limits and requests exactly the user's GPUs and schedules onto GPU nodes", async () => {
        const run = await runTorchPod({
            gpus: 2,
            gpu: {
                resourceName: "nvidia.com/gpu",
                nodeSelector: { "nvidia.com/gpu.present": "true" },
                tolerations: [{ key: "nvidia.com/gpu", operator: "Exists", effect: "NoSchedule" }],
            },
        });
        const c = container(run, "torchpod");
        assert.strictEqual(c.resources.limits["nvidia.com/gpu"], "2");
        assert.strictEqual(c.resources.requests["nvidia.com/gpu"], "2");
        const spec = k8s(run, DEPLOYMENT, "torchpod-alice").spec.template.spec;
        assert.deepStrictEqual(spec.nodeSelector, { "nvidia.com/gpu.present": "true" });
        assert.deepStrictEqual(spec.tolerations, [{ key: "nvidia.com/gpu", operator: "Exists", effect: "NoSchedule" }]);
    });

    it("asks for no GPU and no GPU placement when gpus is 0", async () => {
        const run = await runTorchPod({ gpus: 0 });
        const c = container(run, "torchpod");
        assert.ok(!Object.keys(c.resources.limits).some((k) => k.includes("gpu")));
        const spec = k8s(run, DEPLOYMENT, "torchpod-alice").spec.template.spec;
        assert.strictEqual(spec.nodeSelector, undefined);
        assert.strictEqual(spec.tolerations, undefined);
    });

    it("sets cpu/memory requests and limits and a memory-backed /dev/shm of the configured size", async () => {
        const run = await runTorchPod({
            resources: { cpuRequest: "1", cpuLimit: "4", memoryRequest: "2Gi", memoryLimit: "8Gi" },
            shmSize: "4Gi",
        });
        const c = container(run, "torchpod");
        assert.deepStrictEqual(c.resources, { requests: { cpu: "1", memory: "2Gi" }, limits: { cpu: "4", memory: "8Gi" } });
        const spec = k8s(run, DEPLOYMENT, "torchpod-alice").spec.template.spec;
        assert.deepStrictEqual(spec.volumes.find((v: any) => v.name === "dshm").emptyDir, { medium: "Memory", sizeLimit: "4Gi" });
        assert.ok(c.volumeMounts.some((m: any) => m.name === "dshm" && m.mountPath === "/dev/shm"));
    });

    it("mounts the airlock share read-only at /opt/public/airlock, both on the mount and on the claim", async () => {
        const run = await runTorchPod({ airlockClaimName: "airlock-share" });
        const spec = k8s(run, DEPLOYMENT, "torchpod-alice").spec.template.spec;
        const vol = spec.volumes.find((v: any) => v.persistentVolumeClaim?.claimName === "airlock-share");
        assert.strictEqual(vol.persistentVolumeClaim.readOnly, true);
        for (const c of [...spec.containers, ...(spec.initContainers ?? [])]) {
            for (const m of (c.volumeMounts ?? []).filter((m: any) => m.name === vol.name)) {
                assert.strictEqual(m.readOnly, true, `${c.name} mounts the airlock share writable`);
                assert.strictEqual(m.mountPath, "/opt/public/airlock");
            }
        }
    });

    it("keeps the home volume with a stable name, retained, and immune to replacing changes", async () => {
        const run = await runTorchPod({ homeSize: "200Gi", homeStorageClass: "fast" });
        const pvc = ofType(run, PVC).find((r) => r.inputs.metadata.name === "home-alice")!;
        assert.ok(pvc, "home-alice PVC");
        assert.strictEqual(pvc.retainOnDelete, true);
        assert.deepStrictEqual(pvc.inputs.spec.accessModes, ["ReadWriteOnce"]);
        assert.strictEqual(pvc.inputs.spec.resources.requests.storage, "200Gi");
        assert.strictEqual(pvc.inputs.spec.storageClassName, "fast");
        for (const field of ["spec.storageClassName", "spec.accessModes", "spec.volumeMode", "spec.selector", "spec.volumeName"]) {
            assert.ok(pvc.ignoreChanges.includes(field), `ignoreChanges lacks ${field}`);
        }
        assert.ok(!pvc.ignoreChanges.some((f) => f.startsWith("spec.resources")), "size changes must still apply (grow)");
        const c = container(run, "torchpod");
        assert.ok(c.volumeMounts.some((m: any) => m.name === "home" && m.mountPath === "/home/alice"));
    });

    it("sets TORCHPOD_USER, TORCHPOD_MODE, HOME and offline pip from the airlock", async () => {
        const run = await runTorchPod({ gui: { rdp: true, browser: false, vnc: false, proxyImage: "caddy:2.8.4-alpine" } });
        const env = Object.fromEntries(container(run, "torchpod").env.map((e: any) => [e.name, e.value ?? e.valueFrom]));
        assert.strictEqual(env.TORCHPOD_USER, "alice");
        assert.strictEqual(env.TORCHPOD_MODE, "RDP");
        assert.strictEqual(env.HOME, "/home/alice");
        assert.strictEqual(env.PIP_NO_INDEX, "1");
        assert.strictEqual(env.PIP_FIND_LINKS, "/opt/public/airlock/pip");
    });

    it("delivers the password through a Secret (secretKeyRef), never as a literal, and exports it as a secret", async () => {
        const run = await runTorchPod();
        const exported = run.exports.password as { secret: string };
        assert.ok(
            exported && typeof exported === "object" && typeof exported.secret === "string" && exported.secret.length >= 16,
            "password is a secret output",
        );
        const password = exported.secret;
        const c = container(run, "torchpod");
        const pw = c.env.find((e: any) => e.name === "TORCHPOD_PASSWORD");
        assert.deepStrictEqual(pw.valueFrom, { secretKeyRef: { name: "torchpod-alice-credentials", key: "password" } });
        assert.strictEqual(pw.value, undefined);
        for (const { spec } of podSpecs(run)) {
            assert.ok(!JSON.stringify(spec).includes(password), "the password appears in a pod spec");
        }
        const secret = k8s(run, "kubernetes:core/v1:Secret", "torchpod-alice-credentials");
        assert.strictEqual(secret.stringData.password, password);
    });

    it("drops NET_ADMIN/NET_RAW/SYS_ADMIN, is not privileged, and takes nothing from the host", async () => {
        const run = await runTorchPod();
        const spec = k8s(run, DEPLOYMENT, "torchpod-alice").spec.template.spec;
        assert.strictEqual(spec.automountServiceAccountToken, false);
        assert.strictEqual(spec.enableServiceLinks, false);
        assert.ok(!spec.hostNetwork && !spec.hostPID && !spec.hostIPC);
        assert.ok(!spec.volumes.some((v: any) => v.hostPath));
        for (const c of spec.containers) {
            assert.ok(!(c.ports ?? []).some((p: any) => p.hostPort), `${c.name} has a hostPort`);
            assert.strictEqual(c.securityContext.privileged, false);
            const dropped: string[] = c.securityContext.capabilities.drop;
            assert.ok(
                dropped.includes("ALL") || ["NET_ADMIN", "NET_RAW", "SYS_ADMIN"].every((cap) => dropped.includes(cap)),
                `${c.name} keeps a network capability`,
            );
            assert.ok(
                !(c.securityContext.capabilities.add ?? []).some((cap: string) => ["NET_ADMIN", "NET_RAW", "SYS_ADMIN"].includes(cap)),
            );
        }
    });

    it("carries the label contract on the pod template (component torchpod, instance = user)", async () => {
        const run = await runTorchPod();
        const [{ labels }] = podSpecs(run);
        assert.strictEqual(labels[LABEL_COMPONENT], "torchpod");
        assert.strictEqual(labels[LABEL_INSTANCE], "alice");
        assert.strictEqual(labels[LABEL_PART_OF], "torchpod");
        assert.strictEqual(labels[LABEL_MANAGED_BY], "pulumi");
    });

    it("serves RDP and the browser desktop (through the authenticating proxy on port 7031 named browser) but not raw VNC by default", async () => {
        const run = await runTorchPod();
        const svc = k8s(run, SERVICE, "torchpod-alice");
        assert.deepStrictEqual(
            svc.spec.ports.map((p: any) => [p.name, p.port, p.targetPort]),
            [
                ["rdp", 3389, "rdp"],
                ["browser", 7031, "browser"],
            ],
        );
        assert.strictEqual(svc.spec.type, "ClusterIP");
        const proxy = container(run, "browser-proxy");
        assert.deepStrictEqual(proxy.ports, [{ name: "browser", containerPort: 7031, protocol: "TCP" }]);
        assert.deepStrictEqual(proxy.env.find((e: any) => e.name === "PROXY_PASSWORD_HASH").valueFrom, {
            secretKeyRef: { name: "torchpod-alice-credentials", key: "password-bcrypt" },
        });
        assert.match(PROXY_CADDYFILE, /basic_auth/);
        assert.match(PROXY_CADDYFILE, /reverse_proxy 127\.0\.0\.1:7030/);
        const desktopPorts = container(run, "torchpod").ports.map((p: any) => p.containerPort);
        assert.ok(!desktopPorts.includes(5900) && !desktopPorts.includes(7030), "raw VNC or unauthenticated noVNC declared");
        assert.strictEqual(run.exports.vnc, undefined);
        assert.match(run.exports.rdp as string, /^10\.\d+\.\d+\.\d+:3389$/);
    });

    it("serves raw VNC only when explicitly enabled", async () => {
        const run = await runTorchPod({ gui: { rdp: true, browser: true, vnc: true, proxyImage: "caddy:2.8.4-alpine" } });
        const svc = k8s(run, SERVICE, "torchpod-alice");
        assert.ok(svc.spec.ports.some((p: any) => p.name === "vnc" && p.port === 5900));
        assert.ok(container(run, "torchpod").ports.some((p: any) => p.name === "vnc" && p.containerPort === 5900));
    });

    it("leaves out the proxy sidecar when the browser desktop is off", async () => {
        const run = await runTorchPod({ gui: { rdp: true, browser: false, vnc: false, proxyImage: "caddy:2.8.4-alpine" } });
        assert.strictEqual(container(run, "browser-proxy"), undefined);
        assert.deepStrictEqual(
            k8s(run, SERVICE, "torchpod-alice").spec.ports.map((p: any) => p.name),
            ["rdp"],
        );
    });

    it("exposes a LoadBalancer only to the office networks, with externalTrafficPolicy Local and no NodePorts", async () => {
        const run = await runTorchPod({
            exposure: { type: "LoadBalancer", annotations: { "example.com/lb": "internal" } },
            officeCidrs: ["192.0.2.0/24"],
        });
        const svc = k8s(run, SERVICE, "torchpod-alice");
        assert.strictEqual(svc.spec.type, "LoadBalancer");
        assert.deepStrictEqual(svc.spec.loadBalancerSourceRanges, ["192.0.2.0/24"]);
        assert.strictEqual(svc.spec.externalTrafficPolicy, "Local");
        assert.strictEqual(svc.spec.allocateLoadBalancerNodePorts, false);
        assert.deepStrictEqual(svc.metadata.annotations, { "example.com/lb": "internal" });
        assert.ok(!svc.spec.ports.some((p: any) => p.nodePort));
    });

    it("probes the GUI server the mode runs: xrdp on 3389 with RDP, Xvnc on 5900 without", async () => {
        const rdp = container(await runTorchPod(), "torchpod");
        assert.strictEqual(rdp.readinessProbe.tcpSocket.port, 3389);
        assert.strictEqual(rdp.startupProbe.tcpSocket.port, 3389);
        const vnc = container(
            await runTorchPod({ gui: { rdp: false, browser: true, vnc: false, proxyImage: "caddy:2.8.4-alpine" } }),
            "torchpod",
        );
        assert.strictEqual(vnc.readinessProbe.tcpSocket.port, 5900);
        assert.strictEqual(vnc.livenessProbe.tcpSocket.port, 5900);
    });

    it("reaches MLab through hostAliases and read-only git credentials", async () => {
        const run = await runTorchPod({
            mlab: { host: "mlab.example.internal", clusterIp: "10.96.5.5", credentialsSecretName: "mlab-alice" },
        });
        const spec = k8s(run, DEPLOYMENT, "torchpod-alice").spec.template.spec;
        assert.deepStrictEqual(spec.hostAliases, [{ ip: "10.96.5.5", hostnames: ["mlab.example.internal"] }]);
        assert.strictEqual(spec.volumes.find((v: any) => v.name === "mlab-credentials").secret.secretName, "mlab-alice");
        const mounts = container(run, "torchpod").volumeMounts.filter((m: any) => m.name === "mlab-credentials");
        assert.deepStrictEqual(mounts, [
            { name: "mlab-credentials", mountPath: "/etc/torchpod/mlab", readOnly: true },
            { name: "mlab-credentials", mountPath: "/etc/gitconfig", subPath: "gitconfig", readOnly: true },
        ]);
    });

    it("makes the Deployment depend on the given resources (the enforcement probe)", async () => {
        const run = await runPiece(() => {
            const pulumi = require("@pulumi/pulumi");
            const gate = new pulumi.ComponentResource("test:index:Gate", "gate", {}, {});
            const k8sSdk = require("@pulumi/kubernetes");
            const job = new k8sSdk.core.v1.ConfigMap("gate-child", { metadata: { name: "gate" } }, { parent: gate });
            gate.registerOutputs({});
            new TorchPod("alice", { user: "alice", namespace: "torchpod", dependsOn: [gate] });
            return { job: job.urn };
        });
        const deployment = ofType(run, DEPLOYMENT)[0];
        const gateChild = run.resources.find((r) => r.name === "gate-child")!;
        assert.ok(deployment.dependencies.includes(gateChild.urn), "the Deployment does not wait for the gate's children");
    });

    describe("isolation gate", () => {
        const PROBE_IMAGE = "node:20.18.1-alpine3.20";
        const withGate = (over: Partial<TorchPodArgs> = {}) =>
            runPiece(() => {
                const probe = new EnforcementProbe("probe", {
                    namespace: "torchpod",
                    config: { enabled: true, image: PROBE_IMAGE, internetAddress: "1.1.1.1", timeoutSeconds: 3 },
                    cluster: DEFAULT_CLUSTER,
                    mlab: { ip: "10.96.5.5", port: 3000 },
                    airlock: { ip: "10.96.6.6", port: 10022 },
                });
                new TorchPod("alice", { user: "alice", namespace: "torchpod", isolationGate: probe.isolationGate, ...over });
            });

        it("runs the gate as the pod's only init container: pinned probe image, --gate, no privilege, no capability, non-root", async () => {
            const run = await withGate();
            assert.strictEqual(run.error, undefined);
            const spec = k8s(run, DEPLOYMENT, "torchpod-alice").spec.template.spec;
            assert.strictEqual(spec.initContainers.length, 1);
            const [gate] = spec.initContainers;
            assert.strictEqual(gate.name, "isolation-gate");
            assert.strictEqual(gate.image, PROBE_IMAGE);
            assert.deepStrictEqual(gate.command, ["node", "/probe/probe.js", "--gate"]);
            assert.deepStrictEqual(gate.securityContext, {
                allowPrivilegeEscalation: false,
                privileged: false,
                readOnlyRootFilesystem: true,
                runAsNonRoot: true,
                runAsUser: 1000,
                runAsGroup: 1000,
                capabilities: { drop: ["ALL"] },
                seccompProfile: { type: "RuntimeDefault" },
            });
            assert.strictEqual(spec.automountServiceAccountToken, false);
        });

        it("mounts only the probe's script ConfigMap into the gate (no home, no airlock, no credentials)", async () => {
            const run = await withGate({
                mlab: { host: "mlab.example.internal", clusterIp: "10.96.5.5", credentialsSecretName: "mlab-alice" },
            });
            const spec = k8s(run, DEPLOYMENT, "torchpod-alice").spec.template.spec;
            const [gate] = spec.initContainers;
            assert.deepStrictEqual(gate.volumeMounts, [{ name: "isolation-gate-script", mountPath: "/probe", readOnly: true }]);
            const script = ofType(run, "kubernetes:core/v1:ConfigMap").find((c) =>
                c.inputs.metadata.name.startsWith("enforcement-probe-script-"),
            )!;
            assert.deepStrictEqual(spec.volumes.find((v: any) => v.name === "isolation-gate-script").configMap, {
                name: script.inputs.metadata.name,
                defaultMode: 0o444,
            });
        });

        it("waits for the cluster DNS (UDP and TCP) and the API server to be blocked, for at most 60 s, and needs no positive control", async () => {
            const run = await withGate();
            const [gate] = k8s(run, DEPLOYMENT, "torchpod-alice").spec.template.spec.initContainers;
            const config = JSON.parse(gate.env.find((e: any) => e.name === "PROBE_CONFIG").value);
            assert.deepStrictEqual(config, {
                timeoutMs: 3000,
                reachRetrySeconds: 0,
                isolationSettleSeconds: 60,
                mustReach: [],
                mustNotReach: [
                    { name: "the cluster DNS", host: DEFAULT_CLUSTER.dnsServiceIp, port: 53, kind: "dns-udp" },
                    { name: "the cluster DNS over TCP", host: DEFAULT_CLUSTER.dnsServiceIp, port: 53, kind: "tcp" },
                    { name: "the API server", host: DEFAULT_CLUSTER.apiServerIp, port: 443, kind: "tcp" },
                ],
            });
        });

        it("leaves the desktop container unchanged and the gate also holds a suspended TorchPod's template", async () => {
            const gated = await withGate();
            const plain = await runTorchPod();
            assert.deepStrictEqual(container(gated, "torchpod"), container(plain, "torchpod"));
            const suspended = await withGate({ suspended: true });
            assert.strictEqual(k8s(suspended, DEPLOYMENT, "torchpod-alice").spec.template.spec.initContainers.length, 1);
        });
    });
});
