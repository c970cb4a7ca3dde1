// api-rights-reviewed: the clean red-team baseline, one change per test.
import * as assert from "assert";
import * as path from "path";
import { loadManifests } from "@torchpod/netpol";
import { apiRightsPolicy, apiRightsReviewed } from "../../../policy/policies/apiRightsReviewed";
import { KnownActor } from "../../../policy/support/knownActors";
import { manifestsToResources } from "../../../tools/pack/manifestResources";
import { runStackPolicy, TestResource } from "../policyArgs";

const CLEAN = path.resolve(__dirname, "../../redteam/cases/clean/manifests");
/** The audit writer of the red-team control, moved into the TorchPod namespace (where the program puts it). */
const AUDIT_WRITER_IN_TORCHPOD = loadManifests([
    path.resolve(__dirname, "../../redteam/cases/not-an-escape-audit-writer/manifests/audit.yaml"),
]).map((o: any) => ({ ...o, metadata: { ...o.metadata, namespace: "torchpod" } }));
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
    return judgeOver([], objects, config, policy);
}

/** Like judge, over the clean baseline plus `fixture`. */
async function judgeOver(fixture: any[], objects: any[], config: Record<string, unknown> = {}, policy = apiRightsReviewed) {
    const rs = [...manifestsToResources(loadManifests([CLEAN])), ...rbacObjects(fixture), ...rbacObjects(objects)];
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
    describe("scaling the audit writer", () => {
        const scale = (resourceNames?: string[]) => [
            role("torchpod", "scale", [
                { apiGroups: ["apps"], resources: ["deployments/scale"], verbs: ["patch"], ...(resourceNames ? { resourceNames } : {}) },
            ]),
            roleBinding("torchpod", "scale", { kind: "Role", name: "scale" }, [{ kind: "Group", name: "ops" }]),
        ];

        it("passes scaling every Deployment of the TorchPod namespace when the audit writer is not there", async () => {
            assert.deepStrictEqual(await judge(scale()), []);
        });

        it("refuses scaling every Deployment of the namespace holding the audit writer: at zero nothing records what enters", async () => {
            const [m, ...rest] = await judgeOver(AUDIT_WRITER_IN_TORCHPOD, scale());
            assert.strictEqual(rest.length, 0);
            assert.match(
                m,
                /RoleBinding torchpod\/scale \(Role scale\) grants Group ops patch deployments\/scale of the audit writer Deployment torchpod\/airlock-audit \(at zero replicas nothing records what enters\)/,
            );
        });

        it("passes scaling there when resourceNames leave the audit writer out", async () => {
            assert.deepStrictEqual(await judgeOver(AUDIT_WRITER_IN_TORCHPOD, scale(["torchpod-alice"])), []);
        });

        it("refuses scaling there when resourceNames name the audit writer", async () => {
            const [m] = await judgeOver(AUDIT_WRITER_IN_TORCHPOD, scale(["torchpod-alice", "airlock-audit"]));
            assert.match(m, /patch deployments\/scale of the audit writer Deployment torchpod\/airlock-audit/);
        });
    });

    describe("the working-hours schedule's resourceNames", () => {
        const actor = { kind: "ServiceAccount", name: "torchpod-schedule", namespace: "torchpod-schedule" };
        const rule = (resourceNames?: string[]) => ({
            apiGroups: ["apps"],
            resources: ["deployments/scale"],
            verbs: ["get", "patch", "update"],
            ...(resourceNames ? { resourceNames } : {}),
        });
        const schedule = (resourceNames?: string[]) => [
            role("torchpod", "torchpod-schedule", [rule(resourceNames)]),
            roleBinding("torchpod", "torchpod-schedule", { kind: "Role", name: "torchpod-schedule" }, [actor]),
        ];

        it("passes its rule pinned to the TorchPod Deployments, beside the audit writer", async () => {
            assert.deepStrictEqual(await judgeOver(AUDIT_WRITER_IN_TORCHPOD, schedule(["torchpod-alice"])), []);
        });

        it("refuses its rule without resourceNames, naming the actor", async () => {
            const [m, ...rest] = await judge(schedule());
            assert.strictEqual(rest.length, 0);
            assert.match(
                m,
                /grants the known actor the working-hours schedule \(ServiceAccount torchpod-schedule\/torchpod-schedule\) more than its rights: rule get,patch,update deployments\/scale \(apps\) has no resourceNames/,
            );
        });

        it("refuses its rule naming the audit writer's Deployment, naming the actor and the name", async () => {
            const [m, ...rest] = await judgeOver(AUDIT_WRITER_IN_TORCHPOD, schedule(["torchpod-alice", "airlock-audit"]));
            assert.strictEqual(rest.length, 0);
            assert.match(
                m,
                /the known actor the working-hours schedule .*names torchpod\/airlock-audit, which is not a TorchPod Deployment/,
            );
        });

        it("refuses its rule naming a Deployment the stack does not declare", async () => {
            const [m] = await judge(schedule(["torchpod-alice", "gitea"]));
            assert.match(m, /names torchpod\/gitea, which is not a TorchPod Deployment the stack declares/);
        });

        it("passes naming a Deployment that is a TorchPod by the data it mounts, not by its labels", async () => {
            const desk = {
                apiVersion: "apps/v1",
                kind: "Deployment",
                metadata: { name: "desk-bob", namespace: "torchpod" },
                spec: {
                    selector: { matchLabels: { app: "desk-bob" } },
                    template: {
                        metadata: { labels: { app: "desk-bob" } },
                        spec: {
                            automountServiceAccountToken: false,
                            containers: [{ name: "desk", image: "gemfield/torchpod:1.3.0" }],
                            volumes: [{ name: "home", persistentVolumeClaim: { claimName: "home-bob" } }],
                        },
                    },
                },
            };
            assert.deepStrictEqual(await judgeOver([desk], schedule(["torchpod-alice", "desk-bob"])), []);
        });
    });

    describe("non-resource URLs", () => {
        const everyone = [{ kind: "Group", name: "system:authenticated" }];
        const urls = (nonResourceURLs: string[], subjects: any[] = everyone) => [
            clusterRole("urls", [{ nonResourceURLs, verbs: ["get"] }]),
            clusterRoleBinding("urls", { kind: "ClusterRole", name: "urls" }, subjects),
        ];

        it("passes health, version and discovery URLs for every authenticated user", async () => {
            assert.deepStrictEqual(
                await judge(
                    urls([
                        "/healthz",
                        "/readyz/*",
                        "/livez",
                        "/version",
                        "/api",
                        "/api/*",
                        "/apis*",
                        "/openapi/v3/*",
                        "/.well-known/openid-configuration",
                        "/openid/v1/jwks",
                    ]),
                ),
                [],
            );
        });

        it("refuses the control plane's logs (/logs/*) for every authenticated user, naming reviewedAdminSubjects", async () => {
            const [m, ...rest] = await judge(urls(["/healthz", "/logs/*"]));
            assert.strictEqual(rest.length, 0);
            assert.match(
                m,
                /ClusterRoleBinding urls \(ClusterRole urls\) grants Group system:authenticated get \/logs\/\* \(non-resource URLs beyond health, version and discovery.*config reviewedAdminSubjects/,
            );
        });

        it("refuses the API server's profiles (/debug/pprof/*)", async () => {
            const [m] = await judge(urls(["/debug/pprof/*"]));
            assert.match(m, /get \/debug\/pprof\/\* \(non-resource URLs/);
        });

        it("refuses every non-resource URL (*), and a glob wider than discovery (/a*)", async () => {
            const got = await judge([
                ...urls(["*"]),
                clusterRole("wide", [{ nonResourceURLs: ["/a*"], verbs: ["get"] }]),
                clusterRoleBinding("wide", { kind: "ClusterRole", name: "wide" }, everyone),
            ]);
            assert.strictEqual(got.length, 2, got.join("\n"));
            assert.match(got[0], /get \* \(non-resource URLs/);
            assert.match(got[1], /get \/a\* \(non-resource URLs/);
        });

        it("passes the control plane's logs for a reviewed administrator", async () => {
            assert.deepStrictEqual(await judge(urls(["/logs/*"], [bob]), { reviewedAdminSubjects: ["User:bob@corp.example"] }), []);
        });

        it("passes a RoleBinding of such a ClusterRole in the TorchPod namespace: a RoleBinding grants no non-resource URL", async () => {
            assert.deepStrictEqual(
                await judge([
                    clusterRole("urls", [{ nonResourceURLs: ["/logs/*"], verbs: ["get"] }]),
                    roleBinding("torchpod", "urls", { kind: "ClusterRole", name: "urls" }, everyone),
                ]),
                [],
            );
        });

        it("refuses a ClusterRole that aggregates /logs/* into the cluster's view role", async () => {
            const [m] = await judge([
                clusterRole("logs-view", [{ nonResourceURLs: ["/logs/*"], verbs: ["get"] }], {
                    labels: { "rbac.authorization.k8s.io/aggregate-to-view": "true" },
                }),
            ]);
            assert.match(m, /ClusterRole logs-view aggregates into the cluster's view role .*get \/logs\/\*/);
        });
    });
});
