// Suspend and resume: a suspended user's TorchPod runs no pod and their GPUs leave the quota, while
// every object keeps its name and inputs (home volume, password, Secret, Service, MLab account), so
// resuming is the same stack as before: nothing is replaced, nothing is new.
import { strict as assert } from "assert";
import { StackConfigError } from "../../stacks/parse";
import { devStackConfig, k8s, runIndex, ProgramRun, RecordedResource } from "../mocks";

const DEPLOYMENT = "kubernetes:apps/v1:Deployment";

/** The dev stack with `torchpod:users[1]` (bob, 2 GPUs) suspended or not, and extra gpu settings. */
function devWithBob(suspended: boolean | undefined, gpu: Record<string, unknown> = {}): Record<string, string> {
    const dev = devStackConfig();
    const users = JSON.parse(dev["torchpod:users"]);
    if (suspended !== undefined) users[1] = { ...users[1], suspended };
    return {
        ...dev,
        "torchpod:users": JSON.stringify(users),
        "torchpod:gpu": JSON.stringify({ ...JSON.parse(dev["torchpod:gpu"]), ...gpu }),
    };
}

const byUrn = (run: ProgramRun) => new Map<string, RecordedResource>(run.resources.map((r) => [r.urn, r]));

describe("the platform: suspend and resume a user", function () {
    this.timeout(120000);
    let before_: ProgramRun;
    let suspended: ProgramRun;
    let resumed: ProgramRun;
    before(async () => {
        before_ = await runIndex(devWithBob(undefined));
        suspended = await runIndex(devWithBob(true));
        resumed = await runIndex(devWithBob(false));
        for (const r of [before_, suspended, resumed]) if (r.error) throw r.error;
    });

    it("scales the suspended user's TorchPod to zero and leaves the others running", () => {
        assert.equal(k8s(suspended, DEPLOYMENT, "torchpod-bob").spec.replicas, 0);
        assert.equal(k8s(suspended, DEPLOYMENT, "torchpod-alice").spec.replicas, 1);
        assert.equal(k8s(before_, DEPLOYMENT, "torchpod-bob").spec.replicas, 1);
    });

    it("keeps every resource (same URNs) and changes no input but that Deployment's replicas", () => {
        const a = byUrn(before_);
        const b = byUrn(suspended);
        assert.deepEqual([...b.keys()].sort(), [...a.keys()].sort(), "no resource added, removed or renamed");
        const changed = [...a.keys()].filter((urn) => JSON.stringify(a.get(urn)!.inputs) !== JSON.stringify(b.get(urn)!.inputs));
        assert.deepEqual(
            changed.map((urn) => b.get(urn)!.name),
            ["bob-deployment"],
        );
        const bob = b.get(changed[0])!;
        assert.deepEqual(
            { ...bob.inputs, spec: { ...bob.inputs.spec, replicas: 1 } },
            a.get(changed[0])!.inputs,
            "only spec.replicas differs",
        );
    });

    it("keeps the user's password resource, home volume, Secret, Service and MLab account", () => {
        const names = (run: ProgramRun) => run.resources.filter((r) => r.name.includes("bob")).map((r) => `${r.type} ${r.name}`);
        for (const kept of [
            "random:index/randomPassword:RandomPassword bob-password",
            "kubernetes:core/v1:PersistentVolumeClaim home-bob",
            "kubernetes:core/v1:Secret bob-credentials",
            "kubernetes:core/v1:Service bob-service",
            "random:index/randomPassword:RandomPassword mlab-user-bob-password",
        ])
            assert.ok(names(suspended).includes(kept), `${kept} missing while suspended: ${names(suspended).join(", ")}`);
        assert.ok(Object.keys((suspended.exports as any).mlabPasswords.secret).includes("bob"), "MLab account kept");
    });

    it("restores the user unchanged on resume: the same resources with the same inputs as before the suspension", () => {
        const a = byUrn(before_);
        const c = byUrn(resumed);
        assert.deepEqual([...c.keys()].sort(), [...a.keys()].sort());
        for (const [urn, r] of a) assert.deepEqual(c.get(urn)!.inputs, r.inputs, urn);
    });

    it("frees the suspended user's GPUs from the quota", async () => {
        // alice 1 + bob 2 GPUs: a quota of 1 fits only while bob is suspended.
        const fits = await runIndex(devWithBob(true, { quota: 1 }));
        assert.equal(fits.error, undefined, String(fits.error));
        assert.deepEqual(fits.resources.find((r) => r.type === "kubernetes:core/v1:ResourceQuota")!.inputs.spec.hard, {
            "requests.nvidia.com/gpu": "1",
        });
        const over = await runIndex(devWithBob(false, { quota: 1 }));
        assert.ok(over.error instanceof StackConfigError);
        assert.deepEqual(over.error.problems, [
            "torchpod:gpu.quota: got 1, expected at least 3, the GPUs the users ask for together (or no quota)",
        ]);
        assert.equal(over.resources.length, 0);
    });

    it("says who is suspended in the outputs, in the user's endpoints and in GPUs by kind", () => {
        const e = suspended.exports as any;
        assert.deepEqual(e.suspended, ["bob"]);
        assert.equal(e.endpoints.bob.suspended, true);
        assert.equal(e.endpoints.alice.suspended, undefined);
        assert.deepEqual(
            Object.keys(e.endpoints.bob).sort(),
            ["browser", "rdp", "suspended"],
            "the addresses stay: they answer again on resume",
        );
        assert.deepEqual(e.gpus, { "nvidia.com/gpu": { running: 1, suspended: 2, quota: 4 } });
        assert.deepEqual((before_.exports as any).suspended, []);
    });

    it("refuses a suspended value that is not true or false, and registers nothing", async () => {
        const run = await runIndex(devWithBob("yes" as any));
        assert.ok(run.error instanceof StackConfigError);
        assert.deepEqual(run.error.problems, ['torchpod:users[1].suspended: got "yes", expected true or false']);
        assert.equal(run.resources.length, 0);
    });
});
