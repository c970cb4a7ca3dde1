import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import { parseStackConfig, StackConfigError } from "../../stacks/parse";
import { PLATFORM_DEFAULTS } from "../../components/defaults";
import { devStackConfig, rawConfig } from "../mocks";

const valid = { users: [{ name: "alice", gpus: 1 }], officeCidrs: ["192.0.2.0/24"] };

function problemsOf(values: Record<string, unknown>): string[] {
    try {
        parseStackConfig(rawConfig(values), "test");
    } catch (e) {
        assert.ok(e instanceof StackConfigError, `expected a StackConfigError, got ${e}`);
        return [...(e as StackConfigError).problems];
    }
    assert.fail("expected the config to be rejected");
}

function assertProblem(values: Record<string, unknown>, ...fragments: string[]): void {
    const problems = problemsOf(values);
    const hit = problems.find((p) => fragments.every((f) => p.includes(f)));
    assert.ok(hit, `no problem contains ${JSON.stringify(fragments)}; problems:\n${problems.join("\n")}`);
}

describe("stack config: parsing and defaults", () => {
    it("parses the dev stack's Pulumi.dev.yaml without problems", () => {
        const config = parseStackConfig(devStackConfig(), "dev");
        assert.deepStrictEqual(
            config.users.map((u) => [u.name, u.gpus]),
            [
                ["alice", 1],
                ["bob", 2],
                ["carol", 0],
            ],
        );
        assert.deepStrictEqual(config.mlab.projects, [
            { owner: "deepvac", repo: "deepvac", upstream: "https://github.com/DeepVAC/deepvac" },
        ]);
        assert.strictEqual(config.exposure.type, "LoadBalancer");
        assert.strictEqual(config.cluster.dualStack, false);
    });

    it("fills every default from the one defaults object when only the required keys are given", () => {
        const config = parseStackConfig(rawConfig(valid), "test");
        assert.strictEqual(config.stack, "test");
        assert.strictEqual(config.image, PLATFORM_DEFAULTS.image);
        assert.match(config.image, /^gemfield\/torchpod:[0-9]/);
        assert.deepStrictEqual(config.gui, PLATFORM_DEFAULTS.gui);
        assert.strictEqual(config.mode, "VNCRDP", "RDP plus the browser desktop (noVNC needs Xvnc)");
        assert.strictEqual(config.exposure.type, "ClusterIP");
        assert.deepStrictEqual(config.namespaces, { torchpods: "torchpod", mlab: "mlab" });
        assert.deepStrictEqual(config.users[0].resources, { cpuRequest: "2", cpuLimit: "8", memoryRequest: "8Gi", memoryLimit: "32Gi" });
        assert.strictEqual(config.users[0].shmSize, "8Gi");
        assert.strictEqual(config.users[0].homeSize, "100Gi");
        assert.strictEqual(config.users[0].image, PLATFORM_DEFAULTS.image);
        assert.strictEqual(config.gpu.resourceName, "nvidia.com/gpu");
        assert.strictEqual(config.gpu.quota, undefined);
        assert.deepStrictEqual(config.cluster, {
            podCidrs: ["10.244.0.0/16"],
            serviceCidrs: ["10.96.0.0/12"],
            dnsNamespace: "kube-system",
            dnsPodLabels: { "k8s-app": "kube-dns" },
            dnsServiceIp: "10.96.0.10",
            apiServerIp: "10.96.0.1",
            controlPlaneCidrs: [],
            dualStack: false,
        });
        assert.deepStrictEqual(config.kubernetes, {});
        assert.strictEqual(config.airlock.sftpPort, 10022);
        assert.strictEqual(config.mlab.image, "gitea/gitea:1.22.6-rootless");
        assert.strictEqual(config.mlab.reconcilerImage, "node:20.18.1-alpine3.20");
        assert.deepStrictEqual(config.mlab.migrationAllowedHosts, ["github.com"]);
        assert.deepStrictEqual(config.mlab.database, { type: "sqlite" });
        assert.deepStrictEqual(config.probe, {
            enabled: true,
            image: "node:20.18.1-alpine3.20",
            internetAddress: "1.1.1.1",
            timeoutSeconds: 5,
        });
    });

    it("applies torchpod:defaults to users and lets a user override them", () => {
        const config = parseStackConfig(
            rawConfig({
                ...valid,
                users: [
                    { name: "alice", gpus: 1 },
                    { name: "bob", gpus: 0, memory: "4Gi", home: "1Ti", image: "gemfield/torchpod:1.0-pro" },
                ],
                defaults: { memory: "2Gi", shm: "1Gi", home: "50Gi" },
            }),
            "test",
        );
        assert.strictEqual(config.users[0].resources.memoryRequest, "2Gi");
        assert.strictEqual(config.users[0].homeSize, "50Gi");
        assert.strictEqual(config.users[0].shmSize, "1Gi");
        assert.strictEqual(config.users[1].resources.memoryRequest, "4Gi");
        assert.strictEqual(config.users[1].homeSize, "1Ti");
        assert.strictEqual(config.users[1].image, "gemfield/torchpod:1.0-pro");
    });

    it("accepts numbers and booleans given as strings (pulumi config set --path stores strings)", () => {
        const config = parseStackConfig(rawConfig({ ...valid, users: [{ name: "alice", gpus: "2" }], gui: { vnc: "true" } }), "test");
        assert.strictEqual(config.users[0].gpus, 2);
        assert.strictEqual(config.gui.vnc, true);
    });

    it("accepts an exposure given as a bare string", () => {
        assert.strictEqual(parseStackConfig(rawConfig({ ...valid, exposure: "LoadBalancer" }), "test").exposure.type, "LoadBalancer");
    });

    it("derives the image mode from the enabled GUIs", () => {
        assert.strictEqual(parseStackConfig(rawConfig({ ...valid, gui: { browser: false } }), "t").mode, "RDP");
        assert.strictEqual(parseStackConfig(rawConfig({ ...valid, gui: { rdp: false } }), "t").mode, "VNC");
    });

    it("marks the cluster dual-stack when any cluster CIDR is IPv6", () => {
        const config = parseStackConfig(rawConfig({ ...valid, cluster: { podCidrs: ["10.244.0.0/16", "fd00:10:244::/56"] } }), "t");
        assert.strictEqual(config.cluster.dualStack, true);
    });

    it("accepts image digests and registries with ports", () => {
        const digest = `gemfield/torchpod@sha256:${"a".repeat(64)}`;
        assert.strictEqual(parseStackConfig(rawConfig({ ...valid, image: digest }), "t").image, digest);
        assert.strictEqual(
            parseStackConfig(rawConfig({ ...valid, image: "registry.local:5000/ml/torchpod:1.0" }), "t").image,
            "registry.local:5000/ml/torchpod:1.0",
        );
    });

    it("ignores keys of other namespaces (e.g. kubernetes:context)", () => {
        assert.ok(parseStackConfig({ ...rawConfig(valid), "kubernetes:context": "kind-dev" }, "t"));
    });
});

describe("stack config: validation names the key path, the bad value and the expected form", () => {
    it("rejects a user name that is not a DNS-1123 label", () => {
        assertProblem(
            { ...valid, users: [{ name: "Alice_1", gpus: 0 }] },
            'torchpod:users[0].name: got "Alice_1"',
            "expected a DNS-1123 label",
        );
    });

    it("rejects a user name the image cannot create as a login (leading digit, longer than 32 characters)", () => {
        assertProblem({ ...valid, users: [{ name: "1alice" }] }, 'torchpod:users[0].name: got "1alice"', "starting with a letter");
        const long = `a${"b".repeat(32)}`;
        assertProblem({ ...valid, users: [{ name: long }] }, `torchpod:users[0].name: got "${long}"`, "at most 32 characters");
        assert.strictEqual(parseStackConfig(rawConfig({ ...valid, users: [{ name: "a".repeat(32) }] }), "t").users[0].name, "a".repeat(32));
    });

    it("rejects duplicate users", () => {
        assertProblem(
            {
                ...valid,
                users: [
                    { name: "alice", gpus: 0 },
                    { name: "alice", gpus: 1 },
                ],
            },
            'torchpod:users[1].name: got "alice"',
            "expected a unique user name",
            "torchpod:users[0]",
        );
    });

    it("rejects negative gpus", () => {
        assertProblem(
            {
                ...valid,
                users: [
                    { name: "alice", gpus: 0 },
                    { name: "bob", gpus: -1 },
                ],
            },
            "torchpod:users[1].gpus: got -1, expected an integer >= 0",
        );
    });

    it("rejects fractional gpus", () => {
        assertProblem({ ...valid, users: [{ name: "alice", gpus: 1.5 }] }, "torchpod:users[0].gpus: got 1.5, expected an integer >= 0");
    });

    it("rejects a typo'd key and suggests the closest known key (gpu: for gpus:)", () => {
        assertProblem(
            { ...valid, users: [{ name: "alice", gpu: 1 }] },
            'torchpod:users[0].gpu: got unknown key "gpu" (value 1)',
            'did you mean "gpus"?',
        );
    });

    it("rejects unknown keys at every level", () => {
        assertProblem({ ...valid, gui: { rpd: true } }, "torchpod:gui.rpd", 'did you mean "rdp"?');
        assertProblem(
            { ...valid, mlab: { projects: [{ name: "a/b", upstrem: "https://github.com/a/b" }] } },
            "torchpod:mlab.projects[0].upstrem",
            'did you mean "upstream"?',
        );
        assertProblem({ ...valid, cluster: { podCidr: ["10.0.0.0/8"] } }, "torchpod:cluster.podCidr", 'did you mean "podCidrs"?');
        assertProblem(
            { ...valid, gpu: { tolerations: [{ key: "x", operator: "Exists", efect: "NoSchedule" }] } },
            "torchpod:gpu.tolerations[0].efect",
            'did you mean "effect"?',
        );
    });

    it("rejects an unknown top-level torchpod:* key with a suggestion", () => {
        assertProblem(
            { ...valid, "torchpod:officeCidr": ["192.0.2.0/24"] },
            'torchpod:officeCidr: got unknown key "officeCidr"',
            'did you mean "officeCidrs"?',
        );
    });

    it("requires torchpod:users and torchpod:officeCidrs", () => {
        const problems = problemsOf({});
        assert.ok(
            problems.some((p) => p.startsWith("torchpod:users: got nothing, expected a list of users") && p.includes("(required)")),
            problems.join("\n"),
        );
        assert.ok(
            problems.some((p) => p.startsWith("torchpod:officeCidrs: got nothing, expected a list of CIDRs") && p.includes("(required)")),
            problems.join("\n"),
        );
    });

    it("requires a user's name", () => {
        assertProblem({ ...valid, users: [{ gpus: 1 }] }, "torchpod:users[0].name: got nothing", "(required)");
    });

    it("rejects malformed IPv4 and IPv6 CIDRs: syntax, prefix range, host bits", () => {
        assertProblem({ ...valid, officeCidrs: ["192.0.2.0"] }, 'torchpod:officeCidrs[0]: got "192.0.2.0", expected a CIDR');
        assertProblem(
            { ...valid, officeCidrs: ["300.0.2.0/24"] },
            'torchpod:officeCidrs[0]: got "300.0.2.0/24"',
            "valid IPv4 or IPv6 address",
        );
        assertProblem({ ...valid, officeCidrs: ["192.0.2.0/33"] }, 'torchpod:officeCidrs[0]: got "192.0.2.0/33"', "between 0 and 32");
        assertProblem(
            { ...valid, officeCidrs: ["192.0.2.1/24"] },
            'torchpod:officeCidrs[0]: got "192.0.2.1/24"',
            'zero host bits ("192.0.2.0/24")',
        );
        assertProblem(
            { ...valid, officeCidrs: ["2001:db8::1/48"] },
            'torchpod:officeCidrs[0]: got "2001:db8::1/48"',
            'zero host bits ("2001:db8::/48")',
        );
        assertProblem({ ...valid, officeCidrs: ["2001:db8::/129"] }, "between 0 and 128");
        assertProblem(
            { ...valid, officeCidrs: ["2001:db8:::/48"] },
            'torchpod:officeCidrs[0]: got "2001:db8:::/48"',
            "valid IPv4 or IPv6 address",
        );
        assertProblem({ ...valid, cluster: { serviceCidrs: ["10.96.0.0/10"] } }, "torchpod:cluster.serviceCidrs[0]", "zero host bits");
        assertProblem(
            { ...valid, cluster: { controlPlaneCidrs: ["api.example.com"] } },
            "torchpod:cluster.controlPlaneCidrs[0]",
            "api.example.com",
        );
    });

    it("rejects office CIDRs that are the whole internet", () => {
        assertProblem({ ...valid, officeCidrs: ["0.0.0.0/0"] }, 'torchpod:officeCidrs[0]: got "0.0.0.0/0"', "not the whole address space");
        assertProblem({ ...valid, officeCidrs: ["::/0"] }, 'torchpod:officeCidrs[0]: got "::/0"');
    });

    it("rejects an image without a tag, with :latest, or malformed", () => {
        assertProblem({ ...valid, image: "gemfield/torchpod" }, 'torchpod:image: got "gemfield/torchpod", expected a pinned image');
        assertProblem({ ...valid, image: "gemfield/torchpod:latest" }, 'torchpod:image: got "gemfield/torchpod:latest"', 'not "latest"');
        assertProblem(
            { ...valid, users: [{ name: "alice", image: "Gemfield/TorchPod:1.0" }] },
            'torchpod:users[0].image: got "Gemfield/TorchPod:1.0"',
        );
        assertProblem({ ...valid, mlab: { image: "gitea/gitea" } }, 'torchpod:mlab.image: got "gitea/gitea"');
        assertProblem({ ...valid, probe: { image: "node:latest" } }, 'torchpod:probe.image: got "node:latest"');
        assertProblem({ ...valid, gui: { proxyImage: "caddy" } }, 'torchpod:gui.proxyImage: got "caddy"');
    });

    it("rejects quantities that are not Kubernetes quantities", () => {
        assertProblem(
            { ...valid, users: [{ name: "alice", memory: "16 GB" }] },
            'torchpod:users[0].memory: got "16 GB", expected a positive Kubernetes quantity',
        );
        assertProblem({ ...valid, defaults: { shm: "8GB" } }, 'torchpod:defaults.shm: got "8GB"');
        assertProblem({ ...valid, storage: { airlockSize: "-1Gi" } }, 'torchpod:storage.airlockSize: got "-1Gi"');
        assertProblem({ ...valid, airlock: { cpu: "two" } }, 'torchpod:airlock.cpu: got "two"');
    });

    it("rejects requests above limits and a /dev/shm larger than the memory limit", () => {
        assertProblem(
            { ...valid, users: [{ name: "alice", memory: "64Gi", memoryLimit: "32Gi" }] },
            'torchpod:users[0].memory: got "64Gi", expected at most memoryLimit (32Gi)',
        );
        assertProblem(
            { ...valid, users: [{ name: "alice", cpu: "16" }] },
            'torchpod:users[0].cpu: got "16", expected at most cpuLimit (8)',
        );
        assertProblem(
            { ...valid, users: [{ name: "alice", shm: "64Gi" }] },
            'torchpod:users[0].shm: got "64Gi", expected at most the memory limit (32Gi)',
        );
    });

    it("rejects NodePort exposure", () => {
        assertProblem(
            { ...valid, exposure: { type: "NodePort" } },
            'torchpod:exposure.type: got "NodePort", expected "ClusterIP" or "LoadBalancer"',
            "never allowed",
        );
        assertProblem({ ...valid, exposure: "NodePort" }, 'torchpod:exposure: got "NodePort"');
    });

    it("rejects LoadBalancer exposure with no office CIDRs", () => {
        assertProblem({ ...valid, officeCidrs: [], exposure: "LoadBalancer" }, "torchpod:officeCidrs: got []", "at least one CIDR");
    });

    it("rejects bad MLab project names and upstreams", () => {
        assertProblem(
            { ...valid, mlab: { projects: [{ name: "deepvac" }] } },
            'torchpod:mlab.projects[0].name: got "deepvac", expected "owner/repo"',
        );
        assertProblem({ ...valid, mlab: { projects: [{ name: "deep vac/x" }] } }, 'torchpod:mlab.projects[0].name: got "deep vac/x"');
        assertProblem(
            { ...valid, mlab: { projects: [{ name: "a/b", upstream: "http://github.com/a/b" }] } },
            'torchpod:mlab.projects[0].upstream: got "http://github.com/a/b", expected an https URL',
        );
        assertProblem(
            { ...valid, mlab: { projects: [{ name: "a/b", upstream: "https://evil.example.com/a/b" }] } },
            'torchpod:mlab.projects[0].upstream: got "https://evil.example.com/a/b"',
            "expected a host in torchpod:mlab.migrationAllowedHosts (github.com)",
        );
        assertProblem(
            { ...valid, mlab: { projects: [{ name: "a/b", upstream: "https://user:token@github.com/a/b" }] } },
            "without credentials",
        );
        assertProblem(
            { ...valid, mlab: { projects: [{ name: "a/b" }, { name: "A/B" }] } },
            'torchpod:mlab.projects[1].name: got "A/B", expected a unique project',
        );
    });

    it("rejects user names Gitea reserves, since every user gets an MLab account", () => {
        for (const name of ["api", "explore", "user", "mlab-admin"]) {
            assertProblem({ ...valid, users: [{ name }] }, `torchpod:users[0].name: got "${name}", expected a name MLab's Gitea accepts`);
        }
    });

    it("rejects project owners Gitea reserves or that are also a user's name (one namespace in Gitea, case-insensitive)", () => {
        assertProblem(
            { ...valid, mlab: { projects: [{ name: "api/x" }] } },
            'torchpod:mlab.projects[0].name: got "api/x", expected an owner MLab\'s Gitea accepts',
        );
        assertProblem(
            { ...valid, mlab: { projects: [{ name: "a/b" }, { name: "Alice/tools" }] } },
            'torchpod:mlab.projects[1].name: got "Alice/tools", expected an owner that is not also a user (torchpod:users[0])',
        );
    });

    it("rejects MLab http and ssh on the same Service port, naming the key the stack set", () => {
        assertProblem({ ...valid, mlab: { httpPort: 22 } }, "torchpod:mlab.httpPort: got 22, expected a port other than sshPort (22)");
        assertProblem(
            { ...valid, mlab: { httpPort: 8080, sshPort: 8080 } },
            "torchpod:mlab.sshPort: got 8080, expected a port other than httpPort (8080)",
        );
    });

    it("rejects migration hosts that are wildcards, IPs or local names", () => {
        assertProblem({ ...valid, mlab: { migrationAllowedHosts: ["*"] } }, 'torchpod:mlab.migrationAllowedHosts[0]: got "*"');
        assertProblem(
            { ...valid, mlab: { migrationAllowedHosts: ["10.0.0.1"] } },
            'torchpod:mlab.migrationAllowedHosts[0]: got "10.0.0.1"',
        );
        assertProblem({ ...valid, mlab: { migrationAllowedHosts: ["gitea.svc.cluster.local"] } }, "not a local one");
    });

    it("rejects a GUI config with nothing enabled and a mode that cannot serve the enabled GUIs", () => {
        assertProblem({ ...valid, gui: { rdp: false, browser: false } }, "torchpod:gui", "at least one of rdp, browser, vnc");
        assertProblem({ ...valid, mode: "RDP" }, 'torchpod:mode: got "RDP", expected "VNCRDP"');
        assertProblem({ ...valid, mode: "SPICE" }, 'torchpod:mode: got "SPICE", expected one of auto, VNC, RDP, VNCRDP');
    });

    it("rejects a GPU quota below what the users ask for", () => {
        assertProblem(
            {
                ...valid,
                users: [
                    { name: "alice", gpus: 2 },
                    { name: "bob", gpus: 2 },
                ],
                gpu: { quota: 3 },
            },
            "torchpod:gpu.quota: got 3, expected at least 4",
        );
    });

    it("rejects cluster addresses outside the service CIDRs and equal namespaces", () => {
        assertProblem({ ...valid, cluster: { serviceCidrs: ["10.100.0.0/16"] } }, "torchpod:cluster.dnsServiceIp", "outside serviceCidrs");
        assertProblem(
            { ...valid, cluster: { dnsServiceIp: "10.200.0.10" } },
            'torchpod:cluster.dnsServiceIp: got "10.200.0.10", expected an address inside serviceCidrs',
        );
        assertProblem({ ...valid, namespaces: { torchpods: "same", mlab: "same" } }, 'torchpod:namespaces.mlab: got "same"');
        assertProblem({ ...valid, namespaces: { torchpods: "kube-system" } }, 'torchpod:namespaces.torchpods: got "kube-system"');
    });

    it("rejects a value of the wrong shape with the expected shape", () => {
        assertProblem({ ...valid, users: { name: "alice" } }, 'torchpod:users: got {"name":"alice"}, expected a list');
        assertProblem({ ...valid, "torchpod:gui": "{not json" }, 'torchpod:gui: got "{not json", expected an object');
        assertProblem({ ...valid, probe: { enabled: "yes" } }, 'torchpod:probe.enabled: got "yes", expected true or false');
        assertProblem(
            { ...valid, airlock: { sftpPort: 70000 } },
            "torchpod:airlock.sftpPort: got 70000, expected an integer between 1 and 65535",
        );
    });

    it("gives one message per malformed value, never a second contradictory (required) one", () => {
        for (const [values, only] of [
            [{ ...valid, users: "alice" }, 'torchpod:users: got "alice", expected a list'],
            [{ ...valid, users: "[{" }, 'torchpod:users: got "[{", expected a list'],
            [{ ...valid, officeCidrs: "192.0.2.0/24" }, 'torchpod:officeCidrs: got "192.0.2.0/24", expected a list'],
            [{ ...valid, users: [{ name: null }] }, "torchpod:users[0].name: got nothing, expected a user name (required)"],
            [{ ...valid, users: [{ name: ["alice"] }] }, 'torchpod:users[0].name: got ["alice"], expected a string'],
            [{ ...valid, users: [] }, "torchpod:users: got [], expected a list of at least one user"],
        ] as const) {
            const problems = problemsOf(values);
            assert.strictEqual(problems.length, 1, problems.join("\n"));
            assert.ok(problems[0].startsWith(only), problems[0]);
        }
    });

    it("collects every problem of the whole config into one error", () => {
        let error: unknown;
        try {
            parseStackConfig(
                rawConfig({
                    users: [
                        { name: "Bad Name", gpus: -1 },
                        { name: "ok", gpu: 2 },
                    ],
                    officeCidrs: ["10.0.0.1/8"],
                    image: "gemfield/torchpod:latest",
                    exposure: "NodePort",
                }),
                "dev",
            );
        } catch (e) {
            error = e;
        }
        assert.ok(error instanceof StackConfigError);
        // A RunError: the Pulumi CLI prints its message alone, without a stack trace.
        assert.ok(pulumi.RunError.isInstance(error), "StackConfigError is a pulumi.RunError");
        const message = (error as Error).message;
        assert.match(message, /^invalid stack config for stack "dev" \(6 problems\):/);
        for (const key of [
            "torchpod:users[0].name",
            "torchpod:users[0].gpus",
            "torchpod:users[1].gpu",
            "torchpod:officeCidrs[0]",
            "torchpod:image",
            "torchpod:exposure",
        ]) {
            assert.ok(message.includes(`  - ${key}: got `), `${key} missing from:\n${message}`);
        }
    });
});
