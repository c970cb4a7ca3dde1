// The red-team corpus: each case opens exactly one escape on top of a sound baseline, and must be
// caught by the expected policies (and only those), in-process and over the Analyzer gRPC protocol.
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import * as yaml from "js-yaml";
import { loadManifests } from "@torchpod/netpol";
import { manifestsToResources } from "../../tools/pack/manifestResources";
import { PULUMI_RESOURCES_FILE, readPulumiResources } from "../../tools/pack/pulumiResources";
import { runPack } from "../../tools/pack/runner";
import { policies } from "../../policy/policies";
import { expandPackConfig } from "../../policy/support/configFile";
import { runPackInProcess, sharedPackProcess } from "../policy/policyArgs";

const ROOT = path.resolve(__dirname, "../..");
const CASES = path.join(__dirname, "cases");
/**
 * The corpus's stack: its office network (every case's baseline lets 192.168.10.0/24 in), as render
 * writes a stack's policy-config.json. A case's own config adds to it, property by property.
 */
const CORPUS_CONFIG_FILE = path.join(__dirname, "corpus-config.json");
const CORPUS_CONFIG = JSON.parse(fs.readFileSync(CORPUS_CONFIG_FILE, "utf8")) as Record<string, Record<string, unknown>>;

function caseConfig(config: Record<string, unknown> = {}): Record<string, unknown> {
    const out: Record<string, Record<string, unknown>> = {};
    for (const [k, v] of Object.entries(CORPUS_CONFIG)) out[k] = { ...v };
    for (const [k, v] of Object.entries(config)) out[k] = typeof v === "object" && v !== null ? { ...out[k], ...v } : (v as never);
    return out;
}

interface Expect {
    description: string;
    /** Policy config for this case (as --policy-pack-config takes it; "all" applies to every policy). */
    config?: Record<string, unknown>;
    /** 4: no mandatory violation, but the stack holds components render could not see into. */
    exitCode: 0 | 1 | 4;
    violations: { policy: string; contains: string }[];
    /** `type name` of each component render could not see into (from pulumi-resources.json). */
    unexpanded?: string[];
}

/** A case's resources as policy-check reads them: its manifests, and render's pulumi-resources.json beside them. */
function caseResources(dir: string) {
    const resources = manifestsToResources(loadManifests([dir]));
    const file = path.join(dir, PULUMI_RESOURCES_FILE);
    if (!fs.existsSync(file)) return { resources, unexpanded: [] as string[] };
    const read = readPulumiResources(file);
    return { resources: [...resources, ...read.resources], unexpanded: read.unexpanded.map((u) => `${u.type} ${u.name}`) };
}

const cases = fs
    .readdirSync(CASES)
    .filter((n) => fs.existsSync(path.join(CASES, n, "expect.yaml")))
    .sort()
    .map((name) => ({
        name,
        dir: path.join(CASES, name, "manifests"),
        expect: yaml.load(fs.readFileSync(path.join(CASES, name, "expect.yaml"), "utf8")) as Expect,
    }));

function judge(
    name: string,
    expect: Expect,
    got: { policyName: string; enforcementLevel: string; message: string }[],
    unexpanded: string[] = [],
): void {
    assert.deepStrictEqual(unexpanded, expect.unexpanded ?? [], `${name}: components render could not see into`);
    const gotPolicies = [...new Set(got.map((v) => v.policyName))].sort();
    const wantPolicies = [...new Set(expect.violations.map((v) => v.policy))].sort();
    assert.deepStrictEqual(
        gotPolicies,
        wantPolicies,
        `${name}: policies reported\n${got.map((v) => `  ${v.policyName}: ${v.message}`).join("\n")}`,
    );
    for (const w of expect.violations) {
        assert.ok(
            got.some((v) => v.policyName === w.policy && v.message.includes(w.contains)),
            `${name}: no ${w.policy} violation mentions ${JSON.stringify(w.contains)}\n${got.map((v) => `  ${v.policyName}: ${v.message}`).join("\n")}`,
        );
    }
    const mandatory = got.some((v) => v.enforcementLevel === "mandatory");
    assert.strictEqual(mandatory || unexpanded.length ? 1 : 0, expect.exitCode, `${name}: mandatory violations`);
}

describe("red-team corpus", () => {
    it("has a clean baseline and at least 25 escapes", () => {
        assert.ok(cases.some((c) => c.name === "clean"));
        assert.ok(cases.filter((c) => c.name !== "clean").length >= 25, `${cases.length} cases`);
    });

    describe("in-process (policy functions with @pulumi/policy-shaped arguments)", () => {
        for (const c of cases) {
            it(`${c.name}: ${c.expect.description}`, async () => {
                const { resources, unexpanded } = caseResources(c.dir);
                const config = expandPackConfig(caseConfig(c.expect.config), policies) as Record<string, Record<string, unknown>>;
                judge(c.name, c.expect, await runPackInProcess(policies, resources, config), unexpanded);
            });
        }
    });

    describe("end to end over the Analyzer gRPC protocol (one pack process)", function () {
        this.timeout(120000);
        const shared = sharedPackProcess();
        for (const c of cases) {
            it(c.name, async () => {
                const { resources, unexpanded } = caseResources(c.dir);
                const run = await runPack(resources, {
                    pack: shared.pack,
                    config: expandPackConfig(caseConfig(c.expect.config), policies) as never,
                });
                judge(c.name, c.expect, run.violations, unexpanded);
            });
        }
    });

    describe("npm run policy-check (the CLI contract)", function () {
        this.timeout(120000);
        for (const name of [
            "clean",
            "dns-to-kube-dns",
            "ipblock-any-ipv6",
            "writable-airlock-mount",
            "latest-image",
            "render-unexpanded-component",
        ]) {
            it(name, () => {
                const c = cases.find((x) => x.name === name)!;
                const r = spawnSync("npm", ["run", "--silent", "policy-check", "--", c.dir, "--config", CORPUS_CONFIG_FILE], {
                    cwd: ROOT,
                    encoding: "utf8",
                });
                assert.strictEqual(r.status, c.expect.exitCode, `${name}: exit ${r.status}\n${r.stdout}\n${r.stderr}`);
                const lines = r.stdout.trim().split("\n");
                for (const w of c.expect.violations) {
                    assert.ok(
                        lines.some((l) => l.startsWith(`${w.policy} [`) && l.includes(w.contains)),
                        `${name}: ${w.policy}\n${r.stdout}`,
                    );
                }
                assert.match(
                    lines[lines.length - 1],
                    new RegExp(`^torchpod-lockdown@v[0-9.]+: \\d+ resources, ${c.expect.violations.length} violations?`),
                );
            });
        }
    });
});
