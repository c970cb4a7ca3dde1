// Endpoints: Pods and every pod-owning workload through its pod template; Lists unpacked;
// unknown kinds skipped; namespaces default to `default`.
import * as assert from "assert";
import { K8sObject, NetworkModel } from "@torchpod/netpol";

const template = (app: string) => ({
    metadata: { labels: { app } },
    spec: {
        containers: [
            {
                name: "c",
                ports: [
                    { name: "http", containerPort: 8080 },
                    { containerPort: 53, protocol: "UDP" },
                ],
            },
        ],
    },
});

describe("netpol: endpoints from manifests", () => {
    it("reads Pods and every pod-owning kind through its pod template", () => {
        const kinds = ["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "ReplicationController"];
        const objs: K8sObject[] = kinds.map((kind) => ({
            kind,
            metadata: { name: kind.toLowerCase(), namespace: "w" },
            spec: { template: template(kind) },
        }));
        objs.push({
            kind: "CronJob",
            metadata: { name: "cron", namespace: "w" },
            spec: { jobTemplate: { spec: { template: template("CronJob") } } },
        });
        objs.push({
            kind: "Pod",
            metadata: { name: "pod", namespace: "w", labels: { app: "Pod" } },
            spec: template("Pod").spec,
            status: { podIP: "10.1.2.3" },
        });
        const m = NetworkModel.fromObjects(objs);
        assert.deepStrictEqual(
            m.workloads.map((w) => [w.id, w.kind, w.labels.app]),
            [...kinds, "CronJob", "Pod"].map((k) => [`w/${k === "CronJob" ? "cron" : k.toLowerCase()}`, k, k]),
        );
        assert.deepStrictEqual(m.workload("w/cron")!.ports, [
            { name: "http", containerPort: 8080, protocol: "TCP" },
            { containerPort: 53, protocol: "UDP" },
        ]);
        assert.strictEqual(m.workload("w/pod")!.ip, "10.1.2.3");
        assert.strictEqual(m.workload("w/deployment")!.ip, undefined);
    });

    it("puts objects without a namespace in `default`", () => {
        const m = NetworkModel.fromObjects([{ kind: "Pod", metadata: { name: "p" }, spec: { containers: [] } }]);
        assert.strictEqual(m.workloads[0].id, "default/p");
        assert.deepStrictEqual(m.workloads[0].namespaceLabels, { "kubernetes.io/metadata.name": "default" });
    });

    it("unpacks kind: List (and typed lists), skipping unknown kinds silently", () => {
        const m = NetworkModel.fromObjects([
            {
                apiVersion: "v1",
                kind: "List",
                items: [
                    { kind: "Pod", metadata: { name: "a", namespace: "x" }, spec: {} },
                    { kind: "Service", metadata: { name: "s" } },
                    { kind: "List", items: [{ kind: "Pod", metadata: { name: "b", namespace: "x" }, spec: {} }] },
                ],
            },
            { apiVersion: "v1", kind: "PodList", items: [{ metadata: { name: "c", namespace: "x" }, spec: {} }] },
            { apiVersion: "example.com/v1", kind: "Widget", metadata: { name: "w" }, spec: { template: {} } },
            { apiVersion: "crd.projectcalico.org/v1", kind: "NetworkPolicy", metadata: { name: "calico" }, spec: { selector: "all()" } },
        ]);
        assert.deepStrictEqual(
            m.workloads.map((w) => w.id),
            ["x/a", "x/b", "x/c"],
        );
        assert.strictEqual(m.policies.length, 0, "a Calico NetworkPolicy is not networking.k8s.io");
    });

    it("reads Namespace labels", () => {
        const m = NetworkModel.fromObjects([
            { kind: "Namespace", metadata: { name: "lab", labels: { tier: "gpu" } } },
            { kind: "Pod", metadata: { name: "p", namespace: "lab" }, spec: {} },
        ]);
        assert.deepStrictEqual(m.workload("lab/p")!.namespaceLabels, { tier: "gpu", "kubernetes.io/metadata.name": "lab" });
    });
});
