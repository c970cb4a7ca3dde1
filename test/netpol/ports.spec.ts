// Ports: numbers, protocol defaulting to TCP, endPort ranges, and named ports resolved on the
// destination pod (the connected-to pod for egress, the selected pod for ingress).
import * as assert from "assert";
import { K8sObject } from "@torchpod/netpol";
import { allowed, netpol, pod } from "./builders";

const web = pod("x/web", {
    labels: { app: "web" },
    ports: [
        { name: "http", containerPort: 8080 },
        { name: "dns", containerPort: 53, protocol: "UDP" },
    ],
});
const alt = pod("x/alt", { labels: { app: "alt" }, ports: [{ name: "http", containerPort: 9000 }] });
const client = pod("x/client", { labels: { app: "client" } });
const world: K8sObject[] = [web, alt, client];
const ingressTo = (ports: unknown[]) => [...world, netpol("x/p", { podSelector: {}, ingress: [{ ports }] })];
const egressFromClient = (ports: unknown[]) => [
    ...world,
    netpol("x/p", { podSelector: { matchLabels: { app: "client" } }, policyTypes: ["Egress"], egress: [{ ports }] }),
];

describe("netpol: ports", () => {
    it("defaults the protocol to TCP", () => {
        const objs = ingressTo([{ port: 8080 }]);
        assert.strictEqual(allowed(objs, "x/client", "x/web", 8080, "TCP"), true);
        assert.strictEqual(allowed(objs, "x/client", "x/web", 8080, "UDP"), false);
        assert.strictEqual(allowed(objs, "x/client", "x/web", 8081, "TCP"), false);
    });

    it("matches a protocol-only entry on every port of that protocol", () => {
        const objs = ingressTo([{ protocol: "UDP" }]);
        assert.strictEqual(allowed(objs, "x/client", "x/web", 1234, "UDP"), true);
        assert.strictEqual(allowed(objs, "x/client", "x/web", 1234, "TCP"), false);
    });

    it("matches endPort ranges inclusively", () => {
        const objs = ingressTo([{ port: 32000, endPort: 32768, protocol: "TCP" }]);
        assert.deepStrictEqual(
            [31999, 32000, 32500, 32768, 32769].map((p) => allowed(objs, "x/client", "x/web", p)),
            [false, true, true, true, false],
        );
    });

    it("resolves a named ingress port on the selected pod's own container ports", () => {
        const objs = ingressTo([{ port: "http" }]);
        assert.strictEqual(allowed(objs, "x/client", "x/web", 8080), true);
        assert.strictEqual(allowed(objs, "x/client", "x/web", 9000), false, "9000 is http on alt, not on web");
        assert.strictEqual(allowed(objs, "x/client", "x/alt", 9000), true);
        assert.strictEqual(allowed(objs, "x/web", "x/client", 8080), false, "client has no port named http");
    });

    it("resolves a named egress port on the destination pod", () => {
        const objs = egressFromClient([{ port: "http" }]);
        assert.strictEqual(allowed(objs, "x/client", "x/web", 8080), true);
        assert.strictEqual(allowed(objs, "x/client", "x/alt", 8080), false);
        assert.strictEqual(allowed(objs, "x/client", "x/alt", 9000), true);
        assert.strictEqual(allowed(objs, "x/client", "203.0.113.5", 8080), false, "an IP has no named ports");
    });

    it("needs the named port's protocol to match too", () => {
        assert.strictEqual(allowed(egressFromClient([{ port: "dns", protocol: "UDP" }]), "x/client", "x/web", 53, "UDP"), true);
        assert.strictEqual(
            allowed(egressFromClient([{ port: "dns" }]), "x/client", "x/web", 53, "UDP"),
            false,
            "defaults to TCP, dns is UDP",
        );
        assert.strictEqual(allowed(egressFromClient([{ port: "dns" }]), "x/client", "x/web", 53, "TCP"), false);
    });

    it("resolves named ports on workloads' pod templates (Deployment)", () => {
        const dep: K8sObject = {
            apiVersion: "apps/v1",
            kind: "Deployment",
            metadata: { name: "gitea", namespace: "x" },
            spec: {
                template: {
                    metadata: { labels: { app: "gitea" } },
                    spec: { containers: [{ name: "g", ports: [{ name: "ssh", containerPort: 2222 }] }] },
                },
            },
        };
        const objs = [
            client,
            dep,
            netpol("x/p", { podSelector: { matchLabels: { app: "gitea" } }, ingress: [{ ports: [{ port: "ssh" }] }] }),
        ];
        assert.strictEqual(allowed(objs, "x/client", "x/gitea", 2222), true);
        assert.strictEqual(allowed(objs, "x/client", "x/gitea", 22), false);
    });
});
