// admission-changes-reviewed: the clean red-team baseline, one change per test.
import * as assert from "assert";
import * as path from "path";
import { loadManifests } from "@torchpod/netpol";
import { admissionChangesReviewed } from "../../../policy/policies/admissionChangesReviewed";
import { manifestsToResources } from "../../../tools/pack/manifestResources";
import { runStackPolicy, TestResource } from "../policyArgs";

const CLEAN = path.resolve(__dirname, "../../redteam/cases/clean/manifests");
const ADM = "admissionregistration.k8s.io/v1";

const podRule = (scope = "Namespaced") => ({ apiGroups: [""], apiVersions: ["v1"], operations: ["CREATE"], resources: ["pods"], scope });
export const mutatingWebhook = (name: string, hook: Record<string, unknown> = {}) => ({
    apiVersion: ADM,
    kind: "MutatingWebhookConfiguration",
    metadata: { name },
    webhooks: [
        {
            name: `${name}.example.com`,
            clientConfig: { service: { name: "injector", namespace: "tools", path: "/mutate" } },
            rules: [podRule()],
            sideEffects: "None",
            admissionReviewVersions: ["v1"],
            ...hook,
        },
    ],
});
export const awayFromTorchPods = {
    namespaceSelector: {
        matchExpressions: [
            { key: "kubernetes.io/metadata.name", operator: "NotIn", values: ["torchpod", "mlab", "airlock", "kube-system"] },
        ],
    },
};

async function judge(objects: any[], config: Record<string, unknown> = {}, extra: TestResource[] = []) {
    const rs = [...manifestsToResources(loadManifests([CLEAN])), ...manifestsToResources(objects as never), ...extra];
    const out = await runStackPolicy(admissionChangesReviewed, rs, { config });
    assert.strictEqual(out.unknown, undefined);
    return out.violations.map((v) => v.message);
}

const patch = (type: string, namespace: string | undefined, name: string, rest: Record<string, unknown> = {}): TestResource => ({
    type,
    name,
    props: { metadata: { name, ...(namespace ? { namespace } : {}) }, ...rest },
});

describe("admission-changes-reviewed", () => {
    it("passes the clean baseline", async () => {
        assert.deepStrictEqual(await judge([]), []);
    });

    it("refuses a mutating webhook on every namespace's pods, naming reviewedMutations; listing it lets it through", async () => {
        const [m] = await judge([mutatingWebhook("sidecar")]);
        assert.match(
            m,
            /MutatingWebhookConfiguration sidecar changes objects as they are admitted.*torchpod \(a TorchPod namespace\).*webhook sidecar\.example\.com: its namespaceSelector does not exclude/,
        );
        assert.match(m, /config reviewedMutations: \["admissionregistration\.k8s\.io\/v1\/MutatingWebhookConfiguration sidecar"\]/);
        assert.deepStrictEqual(
            await judge([mutatingWebhook("sidecar")], {
                reviewedMutations: ["admissionregistration.k8s.io/v1/MutatingWebhookConfiguration sidecar"],
            }),
            [],
        );
    });

    it("passes a webhook scoped away from the TorchPod, MLab and Airlock namespaces by name, on namespaced objects", async () => {
        assert.deepStrictEqual(await judge([mutatingWebhook("sidecar", awayFromTorchPods)]), []);
    });

    it("refuses a webhook that reaches the Airlock's own namespace (the airlock share, the audit writer beside it)", async () => {
        const intoAirlock = {
            namespaceSelector: {
                matchExpressions: [{ key: "kubernetes.io/metadata.name", operator: "NotIn", values: ["torchpod", "mlab", "kube-system"] }],
            },
        };
        const [m, ...rest] = await judge([mutatingWebhook("sidecar", intoAirlock)]);
        assert.strictEqual(rest.length, 0);
        assert.match(
            m,
            /can reach .*airlock \(the Airlock's namespace: the airlock share and the audit log\).*does not exclude .*airlock by kubernetes\.io\/metadata\.name/,
        );
    });

    it("refuses the same webhook when its rules also reach cluster-scoped objects", async () => {
        const [m] = await judge([mutatingWebhook("sidecar", { ...awayFromTorchPods, rules: [podRule("*")] })]);
        assert.match(m, /rules also reach cluster-scoped objects/);
    });

    it("does not take a namespace label other than the name as proof", async () => {
        const [m] = await judge([mutatingWebhook("sidecar", { namespaceSelector: { matchLabels: { "sidecar-injection": "enabled" } } })]);
        assert.match(m, /does not exclude torchpod, mlab/);
    });

    it("refuses a validating webhook that receives the Secrets of the TorchPod namespace", async () => {
        const hook = mutatingWebhook("audit", {
            rules: [{ apiGroups: [""], apiVersions: ["v1"], operations: ["*"], resources: ["secrets"], scope: "Namespaced" }],
        });
        hook.kind = "ValidatingWebhookConfiguration";
        const [m] = await judge([hook]);
        assert.match(m, /ValidatingWebhookConfiguration audit receives every object it matches, Secrets included/);
    });

    it("passes a webhook whose object selector matches nothing of the stack in those namespaces, refuses one that matches a TorchPod", async () => {
        assert.deepStrictEqual(
            await judge([mutatingWebhook("opt-in", { objectSelector: { matchLabels: { "inject.example.com": "true" } } })]),
            [],
        );
        const [m] = await judge([
            mutatingWebhook("tp", { objectSelector: { matchLabels: { "app.kubernetes.io/component": "torchpod" } } }),
        ]);
        assert.match(m, /its objectSelector matches objects there/);
    });

    it("refuses an unscoped mutating admission policy, and passes its binding only when scoped away", async () => {
        const policy = {
            apiVersion: "admissionregistration.k8s.io/v1beta1",
            kind: "MutatingAdmissionPolicy",
            metadata: { name: "add-env" },
            spec: {
                matchConstraints: {
                    resourceRules: [{ apiGroups: [""], apiVersions: ["v1"], operations: ["CREATE"], resources: ["pods"] }],
                },
            },
        };
        const binding = (matchResources?: unknown) => ({
            apiVersion: "admissionregistration.k8s.io/v1beta1",
            kind: "MutatingAdmissionPolicyBinding",
            metadata: { name: "add-env" },
            spec: { policyName: "add-env", ...(matchResources ? { matchResources } : {}) },
        });
        const got = await judge([policy, binding()]);
        assert.strictEqual(got.length, 2, got.join("\n"));
        assert.match(got[0], /MutatingAdmissionPolicy add-env changes objects/);
        assert.match(got[1], /MutatingAdmissionPolicyBinding add-env turns on MutatingAdmissionPolicy add-env/);
        const scoped = {
            ...awayFromTorchPods,
            resourceRules: [{ apiGroups: [""], apiVersions: ["v1"], operations: ["CREATE"], resources: ["pods"], scope: "Namespaced" }],
        };
        const got2 = await judge([policy, binding(scoped)]);
        assert.strictEqual(got2.length, 1, got2.join("\n"));
        assert.match(got2[0], /^MutatingAdmissionPolicy add-env/);
    });

    it("refuses a patch of a Deployment the stack declares, even when listed", async () => {
        const p = patch("kubernetes:apps/v1:DeploymentPatch", "torchpod", "torchpod-alice", {
            spec: { template: { spec: { hostNetwork: true } } },
        });
        const [m] = await judge([], { reviewedMutations: ["apps/v1/DeploymentPatch torchpod/torchpod-alice"] }, [p]);
        assert.match(
            m,
            /DeploymentPatch torchpod\/torchpod-alice patches Deployment torchpod\/torchpod-alice, which the stack itself declares.*no switch/,
        );
    });

    it("refuses a patch of an object it has not seen in the TorchPod namespace unless reviewed", async () => {
        const p = patch("kubernetes:core/v1:ConfigMapPatch", "torchpod", "browser-proxy-extra", { data: { Caddyfile: "x" } });
        const [m] = await judge([], {}, [p]);
        assert.match(
            m,
            /ConfigMapPatch torchpod\/browser-proxy-extra changes an object the pack has not seen in torchpod .*reviewedMutations: \["v1\/ConfigMapPatch torchpod\/browser-proxy-extra"\]/,
        );
        assert.deepStrictEqual(await judge([], { reviewedMutations: ["v1/ConfigMapPatch torchpod/browser-proxy-extra"] }, [p]), []);
    });

    it("refuses a cluster-scoped patch (a Namespace's Pod Security label), passes a patch in another namespace", async () => {
        const [m] = await judge([], {}, [
            patch("kubernetes:core/v1:NamespacePatch", undefined, "research", { metadata: { name: "research", labels: { x: "y" } } }),
        ]);
        assert.match(m, /NamespacePatch research changes an object the pack has not seen \(cluster-scoped/);
        assert.deepStrictEqual(await judge([], {}, [patch("kubernetes:apps/v1:DeploymentPatch", "tools", "ci")]), []);
    });
});
