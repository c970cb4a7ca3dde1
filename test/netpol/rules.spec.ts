// Rules: no from/to means every peer (all pods everywhere and all IPs); no ports means every port.
import * as assert from "assert";
import { K8sObject } from "@torchpod/netpol";
import { allowed, netpol, ns, pod } from "./builders";

const world: K8sObject[] = [ns("x"), ns("y"), pod("x/a"), pod("y/b")];

describe("netpol: empty peers and empty ports", () => {
    for (const [label, rule] of [
        ["absent to", { ports: [{ port: 443 }] }],
        ["to: []", { to: [], ports: [{ port: 443 }] }],
    ] as const) {
        it(`${label} allows every pod and every IP on the listed ports`, () => {
            const objs = [...world, netpol("x/p", { podSelector: {}, policyTypes: ["Egress"], egress: [rule] })];
            assert.strictEqual(allowed(objs, "x/a", "y/b", 443), true);
            assert.strictEqual(allowed(objs, "x/a", "203.0.113.9", 443), true);
            assert.strictEqual(allowed(objs, "x/a", "2001:db8::1", 443), true);
            assert.strictEqual(allowed(objs, "x/a", "203.0.113.9", 80), false);
        });
    }

    for (const [label, rule] of [
        ["absent ports", { from: [{ namespaceSelector: {} }] }],
        ["ports: []", { from: [{ namespaceSelector: {} }], ports: [] }],
    ] as const) {
        it(`${label} allows every port and protocol from the listed peers`, () => {
            const objs = [...world, netpol("y/p", { podSelector: {}, ingress: [rule] })];
            for (const [port, proto] of [
                [80, "TCP"],
                [53, "UDP"],
                [9999, "SCTP"],
            ] as const)
                assert.strictEqual(allowed(objs, "x/a", "y/b", port, proto), true);
            assert.strictEqual(allowed(objs, "198.51.100.7", "y/b"), false, "a namespaceSelector peer is not an IP");
        });
    }

    it("an empty rule {} allows everything in its direction", () => {
        const objs = [...world, netpol("y/p", { podSelector: {}, ingress: [{}] })];
        assert.strictEqual(allowed(objs, "198.51.100.7", "y/b", 22), true);
        assert.strictEqual(allowed(objs, "x/a", "y/b", 5432, "UDP"), true);
    });

    it("a rule needs both a matching peer and a matching port", () => {
        const objs = [
            ...world,
            netpol("y/p", {
                podSelector: {},
                ingress: [
                    { from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "x" } } }], ports: [{ port: 80 }] },
                ],
            }),
        ];
        assert.strictEqual(allowed(objs, "x/a", "y/b", 80), true);
        assert.strictEqual(allowed(objs, "x/a", "y/b", 81), false);
        assert.strictEqual(allowed(objs, "198.51.100.7", "y/b", 80), false);
    });

    it("only the pod side is policed for IP endpoints", () => {
        const objs = [...world, netpol("x/deny", { podSelector: {}, policyTypes: ["Ingress", "Egress"] })];
        assert.strictEqual(allowed(objs, "x/a", "203.0.113.9"), false);
        assert.strictEqual(allowed(objs, "203.0.113.9", "x/a"), false);
        assert.strictEqual(allowed(objs, "203.0.113.9", "y/b"), true);
        assert.strictEqual(allowed(objs, "y/b", "203.0.113.9"), true);
    });
});
