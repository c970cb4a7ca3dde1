// custom-resource-workloads, and custom resources' pods through every pod policy: the clean red-team
// baseline plus one custom resource per test.
import * as assert from "assert";
import * as path from "path";
import { loadManifests } from "@torchpod/netpol";
import { policies } from "../../../policy/policies";
import { customResourceWorkloads } from "../../../policy/policies/customResourceWorkloads";
import { expandPackConfig } from "../../../policy/support/configFile";
import { manifestsToResources } from "../../../tools/pack/manifestResources";
import { runPackInProcess, runResourcePolicy } from "../policyArgs";

const CLEAN = path.resolve(__dirname, "../../redteam/cases/clean/manifests");

const workflow = (namespace: string, spec: Record<string, unknown>) => ({
    apiVersion: "argoproj.io/v1alpha1",
    kind: "Workflow",
    metadata: { name: "train", namespace },
    spec,
});

async function pack(objects: any[], config: Record<string, unknown> = {}) {
    const rs = [...manifestsToResources(loadManifests([CLEAN])), ...manifestsToResources(objects as never)];
    const all = {
        // The clean baseline's office network, as render writes it to policy-config.json.
        officeCidrs: ["192.168.10.0/24"],
        reviewedResourceTypes: ["argoproj.io/v1alpha1/Workflow", "tekton.dev/v1/Task", "logging.example.com/v1/Shipper"],
        ...config,
    };
    return runPackInProcess(policies, rs, expandPackConfig({ all }, policies) as never);
}

async function policy(object: any, config: Record<string, unknown> = {}) {
    const [r] = manifestsToResources([object] as never);
    const out = await runResourcePolicy(customResourceWorkloads, r, { config });
    return out;
}

describe("custom-resource-workloads", () => {
    it("passes a reviewed Argo Workflow whose template runs a sound container outside the TorchPod namespace", async () => {
        const wf = workflow("ci", {
            automountServiceAccountToken: false,
            templates: [{ name: "main", container: { image: "python:3.12", command: ["python", "-c", "print(1)"] } }],
        });
        assert.deepStrictEqual(await pack([wf]), []);
    });

    it("judges a workflow template that mounts a home claim (through the workflow's volumes) as a TorchPod", async () => {
        const wf = workflow("torchpod", {
            volumes: [{ name: "home", persistentVolumeClaim: { claimName: "home-alice" } }],
            templates: [{ name: "main", container: { image: "python:3.12", volumeMounts: [{ name: "home", mountPath: "/data" }] } }],
        });
        const got = await pack([wf]);
        const text = got.map((v) => `${v.policyName}: ${v.message}`).join("\n");
        assert.match(text, /torchpod-egress-only-to-mlab: TorchPod torchpod\/train \(Workflow, judged a TorchPod by the data it mounts\)/);
        assert.match(text, /torchpod-no-service-account-token: TorchPod mounts a service-account token/);
    });

    it("refuses a privileged Tekton step through the pod policies", async () => {
        const task = {
            apiVersion: "tekton.dev/v1",
            kind: "Task",
            metadata: { name: "build", namespace: "ci" },
            spec: { steps: [{ name: "build", image: "docker:27.0", securityContext: { privileged: true } }] },
        };
        const got = await pack([task]);
        assert.ok(
            got.some((v) => v.policyName === "no-privileged-or-dangerous-capabilities" && v.message.includes("privileged")),
            got.map((v) => `${v.policyName}: ${v.message}`).join("\n"),
        );
    });

    it("refuses a container list it cannot read", async () => {
        const out = await policy(workflow("ci", { templates: [{ name: "main", containers: "python:3.12" }] }));
        assert.match(
            out.violations[0].message,
            /Workflow ci\/train \(argoproj\.io\/v1alpha1\): spec\.templates\.0\.containers: containers is string, not a list of containers: a pod spec the pack cannot read/,
        );
    });

    it("refuses a manifest inside a string (a workflow's resource template)", async () => {
        const manifest = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: relay\nspec:\n  hostNetwork: true\n";
        const out = await policy(workflow("ci", { templates: [{ name: "make", resource: { action: "create", manifest } }] }));
        assert.match(out.violations[0].message, /spec\.templates\.0\.resource\.manifest holds a Kubernetes manifest in a string/);
    });

    it("refuses a hostPath field outside any pod spec unless the object is reviewed", async () => {
        const shipper = {
            apiVersion: "logging.example.com/v1",
            kind: "Shipper",
            metadata: { name: "logs", namespace: "ops" },
            spec: { hostPath: { path: "/var/log" } },
        };
        const out = await policy(shipper);
        assert.match(
            out.violations[0].message,
            /Shipper ops\/logs \(logging\.example\.com\/v1\): spec\.hostPath is a hostPath \(\/var\/log\).*config reviewedHostPaths: \["logging\.example\.com\/v1\/Shipper ops\/logs"\]/,
        );
        assert.deepStrictEqual((await policy(shipper, { reviewedHostPaths: ["logging.example.com/v1/Shipper ops/logs"] })).violations, []);
    });

    it("leaves a hostPath volume of a pod spec to no-hostpath-volumes, which has no switch", async () => {
        const wf = workflow("ci", {
            automountServiceAccountToken: false,
            volumes: [{ name: "node", hostPath: { path: "/etc/ssl" } }],
            templates: [{ name: "main", container: { image: "python:3.12", volumeMounts: [{ name: "node", mountPath: "/host" }] } }],
        });
        const got = await pack([wf], { reviewedHostPaths: ["argoproj.io/v1alpha1/Workflow ci/train"] });
        assert.deepStrictEqual([...new Set(got.map((v) => v.policyName))], ["no-hostpath-volumes"], got.map((v) => v.message).join("\n"));
    });
});

describe("pod specs in custom resources", () => {
    it("takes a workflow's pod-level settings into its templates' pods (hostNetwork set once for all)", async () => {
        const wf = workflow("ci", {
            automountServiceAccountToken: false,
            hostNetwork: true,
            templates: [{ name: "main", container: { image: "python:3.12" } }],
        });
        const got = await pack([wf]);
        assert.ok(
            got.some((v) => v.policyName === "no-host-namespaces" && /hostNetwork/.test(v.message)),
            got.map((v) => `${v.policyName}: ${v.message}`).join("\n"),
        );
    });
});
