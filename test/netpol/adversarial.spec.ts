// Odd but valid input, and the corners of the API where a reading error would be a hole. Every
// expectation is worked out by hand from networking.k8s.io/v1 (the API reference and the
// API server's defaulting and decoding), not from the analyzer.
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { K8sObject, NetpolError, NetworkModel, loadManifests } from "@torchpod/netpol";
import { allowed, netpol, ns, pod } from "./builders";

function tmpFile(name: string, text: string): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "netpol-adv-"));
    const file = path.join(dir, name);
    fs.writeFileSync(file, text);
    return file;
}

describe("netpol: adversarial input", () => {
    it("reads multi-document YAML with empty documents, null fields and pods without ports", () => {
        const file = tmpFile(
            "odd.yaml",
            [
                "---",
                "---",
                "# only a comment",
                "---",
                "apiVersion: v1",
                "kind: Namespace",
                "metadata: {name: lab, labels: null}",
                "---",
                "apiVersion: v1",
                "kind: Pod",
                "metadata: {name: a, namespace: lab, labels: {app: a}}",
                "spec:",
                "  containers:",
                "  - name: no-ports",
                "    ports: null",
                "  - name: also-none",
                "---",
                "apiVersion: v1",
                "kind: Pod",
                "metadata: {name: b, namespace: lab, labels: {app: b}}",
                "spec: {containers: [{name: c, ports: [{containerPort: 8080, name: http}]}]}",
                "status: {podIP: null}",
                "---",
                "apiVersion: networking.k8s.io/v1",
                "kind: NetworkPolicy",
                "metadata: {name: b-http, namespace: lab}",
                "spec:",
                "  podSelector: {matchLabels: {app: b}}",
                "  policyTypes: null",
                "  ingress:",
                "  - from: null",
                "    ports: [{port: http, protocol: null, endPort: null}]",
                "  egress: null",
                "---",
                "",
            ].join("\n"),
        );
        const objects = loadManifests([file]);
        assert.deepStrictEqual(
            objects.map((o) => o.kind),
            ["Namespace", "Pod", "Pod", "NetworkPolicy"],
        );
        const m = NetworkModel.fromObjects(objects);
        assert.deepStrictEqual(m.workload("lab/a")!.ports, []);
        assert.strictEqual(m.workload("lab/b")!.ip, undefined);
        // b is ingress-isolated (policyTypes defaults to Ingress), open on its named port http = 8080 from anyone.
        const v = (from: string, to: string, port: number, protocol: "TCP" | "UDP" = "TCP") =>
            m.check(m.workload(from)!, m.workload(to)!, port, protocol).allowed;
        assert.strictEqual(v("lab/a", "lab/b", 8080), true);
        assert.strictEqual(v("lab/a", "lab/b", 80), false);
        assert.strictEqual(v("lab/a", "lab/b", 8080, "UDP"), false);
        // Egress was never isolated (no egress rules, no policyTypes), a is not selected at all.
        assert.strictEqual(v("lab/b", "lab/a", 12345), true);
    });

    it("ingress: [] isolates and admits nothing; ingress: [{}] and ingress: [null] admit everything", () => {
        const world = (ingress: unknown) => [
            ns("lab"),
            pod("lab/src"),
            pod("lab/dst"),
            netpol("lab/p", { podSelector: { matchLabels: { app: "dst" } }, ingress }),
        ];
        for (const port of [22, 80, 65535]) {
            assert.strictEqual(allowed(world([]), "lab/src", "lab/dst", port), false, "ingress: []");
            assert.strictEqual(allowed(world([{}]), "lab/src", "lab/dst", port), true, "ingress: [{}]");
            assert.strictEqual(allowed(world([null]), "lab/src", "lab/dst", port, "UDP"), true, "ingress: [null] decodes as [{}]");
            assert.strictEqual(allowed(world([{ from: [], ports: [] }]), "lab/src", "lab/dst", port, "SCTP"), true, "empty from and ports");
        }
        assert.strictEqual(allowed(world([null]), "9.9.9.9", "lab/dst", 443), true, "an allow-all rule admits outside IPs too");
    });

    it("egress: [] without policyTypes does not isolate egress; with policyTypes [Egress] it denies all egress", () => {
        const base = [ns("lab"), pod("lab/src"), pod("lab/dst")];
        const noTypes = [...base, netpol("lab/p", { podSelector: { matchLabels: { app: "src" } }, egress: [] })];
        assert.strictEqual(allowed(noTypes, "lab/src", "lab/dst"), true, "Egress is added only when spec.egress has a rule");
        assert.strictEqual(allowed(noTypes, "lab/src", "1.1.1.1"), true);
        assert.strictEqual(allowed(noTypes, "lab/dst", "lab/src"), false, "but Ingress is always defaulted in: src admits nothing");
        const typed = [...base, netpol("lab/p", { podSelector: { matchLabels: { app: "src" } }, policyTypes: ["Egress"], egress: [] })];
        assert.strictEqual(allowed(typed, "lab/src", "lab/dst"), false);
        assert.strictEqual(allowed(typed, "lab/src", "1.1.1.1", 53, "UDP"), false);
        assert.strictEqual(allowed(typed, "lab/dst", "lab/src"), true, "policyTypes [Egress] leaves ingress open");
    });

    it("a port entry without a protocol is TCP only; ports: [null] is every TCP port", () => {
        const w = (ports: unknown) => [
            ns("lab"),
            pod("lab/src"),
            pod("lab/dst"),
            netpol("lab/p", { podSelector: { matchLabels: { app: "dst" } }, ingress: [{ ports }] }),
        ];
        assert.strictEqual(allowed(w([{ port: 53 }]), "lab/src", "lab/dst", 53, "TCP"), true);
        assert.strictEqual(allowed(w([{ port: 53 }]), "lab/src", "lab/dst", 53, "UDP"), false);
        assert.strictEqual(allowed(w([{ port: 53 }]), "lab/src", "lab/dst", 53, "SCTP"), false);
        assert.strictEqual(allowed(w([null]), "lab/src", "lab/dst", 4242, "TCP"), true);
        assert.strictEqual(allowed(w([null]), "lab/src", "lab/dst", 4242, "UDP"), false);
        assert.strictEqual(allowed(w([{ protocol: "SCTP" }]), "lab/src", "lab/dst", 9, "SCTP"), true);
        assert.strictEqual(allowed(w([{ protocol: "SCTP" }]), "lab/src", "lab/dst", 9, "TCP"), false);
    });

    it("resolves one named ingress port per selected pod: the same name can mean different numbers", () => {
        const objects = [
            ns("lab"),
            pod("lab/client"),
            pod("lab/b", { labels: { tier: "web", app: "b" }, ports: [{ name: "http", containerPort: 8080 }] }),
            pod("lab/c", { labels: { tier: "web", app: "c" }, ports: [{ name: "http", containerPort: 80 }] }),
            pod("lab/d", { labels: { tier: "web", app: "d" } }), // no container ports at all
            pod("lab/e", { labels: { tier: "web", app: "e" }, ports: [{ name: "http", containerPort: 80, protocol: "UDP" }] }),
            netpol("lab/web", { podSelector: { matchLabels: { tier: "web" } }, ingress: [{ ports: [{ port: "http" }] }] }),
        ];
        assert.strictEqual(allowed(objects, "lab/client", "lab/b", 8080), true);
        assert.strictEqual(allowed(objects, "lab/client", "lab/b", 80), false);
        assert.strictEqual(allowed(objects, "lab/client", "lab/c", 80), true);
        assert.strictEqual(allowed(objects, "lab/client", "lab/c", 8080), false);
        for (const port of [80, 8080])
            assert.strictEqual(allowed(objects, "lab/client", "lab/d", port), false, "a pod without the name admits nothing");
        assert.strictEqual(allowed(objects, "lab/client", "lab/e", 80, "TCP"), false, "the name exists only for UDP");
        assert.strictEqual(allowed(objects, "lab/client", "lab/e", 80, "UDP"), false, "the rule's protocol defaults to TCP");
    });

    it("resolves a named egress port on the destination pod; an outside IP has no port names", () => {
        const objects = [
            ns("lab"),
            pod("lab/src", { labels: { app: "src" } }),
            pod("lab/b", { ports: [{ name: "git", containerPort: 3000 }] }),
            pod("lab/c", { ports: [{ name: "git", containerPort: 2222 }] }),
            netpol("lab/out", {
                podSelector: { matchLabels: { app: "src" } },
                policyTypes: ["Egress"],
                egress: [{ ports: [{ port: "git" }] }],
            }),
        ];
        assert.strictEqual(allowed(objects, "lab/src", "lab/b", 3000), true);
        assert.strictEqual(allowed(objects, "lab/src", "lab/b", 2222), false);
        assert.strictEqual(allowed(objects, "lab/src", "lab/c", 2222), true);
        assert.strictEqual(allowed(objects, "lab/src", "lab/c", 3000), false);
        assert.strictEqual(allowed(objects, "lab/src", "140.82.112.3", 3000), false);
        assert.strictEqual(allowed(objects, "lab/src", "140.82.112.3", 2222), false);
    });

    it("endPort is inclusive, per protocol, and needs a numeric port", () => {
        const w = (ports: unknown) => [
            ns("lab"),
            pod("lab/src"),
            pod("lab/dst"),
            netpol("lab/p", { podSelector: {}, ingress: [{ ports }] }),
        ];
        const range = w([{ port: 32000, endPort: 32768, protocol: "SCTP" }]);
        assert.strictEqual(allowed(range, "lab/src", "lab/dst", 31999, "SCTP"), false);
        assert.strictEqual(allowed(range, "lab/src", "lab/dst", 32000, "SCTP"), true);
        assert.strictEqual(allowed(range, "lab/src", "lab/dst", 32768, "SCTP"), true);
        assert.strictEqual(allowed(range, "lab/src", "lab/dst", 32769, "SCTP"), false);
        assert.strictEqual(allowed(range, "lab/src", "lab/dst", 32100, "TCP"), false);
        assert.strictEqual(allowed(w([{ port: 443, endPort: 443 }]), "lab/src", "lab/dst", 443), true, "endPort == port");
        for (const bad of [{ endPort: 90 }, { port: "http", endPort: 90 }]) {
            assert.throws(
                () => NetworkModel.fromObjects(w([bad])),
                (e: unknown) => e instanceof NetpolError && e.field === "spec.ingress[0].ports[0].endPort",
            );
        }
    });

    it("ipBlock: except carves holes, families never mix, an except equal to the cidr is rejected", () => {
        const w = (ipBlock: unknown) => [
            ns("lab"),
            pod("lab/src"),
            netpol("lab/p", { podSelector: {}, policyTypes: ["Egress"], egress: [{ to: [{ ipBlock }] }] }),
        ];
        const v4 = w({ cidr: "0.0.0.0/0", except: ["10.0.0.0/8", "169.254.0.0/16"] });
        assert.strictEqual(allowed(v4, "lab/src", "1.1.1.1"), true);
        assert.strictEqual(allowed(v4, "lab/src", "10.255.255.255"), false);
        assert.strictEqual(allowed(v4, "lab/src", "169.254.169.254"), false);
        assert.strictEqual(allowed(v4, "lab/src", "11.0.0.0"), true);
        assert.strictEqual(allowed(v4, "lab/src", "2606:4700:4700::1111"), false, "0.0.0.0/0 says nothing about IPv6");
        const v6 = w({ cidr: "::/0", except: ["fc00::/7", "fe80::/10"] });
        assert.strictEqual(allowed(v6, "lab/src", "2606:4700:4700::1111"), true);
        assert.strictEqual(allowed(v6, "lab/src", "fd00:ec2::254"), false);
        assert.strictEqual(allowed(v6, "lab/src", "FE80::1"), false, "upper-case hex is the same address");
        assert.strictEqual(allowed(v6, "lab/src", "1.1.1.1"), false);
        assert.throws(() => NetworkModel.fromObjects(w({ cidr: "10.0.0.0/8", except: ["10.0.0.0/8"] })), /strict subset/);
        assert.throws(() => NetworkModel.fromObjects(w({ cidr: "10.0.0.0/8", except: ["fd00::/8"] })), /strict subset/);
    });

    it("namespaceSelector + podSelector in one peer is AND; matched by the API-set namespace name label", () => {
        const objects: K8sObject[] = [
            ns("x", { "kubernetes.io/metadata.name": "y" }), // cannot forge: the API server overwrites it
            ns("y"),
            pod("x/a", { labels: { role: "client" } }),
            pod("y/a", { labels: { role: "client" } }),
            pod("y/b", { labels: { role: "other" } }),
            pod("z/a", { labels: { role: "client" } }), // namespace z never declared: still labelled
            pod("srv/s"),
            netpol("srv/p", {
                podSelector: {},
                ingress: [
                    {
                        from: [
                            {
                                namespaceSelector: {
                                    matchExpressions: [{ key: "kubernetes.io/metadata.name", operator: "In", values: ["y", "z"] }],
                                },
                                podSelector: { matchLabels: { role: "client" } },
                            },
                        ],
                    },
                ],
            }),
        ];
        assert.strictEqual(allowed(objects, "y/a", "srv/s"), true);
        assert.strictEqual(allowed(objects, "z/a", "srv/s"), true);
        assert.strictEqual(allowed(objects, "y/b", "srv/s"), false, "right namespace, wrong pod");
        assert.strictEqual(allowed(objects, "x/a", "srv/s"), false, "right pod, wrong namespace (its forged label is ignored)");
    });

    it("a policy with spec: null or podSelector: null selects every pod of its namespace (ingress deny)", () => {
        for (const spec of [null, { podSelector: null }, {}]) {
            const objects = [ns("lab"), pod("lab/a"), pod("lab/b"), pod("other/c"), netpol("lab/p", spec)];
            assert.strictEqual(allowed(objects, "lab/a", "lab/b"), false, JSON.stringify(spec));
            assert.strictEqual(allowed(objects, "other/c", "lab/a"), false, JSON.stringify(spec));
            assert.strictEqual(allowed(objects, "lab/a", "other/c"), true, "egress untouched");
            assert.strictEqual(allowed(objects, "lab/b", "other/c"), true, "egress untouched");
        }
    });

    it("a null peer or a null except entry is rejected like the API server rejects it", () => {
        const w = (spec: unknown) => () => NetworkModel.fromObjects([netpol("lab/p", spec)]);
        assert.throws(
            w({ ingress: [{ from: [null] }] }),
            (e: unknown) => e instanceof NetpolError && e.field === "spec.ingress[0].from[0]",
        );
        assert.throws(
            w({ egress: [{ to: [{ ipBlock: { cidr: "0.0.0.0/0", except: [null] } }] }] }),
            (e: unknown) => e instanceof NetpolError && e.field === "spec.egress[0].to[0].ipBlock.except[0]",
        );
        assert.throws(w({ policyTypes: [null] }), (e: unknown) => e instanceof NetpolError && e.field === "spec.policyTypes[0]");
    });
});

describe("netpol: host-network pods", () => {
    const hostPod = (id: string, labels: Record<string, string>): K8sObject => {
        const p = pod(id, { labels, ip: "192.168.0.10" });
        (p.spec as any).hostNetwork = true;
        return p;
    };

    it("are never isolated by a policy that selects their labels (NetworkPolicy does not govern the node's network)", () => {
        const objects = [
            ns("lab"),
            hostPod("lab/agent", { app: "locked" }),
            pod("lab/twin", { labels: { app: "locked" } }),
            pod("lab/other"),
            netpol("lab/deny", { podSelector: { matchLabels: { app: "locked" } }, policyTypes: ["Ingress", "Egress"] }),
        ];
        assert.strictEqual(allowed(objects, "lab/twin", "1.1.1.1"), false, "the ordinary pod is locked down");
        assert.strictEqual(allowed(objects, "lab/agent", "1.1.1.1"), true, "the host-network pod is not");
        assert.strictEqual(allowed(objects, "lab/agent", "lab/other"), true);
        assert.strictEqual(allowed(objects, "lab/other", "lab/agent"), true);
        const m = NetworkModel.fromObjects(objects);
        assert.strictEqual(m.egressGrants(m.workload("lab/agent")!).isolated, false);
        assert.notStrictEqual(
            m.engine.classOf[m.workloads.indexOf(m.workload("lab/agent")!)],
            m.engine.classOf[m.workloads.indexOf(m.workload("lab/twin")!)],
        );
    });

    it("still match selectors as peers (reported reachable rather than missed); templates count too", () => {
        const dep: K8sObject = {
            apiVersion: "apps/v1",
            kind: "DaemonSet",
            metadata: { name: "node-agent", namespace: "lab" },
            spec: { template: { metadata: { labels: { app: "agent" } }, spec: { hostNetwork: true, containers: [{ name: "a" }] } } },
        };
        const objects = [
            ns("lab"),
            dep,
            pod("lab/srv"),
            netpol("lab/srv", {
                podSelector: { matchLabels: { app: "srv" } },
                ingress: [{ from: [{ podSelector: { matchLabels: { app: "agent" } } }] }],
            }),
        ];
        assert.strictEqual(NetworkModel.fromObjects(objects).workload("lab/node-agent")!.hostNetwork, true);
        assert.strictEqual(allowed(objects, "lab/node-agent", "lab/srv"), true);
    });
});
