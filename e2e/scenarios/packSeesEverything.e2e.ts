// The real engine expands what render cannot: `pulumi preview --policy-pack policy` judges the objects
// inside a yaml/v2 ConfigGroup and a helm v4 Chart (local chart under e2e/charts/, no network), and the
// table of resource types refuses a Helm v3 Release, whose objects no engine shows the pack.
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import {
    PROGRAM,
    REPO,
    env,
    makeProject,
    platformEntry,
    pulumi,
    pulumiEnv,
    pulumiOk,
    tempRoot,
    writeStackPackConfig,
} from "../support/harness";

const POLICY = path.join(PROGRAM, "policy");
const CHARTS = path.join(REPO, "e2e", "charts");

/** The egress escape the charts and the ConfigGroup hide: every TorchPod may reach the whole internet. */
const ESCAPE_YAML = fs.readFileSync(path.join(CHARTS, "escape", "templates", "networkpolicy.yaml"), "utf8");

describe("the real engine shows the pack what render cannot see", function () {
    this.timeout(15 * 60 * 1000);
    let root: string;
    let packConfig: string;

    before(function () {
        root = tempRoot();
        pulumiEnv(root);
        for (const [name, bin, version] of [
            ["kubernetes", env("TORCHPOD_E2E_KUBERNETES_PROVIDER"), env("TORCHPOD_E2E_KUBERNETES_PROVIDER_VERSION")],
            ["random", env("TORCHPOD_E2E_RANDOM_PROVIDER"), env("TORCHPOD_E2E_RANDOM_PROVIDER_VERSION")],
        ]) {
            pulumiOk(root, ["plugin", "install", "resource", name, version, "-f", bin]);
        }
        packConfig = writeStackPackConfig(path.join(PROGRAM, "Pulumi.dev.yaml"), path.join(root, "policy-config.json"));
    });

    after(function () {
        if (process.env.TORCHPOD_E2E_KEEP === "1") console.log(`kept ${root}`);
        else if (root) fs.rmSync(root, { recursive: true, force: true });
    });

    /** A preview of the dev stack plus `extra` (TypeScript using `k8s` and `provider`), judged with render's pack config. */
    function previewWith(name: string, extra: string) {
        const entry = `${platformEntry()}
import * as k8s from "@pulumi/kubernetes";
const provider = new k8s.Provider("extra", { kubeconfig: process.env.KUBECONFIG });
${extra}
`;
        const dir = makeProject(root, name, entry);
        pulumiOk(dir, ["stack", "init", name]);
        fs.copyFileSync(path.join(PROGRAM, "Pulumi.dev.yaml"), path.join(dir, `Pulumi.${name}.yaml`));
        pulumiOk(dir, ["config", "set", "--path", "torchpod:kubernetes.kubeconfig", env("KUBECONFIG")]);
        const r = pulumi(dir, ["preview", "--policy-pack", POLICY, "--policy-pack-config", packConfig]);
        return { ...r, all: r.stdout + r.stderr };
    }

    it("refuses an escape hidden inside a yaml/v2 ConfigGroup, naming torchpod-egress-only-to-mlab and the hidden policy", function () {
        const r = previewWith(
            "configgroup",
            `new k8s.yaml.v2.ConfigGroup("hidden", { yaml: ${JSON.stringify(ESCAPE_YAML)} }, { provider });`,
        );
        assert.notStrictEqual(r.code, 0, `preview passed with the hidden escape:\n${r.all.slice(-4000)}`);
        assert.match(r.all, /torchpod-egress-only-to-mlab/);
        assert.match(r.all, /chart-escape/);
    });

    it("refuses a Helm v3 Release as opaque, by the table of resource types", function () {
        const r = previewWith(
            "release",
            `new k8s.helm.v3.Release("hidden", { chart: ${JSON.stringify(path.join(CHARTS, "escape"))}, namespace: "torchpod" }, { provider });`,
        );
        assert.notStrictEqual(r.code, 0, `preview passed with a Helm v3 Release:\n${r.all.slice(-4000)}`);
        assert.match(r.all, /known-resource-types/);
        assert.match(r.all, /helm\.sh\/v3:Release/);
    });

    it("passes a Helm v4 Chart whose children the engine shows, when they are clean", function () {
        const r = previewWith(
            "chart-clean",
            `new k8s.helm.v4.Chart("notes", { chart: ${JSON.stringify(path.join(CHARTS, "clean"))} }, { provider });`,
        );
        assert.strictEqual(r.code, 0, `preview failed:\n${r.all.slice(-6000)}`);
        assert.match(r.all, /team-notes/, "the chart's ConfigMap was shown");
    });

    it("refuses a Helm v4 Chart whose children hide an escape: the pack judges them one by one", function () {
        const r = previewWith(
            "chart-escape",
            `new k8s.helm.v4.Chart("hidden", { chart: ${JSON.stringify(path.join(CHARTS, "escape"))} }, { provider });`,
        );
        assert.notStrictEqual(r.code, 0, `preview passed with the chart's escape:\n${r.all.slice(-4000)}`);
        assert.match(r.all, /torchpod-egress-only-to-mlab/);
        assert.match(r.all, /chart-escape/);
    });
});
