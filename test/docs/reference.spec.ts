// The references the README and the pack's README give, held to the code they describe: a policy,
// a switch, a config key, an output or a red-team case added to one side and not the other fails here.
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import * as yaml from "js-yaml";
import { policies } from "../../policy/policies";
import { SCHEMA } from "../../policy/support/packConfig";
import { parseStackConfig, StackConfigError, TOP_LEVEL_KEYS } from "../../stacks/parse";
import { devStackConfig, rawConfig, repoRoot, runIndex } from "../mocks";

const read = (file: string) => fs.readFileSync(path.join(repoRoot, file), "utf8");
const README = read("README.md");
const PACK_README = read("policy/README.md");

/** The lines of a Markdown section: from its heading to the next heading of the same or a higher level. */
function section(text: string, heading: string): string[] {
    const lines = text.split("\n");
    const start = lines.findIndex((l) => l.trim() === heading);
    assert.ok(start >= 0, `no section ${heading}`);
    const level = heading.indexOf(" ");
    const end = lines.findIndex((l, i) => i > start && /^#+ /.test(l) && l.indexOf(" ") <= level);
    return lines.slice(start + 1, end < 0 ? undefined : end);
}

/** The backticked names in the first cell of each row of the tables in `lines`. */
function firstCells(lines: string[]): string[] {
    return lines.filter((l) => l.startsWith("| `")).flatMap((l) => [...l.split("|")[1].matchAll(/`([^`]+)`/g)].map((m) => m[1]));
}

describe("the README and policy/README.md against the code", function () {
    this.timeout(60000);

    it("list every policy of the pack in their policy tables, and no policy the pack lacks", () => {
        const names = policies.map((p) => p.name).sort();
        assert.deepEqual([...new Set(firstCells(section(README, "## Proving the lock-down: the policy pack")))].sort(), names, "README.md");
        assert.deepEqual([...new Set(firstCells(section(PACK_README, "## Policies")))].sort(), names, "policy/README.md");
    });

    it("name every config switch a policy takes in policy/README.md's config list, and the schema holds each", () => {
        // The pack README's config list: the paragraph that starts "Config (per policy".
        const paragraph = PACK_README.slice(PACK_README.indexOf("Config (per policy")).split("\n\n")[0];
        const documented = new Set(
            [...paragraph.matchAll(/(?<!\|)`([A-Za-z]+)`/g)].map((m) => m[1]).filter((k) => k !== "enforcementLevel" && k !== "basic_auth"),
        );
        const missing = policies.flatMap((p) =>
            Object.keys(p.configSchema?.properties ?? {})
                .filter((k) => !documented.has(k))
                .map((k) => `${p.name}: ${k}`),
        );
        assert.deepEqual(missing, [], "switches a policy takes that policy/README.md does not document");
        const notInSchema = [...documented].filter((k) => !(k in SCHEMA));
        assert.deepEqual(notInSchema, [], "switches policy/README.md documents that packConfig.ts's SCHEMA lacks");
    });

    it("say how many red-team cases the corpus holds", () => {
        const cases = fs
            .readdirSync(path.join(repoRoot, "test/redteam/cases"))
            .filter((d) => fs.statSync(path.join(repoRoot, "test/redteam/cases", d)).isDirectory());
        const said = /(\d+) cases including/.exec(README);
        assert.ok(said, "the README no longer says how many red-team cases there are");
        assert.equal(Number(said[1]), cases.length);
    });

    it("list exactly the stack outputs index.ts exports", async () => {
        const raw = {
            ...devStackConfig(),
            "torchpod:schedule": JSON.stringify({ timeZone: "Europe/Berlin", start: "08:00", stop: "20:00" }),
        };
        const run = await runIndex(raw);
        if (run.error) throw run.error;
        assert.deepEqual(firstCells(section(README, "## Stack outputs")).sort(), Object.keys(run.exports).sort());
    });
});

describe("Pulumi.yaml and the README's config reference against the config parser", function () {
    const declared = (yaml.load(read("Pulumi.yaml")) as { config: Record<string, Record<string, unknown>> }).config;
    const reference = section(README, "## Configuration reference");
    /** `torchpod:exposure` is a string or an object: Pulumi's config types have no union, so it declares none. */
    const UNTYPED = ["exposure"];
    const REQUIRED = ["users", "officeCidrs"];

    /** The keys a section accepts, as the parser itself lists them when given one it does not know. */
    function knownKeys(key: string, value: (probe: Record<string, number>) => unknown): string[] {
        try {
            parseStackConfig(rawConfig({ users: [{ name: "alice" }], officeCidrs: ["192.0.2.0/24"], [key]: value({ zzz: 1 }) }), "t");
        } catch (e) {
            assert.ok(e instanceof StackConfigError, String(e));
            const m = e.problems.map((p) => /got unknown key "zzz" \(value 1\), expected one of ([^;(]+)/.exec(p)).find(Boolean);
            assert.ok(m, e.message);
            return m[1].split(",").map((k) => k.trim().replace(/\.$/, ""));
        }
        assert.fail(`torchpod:${key} accepted an unknown key`);
    }
    const SECTIONS: [string, (probe: Record<string, number>) => unknown][] = [
        ["users", (p) => [{ name: "alice", ...p }]],
        ...TOP_LEVEL_KEYS.filter((k) => !["users", "officeCidrs", "image", "mode", "exposure"].includes(k)).map(
            (k): [string, (probe: Record<string, number>) => unknown] => [k, (p) => p],
        ),
        ["exposure", (p) => ({ type: "ClusterIP", ...p })],
    ];

    it("declares every key the parser reads, with a description, a type and a default (none for the two required keys)", () => {
        assert.deepEqual(Object.keys(declared).sort(), TOP_LEVEL_KEYS.map((k) => `torchpod:${k}`).sort());
        for (const key of TOP_LEVEL_KEYS) {
            const d = declared[`torchpod:${key}`];
            assert.ok(typeof d.description === "string" && d.description.length > 20, `torchpod:${key}: description`);
            if (!UNTYPED.includes(key)) assert.ok(typeof d.type === "string", `torchpod:${key}: type`);
            assert.equal("default" in d, !REQUIRED.includes(key), `torchpod:${key}: default`);
        }
    });

    it("documents every key and every field of every section in the README's config reference and in Pulumi.yaml", () => {
        const missing: string[] = [];
        for (const key of TOP_LEVEL_KEYS)
            if (!reference.some((l) => l.startsWith(`| \`torchpod:${key}`))) missing.push(`README: torchpod:${key}`);
        for (const [key, value] of SECTIONS) {
            const rows = reference.filter((l) => l.startsWith(`| \`torchpod:${key}\``) || l.startsWith(`| \`torchpod:${key}.`));
            const description = String(declared[`torchpod:${key}`].description);
            for (const field of knownKeys(key, value)) {
                const spans = rows.flatMap((r) => [...r.matchAll(/`([^`]+)`/g)].map((m) => m[1]));
                if (!spans.some((span) => span === `torchpod:${key}.${field}` || new RegExp(`(^|[^\\w.])${field}($|[^\\w])`).test(span)))
                    missing.push(`README: torchpod:${key}.${field}`);
                if (!new RegExp(`\\b${field}\\b`).test(description)) missing.push(`Pulumi.yaml: torchpod:${key}.${field}`);
            }
        }
        assert.deepEqual(missing, []);
    });
});
