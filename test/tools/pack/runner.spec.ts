// The pack end to end over the Analyzer gRPC protocol, as the Pulumi engine and policy-check use it.
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { manifestsToResources } from "../../../tools/pack/manifestResources";
import { formatViolation, PackResource, PolicyPackProcess, runPack, runPackOverResources } from "../../../tools/pack/runner";
import { policies } from "../../../policy/policies";
import { UNKNOWN_BOOLEAN } from "../../../policy/support/unknowns";
import { sharedPackProcess } from "../../policy/policyArgs";

const ROOT = path.resolve(__dirname, "../../..");
const C = "app.kubernetes.io/component";
const PACK_VERSION = JSON.parse(fs.readFileSync(path.join(ROOT, "policy/package.json"), "utf8")).version;
const CLEAN = path.join(ROOT, "test/redteam/cases/clean/manifests");

function torchpodObject(spec: Record<string, unknown> = {}) {
    const labels = { [C]: "torchpod" };
    return {
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { name: "alice", namespace: "torchpod" },
        spec: {
            selector: { matchLabels: labels },
            template: {
                metadata: { labels },
                spec: {
                    automountServiceAccountToken: false,
                    containers: [{ name: "t", image: "gemfield/torchpod:1.3.0", securityContext: { capabilities: { drop: ["NET_RAW"] } } }],
                    ...spec,
                },
            },
        },
    };
}

function policyCheck(...args: string[]) {
    return spawnSync("npm", ["run", "--silent", "policy-check", "--", ...args], { cwd: ROOT, encoding: "utf8" });
}

describe("policy pack over gRPC", function () {
    this.timeout(120000);
    const shared = sharedPackProcess();

    it("serves GetPluginInfo and GetAnalyzerInfo: name, version, every policy with level, type and config schema", async () => {
        assert.ok((await shared.pack.getPluginInfo()).version);
        const info = await shared.pack.getAnalyzerInfo();
        assert.strictEqual(info.name, "torchpod-lockdown");
        assert.strictEqual(info.version, PACK_VERSION);
        assert.ok(info.supportsConfig);
        assert.deepStrictEqual(info.policies.map((p) => p.name).sort(), policies.map((p) => p.name).sort());
        const egress = info.policies.find((p) => p.name === "torchpod-egress-only-to-mlab")!;
        assert.strictEqual(egress.type, "stack");
        assert.strictEqual(egress.enforcementLevel, "mandatory");
        assert.deepStrictEqual(egress.configSchema!.properties.mlabPorts.default, [3000, 2222]);
        assert.strictEqual(info.policies.find((p) => p.name === "pinned-images")!.enforcementLevel, "advisory");
        assert.strictEqual(info.policies.find((p) => p.name === "no-host-namespaces")!.type, "resource");
    });

    it("Analyze and AnalyzeStack report violations with policy, level, message and the resource's URN", async () => {
        const resources = manifestsToResources([
            { apiVersion: "v1", kind: "Namespace", metadata: { name: "torchpod" } },
            torchpodObject({ hostNetwork: true }),
        ]);
        const run = await runPack(resources, { pack: shared.pack });
        const lines = run.violations.map(formatViolation);
        assert.ok(
            lines.includes(
                "no-host-namespaces [mandatory] Deployment torchpod/alice: spec.hostNetwork is true: the pod shares the node's network namespace and no NetworkPolicy applies to it. No switch (config scope: torchpods limits the policy to TorchPods)",
            ),
            lines.join("\n"),
        );
        const stack = run.violations.find((v) => v.policyName === "torchpod-egress-only-to-mlab")!;
        assert.strictEqual(stack.stage, "analyzeStack");
        assert.strictEqual(stack.urn, "urn:pulumi:policy-check::manifests::kubernetes:apps/v1:Deployment::torchpod/alice");
        assert.strictEqual(stack.resource!.type, "kubernetes:apps/v1:Deployment");
        assert.strictEqual(stack.policyPackVersion, PACK_VERSION);
        assert.ok(!stack.message.startsWith(stack.description));
    });

    it("turns values unknown during preview into the advisory can't-run diagnostic, keeping proved violations", async () => {
        const [r] = manifestsToResources([torchpodObject({ hostNetwork: UNKNOWN_BOOLEAN, hostIPC: true })]);
        const vs = await shared.pack.analyze(r);
        const host = vs.filter((v) => v.policyName === "no-host-namespaces");
        assert.strictEqual(host.length, 2, JSON.stringify(host));
        assert.ok(host.some((v) => v.enforcementLevel === "mandatory" && /hostIPC/.test(v.message)));
        assert.ok(
            host.some(
                (v) =>
                    v.enforcementLevel === "advisory" &&
                    /can't run policy 'no-host-namespaces' .* during preview: boolean value at \.spec\.template\.spec\.hostNetwork/.test(
                        v.message,
                    ),
            ),
        );
    });

    it("applies Configure as the engine does: levels and properties per policy", async () => {
        const resources = manifestsToResources([{ ...torchpodObject(), spec: { ...torchpodObject().spec } }]);
        (resources[0].props as any).spec.template.spec.containers[0].image = "gemfield/torchpod";
        let run = await runPack(resources, {
            pack: shared.pack,
            config: {
                "pinned-images": "mandatory",
                "torchpod-egress-only-to-mlab": "disabled",
                "torchpod-ingress-only-from-office": "disabled",
            },
        });
        assert.deepStrictEqual(
            run.violations.map((v) => `${v.policyName}:${v.enforcementLevel}`),
            ["pinned-images:mandatory"],
        );
        const desktop = { torchpodSelector: { matchLabels: { role: "desktop" } } };
        run = await runPack(resources, {
            pack: shared.pack,
            config: { "pinned-images": "disabled", "torchpod-egress-only-to-mlab": desktop, "torchpod-ingress-only-from-office": desktop },
        });
        assert.deepStrictEqual(run.violations, []); // nothing is a TorchPod under that selector
        run = await runPack(resources, { pack: shared.pack }); // back to the defaults
        assert.deepStrictEqual(run.violations.map((v) => `${v.policyName}:${v.enforcementLevel}`).sort(), [
            "pinned-images:advisory",
            "torchpod-egress-only-to-mlab:mandatory",
            "torchpod-ingress-only-from-office:mandatory",
        ]);
    });

    it("runPackOverResources starts its own pack and stops it", async () => {
        const resources: PackResource[] = manifestsToResources([torchpodObject({ hostPID: true })]);
        const vs = await runPackOverResources(resources);
        assert.ok(vs.some((v) => v.policyName === "no-host-namespaces" && /hostPID/.test(v.message)));
    });

    it("also runs from its sources (node -r tools/typescript/register.cjs index.ts), as render and policy-check start it", async function () {
        this.timeout(180000);
        const hosted = await PolicyPackProcess.start({ launcher: "ts-node", startTimeoutMs: 150000 });
        try {
            const run = await runPack(manifestsToResources([torchpodObject({ hostIPC: true })]), { pack: hosted });
            assert.strictEqual(run.info.version, PACK_VERSION);
            assert.ok(run.violations.some((v) => v.policyName === "no-host-namespaces"));
        } finally {
            await hosted.stop();
            assert.ok(hosted.child.exitCode !== null || hosted.child.signalCode !== null);
        }
    });
});

describe("npm run policy-check", function () {
    this.timeout(120000);
    let tmp: string;
    before(() => {
        tmp = fs.mkdtempSync(path.join(os.tmpdir(), "policy-check-"));
    });
    after(() => fs.rmSync(tmp, { recursive: true, force: true }));

    it("exits 0 on the clean baseline and prints the summary", () => {
        // The corpus's office network, as render would write it to policy-config.json.
        const r = policyCheck(CLEAN, "--config", path.join(ROOT, "test/redteam/corpus-config.json"));
        assert.strictEqual(r.status, 0, r.stdout + r.stderr);
        assert.match(r.stdout, /^torchpod-lockdown@v[0-9.]+: 14 resources, 0 violations \(0 mandatory\)$/m);
    });

    it("exits 1 on a mandatory violation, one line per violation: policy [level] Kind ns/name: message", () => {
        const f = path.join(tmp, "bad.yaml");
        fs.writeFileSync(f, JSON.stringify(torchpodObject({ hostPID: true })));
        const r = policyCheck(f);
        assert.strictEqual(r.status, 1, r.stdout + r.stderr);
        assert.match(r.stdout, /^no-host-namespaces \[mandatory\] Deployment torchpod\/alice: spec\.hostPID is true/m);
        assert.match(
            r.stdout,
            /^torchpod-egress-only-to-mlab \[mandatory\] Deployment torchpod\/alice: TorchPod torchpod\/alice \(Deployment\) may reach anything/m,
        );
    });

    it("exits 2 on unreadable input, naming the file", () => {
        const missing = path.join(tmp, "nope.yaml");
        let r = policyCheck(CLEAN, missing);
        assert.strictEqual(r.status, 2);
        assert.match(r.stderr, new RegExp(`${missing.replace(/[.]/g, "\\.")}: no such file or directory`));
        const broken = path.join(tmp, "broken.yaml");
        fs.writeFileSync(broken, "kind: [unclosed\n");
        r = policyCheck(broken);
        assert.strictEqual(r.status, 2);
        assert.match(r.stderr, /broken\.yaml: invalid YAML/);
        const kindless = path.join(tmp, "kindless.yaml");
        fs.writeFileSync(kindless, "apiVersion: v1\nmetadata: {name: x}\n");
        r = policyCheck(kindless);
        assert.strictEqual(r.status, 2);
        assert.match(r.stderr, /kindless\.yaml: an object of apiVersion v1 has no kind/);
        r = policyCheck();
        assert.strictEqual(r.status, 2);
        assert.match(r.stderr, /usage:/);
    });

    it("--json prints the violations as JSON", () => {
        const f = path.join(tmp, "latest.yaml");
        const o = torchpodObject();
        o.spec.template.spec.containers[0].image = "gemfield/torchpod:latest";
        fs.writeFileSync(f, JSON.stringify([{ apiVersion: "v1", kind: "Namespace", metadata: { name: "torchpod" } }, o]));
        const r = policyCheck("--json", f);
        const vs = JSON.parse(r.stdout);
        assert.ok(
            vs.some(
                (v: any) =>
                    v.policyName === "pinned-images" && v.enforcementLevel === "advisory" && v.resource.urn.endsWith("::torchpod/alice"),
            ),
        );
    });
});
