// egressGrants / ingressGrants: each (policy, rule, peer) that opens traffic, named precisely.
import * as assert from "assert";
import { NetworkModel } from "@torchpod/netpol";
import { netpol, ns, pod } from "./builders";

const world = [
    ns("lab"),
    ns("mlab"),
    pod("lab/alice", { labels: { component: "torchpod" } }),
    pod("lab/bob", { labels: { component: "torchpod" } }),
    pod("mlab/gitea", { labels: { component: "mlab" }, ports: [{ name: "http", containerPort: 3000 }] }),
    pod("kube-system/dns", { labels: { "k8s-app": "kube-dns" } }),
];

describe("netpol: egress and ingress grants", () => {
    it("lists each egress opening with its policy, rule index, peer matches and ports", () => {
        const m = NetworkModel.fromObjects([
            ...world,
            netpol("lab/lockdown", {
                podSelector: { matchLabels: { component: "torchpod" } },
                policyTypes: ["Egress"],
                egress: [
                    {
                        to: [
                            {
                                namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "mlab" } },
                                podSelector: { matchLabels: { component: "mlab" } },
                            },
                        ],
                        ports: [{ port: "http" }],
                    },
                    { to: [{ ipBlock: { cidr: "0.0.0.0/0", except: ["10.0.0.0/8"] } }], ports: [{ port: 443, protocol: "TCP" }] },
                    { ports: [{ port: 53, protocol: "UDP" }] },
                ],
            }),
            netpol("lab/other", { podSelector: {}, policyTypes: ["Egress"], egress: [{ to: [{ podSelector: {} }] }] }),
            netpol("lab/ingress-only", { podSelector: {}, ingress: [{}] }),
        ]);
        const { isolated, grants } = m.egressGrants(m.workload("lab/alice")!);
        assert.strictEqual(isolated, true);
        const summary = grants.map((g) => ({
            policy: g.policy,
            rule: g.ruleIndex,
            peer: g.peer.kind,
            matches: g.peer.kind === "all" ? undefined : g.peer.matches.map((w) => w.id),
            ports: g.ports,
        }));
        assert.deepStrictEqual(summary, [
            { policy: "lab/lockdown", rule: 0, peer: "pods", matches: ["mlab/gitea"], ports: [{ protocol: "TCP", port: "http" }] },
            { policy: "lab/lockdown", rule: 1, peer: "ipBlock", matches: [], ports: [{ protocol: "TCP", port: 443 }] },
            { policy: "lab/lockdown", rule: 2, peer: "all", matches: undefined, ports: [{ protocol: "UDP", port: 53 }] },
            { policy: "lab/other", rule: 0, peer: "pods", matches: ["lab/alice", "lab/bob"], ports: "all" },
        ]);
        const ip = grants[1].peer;
        assert.deepStrictEqual(ip.kind === "ipBlock" && [ip.cidr, ip.except], ["0.0.0.0/0", ["10.0.0.0/8"]]);
        const pods = grants[0].peer;
        assert.ok(pods.kind === "pods");
        assert.strictEqual(pods.policyNamespace, "lab");
        assert.deepStrictEqual(pods.podSelector, { matchLabels: { component: "mlab" } });
    });

    it("reports a pod that no egress policy selects as not isolated, with no grants", () => {
        const m = NetworkModel.fromObjects([...world, netpol("lab/ingress-only", { podSelector: {}, ingress: [{}] })]);
        assert.deepStrictEqual(m.egressGrants(m.workload("lab/alice")!), { isolated: false, grants: [] });
    });

    it("lists ingress openings with the source side as the peer", () => {
        const m = NetworkModel.fromObjects([
            ...world,
            netpol("mlab/from-torchpods", {
                podSelector: { matchLabels: { component: "mlab" } },
                ingress: [
                    { from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "lab" } } }], ports: [{ port: "http" }] },
                ],
            }),
        ]);
        const { isolated, grants } = m.ingressGrants(m.workload("mlab/gitea")!);
        assert.strictEqual(isolated, true);
        assert.strictEqual(grants.length, 1);
        const g = grants[0];
        assert.strictEqual(g.policy, "mlab/from-torchpods");
        assert.ok(g.peer.kind === "pods");
        assert.deepStrictEqual(
            g.peer.matches.map((w) => w.id),
            ["lab/alice", "lab/bob"],
        );
        assert.deepStrictEqual(g.ports, [{ protocol: "TCP", port: "http" }]);
    });
});
