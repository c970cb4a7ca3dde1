// The escape routes found by the red-team review of the pack (see test/redteam/cases for the manifest
// forms): each new check with a passing and a violating case, with @pulumi/policy 1.21-shaped arguments.
import * as assert from "assert";
import {
    analyzeTorchPodIngress,
    mlabGiteaNoRelay,
    noHostNamespaces,
    resolveConfig,
    torchpodEgressOnlyToMlab,
    torchpodIngressOnlyFromOffice,
    torchpodNamespacePodSecurity,
    torchpodNoServiceAccountToken,
} from "../../policy/policies";
import { isWideCidr } from "../../policy/support/cidrs";
import { podTemplatesOf } from "../../policy/support/resources";
import { UNKNOWN_OBJECT, UNKNOWN_STRING } from "../../policy/support/unknowns";
import { deployment, runResourcePolicy, runStackPolicy, TestResource } from "./policyArgs";

const C = "app.kubernetes.io/component";

const ns = (name: string, labels: Record<string, string> = {}): TestResource => ({
    type: "kubernetes:core/v1:Namespace",
    name,
    urn: `urn:pulumi:dev::torchpod::kubernetes:core/v1:Namespace::${name}`,
    props: { apiVersion: "v1", kind: "Namespace", metadata: { name, labels } },
});

const netpol = (name: string, namespace: string, spec: Record<string, any>): TestResource => ({
    type: "kubernetes:networking.k8s.io/v1:NetworkPolicy",
    name,
    props: { apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", metadata: { name, namespace }, spec },
});

const SOUND_GITEA_ENV = [
    { name: "GITEA__mirror__ENABLED", value: "false" },
    { name: "GITEA__security__DISABLE_WEBHOOKS", value: "true" },
    { name: "GITEA__migrations__ALLOW_LOCALNETWORKS", value: "false" },
    { name: "GITEA__migrations__ALLOWED_DOMAINS", value: "github.com,*.gitlab.com" },
];

function mlab(env = SOUND_GITEA_ENV, extra: Record<string, any> = {}): TestResource {
    const r = deployment("mlab", "mlab", "mlab");
    const c = r.props.spec.template.spec.containers[0];
    Object.assign(c, {
        image: "registry.corp.example/gitea/gitea:1.22.6-rootless",
        ports: [
            { name: "http", containerPort: 3000 },
            { name: "ssh", containerPort: 2222 },
        ],
        env,
        ...extra,
    });
    return r;
}

const torchpod = (opts: Parameters<typeof deployment>[3] = {}) => deployment("alice", "torchpod", "torchpod", opts);

const soundEgress = () =>
    netpol("tp-egress", "torchpod", {
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
                ports: [{ port: 3000 }, { port: 2222 }],
            },
        ],
    });

const ingress = (from: any[] | undefined) =>
    netpol("tp-ingress", "torchpod", {
        podSelector: { matchLabels: { [C]: "torchpod" } },
        policyTypes: ["Ingress"],
        ingress: [{ ...(from ? { from } : {}), ports: [{ port: 3389 }] }],
    });

const BASELINE = { "pod-security.kubernetes.io/enforce": "baseline" };
/** The stack's office network (what render writes to policy-config.json from torchpod:officeCidrs). */
const OFFICE_CONFIG = { officeCidrs: ["192.0.2.0/24"] };
const stack = (...extra: TestResource[]) => [
    ns("torchpod", BASELINE),
    ns("mlab"),
    mlab(),
    torchpod(),
    soundEgress(),
    ingress([{ ipBlock: { cidr: "192.0.2.0/24" } }]),
    ...extra,
];

describe("red-team fixes: TorchPods the label contract names on the workload or in custom resources", () => {
    it("a Deployment labelled a TorchPod whose pod template lacks the label is judged as a TorchPod", async () => {
        const t = torchpod({ ownerLabels: { [C]: "torchpod" } });
        t.props.spec.template.metadata.labels = { "app.kubernetes.io/instance": "alice" };
        t.props.spec.selector.matchLabels = { "app.kubernetes.io/instance": "alice" };
        const o = await runStackPolicy(torchpodEgressOnlyToMlab, [ns("torchpod", BASELINE), ns("mlab"), mlab(), t, soundEgress()]);
        assert.match(
            o.violations[0].message,
            /labelled a TorchPod on the workload but not on its pod template.*no NetworkPolicy with policyTypes Egress selects it/,
        );
        const sa = await runResourcePolicy(torchpodNoServiceAccountToken, {
            ...t,
            props: {
                ...t.props,
                spec: { ...t.props.spec, template: { ...t.props.spec.template, spec: { containers: [{ name: "x", image: "a:1" }] } } },
            },
        });
        assert.match(sa.violations[0].message, /TorchPod mounts a service-account token/);
    });

    it("finds pod templates inside custom resources (Rollout, PyTorchJob, bare PodSpecs) and judges them", async () => {
        const rollout = {
            type: "kubernetes:argoproj.io/v1alpha1:Rollout",
            name: "mallory",
            urn: "urn:pulumi:dev::torchpod::kubernetes:argoproj.io/v1alpha1:Rollout::mallory",
            props: {
                apiVersion: "argoproj.io/v1alpha1",
                kind: "Rollout",
                metadata: { name: "mallory", namespace: "research" },
                spec: { template: torchpod().props.spec.template },
            },
        };
        const o = await runStackPolicy(torchpodEgressOnlyToMlab, [...stack(), rollout]);
        assert.strictEqual(o.violations.length, 1, JSON.stringify(o.violations));
        assert.match(o.violations[0].message, /TorchPod research\/mallory \(Rollout\) may reach anything/);
        assert.strictEqual(o.violations[0].urn, rollout.urn);
        const job = {
            apiVersion: "kubeflow.org/v1",
            kind: "PyTorchJob",
            metadata: { name: "j", namespace: "torchpod" },
            spec: {
                pytorchReplicaSpecs: {
                    Master: { template: torchpod({ spec: { hostNetwork: true } }).props.spec.template },
                    Worker: { template: torchpod().props.spec.template },
                },
            },
        };
        const ts = podTemplatesOf("kubernetes:kubeflow.org/v1:PyTorchJob", job);
        assert.deepStrictEqual(
            ts.map((t) => t.display),
            [
                "PyTorchJob torchpod/j (spec.pytorchReplicaSpecs.Master.template)",
                "PyTorchJob torchpod/j (spec.pytorchReplicaSpecs.Worker.template)",
            ],
        );
        const h = await runResourcePolicy(noHostNamespaces, { type: "kubernetes:kubeflow.org/v1:PyTorchJob", name: "j", props: job });
        assert.match(h.violations[0].message, /Master\.template\): spec\.hostNetwork is true/);
        const bare = {
            apiVersion: "serving.kserve.io/v1beta1",
            kind: "InferenceService",
            metadata: { name: "m", namespace: "x" },
            spec: { predictor: { hostNetwork: true, containers: [{ name: "c", image: "a:1" }] } },
        };
        assert.match(
            (
                await runResourcePolicy(noHostNamespaces, {
                    type: "kubernetes:serving.kserve.io/v1beta1:InferenceService",
                    name: "m",
                    props: bare,
                })
            ).violations[0].message,
            /hostNetwork is true/,
        );
        // Unknown values inside a custom resource never crash a policy.
        const unk = {
            apiVersion: "x.io/v1",
            kind: "Thing",
            metadata: { name: "t", namespace: "torchpod", labels: UNKNOWN_OBJECT },
            spec: {
                template: { metadata: { labels: UNKNOWN_OBJECT }, spec: { containers: UNKNOWN_OBJECT } },
                other: { containers: [{ name: "c", image: UNKNOWN_STRING }] },
            },
        };
        const res = { type: "kubernetes:x.io/v1:Thing", name: "t", props: unk };
        assert.ok((await runResourcePolicy(noHostNamespaces, res)).violations.length === 0);
        const eo = await runStackPolicy(torchpodEgressOnlyToMlab, [...stack(), res]);
        assert.deepStrictEqual(eo.violations, []);
        // Built-in kinds without pod templates are not searched.
        assert.deepStrictEqual(
            podTemplatesOf("kubernetes:core/v1:ConfigMap", { kind: "ConfigMap", metadata: { name: "c" }, data: { x: "y" } }),
            [],
        );
    });
});

describe("red-team fixes: MLab is Gitea, and only Gitea", () => {
    it("passes the sound MLab (official image from a mirror, Go-style booleans, *.domain.tld globs)", async () => {
        assert.deepStrictEqual((await runResourcePolicy(mlabGiteaNoRelay, mlab())).violations, []);
        assert.deepStrictEqual(
            (await runResourcePolicy(mlabGiteaNoRelay, mlab(SOUND_GITEA_ENV.map((e) => (e.value === "true" ? { ...e, value: "1" } : e)))))
                .violations,
            [],
        );
    });

    it("reports a non-Gitea container (sidecar, restartable init container) in an MLab pod: it could relay on MLab's ports", async () => {
        const r = mlab();
        r.props.spec.template.spec.containers.push({ name: "relay", image: "alpine/socat:1.8.0.0" });
        assert.match(
            (await runResourcePolicy(mlabGiteaNoRelay, r)).violations[0].message,
            /container relay runs alpine\/socat:1\.8\.0\.0, not Gitea/,
        );
        const s = mlab();
        s.props.spec.template.spec.initContainers = [
            { name: "init", image: "busybox:1.36" },
            { name: "side", image: "busybox:1.36", restartPolicy: "Always" },
        ];
        const v = (await runResourcePolicy(mlabGiteaNoRelay, s)).violations;
        assert.strictEqual(v.length, 1, JSON.stringify(v));
        assert.match(v[0].message, /initContainer side runs busybox/);
        const u = mlab();
        u.props.spec.template.spec.containers.push({ name: "relay", image: UNKNOWN_STRING });
        const o = await runResourcePolicy(mlabGiteaNoRelay, u);
        assert.deepStrictEqual(o.violations, []);
        assert.ok(o.unknown);
    });

    it("reports a Gitea container whose command or args replace the entrypoint that applies GITEA__ settings", async () => {
        const o = await runResourcePolicy(
            mlabGiteaNoRelay,
            mlab(SOUND_GITEA_ENV, { command: ["/usr/local/bin/gitea", "web", "-c", "/tmp/app.ini"] }),
        );
        assert.match(o.violations[0].message, /sets command/);
        assert.match(
            (await runResourcePolicy(mlabGiteaNoRelay, mlab(SOUND_GITEA_ENV, { args: ["web", "-c", "/tmp/app.ini"] }))).violations[0]
                .message,
            /sets args/,
        );
    });

    it("reads booleans like Gitea (strconv.ParseBool) and host lists like its hostmatcher", async () => {
        const env = (k: string, v: string) => SOUND_GITEA_ENV.filter((e) => e.name !== k).concat([{ name: k, value: v }]);
        const one = async (k: string, v: string) =>
            (await runResourcePolicy(mlabGiteaNoRelay, mlab(env(k, v)))).violations.map((x) => x.message);
        assert.match((await one("GITEA__migrations__ALLOW_LOCALNETWORKS", "T"))[0], /ALLOW_LOCALNETWORKS is "T"/);
        assert.match((await one("GITEA__mirror__ENABLED", "0")).join(), /^$/);
        assert.match((await one("GITEA__security__DISABLE_WEBHOOKS", "yes"))[0], /ALLOWED_HOST_LIST is not set/);
        for (const bad of ["external", "0.0.0.0/1", "::/1", "::ffff:0:0/97", "*hub.com", "git?ub.com", "*.com", "[a-z]*"]) {
            const v = await one("GITEA__migrations__ALLOWED_DOMAINS", `github.com,${bad}`);
            assert.match(v[0] ?? "", /allows arbitrary hosts/, bad);
        }
        const wh = SOUND_GITEA_ENV.filter((e) => e.name !== "GITEA__security__DISABLE_WEBHOOKS");
        assert.match(
            (
                await runResourcePolicy(
                    mlabGiteaNoRelay,
                    mlab([...wh, { name: "GITEA__webhook__ALLOWED_HOST_LIST", value: "ci.corp.example,0.0.0.0/1,128.0.0.0/1" }]),
                )
            ).violations[0].message,
            /0\.0\.0\.0\/1, 128\.0\.0\.0\/1/,
        );
        assert.deepStrictEqual(
            (
                await runResourcePolicy(
                    mlabGiteaNoRelay,
                    mlab([...wh, { name: "GITEA__webhook__ALLOWED_HOST_LIST", value: "ci.corp.example,10.20.0.0/16,*.corp.example" }]),
                )
            ).violations,
            [],
        );
    });

    it("does not count an MLab-labelled workload beside the TorchPods as MLab", async () => {
        const relay = deployment("relay", "torchpod", "mlab");
        const p = netpol("to-local-mlab", "torchpod", {
            podSelector: { matchLabels: { [C]: "torchpod" } },
            policyTypes: ["Egress"],
            egress: [{ to: [{ podSelector: { matchLabels: { [C]: "mlab" } } }], ports: [{ port: 3000 }] }],
        });
        const o = await runStackPolicy(torchpodEgressOnlyToMlab, [...stack(), relay, p]);
        assert.match(o.violations[0].message, /namespace torchpod is not MLab's \(mlab\)/);
    });
});

describe("torchpod-ingress-only-from-office", () => {
    it("passes TorchPods reachable only from ipBlocks inside the configured office networks", async () => {
        assert.deepStrictEqual((await runStackPolicy(torchpodIngressOnlyFromOffice, stack(), { config: OFFICE_CONFIG })).violations, []);
        const o = await runStackPolicy(
            torchpodIngressOnlyFromOffice,
            [...stack().slice(0, 5), ingress([{ ipBlock: { cidr: "192.0.2.128/25" } }])],
            { config: OFFICE_CONFIG },
        );
        assert.deepStrictEqual(o.violations, []);
    });

    it("refuses every ipBlock into a TorchPod when no office networks are configured, instead of guessing what an office is", async () => {
        const o = await runStackPolicy(torchpodIngressOnlyFromOffice, stack());
        assert.strictEqual(o.violations.length, 1);
        assert.match(
            o.violations[0].message,
            /accepts connections from 192\.0\.2\.0\/24, and no office networks are configured \(officeCidrs\), so the pack cannot tell an office from the internet/,
        );
    });

    it("reports no ingress isolation, rules without from, pod peers and internet-wide or out-of-office ipBlocks", async () => {
        const base = stack().slice(0, 5);
        const msg = async (extra: TestResource[], config: Record<string, unknown> = OFFICE_CONFIG) =>
            (await runStackPolicy(torchpodIngressOnlyFromOffice, [...base, ...extra], { config })).violations.map((v) => v.message);
        assert.match((await msg([]))[0], /no NetworkPolicy with policyTypes Ingress selects it/);
        assert.match((await msg([ingress(undefined)]))[0], /the rule has no `from`/);
        assert.match(
            (await msg([ingress([{ namespaceSelector: {} }])]))[0],
            /from pods \(namespaces \{\} \(everything\), all pods; matches mlab\/mlab\)/,
        );
        assert.match((await msg([ingress([{ podSelector: { matchLabels: { [C]: "airlock" } } }])]))[0], /only office networks may connect/);
        for (const cidr of ["0.0.0.0/0", "0.0.0.0/1", "::/0", "::ffff:0:0/96", "64:ff9b::/96"])
            assert.match(
                (await msg([ingress([{ ipBlock: { cidr } }])]))[0] ?? "",
                /not inside the office networks \(192\.0\.2\.0\/24\)/,
                cidr,
            );
        assert.match(
            (await msg([ingress([{ ipBlock: { cidr: "198.51.100.0/24" } }])], { officeCidrs: ["192.0.2.0/24"] }))[0],
            /not inside the office networks/,
        );
        const o = await runStackPolicy(torchpodIngressOnlyFromOffice, [...base, ingress([{ ipBlock: { cidr: "192.0.2.0/24" } }])], {
            config: OFFICE_CONFIG,
        });
        assert.strictEqual(o.violations[0], undefined);
    });

    it("is not applicable without TorchPods and skips the analysis on unknown values", async () => {
        assert.strictEqual(
            (await runStackPolicy(torchpodIngressOnlyFromOffice, [ns("mlab"), mlab()])).notApplicable,
            "no TorchPod in this stack (selector {app.kubernetes.io/component=torchpod})",
        );
        const i = ingress([{ ipBlock: { cidr: UNKNOWN_STRING } }]);
        const o = await runStackPolicy(torchpodIngressOnlyFromOffice, [...stack().slice(0, 5), i], { config: OFFICE_CONFIG });
        assert.deepStrictEqual(o.violations, []);
        assert.ok(o.unknown);
    });

    it("pure analysis over plain objects", () => {
        const r = analyzeTorchPodIngress([torchpod().props as any], resolveConfig({}));
        assert.strictEqual(r.torchpods.length, 1);
        assert.match(r.findings[0].message, /no NetworkPolicy with policyTypes Ingress/);
    });
});

describe("torchpod-ingress-only-from-office: the image's password-less ports (noVNC 7030, raw VNC 5900)", () => {
    const OFFICE = [{ ipBlock: { cidr: "192.0.2.0/24" } }];
    const rule = (from: any[] | undefined, ports: any[] | undefined) =>
        netpol("tp-ingress", "torchpod", {
            podSelector: { matchLabels: { [C]: "torchpod" } },
            policyTypes: ["Ingress"],
            ingress: [{ ...(from ? { from } : {}), ...(ports ? { ports } : {}) }],
        });
    const desktop = () => {
        const t = torchpod();
        t.props.spec.template.spec.containers[0].ports = [
            { name: "vnc", containerPort: 5900 },
            { name: "novnc", containerPort: 7030 },
            { name: "rdp", containerPort: 3389 },
        ];
        return t;
    };
    const service = (ports: any, selector: any = { "app.kubernetes.io/instance": "alice" }, namespace = "torchpod"): TestResource => ({
        type: "kubernetes:core/v1:Service",
        name: "alice",
        urn: "urn:pulumi:dev::torchpod::kubernetes:core/v1:Service::alice",
        props: { apiVersion: "v1", kind: "Service", metadata: { name: "alice", namespace }, spec: { selector, ports } },
    });
    const base = () => [ns("torchpod", BASELINE), ns("mlab"), mlab(), desktop(), soundEgress()];
    const run = (extra: TestResource[], config?: Record<string, unknown>) =>
        runStackPolicy(torchpodIngressOnlyFromOffice, [...base(), ...extra], { config: { ...OFFICE_CONFIG, ...config } });
    const msgs = async (extra: TestResource[], config?: Record<string, unknown>) =>
        (await run(extra, config)).violations.map((v) => v.message);

    it("passes office rules on RDP and the proxy (7031), raw VNC with allowRawVnc, UDP or unresolvable names, and Services on those ports", async () => {
        assert.deepStrictEqual(
            await msgs([
                rule(OFFICE, [{ port: 3389 }, { port: 7031 }]),
                service([
                    { name: "rdp", port: 3389, targetPort: "rdp" },
                    { name: "browser", port: 7031, targetPort: 7031 },
                ]),
            ]),
            [],
        );
        assert.deepStrictEqual(
            await msgs([rule(OFFICE, [{ port: 5900 }, { port: "vnc" }]), service([{ port: 5900, targetPort: "vnc" }])], {
                allowRawVnc: true,
            }),
            [],
        );
        assert.deepStrictEqual(
            await msgs([rule(OFFICE, [{ port: 7030, protocol: "UDP" }, { port: "browser" }, { port: 7000, endPort: 7029 }])]),
            [],
        );
        // A Service of another app, or in another namespace, is not the TorchPod's.
        assert.deepStrictEqual(
            await msgs([
                rule(OFFICE, [{ port: 3389 }]),
                service([{ port: 7030 }], { app: "web" }),
                service([{ port: 7030 }], undefined, "other"),
            ]),
            [],
        );
    });

    it("reports an office rule opening 7030, or 5900 without allowRawVnc, naming the TorchPod, port, source and NetworkPolicy", async () => {
        const [m] = await msgs([rule(OFFICE, [{ port: 3389 }, { port: 7030 }])]);
        assert.match(
            m,
            /^TorchPod torchpod\/alice \(Deployment\) accepts connections from 192\.0\.2\.0\/24 on TCP 7030 \(noVNC: no password\) .*opened by NetworkPolicy torchpod\/tp-ingress \(ingress rule #0\)/,
        );
        assert.match(
            (await msgs([rule(OFFICE, [{ port: 5900 }])]))[0],
            /on TCP 5900 \(raw VNC: no password\).*raw VNC only with allowRawVnc/,
        );
        const o = await run([rule(OFFICE, [{ port: 7030 }])]);
        assert.strictEqual(o.violations[0].urn, "urn:pulumi:dev::torchpod::kubernetes:apps/v1:Deployment::alice");
    });

    it("counts a rule without ports, a port without number, a covering range and a named port as opening them", async () => {
        const both = /on TCP 5900 \(raw VNC: no password\), TCP 7030 \(noVNC: no password\)/;
        assert.match((await msgs([rule(OFFICE, undefined)]))[0], both);
        assert.match((await msgs([rule(OFFICE, undefined)]))[0], /the rule has no `ports`/);
        assert.match((await msgs([rule(OFFICE, [{ protocol: "TCP" }])]))[0], both);
        assert.match((await msgs([rule(OFFICE, [{ port: 5000, endPort: 8000 }])]))[0], both);
        assert.match(
            (await msgs([rule(OFFICE, [{ port: 7000, endPort: 7030 }])]))[0],
            /on TCP 7030 \(noVNC: no password\) \(the rule's ports: TCP 7000-7030\)/,
        );
        assert.match(
            (await msgs([rule(OFFICE, [{ port: "novnc" }])]))[0],
            /on TCP 7030 \(noVNC: no password\) \(the rule's ports: TCP novnc\)/,
        );
        // allowRawVnc leaves 7030 reported
        const [m] = await msgs([rule(OFFICE, undefined)], { allowRawVnc: true });
        assert.match(m, /on TCP 7030 \(noVNC: no password\) \(the rule's ports/);
        assert.doesNotMatch(m, /5900/);
    });

    it("adds the password-less ports to the findings of rules that are wrong anyway (one message per rule)", async () => {
        const ms = await msgs([rule([{ ipBlock: { cidr: "0.0.0.0/0" } }], [{ port: 7030 }])]);
        assert.strictEqual(ms.length, 1);
        assert.match(
            ms[0],
            /from 0\.0\.0\.0\/0, not inside the office networks .*; it opens TCP 7030 \(noVNC: no password\)\. Switches after review: config officeCidrs/,
        );
        const ps = await msgs([rule([{ podSelector: {} }], undefined)]);
        assert.match(
            ps[0],
            /from pods .*; it opens TCP 5900 \(raw VNC: no password\), TCP 7030 \(noVNC: no password\)\. Switches after review: config officeCidrs/,
        );
    });

    it("reports a Service selecting a TorchPod whose targetPort (number, numeric string, name, or port when unset) is password-less", async () => {
        const ok = rule(OFFICE, [{ port: 3389 }]);
        assert.match(
            (await msgs([ok, service([{ name: "novnc", port: 80, targetPort: 7030 }])]))[0],
            /^TorchPod torchpod\/alice \(Deployment\) is served on TCP 7030 \(noVNC: no password\) by Service torchpod\/alice \(port novnc 80 -> targetPort 7030\)/,
        );
        assert.match(
            (await msgs([ok, service([{ port: 5901, targetPort: "vnc" }])]))[0],
            /on TCP 5900 \(raw VNC: no password\) by Service torchpod\/alice \(port 5901 -> targetPort vnc\)/,
        );
        assert.match(
            (await msgs([ok, service([{ port: 7030 }])]))[0],
            /on TCP 7030 .* by Service torchpod\/alice \(port 7030 -> targetPort 7030\)/,
        );
        assert.match((await msgs([ok, service([{ port: 1, targetPort: "7030" }])]))[0], /on TCP 7030/);
        assert.deepStrictEqual(
            await msgs([
                ok,
                service([
                    { port: 7030, protocol: "UDP" },
                    { port: 2, targetPort: "nope" },
                ]),
            ]),
            [],
        );
        assert.deepStrictEqual(await msgs([ok, service([{ port: 5900 }])], { allowRawVnc: true }), []);
    });

    it("keeps unknown Service values during preview non-crashing", async () => {
        const ok = rule(OFFICE, [{ port: 3389 }]);
        const o = await run([ok, service(UNKNOWN_OBJECT)]);
        assert.deepStrictEqual(o.violations, []);
        assert.ok(o.unknown, "ports unknown on a Service selecting a TorchPod");
        const o2 = await run([ok, service(UNKNOWN_OBJECT, { app: "web" })]);
        assert.deepStrictEqual(o2.violations, []);
        assert.strictEqual(o2.unknown, undefined, "unknown ports on another app's Service do not matter");
        const o3 = await run([
            ok,
            service([{ port: 7030 }], { "app.kubernetes.io/instance": UNKNOWN_STRING }),
            service([{ port: 7030 }], undefined, UNKNOWN_STRING),
        ]);
        assert.deepStrictEqual(o3.violations, []);
        assert.ok(o3.unknown);
        // A known violation is still reported beside an unknown Service.
        const o4 = await run([rule(OFFICE, [{ port: 7030 }]), service([{ port: UNKNOWN_STRING, targetPort: UNKNOWN_STRING }])]);
        assert.match(o4.violations[0].message, /TCP 7030/);
        assert.ok(o4.unknown);
    });

    it("pure analysis and config", () => {
        const objs = [desktop().props, rule(OFFICE, [{ port: 7030 }]).props] as any[];
        assert.match(analyzeTorchPodIngress(objs, resolveConfig(OFFICE_CONFIG)).findings[0].message, /on TCP 7030 \(noVNC/);
        assert.strictEqual(resolveConfig({}).allowRawVnc, false);
        assert.throws(() => resolveConfig({ allowRawVnc: "yes" }), /allowRawVnc: expected true or false/);
        assert.strictEqual((torchpodIngressOnlyFromOffice.configSchema!.properties as any).allowRawVnc.default, false);
    });
});

describe("torchpod-namespace-pod-security", () => {
    it("passes TorchPod namespaces that enforce baseline or restricted, and ignores undeclared namespaces", async () => {
        assert.deepStrictEqual((await runStackPolicy(torchpodNamespacePodSecurity, stack())).violations, []);
        assert.deepStrictEqual((await runStackPolicy(torchpodNamespacePodSecurity, [torchpod()])).violations, []);
    });
    it("reports privileged, unset and configured-out levels on the Namespace", async () => {
        const o = await runStackPolicy(torchpodNamespacePodSecurity, [
            ns("torchpod", { "pod-security.kubernetes.io/enforce": "privileged" }),
            torchpod(),
        ]);
        assert.match(o.violations[0].message, /Namespace torchpod holds TorchPods \(alice\) and enforces Pod Security "privileged"/);
        assert.strictEqual(o.violations[0].urn, "urn:pulumi:dev::torchpod::kubernetes:core/v1:Namespace::torchpod");
        assert.match(
            (await runStackPolicy(torchpodNamespacePodSecurity, [ns("torchpod"), torchpod()])).violations[0].message,
            /has no pod-security\.kubernetes\.io\/enforce label/,
        );
        const r = await runStackPolicy(torchpodNamespacePodSecurity, stack(), { config: { torchpodPodSecurityLevels: ["restricted"] } });
        assert.match(r.violations[0].message, /must enforce restricted/);
    });
    it("is not applicable without TorchPods; an unknown level cannot be verified during preview", async () => {
        assert.strictEqual(
            (await runStackPolicy(torchpodNamespacePodSecurity, [ns("mlab")])).notApplicable,
            "no TorchPod in this stack (selector {app.kubernetes.io/component=torchpod})",
        );
        const o = await runStackPolicy(torchpodNamespacePodSecurity, [
            ns("torchpod", { "pod-security.kubernetes.io/enforce": UNKNOWN_STRING }),
            torchpod(),
        ]);
        assert.deepStrictEqual(o.violations, []);
        assert.ok(o.unknown);
        const whole = ns("torchpod");
        whole.props.metadata.labels = UNKNOWN_OBJECT;
        const o2 = await runStackPolicy(torchpodNamespacePodSecurity, [whole, torchpod()]);
        assert.deepStrictEqual(o2.violations, []);
        assert.ok(o2.unknown);
    });
});

describe("helpers: isWideCidr", () => {
    it("judges ranges by the IPv4 space they carry", () => {
        for (const c of ["0.0.0.0/0", "0.0.0.0/7", "128.0.0.0/1", "::/0", "2000::/3", "::ffff:0:0/96", "::ffff:0:0/100", "64:ff9b::/96"])
            assert.ok(isWideCidr(c), c);
        for (const c of ["10.0.0.0/8", "192.0.2.0/24", "2001:db8::/32", "::ffff:10.0.0.0/104", "not-a-cidr", "ci.corp.example"])
            assert.ok(!isWideCidr(c), c);
    });
});
