// known-resource-types: one clean fixture (the dev stack as the engine registers it, every provider),
// one change per test.
import * as assert from "assert";
import { knownResourceTypes, policies } from "../../../policy/policies";
import { knownResourceTypesPolicy } from "../../../policy/policies/knownResourceTypes";
import { packConfigProblems } from "../../../policy/support/configFile";
import { resolveConfig } from "../../../policy/support/packConfig";
import { EXPOSURE_POLICY } from "../../../policy/support/resourceTypes";
import { UNKNOWN_STRING } from "../../../policy/support/unknowns";
import { devStackConfig, runIndex } from "../../mocks";
import { packConfigFor } from "../../../tools/render/render";
import { parseStackConfig } from "../../../stacks/parse";
import { runPackInProcess, runStackPolicy, TestResource } from "../policyArgs";

/** The dev stack as `pulumi preview` shows it to the pack: the stack, providers, components, random values, objects. */
async function devStack(): Promise<TestResource[]> {
    const run = await runIndex(devStackConfig());
    return [
        { type: "pulumi:pulumi:Stack", name: "torchpod-dev", props: {} },
        ...run.resources.map((r) => ({ type: r.type, name: r.name, urn: r.urn, props: r.inputs ?? {} })),
    ];
}

const k8s = (apiVersion: string, kind: string, name: string, extra: Record<string, unknown> = {}): TestResource => {
    const slash = apiVersion.indexOf("/");
    const token = `kubernetes:${slash < 0 ? `core/${apiVersion}` : `${apiVersion.slice(0, slash)}/${apiVersion.slice(slash + 1)}`}:${kind}`;
    return { type: token, name, props: { apiVersion, kind, metadata: { name, namespace: "torchpod" }, ...extra } };
};

async function judge(added: TestResource[], config: Record<string, unknown> = {}, policy = knownResourceTypes) {
    const out = await runStackPolicy(policy, [...(await devStack()), ...added], { config });
    assert.strictEqual(out.unknown, undefined);
    return out.violations.map((v) => v.message);
}

describe("known-resource-types", function () {
    this.timeout(60000);

    it("passes the dev stack: every type the program registers (stack, providers, components, random values, objects) is in the table", async () => {
        assert.deepStrictEqual(await judge([]), []);
    });

    it("the whole pack passes the dev stack with every registered resource, not only its Kubernetes objects", async () => {
        // With the dev stack's pack config as render writes it: its office networks are what exposure is judged against.
        const config = packConfigFor(parseStackConfig(devStackConfig(), "dev")) as Record<string, Record<string, unknown>>;
        assert.deepStrictEqual(await runPackInProcess(policies, await devStack(), config), []);
    });

    it("refuses a Helm v3 Release, naming the per-object switch; listing that one object lets it through", async () => {
        const release: TestResource = {
            type: "kubernetes:helm.sh/v3:Release",
            name: "relay",
            props: { chart: "socat", namespace: "torchpod" },
        };
        const [m, ...rest] = await judge([release]);
        assert.strictEqual(rest.length, 0);
        assert.match(
            m,
            /^kubernetes:helm\.sh\/v3:Release relay: the pack cannot see what it does .*config reviewedOpaqueResources: \["kubernetes:helm\.sh\/v3:Release relay"\]/,
        );
        assert.deepStrictEqual(await judge([release], { reviewedOpaqueResources: ["kubernetes:helm.sh/v3:Release relay"] }), []);
    });

    it("refuses a local command (kubectl apply at deploy time)", async () => {
        const [m] = await judge([{ type: "command:local:Command", name: "apply", props: { create: "kubectl apply -f relay.yaml" } }]);
        assert.match(m, /command:local:Command apply: the pack cannot see what it does/);
    });

    it("refuses a resource of a provider the table does not know, naming reviewedResourceTypes; reviewing the type lets it through", async () => {
        const r: TestResource = { type: "aws:s3/bucket:Bucket", name: "exports", props: {} };
        const [m] = await judge([r]);
        assert.match(
            m,
            /aws:s3\/bucket:Bucket exports: .*not in its table of resource types \(provider aws\).*config reviewedResourceTypes: \[aws:s3\/bucket:Bucket\]/,
        );
        assert.deepStrictEqual(await judge([r], { reviewedResourceTypes: ["aws:s3/bucket:Bucket"] }), []);
    });

    it("refuses an instance of a custom resource (Karpenter NodePool) by apiVersion/Kind; reviewing that type lets it through", async () => {
        const pool = k8s("karpenter.sh/v1", "NodePool", "gpu", { spec: { template: { spec: { nodeClassRef: { name: "gpu" } } } } });
        const [m] = await judge([pool]);
        assert.match(
            m,
            /NodePool torchpod\/gpu \(karpenter\.sh\/v1\): the pack cannot see what it does.*config reviewedResourceTypes: \[karpenter\.sh\/v1\/NodePool\]/,
        );
        assert.deepStrictEqual(await judge([pool], { reviewedResourceTypes: ["kubernetes:karpenter.sh/v1:NodePool"] }), []);
    });

    it("refuses a node class whose boot script runs on the GPU nodes, a GitOps application and a k3s HelmChart one by one", async () => {
        const got = await judge([
            k8s("karpenter.k8s.aws/v1", "EC2NodeClass", "gpu", { spec: { userData: "#!/bin/sh\ncurl x | sh" } }),
            k8s("argoproj.io/v1alpha1", "Application", "apps", { spec: { destination: { namespace: "torchpod" } } }),
            k8s("helm.cattle.io/v1", "HelmChart", "relay", { spec: { chart: "socat", targetNamespace: "torchpod" } }),
        ]);
        assert.strictEqual(got.length, 3, got.join("\n"));
        assert.match(got[0], /EC2NodeClass gpu .*boot script.*reviewedOpaqueResources: \["karpenter\.k8s\.aws\/v1\/EC2NodeClass gpu"\]/);
        assert.match(got[1], /Application torchpod\/apps .*GitOps.*"argoproj\.io\/v1alpha1\/Application torchpod\/apps"/);
        assert.match(got[2], /HelmChart torchpod\/relay .*k3s/);
    });

    it("refuses a CustomResourceDefinition unless that definition is reviewed", async () => {
        const crd = k8s("apiextensions.k8s.io/v1", "CustomResourceDefinition", "workflows.argoproj.io");
        const [m] = await judge([crd]);
        assert.match(m, /CustomResourceDefinition workflows\.argoproj\.io .*conversion webhook/);
        assert.deepStrictEqual(
            await judge([crd], { reviewedOpaqueResources: ["apiextensions.k8s.io/v1/CustomResourceDefinition workflows.argoproj.io"] }),
            [],
        );
    });

    it("refuses a List item without a kind (it cannot be named, so it is not skipped)", async () => {
        const list = k8s("v1", "List", "bundle", { items: [{ apiVersion: "v1", metadata: { name: "x" } }] });
        const [m] = await judge([list]);
        assert.match(
            m,
            /kubernetes:core\/v1:List bundle \(items\.0\): the pack cannot tell what this object is: a List item without a kind/,
        );
    });

    it("refuses an object whose kind is computed", async () => {
        const r = k8s("v1", "List", "bundle", { items: [{ apiVersion: "v1", kind: UNKNOWN_STRING, metadata: { name: "x" } }] });
        const [m] = await judge([r]);
        assert.match(m, /its kind is computed/);
    });

    it("refuses an object whose kind contradicts its type token", async () => {
        const r = k8s("v1", "ConfigMap", "x");
        (r.props as any).kind = "Pod";
        const [m] = await judge([r]);
        assert.match(m, /it says kind Pod but its type is kubernetes:core\/v1:ConfigMap/);
    });

    it("a custom kind that only shares a built-in kind's name is not that kind", async () => {
        const [m] = await judge([k8s("evil.example.com/v1", "Deployment", "relay")]);
        assert.match(m, /Deployment torchpod\/relay \(evil\.example\.com\/v1\): the pack cannot see what it does/);
    });

    it("refuses a type of the table whose judging policy is not part of the pack (an Ingress without the exposure policy)", async () => {
        const ingress = k8s("networking.k8s.io/v1", "Ingress", "web");
        const without = knownResourceTypesPolicy(() => policies.map((p) => p.name).filter((n) => n !== EXPOSURE_POLICY));
        const [m] = await judge([ingress], {}, without);
        assert.match(m, new RegExp(`Ingress torchpod/web .*judged by ${EXPOSURE_POLICY}, which is not part of this pack`));
        const withIt = knownResourceTypesPolicy(() => [...policies.map((p) => p.name), EXPOSURE_POLICY]);
        assert.deepStrictEqual(await judge([ingress], {}, withIt), []);
    });

    it("refuses a Kubernetes provider whose default namespace is not a name", async () => {
        const [m] = await judge([{ type: "pulumi:providers:kubernetes", name: "odd", props: { namespace: 42 } }]);
        assert.match(m, /pulumi:providers:kubernetes odd: its default namespace is 42/);
    });

    it("refuses an object sent through a Kubernetes provider of another cluster, naming both providers and never a kubeconfig's content", async () => {
        const elsewhere = {
            type: "pulumi:providers:kubernetes",
            name: "elsewhere",
            urn: "urn:pulumi:dev::torchpod::pulumi:providers:kubernetes::elsewhere",
            props: { kubeconfig: "apiVersion: v1\nusers: [{name: ci, user: {token: s3cr3t}}]" },
        };
        const policy = k8s("networking.k8s.io/v1", "NetworkPolicy", "torchpod-lockdown", { spec: { podSelector: {} } });
        const [m, ...rest] = await judge([{ ...policy, provider: elsewhere }]);
        assert.strictEqual(rest.length, 0);
        assert.match(
            m,
            /Kubernetes providers do not provably reach one cluster: pulumi:providers:kubernetes kubernetes \(the ambient kubeconfig\); pulumi:providers:kubernetes elsewhere \(kubeconfig set\)/,
        );
        assert.ok(!m.includes("s3cr3t"), m);
    });

    it("refuses a second Kubernetes provider that only writes its objects to a directory", async () => {
        const [m] = await judge([{ type: "pulumi:providers:kubernetes", name: "files", props: { renderYamlToDirectory: "out/yaml" } }]);
        assert.match(m, /pulumi:providers:kubernetes files \(renderYamlToDirectory "out\/yaml"\)/);
    });

    it("cannot judge providers whose kubeconfig is unknown during preview: advisory, not a pass", async () => {
        const out = await runStackPolicy(
            knownResourceTypes,
            [...(await devStack()), { type: "pulumi:providers:kubernetes", name: "eks", props: { kubeconfig: UNKNOWN_STRING } }],
            {},
        );
        assert.deepStrictEqual(out.violations, []);
        assert.ok(out.unknown, "reported as not verifiable during preview");
    });

    it("passes a second Kubernetes provider with the same kubeconfig and context (another default namespace)", async () => {
        assert.deepStrictEqual(
            await judge([{ type: "pulumi:providers:kubernetes", name: "tools", props: { namespace: "team-tools" } }]),
            [],
        );
    });

    it("leaves a provider of any package alone: its resources are judged by their own types", async () => {
        assert.deepStrictEqual(await judge([{ type: "pulumi:providers:aws", name: "aws", props: { region: "eu-west-1" } }]), []);
    });
});

describe("review switches (config)", () => {
    it("refuses a wildcard in reviewedResourceTypes, naming the entry and the expected form", () => {
        assert.throws(
            () => resolveConfig({ reviewedResourceTypes: ["argoproj.io/*"] }),
            /reviewedResourceTypes\[0\]: got "argoproj\.io\/\*", expected a Pulumi type token/,
        );
    });

    it("refuses a type with a narrower switch in reviewedResourceTypes, naming that switch", () => {
        assert.throws(
            () => resolveConfig({ reviewedResourceTypes: ["kubernetes:helm.sh/v3:Release"] }),
            /review this one with reviewedOpaqueResources/,
        );
        assert.throws(
            () => resolveConfig({ reviewedResourceTypes: ["admissionregistration.k8s.io/v1/MutatingWebhookConfiguration"] }),
            /reviewedMutations/,
        );
        assert.throws(() => resolveConfig({ reviewedResourceTypes: ["cilium.io/v2/CiliumNetworkPolicy"] }), /reviewedPolicyKinds/);
        assert.throws(() => resolveConfig({ reviewedResourceTypes: ["v1/ConfigMap"] }), /already known \(harmless\)/);
    });

    it("refuses anonymous users, every authenticated user and service accounts as admin subjects", () => {
        for (const s of [
            "User:system:anonymous",
            "Group:system:authenticated",
            "Group:system:unauthenticated",
            "Group:system:serviceaccounts:torchpod",
            "User:system:serviceaccount:torchpod:default",
        ])
            assert.throws(() => resolveConfig({ reviewedAdminSubjects: [s] }), /never admin subjects/, s);
        assert.strictEqual(
            resolveConfig({ reviewedAdminSubjects: ["Group:platform-admins"] }).reviewedAdminSubjects[0],
            "Group:platform-admins",
        );
    });
});

describe("review switches in a pack config file (policy-check)", () => {
    it("reports a wildcard type with its policy, key and index", () => {
        const problems = packConfigProblems({ all: { reviewedResourceTypes: ["*"] } }, policies);
        assert.ok(
            problems.some((p) => /^all\.reviewedResourceTypes\[0\]: got "\*", expected a Pulumi type token/.test(p)),
            problems.join("\n"),
        );
    });
});
