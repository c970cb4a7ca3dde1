// Unique workload names: where two kinds share a namespace and name, ids say the kind, the matrix has
// one entry per workload, and a bare NS/NAME lookup returns every candidate (never a silent pick).
import * as assert from "assert";
import { K8sObject, NetworkModel } from "@torchpod/netpol";
import { netpol, ns, pod } from "./builders";

const workload = (kind: string, id: string, labels: Record<string, string>): K8sObject => {
    const [namespace, name] = id.split("/");
    return {
        apiVersion: "apps/v1",
        kind,
        metadata: { name, namespace },
        spec: { template: { metadata: { labels }, spec: { containers: [{ name: "c", image: "x", ports: [{ containerPort: 5432 }] }] } } },
    };
};

const world = (): K8sObject[] => [
    ns("default"),
    workload("Deployment", "default/db", { app: "db-deploy" }),
    workload("StatefulSet", "default/db", { app: "db-sts" }),
    pod("default/client", { labels: { app: "client" } }),
    // Only the StatefulSet's pods accept the client.
    netpol("default/db", {
        podSelector: { matchLabels: { app: "db-sts" } },
        ingress: [{ from: [{ podSelector: { matchLabels: { app: "client" } } }], ports: [{ port: 5432 }] }],
    }),
    netpol("default/deploy-closed", { podSelector: { matchLabels: { app: "db-deploy" } }, policyTypes: ["Ingress"] }),
];

describe("netpol: unique workload names", () => {
    it("gives a Deployment and a StatefulSet of the same name ids that say their kind", () => {
        const m = NetworkModel.fromObjects(world());
        assert.deepStrictEqual(m.workloads.map((w) => w.id).sort(), ["default/Deployment/db", "default/StatefulSet/db", "default/client"]);
        assert.strictEqual(m.workload("default/StatefulSet/db")!.kind, "StatefulSet");
        assert.strictEqual(m.workload("default/db"), undefined);
    });

    it("keeps NS/NAME for a name only one workload has", () => {
        const m = NetworkModel.fromObjects([ns("default"), workload("Deployment", "default/web", { app: "web" })]);
        assert.deepStrictEqual(
            m.workloads.map((w) => w.id),
            ["default/web"],
        );
    });

    it("returns every candidate for an ambiguous NS/NAME and exactly one for NS/KIND/NAME", () => {
        const m = NetworkModel.fromObjects(world());
        assert.deepStrictEqual(
            m.findWorkloads("default/db").map((w) => w.id),
            ["default/Deployment/db", "default/StatefulSet/db"],
        );
        assert.deepStrictEqual(
            m.findWorkloads("default/StatefulSet/db").map((w) => w.id),
            ["default/StatefulSet/db"],
        );
        assert.deepStrictEqual(m.findWorkloads("default/nothing"), []);
    });

    it("gives each workload its own, non-contradictory matrix entries", () => {
        const m = NetworkModel.fromObjects(world());
        const client = m.workload("default/client")!;
        const entries = m.matrix({ from: [client], ports: [5432], protocols: ["TCP"] });
        const byTo = new Map(entries.map((e) => [e.to, e.allowed]));
        assert.strictEqual(entries.length, byTo.size, "one entry per destination id");
        assert.strictEqual(byTo.get("default/StatefulSet/db"), true);
        assert.strictEqual(byTo.get("default/Deployment/db"), false);
    });

    it("warns about two objects of the same kind and name (a cluster keeps one)", () => {
        const m = NetworkModel.fromObjects([...world(), workload("Deployment", "default/db", { app: "other" })]);
        assert.ok(
            m.warnings.some((w) => /Deployment default\/db appears more than once/.test(w)),
            m.warnings.join("\n"),
        );
    });
});
