import { strict as assert } from "assert";
import * as fs from "fs";
import * as pulumi from "@pulumi/pulumi";
import * as kubernetes from "@pulumi/kubernetes";
import {
    EnforcementProbe,
    probeScriptConfig,
    EnforcementProbeArgs,
    PROBE_LABEL,
    PROBE_SCRIPT_PATH,
    ProbeScriptConfig,
    probeJobName,
} from "../../components/enforcementProbe";
import { ProgramRun, k8s, ofType, podSpecs, runPiece, DEFAULT_CLUSTER } from "../mocks";
import { ClusterConfig, ProbeConfig } from "../../components/common/settings";

const JOB = "kubernetes:batch/v1:Job";
const DEPLOYMENT = "kubernetes:apps/v1:Deployment";
const SERVICE = "kubernetes:core/v1:Service";
const CONFIGMAP = "kubernetes:core/v1:ConfigMap";

const cluster: ClusterConfig = DEFAULT_CLUSTER;
const probe: ProbeConfig = { enabled: true, image: "node:20.18.1-alpine3.20", internetAddress: "1.1.1.1", timeoutSeconds: 3 };

function args(over: Partial<EnforcementProbeArgs> = {}): EnforcementProbeArgs {
    return {
        namespace: "torchpods",
        config: probe,
        cluster,
        mlab: { ip: "10.96.5.5", port: 3000 },
        airlock: { ip: "10.96.6.6", port: 10022 },
        lockdownFingerprint: "abc123",
        ...over,
    };
}

async function runProbe(a: EnforcementProbeArgs): Promise<ProgramRun> {
    return runPiece(() => {
        new EnforcementProbe("probe", a);
    });
}

const job = (run: ProgramRun) => {
    const jobs = ofType(run, JOB);
    assert.equal(jobs.length, 1, run.error?.message);
    return jobs[0];
};
const probeConfigOf = (run: ProgramRun): ProbeScriptConfig =>
    JSON.parse(job(run).inputs.spec.template.spec.containers[0].env.find((e: any) => e.name === "PROBE_CONFIG").value);

describe("EnforcementProbe", () => {
    it("runs a Job whose pod carries TorchPod labels plus the probe label, in the TorchPods' namespace", async () => {
        const run = await runProbe(args());
        assert.equal(run.error, undefined);
        const [component] = ofType(run, "torchpod:index:EnforcementProbe");
        const j = job(run);
        assert.equal(j.parent, component.urn);
        assert.equal(j.inputs.metadata.namespace, "torchpods");
        const labels = j.inputs.spec.template.metadata.labels;
        assert.equal(labels["app.kubernetes.io/component"], "torchpod");
        assert.equal(labels["app.kubernetes.io/part-of"], "torchpod");
        assert.equal(labels["app.kubernetes.io/managed-by"], "pulumi");
        assert.equal(labels[PROBE_LABEL], "true");
    });

    it("fails closed: no retries, no TTL, a deadline, Pulumi waits for it and reruns it when it failed", async () => {
        const run = await runProbe(args());
        const j = job(run);
        const spec = j.inputs.spec;
        assert.equal(spec.backoffLimit, 0);
        assert.equal(spec.ttlSecondsAfterFinished, undefined, "the result stays readable");
        assert.ok(spec.activeDeadlineSeconds > 120 && spec.activeDeadlineSeconds <= 600, String(spec.activeDeadlineSeconds));
        assert.equal(spec.template.spec.restartPolicy, "Never");
        assert.equal(j.inputs.metadata.annotations["pulumi.com/replaceUnready"], "true");
        assert.notEqual(j.inputs.metadata.annotations["pulumi.com/skipAwait"], "true", "Pulumi must wait for the Job");
    });

    it("hardens the probe's pods (restricted profile, no token, pinned image, script from a ConfigMap)", async () => {
        const run = await runProbe(args());
        const pods = podSpecs(run);
        assert.equal(pods.length, 2, "the Job and the stand-in TorchPod");
        for (const { spec, labels } of pods) {
            assert.equal(labels["app.kubernetes.io/component"], "torchpod");
            assert.equal(labels[PROBE_LABEL], "true");
            assert.equal(spec.automountServiceAccountToken, false);
            assert.ok(!spec.hostNetwork && !spec.hostPID && !spec.hostIPC);
            assert.equal(spec.securityContext.runAsNonRoot, true);
            assert.equal(spec.securityContext.seccompProfile.type, "RuntimeDefault");
            assert.ok(!JSON.stringify(spec.volumes).includes("hostPath"));
            for (const c of spec.containers) {
                assert.equal(c.image, "node:20.18.1-alpine3.20");
                assert.equal(c.securityContext.allowPrivilegeEscalation, false);
                assert.equal(c.securityContext.readOnlyRootFilesystem, true);
                assert.deepEqual(c.securityContext.capabilities.drop, ["ALL"]);
                assert.ok(!c.securityContext.capabilities.add);
                assert.ok(c.resources.limits.memory && c.resources.limits.cpu);
                assert.ok(!(c.ports ?? []).some((p: any) => p.hostPort), "no hostPort");
            }
            const cm = spec.volumes.find((v: any) => v.configMap).configMap.name;
            const map = ofType(run, CONFIGMAP).find((r) => r.inputs.metadata.name === cm)!;
            assert.equal(map.inputs.data["probe.js"], fs.readFileSync(PROBE_SCRIPT_PATH, "utf8"));
            assert.equal(map.inputs.immutable, true);
        }
        const client = job(run).inputs.spec.template.spec.containers[0];
        assert.deepEqual(client.command, ["node", "/probe/probe.js"]);
    });

    it("checks MLab must answer and every forbidden target must not, with the given addresses", async () => {
        const run = await runProbe(args());
        const c = probeConfigOf(run);
        assert.equal(c.timeoutMs, 3000);
        assert.deepEqual(c.mustReach, [{ name: "MLab", host: "10.96.5.5", port: 3000, kind: "tcp" }]);
        const forbidden = c.mustNotReach.map((t) => `${t.kind}:${t.host}:${t.port}`);
        const targetIp = ofType(run, SERVICE)[0].state.spec.clusterIP;
        assert.match(targetIp, /^10\./);
        for (const want of [
            "tcp:1.1.1.1:443",
            "tcp:169.254.169.254:80",
            "dns-udp:10.96.0.10:53",
            "tcp:10.96.0.10:53",
            "tcp:10.96.0.1:443",
            "tcp:10.96.6.6:10022",
            `tcp:${targetIp}:3389`,
        ]) {
            assert.ok(forbidden.includes(want), `${want} not among ${forbidden}`);
        }
    });

    it("checks both of MLab's ports a TorchPod may reach (http and ssh) when the ssh port is given, and never lists MLab as forbidden", async () => {
        const run = await runProbe(args({ mlab: { ip: "10.96.5.5", port: 80, sshPort: 22 } }));
        const c = probeConfigOf(run);
        assert.deepEqual(c.mustReach, [
            { name: "MLab", host: "10.96.5.5", port: 80, kind: "tcp" },
            { name: "MLab's ssh", host: "10.96.5.5", port: 22, kind: "tcp" },
        ]);
        assert.equal(
            c.mustNotReach.some((t) => t.host === "10.96.5.5"),
            false,
        );
        const again = await runProbe(args({ mlab: { ip: "10.96.5.5", port: 80, sshPort: 0 } }));
        assert.match(String(again.error), /mlab\.sshPort must be a port number 1-65535, got 0/);
    });

    it("on dual-stack clusters also checks the internet and the metadata address over the other family", () => {
        const base = {
            config: { enabled: true, image: "node:20.18.1-alpine3.20", internetAddress: "1.1.1.1", timeoutSeconds: 3 },
            mlab: { ip: "10.96.5.5", port: 3000 },
            airlock: { ip: "10.96.6.6", port: 10022 },
            target: { ip: "10.96.7.7", port: 3389 },
            mlabRetrySeconds: 120,
        };
        const targets = (dualStack: boolean, internetAddress = "1.1.1.1") =>
            probeScriptConfig({
                ...base,
                config: { ...base.config, internetAddress },
                cluster: { ...cluster, dualStack },
            }).mustNotReach.map((t) => `${t.kind}:${t.host}:${t.port}`);
        assert.ok(!targets(false).some((t) => t.includes("2606:4700:4700::1111") || t.includes("fd00:ec2::254")));
        for (const want of ["tcp:2606:4700:4700::1111:443", "tcp:fd00:ec2::254:80", "tcp:1.1.1.1:443"])
            assert.ok(targets(true).includes(want), `${want} not among ${targets(true)}`);
        assert.ok(targets(true, "2001:4860:4860::8888").includes("tcp:1.1.1.1:443"), "an IPv6 internet address gets an IPv4 companion");
    });

    it("keeps a stand-in TorchPod listening behind a ClusterIP Service, and the Job waits for it", async () => {
        const run = await runProbe(args());
        const dep = k8s(run, DEPLOYMENT, "enforcement-probe-target");
        const svc = k8s(run, SERVICE, "enforcement-probe-target");
        assert.equal(svc.spec.type, "ClusterIP");
        assert.deepEqual(svc.spec.selector, dep.spec.selector.matchLabels);
        for (const [k, v] of Object.entries(dep.spec.selector.matchLabels)) assert.equal(dep.spec.template.metadata.labels[k], v);
        assert.deepEqual(dep.spec.template.spec.containers[0].ports, [{ name: "rdp", containerPort: 3389, protocol: "TCP" }]);
        const depUrn = ofType(run, DEPLOYMENT)[0].urn;
        assert.ok(job(run).dependencies.includes(depUrn), "the Job dependsOn the stand-in");
    });

    it("never collides with a user's objects or selectors (TorchPods are torchpod-<user>, instance = the user)", async () => {
        const run = await runProbe(args());
        for (const r of run.resources.filter((x) => x.type.startsWith("kubernetes:"))) {
            assert.match(r.inputs.metadata.name, /^enforcement-probe-/, r.type);
        }
        for (const { labels } of podSpecs(run)) {
            assert.doesNotMatch(
                labels["app.kubernetes.io/instance"],
                /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/,
                "the instance must not be a possible user name",
            );
        }
    });

    it("names the Job by a hash of its inputs: same inputs, same name; a changed lock-down or target, a new run", async () => {
        const name = async (a: EnforcementProbeArgs) => job(await runProbe(a)).inputs.metadata.name as string;
        const base = await name(args());
        assert.match(base, /^enforcement-probe-[0-9a-f]{10}$/);
        assert.ok(base.length <= 63);
        assert.equal(await name(args()), base);
        assert.notEqual(await name(args({ lockdownFingerprint: "def456" })), base);
        assert.notEqual(await name(args({ mlab: { ip: "10.96.5.6", port: 3000 } })), base);
        assert.notEqual(await name(args({ airlock: { ip: pulumi.output("10.96.6.7"), port: 10022 } })), base);
        assert.notEqual(await name(args({ config: { ...probe, image: "node:20.18.2-alpine3.20" } })), base);
        assert.notEqual(await name(args({ config: { ...probe, internetAddress: "8.8.8.8" } })), base);
        assert.notEqual(probeJobName({ a: 1 }), probeJobName({ a: 2 }));
    });

    it("runs after what the component depends on (the lock-down, MLab): its children wait for them", async () => {
        const run = await runPiece(() => {
            // Depending on a component means depending on its children.
            const upstream = new pulumi.ComponentResource("torchpod:test:Upstream", "lockdown");
            new kubernetes.networking.v1.NetworkPolicy(
                "deny",
                { metadata: { name: "deny", namespace: "torchpods" }, spec: { podSelector: {} } },
                { parent: upstream },
            );
            new EnforcementProbe("probe", args(), { dependsOn: [upstream] });
        });
        assert.equal(run.error, undefined);
        const upstreamUrn = ofType(run, "kubernetes:networking.k8s.io/v1:NetworkPolicy")[0].urn;
        const [script] = ofType(run, CONFIGMAP);
        assert.ok(script.dependencies.includes(upstreamUrn), "the script ConfigMap waits for the upstream");
        // The Job and the stand-in consume the ConfigMap's name, so they wait for it (and so for the upstream).
        assert.ok(job(run).dependencies.includes(script.urn));
        assert.ok(ofType(run, DEPLOYMENT)[0].dependencies.includes(script.urn));
    });

    it("creates only the isolation gate's script ConfigMap when disabled (the TorchPods' gate still runs)", async () => {
        let created: EnforcementProbe | undefined;
        const run = await runPiece(() => {
            created = new EnforcementProbe("probe", args({ config: { ...probe, enabled: false } }));
        });
        assert.equal(run.error, undefined);
        assert.equal(created?.job, undefined);
        assert.deepEqual(
            run.resources.filter((r) => r.type.startsWith("kubernetes:")).map((r) => r.type),
            [CONFIGMAP],
        );
        assert.deepEqual(created?.isolationGate?.initContainer.command, ["node", "/probe/probe.js", "--gate"]);
    });

    it("creates nothing when disabled without the isolation gate", async () => {
        let created: EnforcementProbe | undefined;
        const run = await runPiece(() => {
            created = new EnforcementProbe("probe", args({ config: { ...probe, enabled: false }, isolationGate: false }));
        });
        assert.equal(run.error, undefined);
        assert.equal(created?.job, undefined);
        assert.deepEqual(
            run.resources.filter((r) => r.type.startsWith("kubernetes:")),
            [],
        );
    });

    it("rejects targets that would prove nothing, and unpinned images", async () => {
        const err = async (a: EnforcementProbeArgs) => (await runProbe(a)).error?.message ?? "";
        assert.match(await err(args({ config: { ...probe, internetAddress: "example.com" } })), /must be an IP address/);
        assert.match(await err(args({ config: { ...probe, internetAddress: "192.168.1.1" } })), /not an internet address/);
        assert.match(await err(args({ config: { ...probe, internetAddress: "10.244.1.1" } })), /not an internet address/);
        assert.match(await err(args({ config: { ...probe, image: "node:latest" } })), /pinned/);
        assert.match(await err(args({ config: { ...probe, image: "node" } })), /pinned/);
        assert.match(await err(args({ cluster: { ...cluster, apiServerIp: "kubernetes" } })), /apiServerIp/);
    });

    it("places its pods where asked (e.g. on the GPU nodes TorchPods use)", async () => {
        const run = await runProbe(
            args({
                nodeSelector: { "nvidia.com/gpu.present": "true" },
                tolerations: [{ key: "nvidia.com/gpu", operator: "Exists", effect: "NoSchedule" }],
            }),
        );
        for (const { spec } of podSpecs(run)) {
            assert.deepEqual(spec.nodeSelector, { "nvidia.com/gpu.present": "true" });
            assert.equal(spec.tolerations[0].key, "nvidia.com/gpu");
        }
    });
});
