// pod-tokens-carry-no-api-rights: the clean red-team baseline, one change per test.
import * as assert from "assert";
import * as path from "path";
import { loadManifests } from "@torchpod/netpol";
import { podTokensCarryNoApiRights } from "../../../policy/policies/podTokensCarryNoApiRights";
import { manifestsToResources } from "../../../tools/pack/manifestResources";
import { runStackPolicy } from "../policyArgs";
import { clusterRole, clusterRoleBinding } from "./apiRightsReviewed.spec";

const CLEAN = path.resolve(__dirname, "../../redteam/cases/clean/manifests");

const ciPod = (namespace: string, automount?: boolean) => ({
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "ci-runner", namespace },
    spec: {
        selector: { matchLabels: { app: "ci" } },
        template: {
            metadata: { labels: { app: "ci" } },
            spec: {
                serviceAccountName: "ci",
                ...(automount === undefined ? {} : { automountServiceAccountToken: automount }),
                containers: [{ name: "ci", image: "ci:1.0" }],
            },
        },
    },
});
const execEverywhere = [
    clusterRole("exec", [{ apiGroups: [""], resources: ["pods/exec"], verbs: ["create"] }]),
    clusterRoleBinding("ci-exec", { kind: "ClusterRole", name: "exec" }, [{ kind: "ServiceAccount", name: "ci", namespace: "tools" }]),
];

async function judge(objects: any[]) {
    const rs = [...manifestsToResources(loadManifests([CLEAN])), ...manifestsToResources(objects as never)];
    const out = await runStackPolicy(podTokensCarryNoApiRights, rs);
    assert.strictEqual(out.unknown, undefined);
    return out.violations.map((v) => v.message);
}

describe("pod-tokens-carry-no-api-rights", () => {
    it("passes the clean baseline", async () => {
        assert.deepStrictEqual(await judge([]), []);
    });

    it("refuses a pod in another namespace whose token carries pods/exec cluster-wide", async () => {
        const [m] = await judge([ciPod("tools"), ...execEverywhere]);
        assert.match(
            m,
            /Deployment tools\/ci-runner mounts the token of ServiceAccount tools\/ci, which ClusterRoleBinding ci-exec grants create pods\/exec cluster-wide/,
        );
    });

    it("passes the same pod when it does not mount the token", async () => {
        assert.deepStrictEqual(await judge([ciPod("tools", false), ...execEverywhere]), []);
    });

    it("passes the same pod when its ServiceAccount turns the token off", async () => {
        const sa = {
            apiVersion: "v1",
            kind: "ServiceAccount",
            metadata: { name: "ci", namespace: "tools" },
            automountServiceAccountToken: false,
        };
        assert.deepStrictEqual(await judge([ciPod("tools"), sa, ...execEverywhere]), []);
    });

    it("refuses a pod in kube-system with the token of an account the stack does not declare", async () => {
        const [m] = await judge([ciPod("kube-system")]);
        assert.match(
            m,
            /Deployment kube-system\/ci-runner mounts the token of ServiceAccount kube-system\/ci, which the stack does not declare/,
        );
    });
});
