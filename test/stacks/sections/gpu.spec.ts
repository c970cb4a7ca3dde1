// GPU kinds and MIG slices per user: each user's extended resource and placement, and gpu.quota as a
// count (of gpu.resourceName, as before) or a map with one entry per kind.
import { strict as assert } from "assert";
import { parseStackConfig, StackConfigError } from "../../../stacks/parse";
import { rawConfig } from "../../mocks";

const office = ["192.0.2.0/24"];

function problemsOf(values: Record<string, unknown>): string[] {
    try {
        parseStackConfig(rawConfig({ officeCidrs: office, ...values }), "t");
    } catch (e) {
        assert.ok(e instanceof StackConfigError, String(e));
        return [...e.problems];
    }
    assert.fail("expected the config to be refused");
}
const parse = (values: Record<string, unknown>) => parseStackConfig(rawConfig({ officeCidrs: office, ...values }), "t");

describe("stack config: GPU kinds and MIG slices per user", () => {
    it("gives each user gpu.resourceName and gpu.nodeSelector unless they name their own kind and placement", () => {
        const config = parse({
            users: [
                { name: "alice", gpus: 1 },
                { name: "bob", gpus: 2, gpuResource: "nvidia.com/mig-1g.10gb", gpuNodeSelector: { "nvidia.com/gpu.product": "A100" } },
            ],
            gpu: { nodeSelector: { pool: "gpu", "nvidia.com/gpu.product": "L4" } },
        });
        assert.equal(config.users[0].gpuResource, "nvidia.com/gpu");
        assert.deepEqual(config.users[0].gpuNodeSelector, { pool: "gpu", "nvidia.com/gpu.product": "L4" });
        assert.equal(config.users[1].gpuResource, "nvidia.com/mig-1g.10gb");
        assert.deepEqual(
            config.users[1].gpuNodeSelector,
            { pool: "gpu", "nvidia.com/gpu.product": "A100" },
            "merged over, the user's value wins",
        );
    });

    it("refuses a kind that is not an extended resource name (domain/name, outside kubernetes.io), naming the user's key", () => {
        for (const bad of ["gpu", "nvidia.com/", "/gpu", "Nvidia.com/gpu", "nvidia.com/gpu/x", "nvidia.com/g pu"]) {
            const problems = problemsOf({ users: [{ name: "alice", gpus: 1, gpuResource: bad }] });
            assert.deepEqual(problems, [
                `torchpod:users[0].gpuResource: got ${JSON.stringify(bad)}, expected an extended resource name with a domain, like "nvidia.com/gpu" or "nvidia.com/mig-1g.10gb"`,
            ]);
        }
        assert.deepEqual(problemsOf({ users: [{ name: "alice", gpus: 1, gpuResource: "kubernetes.io/gpu" }] }), [
            'torchpod:users[0].gpuResource: got "kubernetes.io/gpu", expected an extended resource name outside the kubernetes.io domain (that domain names Kubernetes\' own resources), like "nvidia.com/gpu" or "nvidia.com/mig-1g.10gb"',
        ]);
        assert.match(
            problemsOf({ users: [{ name: "alice" }], gpu: { resourceName: "gpu" } })[0],
            /^torchpod:gpu\.resourceName: got "gpu", expected an extended resource name/,
        );
    });

    it("refuses a user's node selector that is not a map of labels", () => {
        assert.deepEqual(problemsOf({ users: [{ name: "alice", gpus: 1, gpuNodeSelector: ["a100"] }] }), [
            'torchpod:users[0].gpuNodeSelector: got ["a100"], expected a map of label keys to values',
        ]);
    });

    it("reads a count quota as the quota of gpu.resourceName, as before", () => {
        assert.deepEqual(parse({ users: [{ name: "alice", gpus: 1 }], gpu: { quota: 4 } }).gpu.quota, { "nvidia.com/gpu": 4 });
        assert.deepEqual(
            parse({ users: [{ name: "alice", gpus: 1, gpuResource: "amd.com/gpu" }], gpu: { resourceName: "amd.com/gpu", quota: "2" } }).gpu
                .quota,
            {
                "amd.com/gpu": 2,
            },
        );
    });

    it("reads a map quota with one entry per kind", () => {
        const config = parse({
            users: [
                { name: "alice", gpus: 1 },
                { name: "bob", gpus: 3, gpuResource: "nvidia.com/mig-1g.10gb" },
            ],
            gpu: { quota: { "nvidia.com/gpu": 2, "nvidia.com/mig-1g.10gb": "7" } },
        });
        assert.deepEqual(config.gpu.quota, { "nvidia.com/gpu": 2, "nvidia.com/mig-1g.10gb": 7 });
    });

    it("refuses, one line per kind, users who together ask for more of a kind than its quota", () => {
        const problems = problemsOf({
            users: [
                { name: "alice", gpus: 2 },
                { name: "bob", gpus: 2 },
                { name: "carol", gpus: 5, gpuResource: "nvidia.com/mig-1g.10gb" },
                { name: "dave", gpus: 3, gpuResource: "nvidia.com/mig-1g.10gb" },
                { name: "erin", gpus: 1, gpuResource: "amd.com/gpu" },
            ],
            gpu: { quota: { "nvidia.com/gpu": 3, "nvidia.com/mig-1g.10gb": 7, "amd.com/gpu": 1 } },
        });
        assert.deepEqual(problems, [
            "torchpod:gpu.quota.nvidia.com/gpu: got 3, expected at least 4, the nvidia.com/gpu the users who are not suspended ask for together",
            "torchpod:gpu.quota.nvidia.com/mig-1g.10gb: got 7, expected at least 8, the nvidia.com/mig-1g.10gb the users who are not suspended ask for together",
        ]);
    });

    it("keeps the count quota's message for gpu.resourceName", () => {
        assert.deepEqual(
            problemsOf({
                users: [
                    { name: "alice", gpus: 2 },
                    { name: "bob", gpus: 2 },
                ],
                gpu: { quota: 3 },
            }),
            ["torchpod:gpu.quota: got 3, expected at least 4, the GPUs the users ask for together (or no quota)"],
        );
    });

    it("refuses a user whose kind a map quota has no entry for: that kind would be unbounded", () => {
        assert.deepEqual(
            problemsOf({
                users: [
                    { name: "alice", gpus: 1 },
                    { name: "bob", gpus: 1, gpuResource: "amd.com/gpu" },
                    { name: "carol", gpus: 2, gpuResource: "amd.com/gpu" },
                    { name: "dave", gpus: 0, gpuResource: "intel.com/gpu" },
                ],
                gpu: { quota: { "nvidia.com/gpu": 1 } },
            }),
            [
                'torchpod:gpu.quota: got {"nvidia.com/gpu":1}, expected an entry for amd.com/gpu, which torchpod:users[1], torchpod:users[2] ask for (a kind without one would be unbounded; give gpu.quota as a map from resource name to count)',
            ],
            "a user with no GPU asks for no kind",
        );
    });

    it("refuses, with a count quota, a user of another kind than gpu.resourceName (the count bounds only that kind)", () => {
        assert.deepEqual(problemsOf({ users: [{ name: "alice", gpus: 1, gpuResource: "amd.com/gpu" }], gpu: { quota: 4 } }), [
            "torchpod:gpu.quota: got 4, expected an entry for amd.com/gpu, which torchpod:users[0] asks for (a count bounds only nvidia.com/gpu: a kind without one would be unbounded; give gpu.quota as a map from resource name to count)",
        ]);
    });

    it("refuses quota entries that are not extended resource names or whole counts, one line each", () => {
        assert.deepEqual(problemsOf({ users: [{ name: "alice" }], gpu: { quota: { gpu: 1, "nvidia.com/gpu": 1.5, "amd.com/gpu": -2 } } }), [
            'torchpod:gpu.quota.gpu: got "gpu", expected an extended resource name with a domain, like "nvidia.com/gpu" or "nvidia.com/mig-1g.10gb"',
            "torchpod:gpu.quota.nvidia.com/gpu: got 1.5, expected an integer >= 0",
            "torchpod:gpu.quota.amd.com/gpu: got -2, expected an integer >= 0",
        ]);
        assert.deepEqual(problemsOf({ users: [{ name: "alice" }], gpu: { quota: "many" } }), [
            'torchpod:gpu.quota: got "many", expected an integer >= 0',
        ]);
    });

    it("reports a malformed quota once, not again as too small for the users who ask for that kind", () => {
        assert.deepEqual(problemsOf({ users: [{ name: "alice", gpus: 1 }], gpu: { quota: "many" } }), [
            'torchpod:gpu.quota: got "many", expected an integer >= 0',
        ]);
        assert.deepEqual(problemsOf({ users: [{ name: "alice", gpus: 1, gpuResource: "amd.com/gpu" }], gpu: { quota: [2] } }), [
            "torchpod:gpu.quota: got [2], expected an integer >= 0",
        ]);
        assert.deepEqual(
            problemsOf({
                users: [
                    { name: "alice", gpus: 1 },
                    { name: "bob", gpus: 3, gpuResource: "amd.com/gpu" },
                ],
                gpu: { quota: { "nvidia.com/gpu": 1.5, "amd.com/gpu": 2 } },
            }),
            [
                "torchpod:gpu.quota.nvidia.com/gpu: got 1.5, expected an integer >= 0",
                "torchpod:gpu.quota.amd.com/gpu: got 2, expected at least 3, the amd.com/gpu the users who are not suspended ask for together",
            ],
        );
    });
});
