import { strict as assert } from "assert";
import {
    NetworkLockdown,
    NetworkLockdownArgs,
    POLICY_NAMES,
    PRIVATE_V4,
    PRIVATE_V6,
    exceptList,
    lockdownPolicies,
} from "../../components/networkLockdown";
import { cidrContainsCidr as cidrContains, formatCidr, parseCidr as parseNetCidr } from "@torchpod/netpol/net";
import { ofType, runPiece, DEFAULT_CLUSTER } from "../mocks";
import { NetworkModel } from "@torchpod/netpol";
import { ClusterConfig } from "../../components/common/settings";

/** The network module's CIDR, or undefined when the text is not one. */
const parseCidr = (s: string) => {
    const c = parseNetCidr(s);
    return typeof c === "string" ? undefined : c;
};

const NP = "kubernetes:networking.k8s.io/v1:NetworkPolicy";
const TP = "torchpods";
const ML = "mlab";

const cluster: ClusterConfig = DEFAULT_CLUSTER;

function args(over: Partial<NetworkLockdownArgs> = {}): NetworkLockdownArgs {
    return {
        namespaces: { torchpods: TP, mlab: ML },
        gui: { rdp: true, browser: true, vnc: false },
        officeCidrs: ["203.0.113.0/24"],
        cluster,
        mlabPorts: { http: 3000, ssh: 2222 },
        ...over,
    };
}

const find = (ps: any[], ns: string, name: string) => {
    const p = ps.find((x) => x.metadata.namespace === ns && x.metadata.name === name);
    assert.ok(p, `no policy ${ns}/${name}`);
    return p;
};
const selects = (p: any, component: string) => p.spec.podSelector.matchLabels?.["app.kubernetes.io/component"] === component;
const rules = (p: any): any[] => [...(p.spec.ingress ?? []), ...(p.spec.egress ?? [])];
const ipBlocks = (ps: any[]): { cidr: string; except?: string[] }[] =>
    ps
        .flatMap((p) => rules(p).flatMap((r: any) => [...(r.to ?? []), ...(r.from ?? [])]))
        .filter((peer: any) => peer.ipBlock)
        .map((peer: any) => peer.ipBlock);
const portsOf = (rule: any) => (rule.ports ?? []).map((p: any) => `${p.protocol}/${p.port}`).sort();

describe("NetworkLockdown", () => {
    it("registers the policies as children, with stable names in both namespaces", async () => {
        const run = await runPiece(() => {
            new NetworkLockdown("lockdown", args());
        });
        assert.equal(run.error, undefined);
        const [component] = ofType(run, "torchpod:index:NetworkLockdown");
        assert.ok(component);
        const policies = ofType(run, NP);
        for (const p of policies) assert.equal(p.parent, component.urn);
        const names = policies.map((p) => `${p.inputs.metadata.namespace}/${p.inputs.metadata.name}`).sort();
        assert.deepEqual(
            names,
            [
                `${ML}/${POLICY_NAMES.defaultDeny}`,
                `${ML}/${POLICY_NAMES.mlabEgress}`,
                `${ML}/${POLICY_NAMES.mlabIngressOffice}`,
                `${ML}/${POLICY_NAMES.mlabIngressReconciler}`,
                `${ML}/${POLICY_NAMES.mlabIngressImporter}`,
                `${ML}/${POLICY_NAMES.mlabIngressTorchpods}`,
                `${ML}/${POLICY_NAMES.reconcilerEgress}`,
                `${ML}/${POLICY_NAMES.importerEgress}`,
                `${TP}/${POLICY_NAMES.airlockEgress}`,
                `${TP}/${POLICY_NAMES.airlockIngress}`,
                `${TP}/${POLICY_NAMES.airlockAudit}`,
                `${TP}/${POLICY_NAMES.defaultDeny}`,
                `${TP}/${POLICY_NAMES.torchpodEgress}`,
                `${TP}/${POLICY_NAMES.torchpodIngress}`,
            ].sort(),
        );
        // What the provider receives is exactly the pure builder's output.
        for (const m of lockdownPolicies(args())) {
            const r = policies.find(
                (p) => p.inputs.metadata.namespace === m.metadata.namespace && p.inputs.metadata.name === m.metadata.name,
            )!;
            assert.deepEqual(r.inputs.spec, JSON.parse(JSON.stringify(m.spec)));
            assert.equal(r.inputs.metadata.labels["app.kubernetes.io/part-of"], "torchpod");
        }
    });

    it("denies all ingress and egress by default in every platform namespace", () => {
        const ps = lockdownPolicies(args());
        for (const ns of [TP, ML]) {
            const d = find(ps, ns, POLICY_NAMES.defaultDeny);
            assert.deepEqual(d.spec.podSelector, {});
            assert.deepEqual([...d.spec.policyTypes].sort(), ["Egress", "Ingress"]);
            assert.deepEqual(rules(d), []);
        }
    });

    it("creates one default deny when both workloads share a namespace", () => {
        const ps = lockdownPolicies(args({ namespaces: { torchpods: "one", mlab: "one" } }));
        assert.equal(ps.filter((p) => p.metadata.name === POLICY_NAMES.defaultDeny).length, 1);
    });

    it("lets TorchPods reach only MLab's Gitea ports, by namespace and pod labels, never by IP, with no DNS", () => {
        const ps = lockdownPolicies(args());
        const tpPolicies = ps.filter(
            (p) => p.metadata.namespace === TP && (selects(p, "torchpod") || Object.keys(p.spec.podSelector).length === 0),
        );
        const egress = tpPolicies.flatMap((p) => p.spec.egress ?? []);
        assert.equal(egress.length, 1);
        const [rule] = egress;
        assert.deepEqual(rule.to, [
            {
                namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": ML } },
                podSelector: { matchLabels: { "app.kubernetes.io/component": "mlab", "app.kubernetes.io/part-of": "torchpod" } },
            },
        ]);
        assert.deepEqual(portsOf(rule), ["TCP/2222", "TCP/3000"]);
        assert.deepEqual(ipBlocks(tpPolicies.filter((p) => p.spec.egress)), [], "no ipBlock in TorchPod egress");
        assert.ok(!JSON.stringify(tpPolicies.map((p) => p.spec.egress ?? [])).includes('"port":53'), "no port 53 for TorchPods");
        // Nothing else in the namespace selects TorchPods differently (the probe is a TorchPod for policy purposes).
        for (const p of ps.filter((x) => x.metadata.namespace === TP)) {
            const labels = p.spec.podSelector.matchLabels ?? {};
            assert.ok(
                Object.keys(labels).every((k) => k.startsWith("app.kubernetes.io/")),
                `${p.metadata.name} selects on ${Object.keys(labels)}`,
            );
        }
    });

    it("admits only office networks to TorchPods, on the enabled GUI ports (never 7030, VNC only when enabled)", () => {
        const tpIngress = (a: NetworkLockdownArgs) =>
            lockdownPolicies(a)
                .filter((p) => p.metadata.namespace === TP && selects(p, "torchpod"))
                .flatMap((p) => p.spec.ingress ?? []);
        const [rule] = tpIngress(args());
        assert.deepEqual(rule.from, [{ ipBlock: { cidr: "203.0.113.0/24" } }]);
        assert.deepEqual(portsOf(rule), ["TCP/3389", "TCP/7031"]);
        assert.deepEqual(portsOf(tpIngress(args({ gui: { rdp: false, browser: false, vnc: true } }))[0]), ["TCP/5900"]);
        assert.deepEqual(portsOf(tpIngress(args({ gui: { rdp: true, browser: false, vnc: false } }))[0]), ["TCP/3389"]);
        for (const gui of [
            { rdp: true, browser: true, vnc: true },
            { rdp: false, browser: true, vnc: false },
        ]) {
            assert.ok(!JSON.stringify(lockdownPolicies(args({ gui }))).includes("7030"));
        }
        // No GUI and no office networks: the policies stay (stable names) but carry no rule, never an empty `from`.
        assert.deepEqual(tpIngress(args({ gui: { rdp: false, browser: false, vnc: false } })), []);
        assert.deepEqual(tpIngress(args({ officeCidrs: [] })), []);
        for (const p of lockdownPolicies(args({ officeCidrs: [] }))) {
            for (const r of rules(p)) assert.ok((r.from ?? r.to).length > 0, `${p.metadata.name} has a rule with an empty peer list`);
        }
    });

    it("admits office networks to the Airlock's sftp and GUI ports and to MLab's http and ssh", () => {
        const ps = lockdownPolicies(args({ airlockSftpContainerPort: 2022 }));
        assert.deepEqual(portsOf(find(ps, TP, POLICY_NAMES.airlockIngress).spec.ingress[0]), ["TCP/2022", "TCP/3389", "TCP/7031"]);
        assert.deepEqual(portsOf(lockdownPolicies(args()).find((p) => p.metadata.name === POLICY_NAMES.airlockIngress)!.spec.ingress![0]), [
            "TCP/22",
            "TCP/3389",
            "TCP/7031",
        ]);
        const office = find(ps, ML, POLICY_NAMES.mlabIngressOffice).spec.ingress[0];
        assert.deepEqual(office.from, [{ ipBlock: { cidr: "203.0.113.0/24" } }]);
        assert.deepEqual(portsOf(office), ["TCP/2222", "TCP/3000"]);
    });

    it("admits TorchPods to MLab http+ssh and the reconciler and importer to http only; the reconciler reaches Gitea http and nothing else", () => {
        const ps = lockdownPolicies(args());
        const fromTp = find(ps, ML, POLICY_NAMES.mlabIngressTorchpods).spec.ingress[0];
        assert.deepEqual(fromTp.from, [
            {
                namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": TP } },
                podSelector: { matchLabels: { "app.kubernetes.io/component": "torchpod", "app.kubernetes.io/part-of": "torchpod" } },
            },
        ]);
        assert.deepEqual(portsOf(fromTp), ["TCP/2222", "TCP/3000"]);
        const fromRec = find(ps, ML, POLICY_NAMES.mlabIngressReconciler).spec.ingress[0];
        assert.equal(fromRec.from[0].podSelector.matchLabels["app.kubernetes.io/component"], "mlab-reconciler");
        assert.deepEqual(portsOf(fromRec), ["TCP/3000"]);
        const rec = find(ps, ML, POLICY_NAMES.reconcilerEgress);
        assert.ok(selects(rec, "mlab-reconciler"));
        assert.deepEqual(rec.spec.egress.map(portsOf), [["TCP/3000"]], "no DNS: it calls Gitea by the Service's cluster IP");
        assert.deepEqual(rec.spec.egress[0].to, [
            {
                namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": ML } },
                podSelector: { matchLabels: { "app.kubernetes.io/component": "mlab", "app.kubernetes.io/part-of": "torchpod" } },
            },
        ]);
        assert.deepEqual(ipBlocks([rec]), []);
        const fromImp = find(ps, ML, POLICY_NAMES.mlabIngressImporter).spec.ingress[0];
        assert.equal(fromImp.from[0].podSelector.matchLabels["app.kubernetes.io/component"], "mlab-importer");
        assert.equal(fromImp.from[0].namespaceSelector.matchLabels["kubernetes.io/metadata.name"], ML);
        assert.deepEqual(portsOf(fromImp), ["TCP/3000"]);
    });

    it("gives the Airlock cluster DNS and the internet (all ports), MLab cluster DNS and internet TCP 443", () => {
        const ps = lockdownPolicies(args());
        const dns = {
            namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } },
            podSelector: { matchLabels: { "k8s-app": "kube-dns" } },
        };
        const airlock = find(ps, TP, POLICY_NAMES.airlockEgress);
        assert.deepEqual(airlock.spec.egress[0], {
            to: [dns],
            ports: [
                { protocol: "UDP", port: 53 },
                { protocol: "TCP", port: 53 },
            ],
        });
        assert.equal(airlock.spec.egress[1].ports, undefined);
        assert.deepEqual(
            airlock.spec.egress[1].to.map((p: any) => p.ipBlock.cidr),
            ["0.0.0.0/0"],
        );
        const mlab = find(ps, ML, POLICY_NAMES.mlabEgress);
        assert.ok(selects(mlab, "mlab"));
        assert.deepEqual(mlab.spec.policyTypes, ["Egress"]);
        assert.deepEqual(mlab.spec.egress, [], "MLab's Gitea: no egress at all");
        assert.equal(
            ps.some((p) => selects(p, "mlab") && (p.spec.egress ?? []).length > 0),
            false,
            "no policy gives Gitea any egress without a configured database",
        );
        const imp = find(ps, ML, POLICY_NAMES.importerEgress);
        assert.ok(selects(imp, "mlab-importer"));
        assert.deepEqual(imp.spec.egress[0].to, [dns]);
        assert.deepEqual(portsOf(imp.spec.egress[1]), ["TCP/443"]);
        assert.deepEqual(imp.spec.egress[1].to, airlock.spec.egress[1].to, "the same except lists as the Airlock");
        assert.deepEqual(portsOf(imp.spec.egress[2]), ["TCP/3000"]);
        assert.equal(imp.spec.egress[2].to[0].podSelector.matchLabels["app.kubernetes.io/component"], "mlab");
        assert.equal(imp.spec.egress.length, 3);
    });

    it("opens exactly the outside database's address and port to Gitea when one is configured, and refuses a cluster address", () => {
        const ps = lockdownPolicies(args({ mlabDatabase: { ip: "192.0.2.40", port: 6432 } }));
        const db = find(ps, ML, POLICY_NAMES.mlabEgressDatabase);
        assert.ok(selects(db, "mlab"));
        assert.deepEqual(db.spec.egress, [{ to: [{ ipBlock: { cidr: "192.0.2.40/32" } }], ports: [{ protocol: "TCP", port: 6432 }] }]);
        assert.deepEqual(find(ps, ML, POLICY_NAMES.mlabEgress).spec.egress, []);
        assert.equal(
            lockdownPolicies(args()).some((p) => p.metadata.name === POLICY_NAMES.mlabEgressDatabase),
            false,
            "SQLite: no database policy",
        );
        assert.throws(
            () => lockdownPolicies(args({ mlabDatabase: { ip: "10.96.5.5", port: 5432 } })),
            /mlabDatabase\.ip 10\.96\.5\.5 lies inside the cluster range 10\.96\.0\.0\/12: an outside database is expected/,
        );
        assert.throws(
            () => lockdownPolicies(args({ mlabDatabase: { ip: "pg.example", port: 5432 } })),
            /mlabDatabase\.ip must be one IP address/,
        );
        assert.throws(
            () => lockdownPolicies(args({ mlabDatabase: { ip: "192.0.2.0/24", port: 5432 } })),
            /mlabDatabase\.ip must be one IP address/,
        );
        assert.throws(
            () => lockdownPolicies(args({ mlabDatabase: { ip: "192.0.2.40", port: 0 } })),
            /mlabDatabase\.port must be a port number/,
        );
    });

    it("builds except lists the API server accepts: each strictly inside its cidr, no duplicates, none covered twice", () => {
        const odd: ClusterConfig = {
            ...cluster,
            podCidrs: ["198.18.0.0/16", "10.244.0.0/16", "2001:db8:42::/56"],
            serviceCidrs: ["198.18.0.0/16", "198.18.5.0/24", "fd00:96::/112"],
            apiServerIp: "198.19.0.1",
            dualStack: true,
        };
        const ps = lockdownPolicies(args({ cluster: odd, officeCidrs: ["10.0.0.0/8", "198.0.0.0/8", "2001:db8::/32"] }));
        const blocks = ipBlocks(ps);
        assert.ok(blocks.length > 0);
        for (const b of blocks) {
            const outer = parseCidr(b.cidr)!;
            assert.equal(formatCidr(outer), b.cidr, "canonical cidr");
            const ex = (b.except ?? []).map((e) => parseCidr(e)!);
            for (const [i, e] of ex.entries()) {
                assert.equal(formatCidr(e), b.except![i], "canonical except");
                assert.ok(
                    e.family === outer.family && e.prefix > outer.prefix && cidrContains(outer, e),
                    `${b.except![i]} not strictly inside ${b.cidr}`,
                );
                assert.ok(!ex.some((o, j) => j !== i && cidrContains(o, e)), `${b.except![i]} duplicated or covered in ${b.cidr}`);
            }
        }
        const v4 = blocks.find((b) => b.cidr === "0.0.0.0/0")!;
        for (const c of [...PRIVATE_V4, "198.18.0.0/16", "198.19.0.1/32"])
            assert.ok(v4.except!.includes(c), `${c} missing from ${v4.except}`);
        assert.ok(!v4.except!.includes("198.18.5.0/24") && !v4.except!.includes("10.244.0.0/16"), "narrower duplicates dropped");
        const v6 = blocks.find((b) => b.cidr === "::/0")!;
        for (const c of [...PRIVATE_V6, "2001:db8:42::/56"]) assert.ok(v6.except!.includes(c), `${c} missing from ${v6.except}`);
        assert.ok(!v6.except!.includes("fd00:96::/112"), "inside fc00::/7 already");
        // Office networks never admit the cluster's own pods or services.
        assert.deepEqual(blocks.find((b) => b.cidr === "10.0.0.0/8")!.except, ["10.244.0.0/16"]);
        assert.deepEqual(blocks.find((b) => b.cidr === "198.0.0.0/8")!.except, ["198.18.0.0/16"]);
        assert.deepEqual(blocks.find((b) => b.cidr === "2001:db8::/32")!.except, ["2001:db8:42::/56"]);
    });

    it("keeps a public control plane and public nodes out of the Airlock's and the importer's internet (controlPlaneCidrs)", () => {
        // GKE/AKS public clusters: `kubernetes` DNATs 10.96.0.1:443 to a public address, which is what the policy sees.
        const a = args({
            cluster: {
                ...cluster,
                podCidrs: [...cluster.podCidrs, "fd00:10:244::/56"],
                dualStack: true,
                controlPlaneCidrs: ["34.118.7.10/32", "35.200.0.0/24", "2600:1900:4000::5/128"],
            },
        });
        const objects: any[] = [
            ...lockdownPolicies(a),
            {
                apiVersion: "v1",
                kind: "Pod",
                metadata: {
                    name: "airlock",
                    namespace: TP,
                    labels: { "app.kubernetes.io/component": "airlock", "app.kubernetes.io/part-of": "torchpod" },
                },
                spec: { containers: [{ name: "c" }] },
            },
            {
                apiVersion: "v1",
                kind: "Pod",
                metadata: {
                    name: "importer",
                    namespace: ML,
                    labels: { "app.kubernetes.io/component": "mlab-importer", "app.kubernetes.io/part-of": "torchpod" },
                },
                spec: { containers: [{ name: "c" }] },
            },
        ];
        const model = NetworkModel.fromObjects(objects);
        const to = (address: string) => ({ type: "ip" as const, id: address, ip: address });
        for (const from of [model.workload(`${TP}/airlock`)!, model.workload(`${ML}/importer`)!]) {
            for (const address of ["34.118.7.10", "35.200.0.77", "2600:1900:4000::5"]) {
                assert.equal(model.check(from, to(address), 443, "TCP").allowed, false, `${from.id} -> ${address}`);
            }
            for (const address of ["34.118.7.11", "140.82.112.3", "2600:1900:4000::6"]) {
                assert.equal(model.check(from, to(address), 443, "TCP").allowed, true, `${from.id} -> ${address}`);
            }
        }
        assert.throws(
            () => lockdownPolicies(args({ cluster: { ...cluster, controlPlaneCidrs: ["api.example.com"] } })),
            /control-plane CIDR "api\.example\.com" is not a valid CIDR/,
        );
    });

    it("adds IPv6 internet egress only on dual-stack clusters", () => {
        const single = ipBlocks(lockdownPolicies(args())).map((b) => b.cidr);
        assert.ok(!single.includes("::/0"));
        const dual = lockdownPolicies(
            args({ cluster: { ...cluster, podCidrs: [...cluster.podCidrs, "fd00:10:244::/56"], dualStack: true } }),
        );
        for (const name of [POLICY_NAMES.airlockEgress, POLICY_NAMES.importerEgress]) {
            const p = dual.find((x) => x.metadata.name === name)!;
            assert.deepEqual(
                ipBlocks([p]).map((b) => b.cidr),
                ["0.0.0.0/0", "::/0"],
            );
        }
    });

    it("rejects configuration that would open a hole, with a clear message", () => {
        assert.throws(
            () => lockdownPolicies(args({ officeCidrs: ["10.244.3.0/24"] })),
            /office CIDR 10\.244\.3\.0\/24 lies inside the cluster range 10\.244\.0\.0\/16/,
        );
        assert.throws(() => lockdownPolicies(args({ officeCidrs: ["office"] })), /office CIDR "office" is not a valid CIDR/);
        for (const all of ["0.0.0.0/0", "::/0", "1.2.3.4/0"]) {
            assert.throws(() => lockdownPolicies(args({ officeCidrs: ["192.0.2.0/24", all] })), /is the whole address space/);
        }
        assert.throws(() => lockdownPolicies(args({ officeCidrs: ["010.1.2.0/24"] })), /not a valid CIDR/);
        assert.throws(() => lockdownPolicies(args({ cluster: { ...cluster, podCidrs: ["10.244.0.0/33"] } })), /not a valid CIDR/);
        assert.throws(() => lockdownPolicies(args({ cluster: { ...cluster, dnsPodLabels: {} } })), /dnsPodLabels/);
        assert.throws(() => lockdownPolicies(args({ mlabPorts: { http: 0, ssh: 2222 } })), /mlabPorts\.http/);
    });

    it("has a fingerprint that follows the policies", async () => {
        const fp = async (a: NetworkLockdownArgs) => {
            let out = "";
            const run = await runPiece(() => {
                out = new NetworkLockdown("l", a).fingerprint;
            });
            assert.equal(run.error, undefined);
            return out;
        };
        const base = await fp(args());
        assert.match(base, /^[0-9a-f]{12}$/);
        assert.equal(await fp(args()), base);
        assert.notEqual(await fp(args({ gui: { rdp: true, browser: true, vnc: true } })), base);
        assert.notEqual(await fp(args({ officeCidrs: ["198.51.100.0/24"] })), base);
        assert.notEqual(await fp(args({ mlabDatabase: { ip: "192.0.2.40", port: 5432 } })), base);
    });
});

describe("CIDR helpers", () => {
    it("parses and prints canonical IPv4 and IPv6 CIDRs", () => {
        assert.equal(formatCidr(parseCidr("10.1.2.3/8")!), "10.0.0.0/8");
        assert.equal(formatCidr(parseCidr("2001:DB8:0:0:1:0:0:1/128")!), "2001:db8::1:0:0:1/128");
        assert.equal(formatCidr(parseCidr("fe80::1/10")!), "fe80::/10");
        assert.equal(formatCidr(parseCidr("64:ff9b::10.0.0.0/104")!), "64:ff9b::a00:0/104");
        assert.equal(formatCidr(parseCidr("::/0")!), "::/0");
        assert.equal(formatCidr(parseCidr("1:0:0:2::/64")!), "1:0:0:2::/64");
        for (const bad of ["10.0.0.0", "10.0.0/8", "256.0.0.0/8", "::1::/64", "1:2:3:4:5:6:7:8:9/64", "10.0.0.0/40", "gggg::/16"]) {
            assert.equal(parseCidr(bad), undefined, bad);
        }
    });

    it("keeps only strict subsets of the block and drops what a wider entry covers", () => {
        assert.deepEqual(
            exceptList("10.0.0.0/8", ["10.0.0.0/8", "11.0.0.0/8", "10.1.0.0/16", "10.1.2.0/24", "10.1.0.0/16", "fd00::/8", "10.2.0.0/16"]),
            ["10.1.0.0/16", "10.2.0.0/16"],
        );
        assert.deepEqual(exceptList("0.0.0.0/0", ["0.0.0.0/0"]), []);
    });
});
