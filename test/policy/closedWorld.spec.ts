// The closed-world rule, one change per test from the clean red-team baseline, in-process with
// @pulumi/policy-shaped arguments; and the policy-check CLI's contract around it.
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { loadManifests } from "@torchpod/netpol";
import { policies } from "../../policy/policies";
import { expandPackConfig, packConfigProblems } from "../../policy/support/configFile";
import { manifestsToResources, objectLocations } from "../../tools/pack/manifestResources";
import { runPackInProcess } from "./policyArgs";

const ROOT = path.resolve(__dirname, "../..");
const CLEAN = path.join(ROOT, "test/redteam/cases/clean/manifests");

/** The clean baseline's office network, as render writes it to policy-config.json. */
const OFFICE = { all: { officeCidrs: ["192.168.10.0/24"] } };
const officeConfig = (extra: Record<string, Record<string, unknown>> = {}) =>
    expandPackConfig({ ...OFFICE, ...extra }, policies) as Record<string, Record<string, unknown>>;

function clean() {
    return manifestsToResources(loadManifests([CLEAN]));
}

function torchpod(resources: ReturnType<typeof clean>): any {
    return resources.find((r) => r.type === "kubernetes:apps/v1:Deployment" && (r.props as any).metadata.name === "torchpod-alice")!.props;
}

describe("closed world (in-process)", () => {
    it("the clean baseline has no violation at all", async () => {
        assert.deepStrictEqual(await runPackInProcess(policies, clean(), officeConfig()), []);
    });

    it("an inline iscsi volume in a TorchPod is refused by closed-world-volumes", async () => {
        const rs = clean();
        const spec = torchpod(rs).spec.template.spec;
        spec.volumes.push({ name: "disk", iscsi: { targetPortal: "203.0.113.7:3260", iqn: "iqn.x", lun: 0 } });
        const v = await runPackInProcess(policies, rs, officeConfig());
        assert.deepStrictEqual([...new Set(v.map((x) => x.policyName))], ["closed-world-volumes"]);
        assert.match(v[0].message, /volume disk is of type iscsi/);
    });

    it("disabling the egress policy leaves a malformed NetworkPolicy reported by the ingress policy", async () => {
        const rs = clean();
        const np = rs.find((r) => (r.props as any).metadata.name === "torchpod-lockdown")!.props as any;
        np.spec.egress[0].to = [{ ipBlock: { cidr: "10.0.0.0/33" } }];
        const v = await runPackInProcess(policies, rs, officeConfig({ "torchpod-egress-only-to-mlab": { enforcementLevel: "disabled" } }));
        assert.ok(
            v.some((x) => x.policyName === "torchpod-ingress-only-from-office" && /10\.0\.0\.0\/33/.test(x.message)),
            JSON.stringify(v),
        );
    });

    it("a user named airlock (claim home-airlock) is not the airlock share", async () => {
        const rs = clean();
        const spec = torchpod(rs).spec.template.spec;
        spec.volumes[0].persistentVolumeClaim.claimName = "home-airlock";
        assert.deepStrictEqual(await runPackInProcess(policies, rs, officeConfig()), []);
    });

    it("a pod mounting a claim that a by-data TorchPod writes is judged a TorchPod too (fixed point)", async () => {
        const rs = clean();
        const dep = (name: string, claims: string[]) => ({
            type: "kubernetes:apps/v1:Deployment",
            name: `torchpod/${name}`,
            urn: `urn:pulumi:test::test::kubernetes:apps/v1:Deployment::torchpod/${name}`,
            props: {
                apiVersion: "apps/v1",
                kind: "Deployment",
                metadata: { name, namespace: "torchpod" },
                spec: {
                    selector: { matchLabels: { app: name } },
                    template: {
                        metadata: { labels: { app: name } },
                        spec: {
                            automountServiceAccountToken: false,
                            containers: [
                                {
                                    name: "c",
                                    image: "busybox:1.36",
                                    securityContext: { capabilities: { drop: ["NET_RAW"] } },
                                    volumeMounts: claims.map((c) => ({ name: c, mountPath: `/${c}` })),
                                },
                            ],
                            volumes: claims.map((c) => ({ name: c, persistentVolumeClaim: { claimName: c } })),
                        },
                    },
                },
            },
        });
        // copier reads alice's home and writes "stash"; reader mounts only "stash".
        rs.push(dep("copier", ["home-alice", "stash"]), dep("reader", ["stash"]));
        const v = await runPackInProcess(policies, rs, officeConfig());
        const egress = v.filter((x) => x.policyName === "torchpod-egress-only-to-mlab").map((x) => x.message);
        assert.ok(
            egress.some((m) => m.startsWith("TorchPod torchpod/copier")),
            egress.join("\n"),
        );
        assert.ok(
            egress.some((m) => m.startsWith("TorchPod torchpod/reader") && m.includes("judged a TorchPod by the data it mounts")),
            egress.join("\n"),
        );
    });

    it("MLab's Gitea reaching an outside address is refused by mlab-no-egress unless mlabExternalHosts names it", async () => {
        const rs = clean();
        const np = rs.find((r) => (r.props as any).metadata.name === "mlab-lockdown")!.props as any;
        np.spec.egress = [{ to: [{ ipBlock: { cidr: "10.20.0.5/32" } }], ports: [{ port: 5432, protocol: "TCP" }] }];
        const refused = await runPackInProcess(policies, rs, officeConfig());
        assert.deepStrictEqual([...new Set(refused.map((x) => x.policyName))], ["mlab-no-egress"]);
        assert.match(refused[0].message, /IP range 10\.20\.0\.5\/32.*config mlabExternalHosts/);
        const allowed = await runPackInProcess(
            policies,
            rs,
            expandPackConfig({ all: { ...OFFICE.all, mlabExternalHosts: ["10.20.0.5:5432"] } }, policies) as never,
        );
        assert.deepStrictEqual(allowed, []);
    });

    it("the importer may not reach private addresses on 443", async () => {
        const rs = clean();
        const np = rs.find((r) => (r.props as any).metadata.name === "mlab-importer")!.props as any;
        np.spec.egress[2].to[0].ipBlock.except = ["10.0.0.0/8"];
        const v = await runPackInProcess(policies, rs, officeConfig());
        assert.deepStrictEqual([...new Set(v.map((x) => x.policyName))], ["mlab-no-egress"]);
        assert.match(v[0].message, /reaches private or link-local addresses \(172\.16\.0\.1/);
    });

    it("a pack-wide torchpodSelector under `all` reaches every policy that has the property", () => {
        const sel = { matchLabels: { app: "torchpod" } };
        const c = expandPackConfig({ all: { torchpodSelector: sel } }, policies) as Record<string, any>;
        const withProp = policies.filter((p) => "torchpodSelector" in (p.configSchema?.properties ?? {}));
        assert.ok(withProp.length >= 7);
        for (const p of withProp) assert.deepStrictEqual(c[p.name].torchpodSelector, sel, p.name);
    });

    it("config validation names an unknown policy and a property of the wrong type", () => {
        const problems = packConfigProblems({ "torchpod-egres": {}, "mlab-no-egress": { mlabExternalHosts: "db" } }, policies);
        assert.ok(
            problems.some((p) => p.startsWith('unknown policy "torchpod-egres"')),
            problems.join("\n"),
        );
        assert.ok(
            problems.some((p) => p === 'mlab-no-egress.mlabExternalHosts: expected a list, got "db"'),
            problems.join("\n"),
        );
    });

    it("object locations give the line of each object's kind", () => {
        const objects = loadManifests([CLEAN]);
        const loc = objectLocations(objects);
        const np = objects.find((o) => o.metadata?.name === "mlab-importer" && o.kind === "NetworkPolicy")!;
        const l = loc.get(np)!;
        assert.strictEqual(fs.readFileSync(l.file, "utf8").split("\n")[l.line - 1], "kind: NetworkPolicy");
    });
});

describe("npm run policy-check (closed world)", function () {
    this.timeout(120000);
    const run = (args: string[]) => spawnSync("npm", ["run", "--silent", "policy-check", "--", ...args], { cwd: ROOT, encoding: "utf8" });

    it("--help exits 0", () => {
        const r = run(["--help"]);
        assert.strictEqual(r.status, 0);
        assert.match(r.stdout, /--require-torchpods/);
    });

    it("an invalid --config exits 2 with one clear message, no stack trace", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pc-"));
        fs.writeFileSync(path.join(dir, "c.json"), JSON.stringify({ "no-such-policy": {} }));
        const r = run(["--config", path.join(dir, "c.json"), CLEAN]);
        assert.strictEqual(r.status, 2);
        assert.match(r.stderr, /unknown policy "no-such-policy"/);
        assert.doesNotMatch(r.stderr, /\n\s+at /);
    });

    it("manifests without TorchPod labels: a loud warning, exit 1 with --require-torchpods, and SARIF with file and line", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pc-"));
        fs.writeFileSync(
            path.join(dir, "tp.yaml"),
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: tp, namespace: x}\nspec:\n  selector: {matchLabels: {app: torchpod}}\n  template:\n    metadata: {labels: {app: torchpod}}\n    spec:\n      hostNetwork: true\n      containers: [{name: a, image: 'gemfield/torchpod:1.3.0'}]\n",
        );
        const sarif = path.join(dir, "out.sarif");
        const r = run(["--require-torchpods", "--sarif", sarif, dir]);
        assert.strictEqual(r.status, 1, r.stdout + r.stderr);
        assert.match(r.stderr, /WARNING: no TorchPod identified/);
        assert.match(r.stdout, /identified 0 TorchPods/);
        const s = JSON.parse(fs.readFileSync(sarif, "utf8"));
        // hostNetwork: no-host-namespaces refuses it, located at the Deployment in tp.yaml.
        const located = s.runs[0].results.filter((x: any) => x.locations.length > 0);
        assert.ok(
            located.some((x: any) => x.ruleId === "no-host-namespaces" && x.level === "error"),
            JSON.stringify(s.runs[0].results),
        );
        for (const res of located) {
            assert.match(res.locations[0].physicalLocation.artifactLocation.uri, /tp\.yaml$/);
            assert.strictEqual(res.locations[0].physicalLocation.region.startLine, 2); // the line of `kind: Deployment`
        }
        assert.ok(s.runs[0].results.some((x: any) => x.ruleId === "torchpod-inventory"));
    });

    it("picks up policy-config.json from a manifest folder", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pc-"));
        for (const f of fs.readdirSync(CLEAN)) fs.copyFileSync(path.join(CLEAN, f), path.join(dir, f));
        fs.writeFileSync(
            path.join(dir, "policy-config.json"),
            JSON.stringify({ all: { torchpodSelector: { matchLabels: { role: "desktop" } } } }),
        );
        const r = run([dir]);
        assert.match(r.stdout, /policy config .*policy-config\.json/);
        // alice still mounts her home claim: judged a TorchPod by data, whatever the selector.
        assert.match(r.stdout, /identified 1 TorchPod \(selector \{role=desktop\}; 1 of them judged by the data they mount\)/);
    });
});
