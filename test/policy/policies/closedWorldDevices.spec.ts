// closed-world-devices: the clean red-team baseline, one change per test.
import * as assert from "assert";
import * as path from "path";
import { K8sObject, loadManifests } from "@torchpod/netpol";
import { closedWorldDevices } from "../../../policy/policies/closedWorldDevices";
import { UNKNOWN_STRING } from "../../../policy/support/unknowns";
import { manifestsToResources } from "../../../tools/pack/manifestResources";
import { packConfigFor } from "../../../tools/render/render";
import { parseStackConfig } from "../../../stacks/parse";
import { devStackConfig, rawConfig } from "../../mocks";
import { runStackPolicy } from "../policyArgs";

const CLEAN = path.resolve(__dirname, "../../redteam/cases/clean/manifests");

/** The clean baseline with `change` applied to alice's TorchPod Deployment (and `extra` objects). */
async function judge(change: (pod: any) => void, config: Record<string, unknown> = {}, extra: K8sObject[] = []) {
    const objects = loadManifests([CLEAN]).map((o) => JSON.parse(JSON.stringify(o)));
    const alice = objects.find((o: any) => o.kind === "Deployment" && o.metadata.name === "torchpod-alice");
    change(alice.spec.template.spec);
    return runStackPolicy(closedWorldDevices, manifestsToResources([...objects, ...extra]), { config });
}

describe("closed-world-devices", () => {
    it("passes the clean baseline (cpu, memory, nvidia.com/gpu, the default runtime)", async () => {
        const out = await judge(() => {});
        assert.deepStrictEqual(out.violations, []);
    });

    it("refuses a RuntimeClass the config has not reviewed; reviewing it lets it through", async () => {
        const set = (s: any) => (s.runtimeClassName = "kata");
        const [v, ...rest] = (await judge(set)).violations;
        assert.strictEqual(rest.length, 0);
        assert.match(
            v.message,
            /Deployment torchpod\/torchpod-alice \(TorchPod\) runs under RuntimeClass "kata".*reviewedRuntimeClasses: \["kata"\]/,
        );
        assert.deepStrictEqual((await judge(set, { reviewedRuntimeClasses: ["kata"] })).violations, []);
    });

    it("refuses a device the config does not name, in an init container too; naming it lets it through", async () => {
        const set = (s: any) =>
            (s.initContainers = [{ name: "nic", image: "busybox:1.36", resources: { limits: { "openshift.io/sriov": 1 } } }]);
        const [v] = (await judge(set)).violations;
        assert.match(
            v.message,
            /container nic requests openshift\.io\/sriov, a device the pack does not know.*deviceResources: \["openshift\.io\/sriov"\]/,
        );
        assert.deepStrictEqual((await judge(set, { deviceResources: ["nvidia.com/gpu", "openshift.io/sriov"] })).violations, []);
    });

    it("judges a pod that mounts a home claim as a TorchPod whatever its labels", async () => {
        const thief: K8sObject = {
            apiVersion: "v1",
            kind: "Pod",
            metadata: { name: "copy", namespace: "torchpod" },
            spec: {
                runtimeClassName: "hostnet-sandbox",
                containers: [{ name: "c", image: "busybox:1.36" }],
                volumes: [{ name: "h", persistentVolumeClaim: { claimName: "home-alice" } }],
            },
        } as never;
        const [v] = (await judge(() => {}, {}, [thief])).violations;
        assert.match(v.message, /Pod torchpod\/copy \(TorchPod \(judged by data.*runs under RuntimeClass "hostnet-sandbox"/);
    });

    it("leaves other pods alone: a CI runner elsewhere may use any runtime", async () => {
        const ci: K8sObject = {
            apiVersion: "v1",
            kind: "Pod",
            metadata: { name: "runner", namespace: "ci" },
            spec: {
                runtimeClassName: "gvisor",
                containers: [{ name: "c", image: "busybox:1.36", resources: { limits: { "example.com/fpga": 1 } } }],
            },
        } as never;
        assert.deepStrictEqual((await judge(() => {}, {}, [ci])).violations, []);
    });

    it("cannot judge a runtimeClassName unknown during preview: advisory, not a pass", async () => {
        const out = await judge((s: any) => (s.runtimeClassName = UNKNOWN_STRING));
        assert.deepStrictEqual(out.violations, []);
        assert.ok(out.unknown);
    });

    it("render hands the pack the stack's GPU kinds: the default kind, each user's and the quota's", () => {
        const cfg = packConfigFor(
            parseStackConfig(
                {
                    ...devStackConfig(),
                    ...rawConfig({
                        users: [
                            { name: "alice", gpus: 1 },
                            { name: "bob", gpus: 1, gpuResource: "nvidia.com/mig-1g.10gb" },
                        ],
                        gpu: { quota: { "nvidia.com/gpu": 4, "nvidia.com/mig-1g.10gb": 2, "amd.com/gpu": 1 } },
                    }),
                },
                "dev",
            ),
        ) as Record<string, Record<string, unknown>>;
        assert.deepStrictEqual(cfg["closed-world-devices"].deviceResources, ["amd.com/gpu", "nvidia.com/gpu", "nvidia.com/mig-1g.10gb"]);
    });
});
