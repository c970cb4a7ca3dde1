// policyTypes and isolation per direction, with the API server's defaulting.
import * as assert from "assert";
import { NetworkModel } from "@torchpod/netpol";
import { allowed, netpol, pod } from "./builders";

const pods = [pod("x/a"), pod("x/b"), pod("y/c")];

describe("netpol: policyTypes defaulting and isolation per direction", () => {
    it("defaults to Ingress only when there are no egress rules", () => {
        const objs = [...pods, netpol("x/p", { podSelector: { matchLabels: { app: "a" } } })];
        assert.strictEqual(allowed(objs, "x/b", "x/a"), false, "ingress isolated");
        assert.strictEqual(allowed(objs, "x/a", "y/c"), true, "egress not isolated");
    });

    it("adds Egress when spec.egress has at least one rule", () => {
        const objs = [
            ...pods,
            netpol("x/p", { podSelector: { matchLabels: { app: "a" } }, egress: [{ ports: [{ port: 53, protocol: "UDP" }] }] }),
        ];
        const p = NetworkModel.fromObjects(objs).policies[0];
        assert.deepStrictEqual([p.ingressIsolating, p.egressIsolating], [true, true]);
        assert.strictEqual(allowed(objs, "x/a", "y/c", 80), false);
        assert.strictEqual(allowed(objs, "x/a", "y/c", 53, "UDP"), true);
    });

    it("does not add Egress for an empty egress list (egress: [])", () => {
        const objs = [...pods, netpol("x/p", { podSelector: {}, egress: [] })];
        const p = NetworkModel.fromObjects(objs).policies[0];
        assert.deepStrictEqual([p.ingressIsolating, p.egressIsolating], [true, false]);
        assert.strictEqual(allowed(objs, "x/a", "y/c"), true);
    });

    it("treats an empty policyTypes list like an absent one", () => {
        const p = NetworkModel.fromObjects([netpol("x/p", { podSelector: {}, policyTypes: [], egress: [{}] })]).policies[0];
        assert.deepStrictEqual([p.ingressIsolating, p.egressIsolating], [true, true]);
    });

    it("ignores ingress rules when policyTypes is [Egress] (and does not isolate ingress)", () => {
        const objs = [
            ...pods,
            netpol("x/p", {
                podSelector: { matchLabels: { app: "a" } },
                policyTypes: ["Egress"],
                ingress: [{ from: [{ podSelector: { matchLabels: { app: "nobody" } } }] }],
            }),
        ];
        assert.strictEqual(allowed(objs, "x/b", "x/a"), true, "ingress open");
        assert.strictEqual(allowed(objs, "x/a", "x/b"), false, "egress isolated with no rules");
    });

    it("isolates only the pods the podSelector selects, in the policy's namespace", () => {
        const objs = [...pods, pod("y/a"), netpol("x/p", { podSelector: { matchLabels: { app: "a" } }, policyTypes: ["Ingress"] })];
        assert.strictEqual(allowed(objs, "x/b", "x/a"), false);
        assert.strictEqual(allowed(objs, "x/a", "y/a"), true, "y/a has app=a but lives in another namespace");
        assert.strictEqual(allowed(objs, "x/a", "x/b"), true);
    });

    it("needs both the source's egress and the destination's ingress to allow", () => {
        const base = [
            ...pods,
            netpol("x/out", {
                podSelector: { matchLabels: { app: "a" } },
                policyTypes: ["Egress"],
                egress: [{ to: [{ namespaceSelector: {} }] }],
            }),
        ];
        const denyIn = netpol("y/in", { podSelector: {}, policyTypes: ["Ingress"] });
        assert.strictEqual(allowed(base, "x/a", "y/c"), true);
        assert.strictEqual(allowed([...base, denyIn], "x/a", "y/c"), false);
        const m = NetworkModel.fromObjects([...base, denyIn]);
        const v = m.check(m.workload("x/a")!, m.workload("y/c")!, 80, "TCP");
        assert.deepStrictEqual(v, {
            allowed: false,
            egress: { isolated: true, allowedBy: ["x/out"] },
            ingress: { isolated: true, allowedBy: [] },
        });
    });

    it("unions the rules of all policies selecting a pod", () => {
        const objs = [
            ...pods,
            netpol("x/p1", { podSelector: {}, ingress: [{ ports: [{ port: 80 }] }] }),
            netpol("x/p2", { podSelector: { matchLabels: { app: "a" } }, ingress: [{ ports: [{ port: 443 }] }] }),
        ];
        assert.strictEqual(allowed(objs, "y/c", "x/a", 80), true);
        assert.strictEqual(allowed(objs, "y/c", "x/a", 443), true);
        assert.strictEqual(allowed(objs, "y/c", "x/b", 443), false);
        const m = NetworkModel.fromObjects(objs);
        assert.deepStrictEqual(m.check(m.workload("y/c")!, m.workload("x/a")!, 80, "TCP").ingress.allowedBy, ["x/p1"]);
    });
});
