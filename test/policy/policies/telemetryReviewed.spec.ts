// telemetry-reviewed: the clean red-team baseline, one change per test.
import * as assert from "assert";
import * as path from "path";
import { loadManifests } from "@torchpod/netpol";
import { readsContainerLogs, telemetryReviewed } from "../../../policy/policies/telemetryReviewed";
import { manifestsToResources } from "../../../tools/pack/manifestResources";
import { runStackPolicy } from "../policyArgs";

const CLEAN = path.resolve(__dirname, "../../redteam/cases/clean/manifests");

async function judge(objects: any[], config: Record<string, unknown> = {}) {
    const rs = [...manifestsToResources(loadManifests([CLEAN])), ...manifestsToResources(objects as never)];
    const out = await runStackPolicy(telemetryReviewed, rs, { config });
    assert.strictEqual(out.unknown, undefined);
    return out.violations.map((v) => v.message);
}

const clusterFlow = {
    apiVersion: "logging.banzaicloud.io/v1beta1",
    kind: "ClusterFlow",
    metadata: { name: "all", namespace: "logging" },
    spec: { globalOutputRefs: ["s3"] },
};
const flow = (namespace: string) => ({
    apiVersion: "logging.banzaicloud.io/v1beta1",
    kind: "Flow",
    metadata: { name: "app", namespace },
    spec: { localOutputRefs: ["out"] },
});
const shipper = (hostPath: string) => ({
    apiVersion: "apps/v1",
    kind: "DaemonSet",
    metadata: { name: "fluent-bit", namespace: "logging" },
    spec: {
        selector: { matchLabels: { app: "fluent-bit" } },
        template: {
            metadata: { labels: { app: "fluent-bit" } },
            spec: {
                automountServiceAccountToken: false,
                containers: [
                    {
                        name: "fluent-bit",
                        image: "fluent/fluent-bit:3.1",
                        volumeMounts: [{ name: "logs", mountPath: "/logs", readOnly: true }],
                    },
                ],
                volumes: [{ name: "logs", hostPath: { path: hostPath } }],
            },
        },
    },
});

describe("telemetry-reviewed", () => {
    it("passes the clean baseline", async () => {
        assert.deepStrictEqual(await judge([]), []);
    });

    it("refuses a Logging operator ClusterFlow (every namespace's logs), naming reviewedTelemetry; listing it lets it through", async () => {
        const [m] = await judge([clusterFlow]);
        assert.match(
            m,
            /ClusterFlow logging\/all \(logging\.banzaicloud\.io\/v1beta1\) ships pods' logs .*every namespace, torchpod \(a TorchPod namespace\)/,
        );
        assert.match(m, /config reviewedTelemetry: \["logging\.banzaicloud\.io\/v1beta1\/ClusterFlow logging\/all"\]/);
        assert.deepStrictEqual(
            await judge([clusterFlow], { reviewedTelemetry: ["logging.banzaicloud.io/v1beta1/ClusterFlow logging/all"] }),
            [],
        );
    });

    it("passes a namespaced Flow outside the TorchPod and MLab namespaces, refuses one inside", async () => {
        assert.deepStrictEqual(await judge([flow("ci")]), []);
        const [m] = await judge([flow("torchpod")]);
        assert.match(m, /Flow torchpod\/app .*reads the output of torchpod \(a TorchPod namespace\)/);
    });

    it("refuses a DaemonSet that mounts the node's container logs", async () => {
        const [m] = await judge([shipper("/var/log/pods")]);
        assert.match(
            m,
            /DaemonSet logging\/fluent-bit mounts the node's container logs \(hostPath \/var\/log\/pods\).*reviewedTelemetry: \["apps\/v1\/DaemonSet logging\/fluent-bit"\]/,
        );
    });

    it("leaves a hostPath elsewhere to no-hostpath-volumes", async () => {
        assert.deepStrictEqual(await judge([shipper("/etc/ssl/certs")]), []);
    });

    it("counts a hostPath above the log directories, not beside them", () => {
        assert.deepStrictEqual(
            [
                "/",
                "/var",
                "/var/",
                "/var/log",
                "/var/log/containers",
                "/var/lib",
                "/var/lib/containerd/io",
                "/var/lib/kubelet",
                "/etc",
                "/var/run/docker.sock",
                "/var/logs",
            ].map(readsContainerLogs),
            [true, true, true, true, true, true, true, true, false, false, false],
        );
    });
});
