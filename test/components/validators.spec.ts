// Each component's pure argument check, on its own (the config parser calls them all; test/index.spec.ts
// drives every rejection through the real program).
import * as assert from "assert";
import { validateNetworkLockdownArgs } from "../../components/networkLockdown.validate";
import { validateProbeArgs } from "../../components/enforcementProbe.validate";
import { validateTorchPodArgs } from "../../components/torchpod.validate";
import { validateAirlockArgs } from "../../components/airlock.validate";
import { refuseInvalidArgs } from "../../components/common/argProblems";
import { validateNamespacesArgs } from "../../components/namespaces.validate";
import { duplicateObjectProblems } from "../../stacks/objectNames";
import { PLATFORM_DEFAULTS } from "../../components/common/defaults";
import { DEFAULT_CLUSTER } from "../mocks";

const fields = (problems: { field: string }[]) => problems.map((p) => p.field);

describe("validateNetworkLockdownArgs", () => {
    const args = (over: object = {}) => ({
        officeCidrs: ["192.0.2.0/24"],
        cluster: DEFAULT_CLUSTER,
        mlabPorts: { http: 3000, ssh: 2222 },
        airlockSftpContainerPort: 22,
        ...over,
    });

    it("accepts office networks outside the cluster, including ones that contain it", () => {
        assert.deepStrictEqual(validateNetworkLockdownArgs(args({ officeCidrs: ["192.0.2.0/24", "10.0.0.0/8", "2001:db8::/48"] })), []);
    });

    it("refuses an office network inside the pod or service range, naming the range", () => {
        const [p] = validateNetworkLockdownArgs(args({ officeCidrs: ["192.0.2.0/24", "10.244.3.0/24"] }));
        assert.strictEqual(p.field, "officeCidrs[1]");
        assert.match(p.expected, /outside the cluster's range 10\.244\.0\.0\/16/);
        assert.deepStrictEqual(fields(validateNetworkLockdownArgs(args({ officeCidrs: ["10.96.0.1/32"] }))), ["officeCidrs[0]"]);
    });

    it("refuses the whole address space, malformed CIDRs, empty DNS labels and bad ports", () => {
        assert.deepStrictEqual(fields(validateNetworkLockdownArgs(args({ officeCidrs: ["0.0.0.0/0", "office"] }))), [
            "officeCidrs[0]",
            "officeCidrs[1]",
        ]);
        assert.deepStrictEqual(fields(validateNetworkLockdownArgs(args({ cluster: { ...DEFAULT_CLUSTER, dnsPodLabels: {} } }))), [
            "cluster.dnsPodLabels",
        ]);
        assert.deepStrictEqual(fields(validateNetworkLockdownArgs(args({ cluster: { ...DEFAULT_CLUSTER, controlPlaneCidrs: ["api"] } }))), [
            "cluster.controlPlaneCidrs[0]",
        ]);
        assert.deepStrictEqual(fields(validateNetworkLockdownArgs(args({ mlabPorts: { http: 0, ssh: 70000 } }))), [
            "mlabPorts.http",
            "mlabPorts.ssh",
        ]);
    });
});

describe("validateProbeArgs", () => {
    const args = (config: object = {}, cluster: object = {}) => ({
        config: { ...PLATFORM_DEFAULTS.probe, ...config },
        cluster: { ...DEFAULT_CLUSTER, ...cluster },
        mlab: { port: 80, sshPort: 22 },
        airlock: { port: 10022 },
    });

    it("accepts a public IPv4 or IPv6 address", () => {
        assert.deepStrictEqual(validateProbeArgs(args()), []);
        assert.deepStrictEqual(validateProbeArgs(args({ internetAddress: "2606:4700:4700::1111" })), []);
    });

    it("refuses private, link-local, NAT64-private and cluster addresses, naming the range", () => {
        for (const [ip, range] of [
            ["192.168.1.1", "192.168.0.0/16"],
            ["169.254.169.254", "169.254.0.0/16"],
            ["fd00::1", "fc00::/7"],
            ["64:ff9b::10.0.0.1", "64:ff9b::a00:0/104"],
        ]) {
            const [p] = validateProbeArgs(args({ internetAddress: ip }));
            assert.strictEqual(p?.field, "config.internetAddress", ip);
            assert.ok(p.expected.includes(range), `${ip}: ${p.expected}`);
        }
        const [p] = validateProbeArgs(args({ internetAddress: "203.0.113.7" }, { podCidrs: ["203.0.113.0/24"] }));
        assert.match(p.expected, /lies in 203\.0\.113\.0\/24/);
    });

    it("refuses host names, unpinned images and zero timeouts; a disabled probe checks only what the isolation gate uses", () => {
        assert.deepStrictEqual(fields(validateProbeArgs(args({ internetAddress: "one.one.one.one", image: "node", timeoutSeconds: 0 }))), [
            "config.image",
            "config.timeoutSeconds",
            "config.internetAddress",
        ]);
        assert.deepStrictEqual(validateProbeArgs(args({ enabled: false, internetAddress: "10.0.0.1" })), []);
        assert.deepStrictEqual(fields(validateProbeArgs(args({ enabled: false, image: "node:latest", internetAddress: "10.0.0.1" }))), [
            "config.image",
        ]);
        assert.deepStrictEqual(validateProbeArgs({ ...args({ enabled: false, image: "node:latest" }), isolationGate: false }), []);
        assert.deepStrictEqual(fields(validateProbeArgs({ ...args(), mlab: { port: 80, sshPort: 0 } })), ["mlab.sshPort"]);
    });
});

describe("validateTorchPodArgs and validateAirlockArgs (the desktop rules they share)", () => {
    const desktop = {
        user: "alice",
        image: PLATFORM_DEFAULTS.image,
        resources: { cpuRequest: "2", cpuLimit: "8", memoryRequest: "8Gi", memoryLimit: "32Gi" },
        shmSize: "8Gi",
        gui: PLATFORM_DEFAULTS.gui,
        mode: "VNCRDP" as const,
        exposure: PLATFORM_DEFAULTS.exposure,
        officeCidrs: [] as string[],
    };

    it("accepts a resolved desktop", () => {
        assert.deepStrictEqual(validateTorchPodArgs({ ...desktop, gpus: 2 }), []);
        assert.deepStrictEqual(validateAirlockArgs({ ...desktop, user: "airlock", sftpPort: 10022 }), []);
    });

    it("refuses logins the image cannot create or reserves", () => {
        for (const user of ["root", "1alice", "Alice", `a${"b".repeat(32)}`, "alice-"])
            assert.deepStrictEqual(fields(validateTorchPodArgs({ ...desktop, user, gpus: 0 })), ["user"], user);
    });

    it("refuses requests above limits, a /dev/shm above the memory limit, and fractional GPUs", () => {
        const problems = validateTorchPodArgs({
            ...desktop,
            resources: { cpuRequest: "9", cpuLimit: "8", memoryRequest: "64Gi", memoryLimit: "32Gi" },
            shmSize: "33Gi",
            gpus: 0.5,
        });
        assert.deepStrictEqual(fields(problems), ["resources.cpuRequest", "resources.memoryRequest", "shmSize", "gpus"]);
    });

    it("refuses a mode that cannot serve the enabled GUIs, and no GUI at all", () => {
        assert.deepStrictEqual(fields(validateTorchPodArgs({ ...desktop, mode: "RDP", gpus: 0 })), ["mode"]);
        assert.deepStrictEqual(fields(validateTorchPodArgs({ ...desktop, gui: { ...desktop.gui, rdp: false, browser: false }, gpus: 0 })), [
            "gui",
        ]);
    });

    it("refuses a LoadBalancer without office networks (empty source ranges admit everyone)", () => {
        const lb = { type: "LoadBalancer" as const, annotations: {} };
        assert.deepStrictEqual(fields(validateTorchPodArgs({ ...desktop, exposure: lb, gpus: 0 })), ["officeCidrs"]);
        assert.deepStrictEqual(validateTorchPodArgs({ ...desktop, exposure: lb, officeCidrs: ["192.0.2.0/24"], gpus: 0 }), []);
    });

    it("refuses an Airlock sftp port out of range", () => {
        assert.deepStrictEqual(fields(validateAirlockArgs({ ...desktop, sftpPort: 0 })), ["sftpPort"]);
    });

    it("makes a component built on its own throw one error naming every problem", () => {
        assert.throws(
            () => refuseInvalidArgs("TorchPod", validateTorchPodArgs({ ...desktop, user: "root", gpus: -1 })),
            (e: Error) => /^TorchPod: user "root"/.test(e.message) && /\nTorchPod: gpus must be a whole number/.test(e.message),
        );
    });
});

describe("validateNamespacesArgs", () => {
    it("accepts two namespaces of the platform's own", () => {
        assert.deepStrictEqual(validateNamespacesArgs({ names: { torchpods: "torchpod", mlab: "mlab" } }), []);
    });

    it("refuses default, kube-*, malformed and equal names", () => {
        assert.deepStrictEqual(fields(validateNamespacesArgs({ names: { torchpods: "default", mlab: "kube-system" } })), [
            "names.torchpods",
            "names.mlab",
        ]);
        assert.deepStrictEqual(fields(validateNamespacesArgs({ names: { torchpods: "Torch_Pod", mlab: "mlab" } })), ["names.torchpods"]);
        assert.deepStrictEqual(fields(validateNamespacesArgs({ names: { torchpods: "team", mlab: "team" } })), ["names.mlab"]);
    });
});

describe("duplicateObjectProblems", () => {
    it("blames the user whose derived object takes a name the platform already uses, per kind and namespace", () => {
        const problems = duplicateObjectProblems([
            { namespace: "torchpod", kind: "Deployment", name: "airlock", owner: "the Airlock" },
            { namespace: "torchpod", kind: "Service", name: "torchpod-x", owner: "user x", key: "users[0].name", value: "x" },
            { namespace: "torchpod", kind: "Deployment", name: "airlock", owner: "user y", key: "users[1].name", value: "y" },
            { namespace: "mlab", kind: "Deployment", name: "airlock", owner: "user z", key: "users[2].name", value: "z" },
        ]);
        assert.strictEqual(problems.length, 1);
        assert.strictEqual(problems[0].field, "users[1].name");
        assert.strictEqual(problems[0].got, "y");
        assert.match(problems[0].expected, /Deployment "airlock" does not clash with the Airlock's/);
    });
});
