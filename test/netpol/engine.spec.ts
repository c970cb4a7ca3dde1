// The class/bitset engine must agree with the plain per-pair semantics on every pair,
// and must group workloads that no policy can tell apart.
import * as assert from "assert";
import { K8sObject, NetworkModel, Protocol } from "@torchpod/netpol";
import { netpol, ns, pod } from "./builders";

function rng(seed: number): () => number {
    return () => {
        seed = (seed * 1103515245 + 12345) & 0x7fffffff;
        return seed / 0x80000000;
    };
}

function randomWorld(seed: number): K8sObject[] {
    const r = rng(seed);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
    const NS = ["x", "y", "z"];
    const APPS = ["a", "b", "c"];
    const TIERS = ["web", "db"];
    const objs: K8sObject[] = [ns("x", { env: "prod" }), ns("y", { env: "dev" })]; // z undeclared
    for (let i = 0; i < 14; i++) {
        const labels: Record<string, string> = { app: pick(APPS) };
        if (r() < 0.5) labels.tier = pick(TIERS);
        const ports =
            r() < 0.6
                ? [
                      { name: "http", containerPort: pick([80, 8080]) },
                      { name: "dns", containerPort: 53, protocol: "UDP" as Protocol },
                  ]
                : [];
        objs.push(pod(`${pick(NS)}/p${i}`, { labels, ports, ip: r() < 0.7 ? `10.0.${i % 3}.${i}` : undefined }));
    }
    const selector = () =>
        pick([
            {},
            { matchLabels: { app: pick(APPS) } },
            { matchExpressions: [{ key: "tier", operator: pick(["In", "NotIn"]), values: [pick(TIERS)] }] },
            { matchExpressions: [{ key: "tier", operator: pick(["Exists", "DoesNotExist"]) }] },
        ]);
    const peer = () =>
        pick([
            () => ({ podSelector: selector() }),
            () => ({
                namespaceSelector: pick([
                    {},
                    { matchLabels: { env: "prod" } },
                    { matchLabels: { "kubernetes.io/metadata.name": pick(NS) } },
                ]),
            }),
            () => ({
                namespaceSelector: { matchExpressions: [{ key: "env", operator: "NotIn", values: ["dev"] }] },
                podSelector: selector(),
            }),
            () => ({ ipBlock: pick([{ cidr: "10.0.0.0/16", except: ["10.0.1.0/24"] }, { cidr: "10.0.2.0/24" }, { cidr: "0.0.0.0/0" }]) }),
        ])();
    const ports = () =>
        pick([
            undefined,
            [{ port: 80 }],
            [{ port: "http" }],
            [{ port: "dns", protocol: "UDP" }],
            [{ port: 8000, endPort: 8080 }],
            [{ protocol: "UDP" }],
        ]);
    const rule = (dir: "from" | "to") => {
        const out: Record<string, unknown> = {};
        if (r() < 0.8) out[dir] = Array.from({ length: 1 + Math.floor(r() * 2) }, peer);
        const p = ports();
        if (p) out.ports = p;
        return out;
    };
    for (let i = 0; i < 6; i++) {
        const types = pick([undefined, ["Ingress"], ["Egress"], ["Ingress", "Egress"]]);
        const spec: Record<string, unknown> = { podSelector: selector() };
        if (types) spec.policyTypes = types;
        if (r() < 0.7) spec.ingress = Array.from({ length: Math.floor(r() * 3) }, () => rule("from"));
        if (r() < 0.7) spec.egress = Array.from({ length: Math.floor(r() * 3) }, () => rule("to"));
        objs.push(netpol(`${pick(NS)}/pol${i}`, spec));
    }
    return objs;
}

describe("netpol: class engine", () => {
    it("agrees with the per-pair semantics on random worlds (200 seeds × ports × protocols)", () => {
        let allowedSeen = 0;
        let deniedSeen = 0;
        for (let seed = 1; seed <= 200; seed++) {
            const m = NetworkModel.fromObjects(randomWorld(seed));
            for (const entry of m.matrix({ ports: [53, 80, 8080], protocols: ["TCP", "UDP"] })) {
                const v = m.check(m.workload(entry.from)!, m.workload(entry.to)!, entry.port, entry.protocol);
                assert.strictEqual(entry.allowed, v.allowed, `seed ${seed}: ${entry.from} → ${entry.to} ${entry.protocol}/${entry.port}`);
                if (v.allowed) allowedSeen++;
                else deniedSeen++;
            }
        }
        assert.ok(allowedSeen > 1000 && deniedSeen > 1000, `both outcomes exercised (${allowedSeen} allowed, ${deniedSeen} denied)`);
    });

    it("groups workloads that policies cannot tell apart into one class", () => {
        const replicas = Array.from({ length: 50 }, (_, i) =>
            pod(`x/web-${i}`, { labels: { app: "web" }, ports: [{ name: "http", containerPort: 80 }] }),
        );
        const m = NetworkModel.fromObjects([
            ...replicas,
            pod("x/db", { labels: { app: "db" } }),
            netpol("x/p", {
                podSelector: { matchLabels: { app: "db" } },
                ingress: [{ from: [{ podSelector: { matchLabels: { app: "web" } } }] }],
            }),
        ]);
        assert.strictEqual(m.engine.classes.length, 2);
        const r = m.reachability(80, "TCP");
        assert.strictEqual(r.workloadAllowed(0, 50), true);
        assert.strictEqual(r.workloadAllowed(50, 0), true);
    });

    it("separates pods by their IP only when an ipBlock can tell them apart", () => {
        const pods = [
            pod("x/a", { labels: { app: "w" }, ip: "10.0.0.1" }),
            pod("x/b", { labels: { app: "w" }, ip: "10.0.0.2" }),
            pod("x/c", { labels: { app: "w" }, ip: "10.0.9.9" }),
        ];
        assert.strictEqual(NetworkModel.fromObjects(pods).engine.classes.length, 1);
        const withBlock = NetworkModel.fromObjects([
            ...pods,
            netpol("x/p", { podSelector: {}, policyTypes: ["Egress"], egress: [{ to: [{ ipBlock: { cidr: "10.0.0.0/24" } }] }] }),
        ]);
        assert.strictEqual(withBlock.engine.classes.length, 2);
    });

    it("orders matrix entries by port, protocol, from, to and skips self-pairs", () => {
        const m = NetworkModel.fromObjects([pod("x/a"), pod("x/b")]);
        assert.deepStrictEqual(
            m.matrix({ ports: [80, 81], protocols: ["TCP", "UDP"] }).map((e) => `${e.port}/${e.protocol} ${e.from}>${e.to}`),
            [
                "80/TCP x/a>x/b",
                "80/TCP x/b>x/a",
                "80/UDP x/a>x/b",
                "80/UDP x/b>x/a",
                "81/TCP x/a>x/b",
                "81/TCP x/b>x/a",
                "81/UDP x/a>x/b",
                "81/UDP x/b>x/a",
            ],
        );
    });
});

describe("netpol: matrix reasons", () => {
    it("carries each entry's egress and ingress sides, equal to check() for the pair", () => {
        const objs = randomWorld(7);
        const m = NetworkModel.fromObjects(objs);
        const entries = m.matrix({ ports: [80, 53], protocols: ["TCP", "UDP"], reasons: true });
        assert.ok(entries.length > 0);
        const byId = new Map(m.workloads.map((w) => [w.id, w]));
        for (const e of entries) {
            const v = m.check(byId.get(e.from)!, byId.get(e.to)!, e.port, e.protocol);
            assert.deepStrictEqual(
                { allowed: e.allowed, egress: e.egress, ingress: e.ingress },
                v,
                `${e.from} → ${e.to} ${e.protocol}/${e.port}`,
            );
        }
    });

    it("leaves the reasons out unless asked", () => {
        const m = NetworkModel.fromObjects(randomWorld(3));
        for (const e of m.matrix({ ports: [80], protocols: ["TCP"] }))
            assert.deepStrictEqual(Object.keys(e).sort(), ["allowed", "from", "port", "protocol", "to"]);
    });
});
