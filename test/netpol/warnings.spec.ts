// The analyzer says what it left out: policy kinds it does not evaluate, custom resources whose pods
// it cannot see, namespaces used but not declared, and policies that select nothing.
import * as assert from "assert";
import { K8sObject, NetworkModel } from "@torchpod/netpol";
import { netpol, ns, pod } from "./builders";

const obj = (apiVersion: string, kind: string, id: string): K8sObject => {
    const [namespace, name] = id.includes("/") ? id.split("/") : [undefined, id];
    return { apiVersion, kind, metadata: namespace ? { name, namespace } : { name }, spec: {} };
};

const warningsOf = (objects: K8sObject[]) => NetworkModel.fromObjects(objects).warnings;

describe("netpol: warnings about what was not evaluated", () => {
    it("gives no warning for a world it evaluates fully", () => {
        const w = warningsOf([
            ns("lab"),
            pod("lab/a"),
            netpol("lab/deny", { podSelector: {}, policyTypes: ["Ingress"] }),
            obj("v1", "ConfigMap", "lab/cm"),
        ]);
        assert.deepStrictEqual(w, []);
    });

    it("names policy kinds it does not evaluate: Cilium, Calico, AdminNetworkPolicy, secondary networks", () => {
        const w = warningsOf([
            ns("lab"),
            pod("lab/a"),
            obj("cilium.io/v2", "CiliumNetworkPolicy", "lab/allow-world"),
            obj("cilium.io/v2", "CiliumNetworkPolicy", "lab/allow-dns"),
            obj("crd.projectcalico.org/v1", "NetworkPolicy", "lab/calico"),
            obj("projectcalico.org/v3", "GlobalNetworkPolicy", "global"),
            obj("policy.networking.k8s.io/v1alpha1", "AdminNetworkPolicy", "cluster-wide"),
            obj("k8s.cni.cncf.io/v1", "NetworkAttachmentDefinition", "lab/macvlan"),
        ]);
        const text = w.join("\n");
        assert.match(text, /not evaluated: 2 CiliumNetworkPolicy \(cilium\.io\/v2\): lab\/allow-world, lab\/allow-dns/);
        assert.match(text, /not evaluated: 1 NetworkPolicy \(crd\.projectcalico\.org\/v1\): lab\/calico/);
        assert.match(text, /not evaluated: 1 GlobalNetworkPolicy .*: global/);
        assert.match(text, /not evaluated: 1 AdminNetworkPolicy .*: cluster-wide/);
        assert.match(text, /not evaluated: 1 NetworkAttachmentDefinition .*: lab\/macvlan/);
        assert.strictEqual(w.filter((x) => x.startsWith("not evaluated")).length, 5, "one line per kind");
    });

    it("names custom resources whose pods it cannot see, and not built-in kinds", () => {
        const w = warningsOf([
            ns("lab"),
            pod("lab/a"),
            obj("postgresql.cnpg.io/v1", "Cluster", "lab/db"),
            obj("apps/v1", "ControllerRevision", "lab/rev"),
            obj("gateway.networking.k8s.io/v1", "HTTPRoute", "lab/route"),
        ]);
        assert.strictEqual(w.length, 1, w.join("\n"));
        assert.match(
            w[0],
            /^not seen: 1 Cluster \(postgresql\.cnpg\.io\/v1\): lab\/db; a custom resource's pods .* are not in the analysis/,
        );
    });

    it("names namespaces used but not declared", () => {
        const w = warningsOf([ns("lab"), pod("lab/a"), pod("ops/b"), netpol("zone/p", { podSelector: {}, policyTypes: ["Ingress"] })]);
        assert.ok(
            w.some((x) => /^namespaces used but not declared: ops, zone;/.test(x)),
            w.join("\n"),
        );
    });

    it("names policies that select no pod", () => {
        const w = warningsOf([
            ns("lab"),
            pod("lab/a", { labels: { app: "a" } }),
            netpol("lab/typo", { podSelector: { matchLabels: { app: "aa" } }, policyTypes: ["Ingress"] }),
        ]);
        assert.deepStrictEqual(
            w.filter((x) => x.includes("selects no pod")),
            [
                'NetworkPolicy lab/typo selects no pod in the manifests (podSelector {"matchLabels":{"app":"aa"}} in namespace lab): it changes nothing here',
            ],
        );
    });
});
