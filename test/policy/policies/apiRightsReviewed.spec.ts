// api-rights-reviewed: the clean red-team baseline, one change per test.
import * as assert from "assert";
import * as path from "path";
import { loadManifests } from "@torchpod/netpol";
import { apiRightsPolicy, apiRightsReviewed } from "../../../policy/policies/apiRightsReviewed";
import { KnownActor } from "../../../policy/support/knownActors";
import { manifestsToResources } from "../../../tools/pack/manifestResources";
import { runStackPolicy, TestResource } from "../policyArgs";

const CLEAN = path.resolve(__dirname, "../../redteam/cases/clean/manifests");
const RBAC = "rbac.authorization.k8s.io/v1";

export function rbacObjects(objects: any[]): TestResource[] {
    return manifestsToResources(objects as never);
}

export const role = (namespace: string, name: string, rules: any[]) => ({
    apiVersion: RBAC,
    kind: "Role",
    metadata: { name, namespace },
    rules,
});
export const clusterRole = (name: string, rules: any[], extra: any = {}) => ({
    apiVersion: RBAC,
    kind: "ClusterRole",
    metadata: { name, ...(extra.labels ? { labels: extra.labels } : {}) },
    rules,
    ...(extra.aggregationRule ? { aggregationRule: extra.aggregationRule } : {}),
});
export const roleBinding = (namespace: string, name: string, roleRef: { kind: string; name: string }, subjects: any[]) => ({
    apiVersion: RBAC,
    kind: "RoleBinding",
    metadata: { name, namespace },
    roleRef: { apiGroup: "rbac.authorization.k8s.io", ...roleRef },
    subjects,
});
export const clusterRoleBinding = (name: string, roleRef: { kind: string; name: string }, subjects: any[]) => ({
    apiVersion: RBAC,
    kind: "ClusterRoleBinding",
    metadata: { name },
    roleRef: { apiGroup: "rbac.authorization.k8s.io", ...roleRef },
    subjects,
});
const bob = { kind: "User", name: "bob@corp.example", apiGroup: "rbac.authorization.k8s.io" };

async function judge(objects: any[], config: Record<string, unknown> = {}, policy = apiRightsReviewed) {
    const rs = [...manifestsToResources(loadManifests([CLEAN])), ...rbacObjects(objects)];
    const out = await runStackPolicy(policy, rs, { config });
    assert.strictEqual(out.unknown, undefined);
    return out.violations.map((v) => v.message);
}

const exec = [{ apiGroups: [""], resources: ["pods/exec"], verbs: ["create", "get"] }];

describe("api-rights-reviewed", () => {
    it("passes the clean baseline (no RBAC at all)", async () => {
        assert.deepStrictEqual(await judge([]), []);
    });

    it("refuses pods/exec in the TorchPod namespace to a person not reviewed, naming reviewedAdminSubjects; reviewing them lets it through", async () => {
        const objs = [role("torchpod", "exec", exec), roleBinding("torchpod", "bob-exec", { kind: "Role", name: "exec" }, [bob])];
        const [m, ...rest] = await judge(objs);
        assert.strictEqual(rest.length, 0);
        assert.match(
            m,
            /RoleBinding torchpod\/bob-exec \(Role exec\) grants User bob@corp\.example create,get pods\/exec in namespace torchpod \(a TorchPod namespace\).*config reviewedAdminSubjects/,
        );
        assert.deepStrictEqual(await judge(objs, { reviewedAdminSubjects: ["User:bob@corp.example"] }), []);
    });

    it("refuses the built-in view role bound to every authenticated user cluster-wide: it reads TorchPods' logs", async () => {
        const [m] = await judge([
            clusterRoleBinding("all-view", { kind: "ClusterRole", name: "view" }, [{ kind: "Group", name: "system:authenticated" }]),
        ]);
        assert.match(m, /grants Group system:authenticated get pods\/log; list pods\/log; watch pods\/log cluster-wide/);
    });

    it("passes read-only rights in another namespace, even the built-in edit role", async () => {
        const objs = [
            role("tools", "reader", [{ apiGroups: [""], resources: ["pods", "services"], verbs: ["get", "list", "watch"] }]),
            roleBinding("tools", "reader", { kind: "Role", name: "reader" }, [{ kind: "ServiceAccount", name: "ci" }]),
            roleBinding("tools", "edit", { kind: "ClusterRole", name: "edit" }, [bob]),
        ];
        assert.deepStrictEqual(await judge(objs), []);
    });

    it("passes read-only rights (no Secrets, no logs) in the TorchPod namespace to a service account", async () => {
        const objs = [
            role("torchpod", "reader", [{ apiGroups: ["", "apps"], resources: ["pods", "deployments"], verbs: ["get", "list", "watch"] }]),
            roleBinding("torchpod", "reader", { kind: "Role", name: "reader" }, [
                { kind: "ServiceAccount", name: "dashboard", namespace: "tools" },
            ]),
        ];
        assert.deepStrictEqual(await judge(objs), []);
    });

    it("refuses Secret reads in MLab's namespace to a service account, whatever reviewedAdminSubjects says", async () => {
        const objs = [
            role("mlab", "secrets", [{ apiGroups: [""], resources: ["secrets"], verbs: ["get"] }]),
            roleBinding("mlab", "secrets", { kind: "Role", name: "secrets" }, [
                { kind: "ServiceAccount", name: "backup", namespace: "tools" },
            ]),
        ];
        const [m] = await judge(objs, { reviewedAdminSubjects: ["User:bob@corp.example"] });
        assert.match(m, /grants ServiceAccount tools\/backup get secrets in namespace mlab \(MLab's namespace\)/);
    });

    it("counts wildcards, escalate, bind and impersonate", async () => {
        const got = await judge([
            role("torchpod", "all", [{ apiGroups: ["*"], resources: ["*"], verbs: ["*"] }]),
            roleBinding("torchpod", "all", { kind: "Role", name: "all" }, [{ kind: "Group", name: "ops" }]),
            clusterRole("imp", [{ apiGroups: [""], resources: ["users"], verbs: ["impersonate"] }]),
            clusterRoleBinding("imp", { kind: "ClusterRole", name: "imp" }, [{ kind: "Group", name: "ops" }]),
        ]);
        assert.strictEqual(got.length, 2, got.join("\n"));
        assert.match(got[0], /Group ops .*\* pods\/exec/);
        assert.match(got[1], /impersonate users cluster-wide/);
    });

    it("refuses creating workloads beside the data, and passes scaling them", async () => {
        const objs = [
            role("torchpod", "deploy", [{ apiGroups: ["apps"], resources: ["deployments"], verbs: ["create"] }]),
            role("torchpod", "scale", [{ apiGroups: ["apps"], resources: ["deployments/scale"], verbs: ["get", "patch", "update"] }]),
            roleBinding("torchpod", "deploy", { kind: "Role", name: "deploy" }, [{ kind: "Group", name: "ops" }]),
            roleBinding("torchpod", "scale", { kind: "Role", name: "scale" }, [{ kind: "Group", name: "ops" }]),
        ];
        const got = await judge(objs);
        assert.strictEqual(got.length, 1, got.join("\n"));
        assert.match(got[0], /RoleBinding torchpod\/deploy .*create deployments \(apps\)/);
    });

    it("refuses a role the pack cannot see: one outside the stack, or one that aggregates others", async () => {
        const got = await judge([
            roleBinding("torchpod", "x", { kind: "ClusterRole", name: "vendor-operator" }, [{ kind: "Group", name: "ops" }]),
            clusterRole("agg", [], { aggregationRule: { clusterRoleSelectors: [{ matchLabels: { "example.com/agg": "true" } }] } }),
            roleBinding("torchpod", "y", { kind: "ClusterRole", name: "agg" }, [{ kind: "Group", name: "ops" }]),
        ]);
        assert.strictEqual(got.length, 2, got.join("\n"));
        assert.match(got[0], /every right \(ClusterRole vendor-operator is not in the stack: the pack cannot see its rules\)/);
        assert.match(got[1], /every right \(ClusterRole agg aggregates the rules of other ClusterRoles/);
    });

    it("refuses a ClusterRole that aggregates Secret reads into the cluster's view role", async () => {
        const [m] = await judge([
            clusterRole("secret-view", [{ apiGroups: [""], resources: ["secrets"], verbs: ["get", "list"] }], {
                labels: { "rbac.authorization.k8s.io/aggregate-to-view": "true" },
            }),
        ]);
        assert.match(m, /ClusterRole secret-view aggregates into the cluster's view role .*get secrets/);
    });

    describe("known actors", () => {
        const scaler: KnownActor = {
            name: "gpu scaler",
            serviceAccount: { namespace: "torchpod-fleet", name: "gpu-scaler" },
            allowedRules: [
                { apiGroups: ["apps"], resources: ["deployments/scale"], verbs: ["get", "patch", "update"] },
                { apiGroups: ["apps"], resources: ["deployments"], verbs: ["get", "list", "watch"] },
            ],
            scope: "torchpod-namespaces",
            why: "scales TorchPod Deployments on a schedule",
        };
        const policy = apiRightsPolicy([scaler]);
        const sa = { kind: "ServiceAccount", name: "gpu-scaler", namespace: "torchpod-fleet" };
        const rules = [
            { apiGroups: ["apps"], resources: ["deployments/scale"], verbs: ["patch"] },
            { apiGroups: ["apps"], resources: ["deployments"], verbs: ["get", "list"] },
        ];

        it("passes a known actor holding exactly its rules in the TorchPod namespace", async () => {
            assert.deepStrictEqual(
                await judge(
                    [role("torchpod", "scale", rules), roleBinding("torchpod", "scale", { kind: "Role", name: "scale" }, [sa])],
                    {},
                    policy,
                ),
                [],
            );
        });

        it("refuses one rule more than its own, even a read", async () => {
            const more = [...rules, { apiGroups: [""], resources: ["pods"], verbs: ["list"] }];
            const [m] = await judge(
                [role("torchpod", "scale", more), roleBinding("torchpod", "scale", { kind: "Role", name: "scale" }, [sa])],
                {},
                policy,
            );
            assert.match(
                m,
                /grants the known actor gpu scaler \(ServiceAccount torchpod-fleet\/gpu-scaler\) more than its rights: rules beyond its own: list pods \(core\)/,
            );
        });

        it("refuses it bound cluster-wide or outside the TorchPod namespaces", async () => {
            const got = await judge(
                [
                    clusterRole("scale", rules),
                    clusterRoleBinding("scale", { kind: "ClusterRole", name: "scale" }, [sa]),
                    role("tools", "scale", rules),
                    roleBinding("tools", "scale", { kind: "Role", name: "scale" }, [sa]),
                ],
                {},
                policy,
            );
            assert.strictEqual(got.length, 2, got.join("\n"));
            assert.match(got[0], /never bound cluster-wide/);
            assert.match(got[1], /only in TorchPod namespaces, not tools/);
        });
    });
});
