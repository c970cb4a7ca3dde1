import * as assert from "assert";
import { LABEL_COMPONENT, LABEL_INSTANCE, LABEL_MANAGED_BY, LABEL_NAME, LABEL_PART_OF } from "@torchpod/contract";
import { StackConfigError } from "../stacks/parse";
import { devStackConfig, ofType, podSpecs, rawConfig, runIndex, ProgramRun } from "./mocks";

const valid = { users: [{ name: "alice", gpus: 1 }], officeCidrs: ["192.0.2.0/24"] };
const devStackConfigUsers = () => JSON.parse(devStackConfig()["torchpod:users"]).length;

describe("index.ts: a bad stack config registers no resource at all", () => {
    // Each case: what is wrong, the config, and fragments the one error must contain (key path, bad value, expected form).
    const cases: [string, Record<string, unknown>, string[]][] = [
        [
            "a user name that is not a DNS-1123 label",
            { ...valid, users: [{ name: "Alice", gpus: 1 }] },
            ['torchpod:users[0].name: got "Alice", expected a DNS-1123 label'],
        ],
        [
            "duplicate users",
            { ...valid, users: [{ name: "alice" }, { name: "alice" }] },
            ['torchpod:users[1].name: got "alice", expected a unique user name'],
        ],
        [
            "negative gpus",
            { ...valid, users: [{ name: "alice" }, { name: "bob", gpus: -1 }] },
            ["torchpod:users[1].gpus: got -1, expected an integer >= 0"],
        ],
        [
            "non-integer gpus",
            { ...valid, users: [{ name: "alice", gpus: 0.5 }] },
            ["torchpod:users[0].gpus: got 0.5, expected an integer >= 0"],
        ],
        [
            "a malformed CIDR",
            { ...valid, officeCidrs: ["192.0.2.1/24"] },
            ['torchpod:officeCidrs[0]: got "192.0.2.1/24", expected a network address with zero host bits'],
        ],
        [
            "a malformed IPv6 CIDR",
            { ...valid, officeCidrs: ["2001:db8::/200"] },
            ['torchpod:officeCidrs[0]: got "2001:db8::/200", expected a prefix length between 0 and 128'],
        ],
        [
            "an image without a tag",
            { ...valid, image: "gemfield/torchpod" },
            ['torchpod:image: got "gemfield/torchpod", expected a pinned image'],
        ],
        [
            "an image with :latest",
            { ...valid, image: "gemfield/torchpod:latest" },
            ['torchpod:image: got "gemfield/torchpod:latest", expected a pinned image'],
        ],
        [
            "a typo'd key",
            { ...valid, users: [{ name: "alice", gpu: 1 }] },
            ['torchpod:users[0].gpu: got unknown key "gpu" (value 1), expected one of', 'did you mean "gpus"?'],
        ],
        [
            "an unknown top-level key",
            { ...valid, "torchpod:imgae": "gemfield/torchpod:1.0" },
            ['torchpod:imgae: got unknown key "imgae"', 'did you mean "image"?'],
        ],
        [
            "a missing torchpod:users",
            { officeCidrs: ["192.0.2.0/24"] },
            ["torchpod:users: got nothing, expected a list of users", "(required)"],
        ],
        [
            "a missing torchpod:officeCidrs",
            { users: [{ name: "alice" }] },
            ["torchpod:officeCidrs: got nothing, expected a list of CIDRs", "(required)"],
        ],
        [
            "a bad quantity",
            { ...valid, users: [{ name: "alice", memory: "16 GB" }] },
            ['torchpod:users[0].memory: got "16 GB", expected a positive Kubernetes quantity'],
        ],
        [
            "NodePort exposure",
            { ...valid, exposure: { type: "NodePort" } },
            ['torchpod:exposure.type: got "NodePort", expected "ClusterIP" or "LoadBalancer"'],
        ],
        [
            "a bad MLab project",
            { ...valid, mlab: { projects: [{ name: "deepvac" }] } },
            ['torchpod:mlab.projects[0].name: got "deepvac", expected "owner/repo"'],
        ],
        [
            "an MLab project entry that is not an object",
            { ...valid, mlab: { projects: ["deepvac/deepvac"] } },
            ['torchpod:mlab.projects[0]: got "deepvac/deepvac", expected an object like'],
        ],
        [
            "an MLab upstream on a host not allow-listed",
            { ...valid, mlab: { projects: [{ name: "a/b", upstream: "https://gitlab.com/a/b" }] } },
            ['torchpod:mlab.projects[0].upstream: got "https://gitlab.com/a/b", expected a host in'],
        ],
        // Problems only Gitea would notice: caught here, before the namespaces exist, not by the reconciler Job.
        [
            "a user name Gitea reserves",
            { ...valid, users: [{ name: "explore" }] },
            ['torchpod:users[0].name: got "explore", expected a name MLab\'s Gitea accepts'],
        ],
        [
            "a project owner that is also a user",
            { ...valid, mlab: { projects: [{ name: "alice/tools" }] } },
            ['torchpod:mlab.projects[0].name: got "alice/tools", expected an owner that is not also a user'],
        ],
        [
            "MLab http and ssh on one port",
            { ...valid, mlab: { httpPort: 22 } },
            ["torchpod:mlab.httpPort: got 22, expected a port other than sshPort (22)"],
        ],
        // Each component's own rules (validateNetworkLockdownArgs, validateProbeArgs, validateTorchPodArgs,
        // validateAirlockArgs), checked by the parser before the first resource instead of mid-run.
        [
            "an office CIDR inside the pod CIDR",
            { ...valid, officeCidrs: ["10.244.3.0/24"] },
            ['torchpod:officeCidrs[0]: got "10.244.3.0/24", expected a network outside the cluster\'s range 10.244.0.0/16'],
        ],
        [
            "an office CIDR inside the service CIDR",
            { ...valid, officeCidrs: ["192.0.2.0/24", "10.96.1.0/24"] },
            ['torchpod:officeCidrs[1]: got "10.96.1.0/24", expected a network outside the cluster\'s range 10.96.0.0/12'],
        ],
        [
            "an office CIDR that is the whole address space",
            { ...valid, officeCidrs: ["::/0"] },
            ['torchpod:officeCidrs[0]: got "::/0", expected a specific network, not the whole address space'],
        ],
        [
            "a private probe.internetAddress",
            { ...valid, probe: { internetAddress: "192.168.1.1" } },
            ['torchpod:probe.internetAddress: got "192.168.1.1", expected a public IP address: 192.168.1.1 lies in 192.168.0.0/16'],
        ],
        [
            "a probe.internetAddress inside the pod CIDR",
            { ...valid, probe: { internetAddress: "10.244.9.9" } },
            ['torchpod:probe.internetAddress: got "10.244.9.9", expected a public IP address: 10.244.9.9 lies in 10.0.0.0/8'],
        ],
        [
            "a probe.internetAddress that is a host name (the probe has no DNS)",
            { ...valid, probe: { internetAddress: "one.one.one.one" } },
            ['torchpod:probe.internetAddress: got "one.one.one.one", expected a public IP address (the probe has no DNS'],
        ],
        [
            "an unpinned probe image",
            { ...valid, probe: { image: "node:latest" } },
            ['torchpod:probe.image: got "node:latest", expected a pinned image'],
        ],
        [
            "empty cluster DNS pod labels",
            { ...valid, cluster: { dnsPodLabels: {} } },
            ["torchpod:cluster.dnsPodLabels: got {}, expected the labels of the cluster DNS pods"],
        ],
        [
            "a user name the image reserves",
            { ...valid, users: [{ name: "root" }] },
            ['torchpod:users[0].name: got "root", expected a name other than the reserved root'],
        ],
        [
            "a user name starting with a digit",
            { ...valid, users: [{ name: "1alice" }] },
            ['torchpod:users[0].name: got "1alice", expected a DNS-1123 label that is also a login name'],
        ],
        [
            "a /dev/shm above the user's memory limit",
            { ...valid, users: [{ name: "alice", shm: "64Gi" }] },
            ['torchpod:users[0].shm: got "64Gi", expected at most the memory limit (32Gi)'],
        ],
        [
            "a cpu request above the user's limit",
            { ...valid, users: [{ name: "alice", cpu: "16" }] },
            ['torchpod:users[0].cpu: got "16", expected at most cpuLimit (8)'],
        ],
        [
            "an image mode that cannot serve the enabled GUIs",
            { ...valid, mode: "RDP" },
            ['torchpod:mode: got "RDP", expected "VNCRDP": torchpod:gui enables rdp, browser'],
        ],
        [
            "a GUI config with nothing enabled",
            { ...valid, gui: { rdp: false, browser: false } },
            ["torchpod:gui: got", "expected at least one of rdp, browser, vnc to be true"],
        ],
        [
            "an Airlock login the image reserves",
            { ...valid, airlock: { user: "root" } },
            ['torchpod:airlock.user: got "root", expected a name other than the reserved'],
        ],
        [
            "an Airlock /dev/shm above its memory limit",
            { ...valid, airlock: { shm: "32Gi" } },
            ['torchpod:airlock.shm: got "32Gi", expected at most the memory limit (16Gi)'],
        ],
        [
            "MLab requests above their limits",
            { ...valid, mlab: { memory: "4Gi" } },
            ['torchpod:mlab.memory: got "4Gi", expected at most memoryLimit (2Gi)'],
        ],
        [
            "a LoadBalancer without office networks",
            { ...valid, officeCidrs: [], exposure: "LoadBalancer" },
            ["torchpod:officeCidrs: got [], expected at least one CIDR when torchpod:exposure is LoadBalancer"],
        ],
        [
            "the TorchPod namespace in kube-system",
            { ...valid, namespaces: { torchpods: "kube-system" } },
            ['torchpod:namespaces.torchpods: got "kube-system", expected a namespace of its own'],
        ],
        [
            "one namespace for TorchPods and MLab",
            { ...valid, namespaces: { torchpods: "team", mlab: "team" } },
            ['torchpod:namespaces.mlab: got "team", expected a namespace different from torchpods'],
        ],
        // GPU kinds, suspension and working hours: each new key gets the same one line.
        [
            "a user's gpuResource that is not an extended resource name",
            { ...valid, users: [{ name: "alice", gpus: 1, gpuResource: "gpu" }] },
            ['torchpod:users[0].gpuResource: got "gpu", expected an extended resource name with a domain'],
        ],
        [
            "a user's gpuResource in the kubernetes.io domain",
            { ...valid, users: [{ name: "alice", gpus: 1, gpuResource: "kubernetes.io/gpu" }] },
            ['torchpod:users[0].gpuResource: got "kubernetes.io/gpu", expected an extended resource name outside the kubernetes.io domain'],
        ],
        [
            "a user's gpuNodeSelector that is not a map",
            { ...valid, users: [{ name: "alice", gpus: 1, gpuNodeSelector: ["a100"] }] },
            ['torchpod:users[0].gpuNodeSelector: got ["a100"], expected a map of label keys to values'],
        ],
        [
            "a user's gpuNodeSelector with a bad label value",
            { ...valid, users: [{ name: "alice", gpus: 1, gpuNodeSelector: { "nvidia.com/gpu.product": "A 100" } }] },
            ['torchpod:users[0].gpuNodeSelector.nvidia.com/gpu.product: got "A 100", expected a label value'],
        ],
        [
            "a suspended value that is not a boolean",
            { ...valid, users: [{ name: "alice", gpus: 1, suspended: "yes" }] },
            ['torchpod:users[0].suspended: got "yes", expected true or false'],
        ],
        [
            "a gpu.quota entry that is not a whole count (users asking for that kind)",
            { ...valid, gpu: { quota: { "nvidia.com/gpu": 1.5 } } },
            ["torchpod:gpu.quota.nvidia.com/gpu: got 1.5, expected an integer >= 0"],
        ],
        [
            "a gpu.quota count that is not a number (users asking for GPUs)",
            { ...valid, gpu: { quota: "many" } },
            ['torchpod:gpu.quota: got "many", expected an integer >= 0'],
        ],
        [
            "a gpu.quota entry that is not an extended resource name",
            { ...valid, gpu: { quota: { "nvidia.com/gpu": 1, gpu: 2 } } },
            ['torchpod:gpu.quota.gpu: got "gpu", expected an extended resource name with a domain'],
        ],
        [
            "a gpu.quota map without the kind a user asks for",
            { ...valid, gpu: { quota: { "nvidia.com/mig-1g.10gb": 2 } } },
            [
                'torchpod:gpu.quota: got {"nvidia.com/mig-1g.10gb":2}, expected an entry for nvidia.com/gpu, which torchpod:users[0] asks for',
            ],
        ],
        [
            "users over a kind's quota",
            { ...valid, users: [{ name: "alice", gpus: 3 }], gpu: { quota: { "nvidia.com/gpu": 2 } } },
            ["torchpod:gpu.quota.nvidia.com/gpu: got 2, expected at least 3"],
        ],
        [
            "a schedule in a time zone that does not exist",
            { ...valid, schedule: { timeZone: "Mars/Olympus", start: "08:00", stop: "20:00" } },
            ['torchpod:schedule.timeZone: got "Mars/Olympus", expected an IANA time zone'],
        ],
        [
            "a schedule start that is not HH:MM",
            { ...valid, schedule: { timeZone: "Europe/Berlin", start: "8am", stop: "20:00" } },
            ['torchpod:schedule.start: got "8am", expected a time of day "HH:MM" (24 hours)'],
        ],
        [
            "a schedule stop equal to its start",
            { ...valid, schedule: { timeZone: "Europe/Berlin", start: "08:00", stop: "08:00" } },
            ['torchpod:schedule.stop: got "08:00", expected a time other than start (08:00)'],
        ],
        [
            "a schedule day that is not a day",
            { ...valid, schedule: { timeZone: "Europe/Berlin", start: "08:00", stop: "20:00", days: ["Monday"] } },
            ['torchpod:schedule.days[0]: got "Monday", expected one of Mon, Tue, Wed, Thu, Fri, Sat, Sun'],
        ],
        [
            "a schedule without a time zone",
            { ...valid, schedule: { start: "08:00", stop: "20:00" } },
            ["torchpod:schedule.timeZone: got nothing, expected an IANA time zone", "(required)"],
        ],
        [
            "an unpinned schedule image",
            { ...valid, schedule: { timeZone: "Europe/Berlin", start: "08:00", stop: "20:00", image: "node" } },
            ['torchpod:schedule.image: got "node", expected a pinned image'],
        ],
        [
            "a schedule namespace (fixed: the pack knows the actor by it)",
            { ...valid, schedule: { timeZone: "Europe/Berlin", start: "08:00", stop: "20:00", namespace: "ops" } },
            ['torchpod:schedule.namespace: got unknown key "namespace" (value "ops"), expected one of timeZone, start, stop, days, image'],
        ],
        // Pulumi-native config: the same kind of message for every key, one message per bad value.
        ["an empty torchpod:users", { ...valid, users: [] }, ["torchpod:users: got [], expected a list of at least one user"]],
        ["a torchpod:users that is not a list", { ...valid, users: "alice" }, ['torchpod:users: got "alice", expected a list']],
        [
            "a torchpod:officeCidrs that is not a list",
            { ...valid, officeCidrs: "192.0.2.0/24" },
            ['torchpod:officeCidrs: got "192.0.2.0/24", expected a list'],
        ],
    ];
    for (const [what, values, fragments] of cases) {
        it(`rejects ${what} with one error naming key, value and expectation, and registers nothing`, async () => {
            const run = await runIndex(rawConfig(values));
            assert.ok(run.error, "the program should fail");
            assert.ok(run.error instanceof StackConfigError, `one StackConfigError, got ${run.error}`);
            assert.strictEqual((run.error as StackConfigError).problems.length, 1, run.error!.message);
            for (const f of fragments)
                assert.ok(run.error!.message.includes(f), `message lacks ${JSON.stringify(f)}:\n${run.error!.message}`);
            assert.strictEqual(run.resources.length, 0, `registered: ${run.resources.map((r) => r.urn).join(", ")}`);
        });
    }
});

describe("index.ts: the dev stack", () => {
    let run: ProgramRun;
    before(async () => {
        run = await runIndex(devStackConfig());
        if (run.error) throw run.error;
    });

    it("creates one TorchPod per user, the Airlock and MLab", () => {
        const deployments = ofType(run, "kubernetes:apps/v1:Deployment").map((r) => r.inputs.metadata.name);
        for (const name of ["torchpod-alice", "torchpod-bob", "torchpod-carol", "airlock"])
            assert.ok(deployments.includes(name), `${name} missing`);
        assert.ok(
            podSpecs(run).some((p) => p.labels[LABEL_COMPONENT] === "mlab"),
            "no MLab pod template",
        );
    });

    it("labels every pod template and namespace per the contract", () => {
        for (const { resource, labels } of podSpecs(run)) {
            for (const key of [LABEL_NAME, LABEL_INSTANCE, LABEL_COMPONENT]) assert.ok(labels[key], `${resource.urn} lacks ${key}`);
            assert.strictEqual(labels[LABEL_PART_OF], "torchpod", resource.urn);
            assert.strictEqual(labels[LABEL_MANAGED_BY], "pulumi", resource.urn);
        }
        const tps = podSpecs(run).filter((p) => p.resource.urn.includes("torchpod:index:TorchPod$"));
        assert.deepStrictEqual(tps.map((p) => [p.labels[LABEL_COMPONENT], p.labels[LABEL_INSTANCE]]).sort(), [
            ["torchpod", "alice"],
            ["torchpod", "bob"],
            ["torchpod", "carol"],
        ]);
        const namespaces = ofType(run, "kubernetes:core/v1:Namespace");
        assert.strictEqual(namespaces.length, 2);
        for (const ns of namespaces) {
            assert.strictEqual(ns.inputs.metadata.labels[LABEL_PART_OF], "torchpod");
            assert.strictEqual(ns.inputs.metadata.labels[LABEL_MANAGED_BY], "pulumi");
            assert.ok(ns.inputs.metadata.labels["pod-security.kubernetes.io/enforce"]);
        }
    });

    it("puts no generated password in any pod spec and reads passwords through secretKeyRef", () => {
        const passwords = ofType(run, "random:index/randomPassword:RandomPassword").map((r) => r.state.result as string);
        assert.ok(passwords.length >= 4);
        for (const { resource, spec } of podSpecs(run)) {
            const text = JSON.stringify(spec);
            for (const p of passwords) assert.ok(!text.includes(p), `a generated password appears in ${resource.urn}`);
            const image = /torchpod:index:(TorchPod|Airlock)\$/.test(resource.urn);
            for (const c of [...spec.containers, ...(spec.initContainers ?? [])]) {
                // The Airlock's folder init and the TorchPods' isolation gate hold no login: no Secret at all.
                if (["airlock-folders", "isolation-gate"].includes(c.name))
                    assert.ok(!JSON.stringify(c.env ?? []).includes("secretKeyRef"), `${resource.urn} ${c.name} reads a Secret`);
                else if (image) {
                    const ref = (c.env ?? []).find(
                        (e: any) => e.name === (c.name === "browser-proxy" ? "PROXY_PASSWORD_HASH" : "TORCHPOD_PASSWORD"),
                    );
                    assert.ok(ref?.valueFrom?.secretKeyRef, `${resource.urn} ${c.name} does not read its password through secretKeyRef`);
                    assert.strictEqual(ref.value, undefined);
                }
            }
        }
    });

    it("gives every TorchPod the isolation gate as its only init container, running the probe's script ConfigMap", () => {
        const script = ofType(run, "kubernetes:core/v1:ConfigMap").find((c) => /^enforcement-probe-script-/.test(c.inputs.metadata.name));
        assert.ok(script, "the probe's script ConfigMap exists");
        const torchpods = ofType(run, "kubernetes:apps/v1:Deployment").filter((d) => /torchpod:index:TorchPod\$/.test(d.urn));
        assert.ok(torchpods.length >= 3);
        for (const d of torchpods) {
            const spec = d.inputs.spec.template.spec;
            assert.deepStrictEqual(
                spec.initContainers.map((c: any) => c.name),
                ["isolation-gate"],
                d.urn,
            );
            assert.strictEqual(
                spec.volumes.find((v: any) => v.name === "isolation-gate-script").configMap.name,
                script.inputs.metadata.name,
            );
        }
    });

    it("creates every Secret key a pod reads (env secretKeyRef and Secret volumes), so no pod waits on a missing key", () => {
        const created = new Map<string, Set<string>>();
        for (const s of ofType(run, "kubernetes:core/v1:Secret")) {
            const keys = [...Object.keys(s.inputs.data ?? {}), ...Object.keys(s.inputs.stringData ?? {})];
            created.set(`${s.inputs.metadata.namespace}/${s.inputs.metadata.name}`, new Set(keys));
        }
        let checked = 0;
        for (const { resource, spec } of podSpecs(run)) {
            const ns = resource.inputs.metadata.namespace;
            const refs: { name: string; key?: string }[] = [];
            for (const c of [...(spec.initContainers ?? []), ...spec.containers]) {
                for (const e of c.env ?? []) if (e.valueFrom?.secretKeyRef) refs.push(e.valueFrom.secretKeyRef);
            }
            for (const v of spec.volumes ?? []) {
                if (v.secret) refs.push(...(v.secret.items ?? [{}]).map((i: any) => ({ name: v.secret.secretName, key: i.key })));
            }
            for (const ref of refs) {
                const keys = created.get(`${ns}/${ref.name}`);
                assert.ok(keys, `${resource.name}: Secret ${ns}/${ref.name} is not created by the program`);
                if (ref.key !== undefined)
                    assert.ok(
                        keys!.has(ref.key),
                        `${resource.name}: Secret ${ns}/${ref.name} has no key ${ref.key} (has ${[...keys!].join(", ")})`,
                    );
                checked++;
            }
        }
        assert.ok(checked >= 10, `expected many Secret references, checked ${checked}`);
    });

    it("shares one browser-proxy ConfigMap (no per-user value in it) among every TorchPod and the Airlock", () => {
        const proxies = ofType(run, "kubernetes:core/v1:ConfigMap").filter((r) => "Caddyfile" in (r.inputs.data ?? {}));
        assert.deepStrictEqual(
            proxies.map((r) => r.inputs.metadata.name),
            ["browser-proxy"],
        );
        const mounting = podSpecs(run).filter(({ spec }) => (spec.volumes ?? []).some((v: any) => v.configMap?.name === "browser-proxy"));
        assert.strictEqual(mounting.length, devStackConfigUsers() + 1, "every TorchPod and the Airlock");
    });

    it("exports per-user endpoints, secret passwords, the Airlock and MLab", () => {
        const e = run.exports as any;
        assert.deepStrictEqual(Object.keys(e.endpoints).sort(), ["alice", "bob", "carol"]);
        assert.deepStrictEqual(Object.keys(e.endpoints.alice).sort(), ["browser", "rdp"]);
        assert.ok(e.passwords.secret && typeof e.passwords.secret.alice === "string", "passwords is a secret");
        assert.match(e.airlock.sftp, /:10022$/);
        assert.ok(e.airlockPassword.secret);
        assert.ok(e.mlabAdminPassword.secret);
        assert.strictEqual(e.mlabHttpUrl, "http://mlab.dev.torchpod.internal/");
        assert.strictEqual(e.mlabSshUrl, "ssh://git@mlab.dev.torchpod.internal/");
        assert.deepStrictEqual(e.audit, {
            enters: `kubectl -n ${e.namespaces.torchpods} exec deploy/airlock-audit -- node /opt/airlock-audit/audit-writer.js show`,
            leaves: `kubectl -n ${e.namespaces.mlab} exec deploy/mlab -c gitea -- grep git-receive-pack /var/lib/gitea/log/access.log`,
        });
        assert.deepStrictEqual(e.mlabCloneUrls, {
            "deepvac/deepvac": {
                http: "http://mlab.dev.torchpod.internal/deepvac/deepvac.git",
                ssh: "ssh://git@mlab.dev.torchpod.internal/deepvac/deepvac.git",
            },
        });
        // Nothing but the password outputs holds a generated secret.
        const passwords = ofType(run, "random:index/randomPassword:RandomPassword").map((r) => r.state.result as string);
        assert.deepStrictEqual(
            Object.keys(e.mlabPasswords.secret).sort(),
            ["alice", "bob", "carol"],
            "MLab passwords per user, as a secret",
        );
        const mlabAlice = ofType(run, "random:index/randomPassword:RandomPassword").find((r) => r.name === "mlab-user-alice-password")!;
        assert.strictEqual(e.mlabPasswords.secret.alice, mlabAlice.state.result);
        const plain = JSON.stringify({
            ...e,
            passwords: undefined,
            airlockPassword: undefined,
            mlabAdminPassword: undefined,
            mlabPasswords: undefined,
        });
        for (const p of passwords) assert.ok(!plain.includes(p), "a generated password appears in a non-secret output");
    });

    it("starts no TorchPod before the enforcement probe", () => {
        const probeResources = run.resources.filter((r) => r.urn.includes("torchpod:index:EnforcementProbe$") && r.custom);
        assert.ok(probeResources.length > 0, "no probe resources");
        const job = probeResources.find((r) => r.type === "kubernetes:batch/v1:Job");
        assert.ok(job, "no probe Job");
        const torchpods = ofType(run, "kubernetes:apps/v1:Deployment").filter((r) => r.urn.includes("torchpod:index:TorchPod$"));
        assert.strictEqual(torchpods.length, 3);
        for (const d of torchpods) {
            assert.ok(d.dependencies.includes(job!.urn), `${d.inputs.metadata.name} does not wait for the probe Job`);
        }
    });

    it("runs the probe only after the lock-down's policies, MLab and the Airlock exist", () => {
        const probeScript = run.resources.find(
            (r) => r.urn.includes("torchpod:index:EnforcementProbe$") && r.type === "kubernetes:core/v1:ConfigMap",
        )!;
        assert.ok(probeScript, "no probe ConfigMap");
        const policies = ofType(run, "kubernetes:networking.k8s.io/v1:NetworkPolicy");
        assert.ok(policies.length > 0);
        for (const p of policies) assert.ok(probeScript.dependencies.includes(p.urn), `probe does not wait for ${p.urn}`);
        const gitea = ofType(run, "kubernetes:apps/v1:Deployment").find((r) => r.urn.includes("torchpod:index:Mlab$"))!;
        const airlock = ofType(run, "kubernetes:apps/v1:Deployment").find((r) => r.urn.includes("torchpod:index:Airlock$"))!;
        assert.ok(probeScript.dependencies.includes(gitea.urn), "probe does not wait for MLab");
        assert.ok(probeScript.dependencies.includes(airlock.urn), "probe does not wait for the Airlock");
    });

    it("creates every namespaced object after its namespace", () => {
        const nsUrns = ofType(run, "kubernetes:core/v1:Namespace").map((r) => r.urn);
        for (const r of run.resources.filter((r) => r.custom && r.type.startsWith("kubernetes:") && r.inputs?.metadata?.namespace)) {
            const direct = r.dependencies.some((d) => nsUrns.includes(d));
            assert.ok(direct, `${r.urn} does not depend on a Namespace`);
        }
    });

    it("exposes every user-facing Service (TorchPods, Airlock, MLab) as a LoadBalancer for the office networks only, never NodePort", () => {
        const services = ofType(run, "kubernetes:core/v1:Service").filter((s) => /torchpod:index:(TorchPod|Airlock|Mlab)\$/.test(s.urn));
        assert.strictEqual(services.length, 5);
        for (const s of services) {
            assert.strictEqual(s.inputs.spec.type, "LoadBalancer");
            assert.deepStrictEqual(s.inputs.spec.loadBalancerSourceRanges, ["192.0.2.0/24", "2001:db8:100::/48"]);
            assert.strictEqual(s.inputs.spec.externalTrafficPolicy, "Local");
            assert.strictEqual(s.inputs.spec.allocateLoadBalancerNodePorts, false);
        }
        assert.ok(!ofType(run, "kubernetes:core/v1:Service").some((s) => s.inputs.spec.type === "NodePort"));
    });

    it("serves no raw VNC port unless the stack enables it", async () => {
        const vncPorts = (r: ProgramRun) =>
            ofType(r, "kubernetes:core/v1:Service")
                .flatMap((s) => s.inputs.spec.ports)
                .filter((p: any) => p.port === 5900 || p.name === "vnc");
        assert.deepStrictEqual(vncPorts(run), []);
        const config = devStackConfig();
        config["torchpod:gui"] = JSON.stringify({ rdp: true, browser: true, vnc: true });
        const withVnc = await runIndex(config);
        if (withVnc.error) throw withVnc.error;
        assert.strictEqual(vncPorts(withVnc).length, 4, "each TorchPod and the Airlock");
    });

    it("points each TorchPod's MLab host name (hostAliases) at the MLab Service's cluster IP, and mounts that user's git credentials", () => {
        const mlabService = ofType(run, "kubernetes:core/v1:Service").find((s) => s.urn.includes("torchpod:index:Mlab$"))!;
        const clusterIp = mlabService.state.spec.clusterIP;
        assert.match(clusterIp, /^10\./);
        const torchpods = ofType(run, "kubernetes:apps/v1:Deployment").filter((r) => r.urn.includes("torchpod:index:TorchPod$"));
        assert.strictEqual(torchpods.length, 3);
        for (const d of torchpods) {
            const spec = d.inputs.spec.template.spec;
            const user = d.inputs.spec.template.metadata.labels[LABEL_INSTANCE];
            assert.deepStrictEqual(
                spec.hostAliases,
                [{ ip: clusterIp, hostnames: ["mlab.dev.torchpod.internal"] }],
                d.inputs.metadata.name,
            );
            const volume = spec.volumes.find((v: any) => v.name === "mlab-credentials");
            assert.strictEqual(volume.secret.secretName, `mlab-git-${user}`);
            const secret = ofType(run, "kubernetes:core/v1:Secret").find((s) => s.inputs.metadata.name === `mlab-git-${user}`)!;
            assert.strictEqual(secret.inputs.metadata.namespace, "torchpod", "in the TorchPods' namespace");
            assert.ok(d.dependencies.includes(secret.urn), `${d.inputs.metadata.name} waits for its own git credentials`);
        }
    });

    it("adds a GPU ResourceQuota when the stack sets one", () => {
        const [quota] = ofType(run, "kubernetes:core/v1:ResourceQuota");
        assert.deepStrictEqual(quota.inputs.spec.hard, { "requests.nvidia.com/gpu": "4" });
        assert.strictEqual(quota.inputs.metadata.namespace, "torchpod");
    });
});
