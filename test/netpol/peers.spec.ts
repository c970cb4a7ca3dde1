// Peers: OR between peers, AND inside one; podSelector alone = the policy's namespace;
// namespaceSelector alone = all pods of matching namespaces; label selector operators.
import * as assert from "assert";
import { K8sObject, matchesSelector, NetworkModel } from "@torchpod/netpol";
import { allowed, netpol, ns, pod } from "./builders";

const world: K8sObject[] = [
    ns("x", { team: "ml" }),
    ns("y", { team: "data" }),
    pod("x/a", { labels: { app: "a" } }),
    pod("x/b", { labels: { app: "b", role: "client" } }),
    pod("y/b", { labels: { app: "b", role: "client" } }),
    pod("y/c", { labels: { app: "c" } }),
    pod("z/b", { labels: { app: "b", role: "client" } }), // z is not declared
];
const toA = (from: unknown[]) => [...world, netpol("x/p", { podSelector: { matchLabels: { app: "a" } }, ingress: [{ from }] })];
const sources = ["x/b", "y/b", "y/c", "z/b"];
const reach = (objs: K8sObject[]) => sources.filter((s) => allowed(objs, s, "x/a"));

describe("netpol: peers and label selectors", () => {
    it("podSelector alone matches only the policy's own namespace", () => {
        assert.deepStrictEqual(reach(toA([{ podSelector: { matchLabels: { role: "client" } } }])), ["x/b"]);
    });

    it("namespaceSelector alone matches every pod of matching namespaces", () => {
        assert.deepStrictEqual(reach(toA([{ namespaceSelector: { matchLabels: { team: "data" } } }])), ["y/b", "y/c"]);
    });

    it("namespaceSelector and podSelector in one peer are AND'ed", () => {
        assert.deepStrictEqual(
            reach(toA([{ namespaceSelector: { matchLabels: { team: "data" } }, podSelector: { matchLabels: { role: "client" } } }])),
            ["y/b"],
        );
    });

    it("separate peers are OR'ed", () => {
        assert.deepStrictEqual(
            reach(toA([{ namespaceSelector: { matchLabels: { team: "data" } } }, { podSelector: { matchLabels: { role: "client" } } }])),
            ["x/b", "y/b", "y/c"],
        );
    });

    it("empty selectors match everything: {} namespaces = all pods everywhere, {} pods = whole own namespace", () => {
        assert.deepStrictEqual(reach(toA([{ namespaceSelector: {} }])), sources);
        assert.deepStrictEqual(reach(toA([{ podSelector: {} }])), ["x/b"]);
    });

    it("gives every namespace kubernetes.io/metadata.name, declared or not", () => {
        const m = NetworkModel.fromObjects(world);
        assert.deepStrictEqual(m.workload("z/b")!.namespaceLabels, { "kubernetes.io/metadata.name": "z" });
        assert.deepStrictEqual(m.workload("x/a")!.namespaceLabels, { team: "ml", "kubernetes.io/metadata.name": "x" });
        assert.deepStrictEqual(reach(toA([{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "z" } } }])), ["z/b"]);
    });

    it("does not let a Namespace object override kubernetes.io/metadata.name", () => {
        const objs = [ns("x", { "kubernetes.io/metadata.name": "y" })];
        assert.strictEqual(NetworkModel.fromObjects(objs).namespaces.get("x")!["kubernetes.io/metadata.name"], "x");
    });

    it("evaluates matchExpressions: In, NotIn, Exists, DoesNotExist (absent keys match NotIn and DoesNotExist)", () => {
        const l = { app: "b", role: "client" };
        const sel = (operator: string, key: string, values?: string[]) => ({
            matchExpressions: [{ key, operator: operator as any, values }],
        });
        assert.strictEqual(matchesSelector(sel("In", "app", ["a", "b"]), l), true);
        assert.strictEqual(matchesSelector(sel("In", "tier", ["web"]), l), false);
        assert.strictEqual(matchesSelector(sel("NotIn", "app", ["b"]), l), false);
        assert.strictEqual(matchesSelector(sel("NotIn", "tier", ["web"]), l), true);
        assert.strictEqual(matchesSelector(sel("Exists", "role"), l), true);
        assert.strictEqual(matchesSelector(sel("Exists", "tier"), l), false);
        assert.strictEqual(matchesSelector(sel("DoesNotExist", "tier"), l), true);
        assert.strictEqual(matchesSelector(sel("DoesNotExist", "role"), l), false);
        assert.strictEqual(
            matchesSelector({ matchLabels: { app: "b" }, matchExpressions: [{ key: "role", operator: "NotIn", values: ["client"] }] }, l),
            false,
            "matchLabels AND expressions",
        );
    });

    it("applies matchExpressions inside peers", () => {
        assert.deepStrictEqual(
            reach(toA([{ namespaceSelector: {}, podSelector: { matchExpressions: [{ key: "role", operator: "DoesNotExist" }] } }])),
            ["y/c"],
        );
        assert.deepStrictEqual(
            reach(toA([{ namespaceSelector: { matchExpressions: [{ key: "team", operator: "NotIn", values: ["data"] }] } }])),
            ["x/b", "z/b"],
        );
    });
});
