import { strict as assert } from "assert";
import { devStackConfig, runIndex } from "../mocks";

describe("the platform's wiring", () => {
    it("builds a large team in turns: the first users' Deployments are registered before the last users' TorchPods exist", async () => {
        const users = Array.from({ length: 60 }, (_, i) => ({ name: `user${String(i).padStart(2, "0")}`, gpus: 0 }));
        const run = await runIndex({ ...devStackConfig(), "torchpod:users": JSON.stringify(users) });
        assert.equal(run.error, undefined);
        const at = (type: string, name: string) => run.resources.findIndex((r) => r.type === type && r.name === name);
        const firstDeployment = at("kubernetes:apps/v1:Deployment", "user00-deployment");
        const lastTorchPod = at("torchpod:index:TorchPod", "user59");
        assert.ok(firstDeployment >= 0 && lastTorchPod >= 0);
        assert.ok(
            firstDeployment < lastTorchPod,
            `user00's Deployment registered at ${firstDeployment}, user59's TorchPod at ${lastTorchPod}`,
        );
        assert.equal(run.resources.filter((r) => r.type === "torchpod:index:TorchPod").length, 60, "every user still gets a TorchPod");
    });
});
