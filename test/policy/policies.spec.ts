// Each policy of the pack with a passing and a violating case, called with @pulumi/policy 1.21-shaped
// arguments (see policyArgs.ts), plus unknown values during preview, Lists, Patches and config.
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import {
    mlabGiteaNoRelay,
    noHostNamespaces,
    noHostPathVolumes,
    noLiteralSecretsInEnv,
    noPrivilegedContainers,
    pinnedImages,
    policies,
    selectorImplies,
    torchpodAirlockReadOnly,
    torchpodEgressOnlyToMlab,
    torchpodNoNodePortServices,
    torchpodNoServiceAccountToken,
} from "../../policy/policies";
import { UNKNOWN_BOOLEAN, UNKNOWN_STRING } from "../../policy/support/unknowns";
import { deployment, resourceArgs, runResourcePolicy, runStackPolicy, stackArgs, TestResource } from "./policyArgs";

const C = "app.kubernetes.io/component";

const torchpod = (spec: Record<string, any> = {}) => deployment("alice", "torchpod", "torchpod", { spec });
const other = (spec: Record<string, any> = {}) => deployment("web", "apps", "web", { spec });

function container(r: TestResource): any {
    return r.props.spec.template.spec.containers[0];
}

function ns(name: string): TestResource {
    return { type: "kubernetes:core/v1:Namespace", name, props: { apiVersion: "v1", kind: "Namespace", metadata: { name } } };
}

function netpol(name: string, namespace: string, spec: Record<string, any>): TestResource {
    return {
        type: "kubernetes:networking.k8s.io/v1:NetworkPolicy",
        name,
        urn: `urn:pulumi:dev::torchpod::kubernetes:networking.k8s.io/v1:NetworkPolicy::${name}`,
        props: { apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", metadata: { name, namespace }, spec },
    };
}

function mlab(env: { name: string; value?: string; valueFrom?: any }[] = SOUND_GITEA_ENV): TestResource {
    const r = deployment("mlab", "mlab", "mlab");
    container(r).image = "gitea/gitea:1.22.6-rootless";
    container(r).ports = [
        { name: "http", containerPort: 3000 },
        { name: "ssh", containerPort: 2222 },
    ];
    container(r).env = env;
    return r;
}

const SOUND_GITEA_ENV = [
    { name: "GITEA__mirror__ENABLED", value: "false" },
    { name: "GITEA__security__DISABLE_WEBHOOKS", value: "true" },
    { name: "GITEA__webhook__ALLOWED_HOST_LIST", value: "loopback" },
    { name: "GITEA__migrations__ALLOW_LOCALNETWORKS", value: "false" },
    { name: "GITEA__migrations__ALLOWED_DOMAINS", value: "github.com" },
];

const soundEgress = () =>
    netpol("torchpod-egress", "torchpod", {
        podSelector: { matchLabels: { [C]: "torchpod" } },
        policyTypes: ["Egress"],
        egress: [
            {
                to: [
                    {
                        namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "mlab" } },
                        podSelector: { matchLabels: { [C]: "mlab" } },
                    },
                ],
                ports: [{ port: 3000 }, { port: 2222, protocol: "TCP" }],
            },
        ],
    });

const stack = (...extra: TestResource[]) => [ns("torchpod"), ns("mlab"), mlab(), torchpod(), soundEgress(), ...extra];

describe("policy pack: argument shapes", () => {
    it("builds ResourceValidationArgs and StackValidationArgs like @pulumi/policy 1.21", () => {
        const a = resourceArgs(torchpod(), { stackTags: { team: "ml" } });
        for (const k of ["type", "props", "urn", "name", "opts", "stackTags", "isType", "asType", "getConfig", "notApplicable"])
            assert.ok(k in a, k);
        assert.strictEqual(a.stackTags.get("team"), "ml");
        assert.deepStrictEqual(a.getConfig(), {});
        assert.throws(() => a.notApplicable("x"));
        const s = stackArgs([torchpod()]);
        for (const k of ["resources", "getConfig", "notApplicable", "stackTags"]) assert.ok(k in s, k);
        assert.ok(Array.isArray(s.resources[0].dependencies));
    });

    it("has unique names, descriptions and levels; every escape-route policy is mandatory", () => {
        const names = policies.map((p) => p.name);
        assert.strictEqual(new Set(names).size, names.length);
        for (const p of policies) {
            assert.ok(p.description.length > 40, p.name);
            assert.ok(p.enforcementLevel, p.name);
            assert.strictEqual(
                p.enforcementLevel,
                ["pinned-images", "torchpod-inventory"].includes(p.name) ? "advisory" : "mandatory",
                p.name,
            );
            for (const [k, s] of Object.entries(p.configSchema?.properties ?? {}))
                assert.ok(typeof s === "object" && "default" in s, `${p.name}.${k} has a default`);
        }
    });

    it("declares in each policy's schema every switch its own file reads (the engine and policy-check give a policy only those)", () => {
        const dir = path.join(__dirname, "..", "..", "policy", "policies");
        const missing: string[] = [];
        for (const file of fs.readdirSync(dir).filter((f) => f.endsWith(".ts") && f !== "index.ts")) {
            const source = fs.readFileSync(path.join(dir, file), "utf8");
            const defined = policies.filter((p) => source.includes(`name: "${p.name}"`));
            const read = new Set([...source.matchAll(/\bcfg\.([A-Za-z]+)/g)].map((m) => m[1]));
            for (const p of defined)
                for (const key of read) if (!(key in (p.configSchema?.properties ?? {}))) missing.push(`${p.name} (${file}): ${key}`);
        }
        assert.deepStrictEqual(missing, []);
    });
});

describe("torchpod-egress-only-to-mlab", () => {
    it("passes the sound stack", async () => {
        const o = await runStackPolicy(torchpodEgressOnlyToMlab, stack());
        assert.deepStrictEqual(o.violations, []);
    });

    it("reports a TorchPod without an egress-isolating policy, on the TorchPod's URN", async () => {
        const o = await runStackPolicy(torchpodEgressOnlyToMlab, [ns("torchpod"), mlab(), torchpod()]);
        assert.strictEqual(o.violations.length, 1);
        assert.match(o.violations[0].message, /no NetworkPolicy with policyTypes Egress selects it/);
        assert.strictEqual(o.violations[0].urn, torchpod().urn);
    });

    it("reports DNS, ipBlock, the destination, the port and the policy", async () => {
        const p = soundEgress();
        p.props.spec.egress.push({
            to: [{ namespaceSelector: {}, podSelector: { matchLabels: { "k8s-app": "kube-dns" } } }],
            ports: [{ port: 53, protocol: "UDP" }],
        });
        p.props.spec.egress.push({ to: [{ ipBlock: { cidr: "::/0" } }] });
        const o = await runStackPolicy(torchpodEgressOnlyToMlab, [ns("torchpod"), ns("mlab"), mlab(), torchpod(), p]);
        assert.strictEqual(o.violations.length, 2, JSON.stringify(o.violations));
        assert.match(
            o.violations[0].message,
            /k8s-app=kube-dns.* on UDP 53: opened by NetworkPolicy torchpod\/torchpod-egress \(egress rule #1\)/,
        );
        assert.match(o.violations[1].message, /IP range ::\/0 \(all of IPv6\) on any port and protocol .*egress rule #2/);
    });

    it("judges selectors by structure: a peer that could match non-MLab pods is reported before any exists", async () => {
        const p = soundEgress();
        p.props.spec.egress[0].to[0].podSelector = { matchExpressions: [{ key: C, operator: "NotIn", values: ["airlock"] }] };
        const o = await runStackPolicy(torchpodEgressOnlyToMlab, [ns("torchpod"), ns("mlab"), mlab(), torchpod(), p]);
        assert.strictEqual(o.violations.length, 1);
        assert.match(o.violations[0].message, /does not require MLab's labels/);
    });

    it("accepts an equivalent matchExpressions peer and honours mlabPorts / mlabNamespaces config", async () => {
        const p = soundEgress();
        p.props.spec.egress[0].to[0] = {
            namespaceSelector: { matchExpressions: [{ key: "kubernetes.io/metadata.name", operator: "In", values: ["mlab"] }] },
            podSelector: { matchExpressions: [{ key: C, operator: "In", values: ["mlab"] }] },
        };
        assert.deepStrictEqual(
            (await runStackPolicy(torchpodEgressOnlyToMlab, [ns("torchpod"), ns("mlab"), mlab(), torchpod(), p])).violations,
            [],
        );
        const narrow = await runStackPolicy(torchpodEgressOnlyToMlab, [ns("torchpod"), ns("mlab"), mlab(), torchpod(), p], {
            config: { mlabPorts: [3000] },
        });
        assert.match(narrow.violations[0].message, /beyond its ports 3000 on TCP 2222/);
        const elsewhere = await runStackPolicy(torchpodEgressOnlyToMlab, [ns("torchpod"), ns("mlab"), mlab(), torchpod(), p], {
            config: { mlabNamespaces: ["code"] },
        });
        assert.match(elsewhere.violations[0].message, /does not pin MLab's namespace \(code\)/);
    });

    it("finds TorchPods by a configured selector, in Pods and ...List resources", async () => {
        const t = torchpod();
        const list: TestResource = {
            type: "kubernetes:apps/v1:DeploymentList",
            name: "users",
            props: { apiVersion: "apps/v1", kind: "DeploymentList", items: [{ ...t.props, kind: undefined }] },
        };
        const o = await runStackPolicy(torchpodEgressOnlyToMlab, [ns("torchpod"), mlab(), list]);
        assert.match(o.violations[0].message, /TorchPod torchpod\/alice \(Deployment\)/);
        const custom = await runStackPolicy(torchpodEgressOnlyToMlab, [ns("torchpod"), mlab(), torchpod()], {
            config: { torchpodSelector: { matchLabels: { role: "desktop" } } },
        });
        assert.strictEqual(custom.notApplicable, "no TorchPod in this stack (selector {role=desktop})");
    });

    it("puts unnamespaced objects in the provider's namespace", async () => {
        const t = torchpod();
        delete t.props.metadata.namespace;
        t.provider = {
            type: "pulumi:providers:kubernetes",
            name: "k8s",
            urn: "urn:pulumi:dev::torchpod::pulumi:providers:kubernetes::k8s",
            props: { namespace: "torchpod" },
        };
        const o = await runStackPolicy(torchpodEgressOnlyToMlab, [ns("torchpod"), ns("mlab"), mlab(), t, soundEgress()]);
        assert.deepStrictEqual(o.violations, []);
    });

    it("reports a malformed NetworkPolicy and a NetworkPolicyPatch", async () => {
        const bad = netpol("bad", "torchpod", { podSelector: {}, egress: [{ to: [{ ipBlock: { cidr: "300.0.0.0/8" } }] }] });
        const o = await runStackPolicy(torchpodEgressOnlyToMlab, stack(bad));
        assert.match(o.violations[0].message, /NetworkPolicy torchpod\/bad/);
        const patch: TestResource = {
            type: "kubernetes:networking.k8s.io/v1:NetworkPolicyPatch",
            name: "p",
            props: { metadata: { name: "torchpod-egress", namespace: "torchpod" }, spec: { egress: [{}] } },
        };
        const o2 = await runStackPolicy(torchpodEgressOnlyToMlab, stack(patch));
        assert.match(o2.violations[0].message, /patches a NetworkPolicy outside this stack/);
    });

    it("does not crash on values unknown during preview: the analysis is skipped with the advisory unknown-value error", async () => {
        const p = soundEgress();
        p.props.metadata.namespace = UNKNOWN_STRING;
        const o = await runStackPolicy(torchpodEgressOnlyToMlab, [ns("torchpod"), ns("mlab"), mlab(), torchpod(), p]);
        assert.deepStrictEqual(o.violations, []);
        assert.match(o.unknown!.message, /string value at \.metadata\.namespace can't be known during preview/);
        // an unknown image is irrelevant to the network analysis
        const t = torchpod();
        container(t).image = UNKNOWN_STRING;
        const o2 = await runStackPolicy(torchpodEgressOnlyToMlab, [ns("torchpod"), ns("mlab"), mlab(), t, soundEgress()]);
        assert.strictEqual(o2.unknown, undefined);
        assert.deepStrictEqual(o2.violations, []);
    });
});

describe("torchpod-no-nodeport-services", () => {
    const service = (type: string | undefined, selector: Record<string, string>, extra: Record<string, any> = {}): TestResource => ({
        type: "kubernetes:core/v1:Service",
        name: "svc",
        urn: "urn:pulumi:dev::torchpod::kubernetes:core/v1:Service::svc",
        props: {
            apiVersion: "v1",
            kind: "Service",
            metadata: { name: "svc", namespace: "torchpod" },
            spec: { ...(type ? { type } : {}), selector, ports: [{ port: 7030 }], ...extra },
        },
    });
    it("passes a ClusterIP Service and a NodePort Service of another app", async () => {
        assert.deepStrictEqual(
            (await runStackPolicy(torchpodNoNodePortServices, [torchpod(), service(undefined, { "app.kubernetes.io/instance": "alice" })]))
                .violations,
            [],
        );
        assert.deepStrictEqual(
            (await runStackPolicy(torchpodNoNodePortServices, [torchpod(), service("NodePort", { app: "web" })])).violations,
            [],
        );
        const office = { allocateLoadBalancerNodePorts: false, loadBalancerSourceRanges: ["192.0.2.0/24"] };
        assert.deepStrictEqual(
            (
                await runStackPolicy(torchpodNoNodePortServices, [torchpod(), service("LoadBalancer", { [C]: "torchpod" }, office)], {
                    config: { officeCidrs: ["192.0.2.0/24"] },
                })
            ).violations,
            [],
        );
    });
    it("refuses a LoadBalancer selecting TorchPods when no office networks are configured: its source ranges cannot be told from the internet", async () => {
        const office = { allocateLoadBalancerNodePorts: false, loadBalancerSourceRanges: ["192.0.2.0/24"] };
        const o = await runStackPolicy(torchpodNoNodePortServices, [torchpod(), service("LoadBalancer", { [C]: "torchpod" }, office)]);
        assert.match(
            o.violations[0].message,
            /loadBalancerSourceRanges 192\.0\.2\.0\/24 and no office networks are configured \(officeCidrs\)/,
        );
    });
    it("reports a LoadBalancer without loadBalancerSourceRanges, or with a range outside the office networks, selecting TorchPods", async () => {
        const o = await runStackPolicy(torchpodNoNodePortServices, [
            torchpod(),
            service("LoadBalancer", { [C]: "torchpod" }, { allocateLoadBalancerNodePorts: false }),
        ]);
        assert.match(o.violations[0].message, /without loadBalancerSourceRanges/);
        const o2 = await runStackPolicy(
            torchpodNoNodePortServices,
            [
                torchpod(),
                service(
                    "LoadBalancer",
                    { [C]: "torchpod" },
                    { allocateLoadBalancerNodePorts: false, loadBalancerSourceRanges: ["192.0.2.0/25", "0.0.0.0/1", "128.0.0.0/1"] },
                ),
            ],
            { config: { officeCidrs: ["192.0.2.0/24"] } },
        );
        assert.match(
            o2.violations[0].message,
            /loadBalancerSourceRanges 0\.0\.0\.0\/1, 128\.0\.0\.0\/1 not inside the office networks \(192\.0\.2\.0\/24\)/,
        );
        const o3 = await runStackPolicy(torchpodNoNodePortServices, [
            torchpod(),
            service(
                "LoadBalancer",
                { [C]: "torchpod" },
                { allocateLoadBalancerNodePorts: false, loadBalancerSourceRanges: UNKNOWN_STRING },
            ),
        ]);
        assert.deepStrictEqual(o3.violations, []);
        assert.ok(o3.unknown);
    });
    it("reports NodePort, LoadBalancer with node ports and externalIPs selecting TorchPods (concretely or by structure)", async () => {
        const o = await runStackPolicy(torchpodNoNodePortServices, [
            torchpod(),
            service("NodePort", { "app.kubernetes.io/instance": "alice" }),
        ]);
        assert.match(o.violations[0].message, /selects TorchPod Deployment torchpod\/alice .*type NodePort/);
        const o2 = await runStackPolicy(torchpodNoNodePortServices, [service("LoadBalancer", { [C]: "torchpod" })]);
        assert.match(o2.violations[0].message, /selects every TorchPod of namespace torchpod/);
        const o3 = await runStackPolicy(torchpodNoNodePortServices, [
            torchpod(),
            service(undefined, { [C]: "torchpod" }, { externalIPs: ["203.0.113.7"] }),
        ]);
        assert.match(o3.violations[0].message, /externalIPs 203\.0\.113\.7/);
    });
    it("is not applicable without Services and reports an unknown type as cannot-verify", async () => {
        assert.strictEqual((await runStackPolicy(torchpodNoNodePortServices, [torchpod()])).notApplicable, "no Service in this stack");
        const o = await runStackPolicy(torchpodNoNodePortServices, [torchpod(), service(UNKNOWN_STRING, { [C]: "torchpod" })]);
        assert.deepStrictEqual(o.violations, []);
        assert.ok(o.unknown);
    });
});

describe("resource policies", () => {
    const cases: { policy: any; name: string; pass: () => TestResource; fail: () => TestResource; match: RegExp }[] = [
        {
            policy: noHostNamespaces,
            name: "hostNetwork",
            pass: torchpod,
            fail: () => torchpod({ hostNetwork: true }),
            match: /hostNetwork is true/,
        },
        {
            policy: noHostNamespaces,
            name: "hostIPC on any workload",
            pass: other,
            fail: () => other({ hostIPC: true }),
            match: /hostIPC is true/,
        },
        {
            policy: noHostNamespaces,
            name: "hostPort",
            pass: torchpod,
            fail: () => {
                const t = torchpod();
                container(t).ports = [{ containerPort: 22, hostPort: 2222 }];
                return t;
            },
            match: /hostPort 2222/,
        },
        {
            policy: noPrivilegedContainers,
            name: "privileged init container",
            pass: other,
            fail: () => other({ initContainers: [{ name: "setup", image: "busybox:1.36", securityContext: { privileged: true } }] }),
            match: /initContainer setup is privileged/,
        },
        {
            policy: noPrivilegedContainers,
            name: "CAP_SYS_ADMIN on any workload",
            pass: other,
            fail: () => {
                const t = other();
                container(t).securityContext = { capabilities: { add: ["CAP_SYS_ADMIN"] } };
                return t;
            },
            match: /adds capability SYS_ADMIN/,
        },
        {
            policy: noPrivilegedContainers,
            name: "TorchPod keeps NET_RAW",
            pass: () => {
                const t = torchpod();
                container(t).securityContext = { capabilities: { drop: ["ALL"] } };
                return t;
            },
            fail: () => {
                const t = torchpod();
                delete container(t).securityContext;
                return t;
            },
            match: /does not drop NET_RAW/,
        },
        {
            policy: noHostPathVolumes,
            name: "hostPath",
            pass: () => torchpod({ volumes: [{ name: "shm", emptyDir: { medium: "Memory" } }] }),
            fail: () => other({ volumes: [{ name: "root", hostPath: { path: "/" } }] }),
            match: /volume root is a hostPath \(\/\)/,
        },
        {
            policy: noHostPathVolumes,
            name: "hostPath PersistentVolume",
            pass: () => ({
                type: "kubernetes:core/v1:PersistentVolume",
                name: "pv",
                props: {
                    apiVersion: "v1",
                    kind: "PersistentVolume",
                    metadata: { name: "pv" },
                    spec: { nfs: { server: "nas", path: "/x" } },
                },
            }),
            fail: () => ({
                type: "kubernetes:core/v1:PersistentVolume",
                name: "pv",
                props: { apiVersion: "v1", kind: "PersistentVolume", metadata: { name: "pv" }, spec: { hostPath: { path: "/data" } } },
            }),
            match: /PersistentVolume pv is a hostPath volume/,
        },
        {
            policy: torchpodAirlockReadOnly,
            name: "writable airlock mount",
            pass: () => {
                const t = torchpod({ volumes: [{ name: "airlock", persistentVolumeClaim: { claimName: "airlock", readOnly: true } }] });
                container(t).volumeMounts = [{ name: "airlock", mountPath: "/opt/public/airlock/" }];
                return t;
            },
            fail: () => {
                const t = torchpod({ volumes: [{ name: "share", nfs: { server: "nas", path: "/airlock" } }] });
                container(t).volumeMounts = [{ name: "share", mountPath: "/opt/public/airlock", readOnly: false }];
                return t;
            },
            match: /mounts volume share at \/opt\/public\/airlock writable/,
        },
        {
            policy: torchpodNoServiceAccountToken,
            name: "service-account token",
            pass: torchpod,
            fail: () => torchpod({ automountServiceAccountToken: true }),
            match: /automountServiceAccountToken is true/,
        },
        {
            policy: torchpodNoServiceAccountToken,
            name: "projected token",
            pass: torchpod,
            fail: () => torchpod({ volumes: [{ name: "tok", projected: { sources: [{ serviceAccountToken: { path: "token" } }] } }] }),
            match: /projects a serviceAccountToken/,
        },
        {
            policy: noLiteralSecretsInEnv,
            name: "literal credential",
            pass: () => {
                const t = other();
                container(t).env = [
                    { name: "DB_PASSWORD", valueFrom: { secretKeyRef: { name: "db", key: "pw" } } },
                    { name: "MODE", value: "x" },
                    // A boolean switch with a credential-like name (Gitea's) carries no secret.
                    { name: "GITEA__security__PASSWORD_CHECK_PWN", value: "false" },
                ];
                return t;
            },
            fail: () => {
                const t = other();
                container(t).env = [
                    { name: "api_token", value: "abc" },
                    { name: "SWITCH_TOKEN", value: "true" },
                ];
                return t;
            },
            match: /env api_token is a literal value/,
        },
        {
            policy: mlabGiteaNoRelay,
            name: "push mirrors",
            pass: () => mlab(),
            fail: () => mlab(SOUND_GITEA_ENV.filter((e) => e.name !== "GITEA__mirror__ENABLED")),
            match: /push mirrors are enabled/,
        },
        {
            policy: mlabGiteaNoRelay,
            name: "webhooks to external hosts",
            pass: () => mlab(SOUND_GITEA_ENV.filter((e) => e.name !== "GITEA__security__DISABLE_WEBHOOKS")),
            fail: () =>
                mlab([
                    ...SOUND_GITEA_ENV.filter((e) => !e.name.includes("webhook") && !e.name.includes("WEBHOOKS")),
                    { name: "GITEA__webhook__ALLOWED_HOST_LIST", value: "loopback, external" },
                ]),
            match: /allows arbitrary hosts \(external\)/,
        },
        {
            policy: mlabGiteaNoRelay,
            name: "migrations from anywhere",
            pass: () => mlab(),
            fail: () =>
                mlab([
                    ...SOUND_GITEA_ENV.filter((e) => e.name !== "GITEA__migrations__ALLOWED_DOMAINS"),
                    { name: "GITEA__migrations__ALLOWED_DOMAINS", value: "*.com" },
                ]),
            match: /ALLOWED_DOMAINS allows arbitrary hosts \(\*\.com\)/,
        },
        {
            policy: mlabGiteaNoRelay,
            name: "setting from valueFrom counts as unset",
            pass: () => mlab(),
            fail: () =>
                mlab([
                    ...SOUND_GITEA_ENV.filter((e) => e.name !== "GITEA__mirror__ENABLED"),
                    { name: "GITEA__mirror__ENABLED", valueFrom: { configMapKeyRef: { name: "c", key: "k" } } },
                ]),
            match: /comes from valueFrom/,
        },
        {
            policy: pinnedImages,
            name: "untagged image",
            pass: () => {
                const t = other();
                container(t).image = "registry.local:5000/team/app@sha256:0123";
                return t;
            },
            fail: () => {
                const t = other();
                container(t).image = "registry.local:5000/team/app";
                return t;
            },
            match: /has no tag/,
        },
    ];
    for (const c of cases) {
        it(`${c.policy.name}: ${c.name}`, async () => {
            const ok = await runResourcePolicy(c.policy, c.pass());
            assert.deepStrictEqual(ok.violations, [], JSON.stringify(ok.violations));
            assert.strictEqual(ok.unknown, undefined);
            const bad = await runResourcePolicy(c.policy, c.fail());
            assert.strictEqual(bad.violations.length, 1, JSON.stringify(bad.violations));
            assert.match(bad.violations[0].message, c.match);
        });
    }

    it("are not applicable to resources without pod templates", async () => {
        const cm: TestResource = {
            type: "kubernetes:core/v1:ConfigMap",
            name: "cm",
            props: { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "cm" }, data: {} },
        };
        for (const p of [noHostNamespaces, noPrivilegedContainers, torchpodAirlockReadOnly, pinnedImages]) {
            assert.strictEqual((await runResourcePolicy(p, cm)).notApplicable, "no pod template in this resource");
        }
        assert.strictEqual(
            (await runResourcePolicy(noHostNamespaces, { type: "random:index/randomPassword:RandomPassword", props: {} })).notApplicable,
            "not a Kubernetes resource",
        );
    });

    it("TorchPod-only policies ignore other workloads; scope=torchpods narrows host-namespace checks", async () => {
        assert.deepStrictEqual(
            (await runResourcePolicy(torchpodNoServiceAccountToken, other({ automountServiceAccountToken: true }))).violations,
            [],
        );
        assert.deepStrictEqual(
            (await runResourcePolicy(noHostNamespaces, other({ hostNetwork: true }), { config: { scope: "torchpods" } })).violations,
            [],
        );
    });

    it("check CronJobs, Pods, ...List and ...Patch resources", async () => {
        const cron: TestResource = {
            type: "kubernetes:batch/v1:CronJob",
            name: "c",
            props: {
                apiVersion: "batch/v1",
                kind: "CronJob",
                metadata: { name: "c", namespace: "x" },
                spec: { jobTemplate: { spec: { template: { spec: { hostPID: true, containers: [] } } } } },
            },
        };
        assert.match((await runResourcePolicy(noHostNamespaces, cron)).violations[0].message, /hostPID/);
        const list: TestResource = {
            type: "kubernetes:core/v1:PodList",
            name: "l",
            props: {
                items: [
                    { metadata: { name: "a", namespace: "x" }, spec: { containers: [{ name: "c", image: "nginx" }] } },
                    { metadata: { name: "b" }, spec: { containers: [{ name: "c", image: "nginx:1" }] } },
                ],
            },
        };
        const o = await runResourcePolicy(pinnedImages, list);
        assert.deepStrictEqual(
            o.violations.map((v) => v.message),
            ["Pod x/a: container c: image nginx has no tag (means :latest). Switch: this policy's enforcementLevel"],
        );
        const patch: TestResource = {
            type: "kubernetes:apps/v1:DeploymentPatch",
            name: "p",
            props: {
                metadata: { name: "alice", namespace: "torchpod" },
                spec: { template: { metadata: { labels: { [C]: "torchpod" } }, spec: { hostNetwork: true } } },
            },
        };
        assert.match((await runResourcePolicy(noHostNamespaces, patch)).violations[0].message, /hostNetwork/);
        // a patch that does not touch automountServiceAccountToken leaves it as it was
        assert.deepStrictEqual((await runResourcePolicy(torchpodNoServiceAccountToken, patch)).violations, []);
    });

    it("never crash on unknown values: proved violations are reported, unknown ones become the advisory unknown-value error", async () => {
        const t = torchpod({ hostNetwork: UNKNOWN_BOOLEAN, hostPID: true });
        const o = await runResourcePolicy(noHostNamespaces, t);
        assert.strictEqual(o.violations.length, 1);
        assert.match(o.violations[0].message, /hostPID/);
        assert.match(o.unknown!.message, /boolean value at \.spec\.template\.spec\.hostNetwork can't be known during preview/);
        // unknown labels: whether it is a TorchPod is open; would it fail as one, it cannot be verified
        const u = torchpod({ automountServiceAccountToken: true });
        u.props.spec.template.metadata.labels[C] = UNKNOWN_STRING;
        const o2 = await runResourcePolicy(torchpodNoServiceAccountToken, u);
        assert.deepStrictEqual(o2.violations, []);
        assert.ok(o2.unknown);
        const o3 = await runResourcePolicy(
            torchpodNoServiceAccountToken,
            (() => {
                const x = torchpod();
                x.props.spec.template.metadata.labels[C] = UNKNOWN_STRING;
                return x;
            })(),
        );
        assert.strictEqual(o3.unknown, undefined);
        // an unknown literal is still literal
        const s = other();
        container(s).env = [{ name: "PASSWORD", value: UNKNOWN_STRING }];
        assert.match((await runResourcePolicy(noLiteralSecretsInEnv, s)).violations[0].message, /literal value \(computed\)/);
        // a wholly unknown spec
        const w = torchpod();
        w.props.spec.template.spec = UNKNOWN_STRING;
        const o4 = await runResourcePolicy(noPrivilegedContainers, w);
        assert.deepStrictEqual(o4.violations, []);
        assert.ok(o4.unknown);
    });

    it("reject a malformed selector in config with a clear error", async () => {
        await assert.rejects(
            runResourcePolicy(torchpodNoServiceAccountToken, torchpod(), {
                config: { torchpodSelector: { matchExpressions: [{ key: "a", operator: "Near" }] } },
            }),
            /policy config torchpodSelector\.matchExpressions\[0\]\.operator/,
        );
    });
});

describe("helpers", () => {
    it("selectorImplies", () => {
        const mlabSel = { matchLabels: { [C]: "mlab" } };
        assert.ok(selectorImplies({ matchLabels: { [C]: "mlab", x: "y" } }, mlabSel));
        assert.ok(!selectorImplies({}, mlabSel));
        assert.ok(!selectorImplies({ matchExpressions: [{ key: C, operator: "In", values: ["mlab", "web"] }] }, mlabSel));
        assert.ok(
            selectorImplies(
                { matchExpressions: [{ key: C, operator: "In", values: ["mlab"] }] },
                { matchExpressions: [{ key: C, operator: "Exists" }] },
            ),
        );
        assert.ok(selectorImplies({ matchLabels: { a: "1" } }, { matchExpressions: [{ key: "a", operator: "NotIn", values: ["2"] }] }));
    });
});
