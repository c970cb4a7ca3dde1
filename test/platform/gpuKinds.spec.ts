// GPU kinds through the whole program: each TorchPod requests its user's kind on its user's nodes, the
// namespace's quota has one entry per kind, the outputs show GPUs by kind, and a config over a kind's
// quota registers nothing.
import { strict as assert } from "assert";
import { StackConfigError } from "../../stacks/parse";
import { devStackConfig, k8s, ofType, runIndex, ProgramRun } from "../mocks";

const DEPLOYMENT = "kubernetes:apps/v1:Deployment";

function withGpus(users: unknown[], gpu: Record<string, unknown>): Record<string, string> {
    const dev = devStackConfig();
    return {
        ...dev,
        "torchpod:users": JSON.stringify(users),
        "torchpod:gpu": JSON.stringify({ ...JSON.parse(dev["torchpod:gpu"]), ...gpu }),
    };
}

describe("the platform: GPU kinds and MIG slices per user", function () {
    this.timeout(60000);
    let run: ProgramRun;
    before(async () => {
        run = await runIndex(
            withGpus(
                [
                    { name: "alice", gpus: 1 },
                    {
                        name: "bob",
                        gpus: 2,
                        gpuResource: "nvidia.com/mig-1g.10gb",
                        gpuNodeSelector: { "nvidia.com/gpu.product": "A100-SXM4-40GB" },
                    },
                    { name: "carol", gpus: 0 },
                ],
                { nodeSelector: { pool: "gpu" }, quota: { "nvidia.com/gpu": 2, "nvidia.com/mig-1g.10gb": 7 } },
            ),
        );
        if (run.error) throw run.error;
    });

    it("requests and limits each user's own kind, on the nodes their selector merged over gpu.nodeSelector picks", () => {
        const bob = k8s(run, DEPLOYMENT, "torchpod-bob").spec.template.spec;
        const desktop = bob.containers.find((c: any) => c.name === "torchpod");
        assert.deepEqual(desktop.resources.limits["nvidia.com/mig-1g.10gb"], "2");
        assert.deepEqual(desktop.resources.requests["nvidia.com/mig-1g.10gb"], "2");
        assert.equal(desktop.resources.limits["nvidia.com/gpu"], undefined, "no whole GPU besides the slices");
        assert.deepEqual(bob.nodeSelector, { pool: "gpu", "nvidia.com/gpu.product": "A100-SXM4-40GB" });
        const alice = k8s(run, DEPLOYMENT, "torchpod-alice").spec.template.spec;
        assert.equal(alice.containers[0].resources.limits["nvidia.com/gpu"], "1");
        assert.deepEqual(alice.nodeSelector, { pool: "gpu" });
        assert.equal(k8s(run, DEPLOYMENT, "torchpod-carol").spec.template.spec.nodeSelector, undefined, "no GPU, no GPU placement");
    });

    it("bounds every kind in the namespace's one GPU ResourceQuota", () => {
        const quotas = ofType(run, "kubernetes:core/v1:ResourceQuota");
        assert.equal(quotas.length, 1);
        assert.equal(quotas[0].inputs.metadata.name, "gpu-quota");
        assert.deepEqual(quotas[0].inputs.spec.hard, { "requests.nvidia.com/gpu": "2", "requests.nvidia.com/mig-1g.10gb": "7" });
    });

    it("exports GPUs by kind with their quota", () => {
        assert.deepEqual((run.exports as any).gpus, {
            "nvidia.com/gpu": { running: 1, suspended: 0, quota: 2 },
            "nvidia.com/mig-1g.10gb": { running: 2, suspended: 0, quota: 7 },
        });
    });

    it("refuses users over a kind's quota before any resource, one line per kind", async () => {
        const bad = await runIndex(
            withGpus(
                [
                    { name: "alice", gpus: 3 },
                    { name: "bob", gpus: 8, gpuResource: "nvidia.com/mig-1g.10gb" },
                ],
                { quota: { "nvidia.com/gpu": 2, "nvidia.com/mig-1g.10gb": 7 } },
            ),
        );
        assert.ok(bad.error instanceof StackConfigError, String(bad.error));
        assert.deepEqual(
            bad.error.problems.map((p) => p.split(",")[0]),
            ["torchpod:gpu.quota.nvidia.com/gpu: got 2", "torchpod:gpu.quota.nvidia.com/mig-1g.10gb: got 7"],
        );
        assert.equal(bad.resources.length, 0);
    });
});
