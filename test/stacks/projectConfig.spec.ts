// Pulumi.yaml declares every torchpod:* key (type, description, default), so `pulumi config` shows them and
// the CLI type-checks them. The declarations must agree with the parser: the same keys, the same required
// ones, and defaults that change nothing.
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import * as yaml from "js-yaml";
import { TOP_LEVEL_KEYS, parseStackConfig } from "../../stacks/parse";
import { rawConfig, repoRoot } from "../mocks";

interface Declaration {
    type?: string;
    items?: { type: string };
    description?: string;
    default?: unknown;
}

const project = yaml.load(fs.readFileSync(path.join(repoRoot, "Pulumi.yaml"), "utf8")) as { config: Record<string, Declaration> };
const declared = project.config;
const valid = { users: [{ name: "alice", gpus: 1 }], officeCidrs: ["192.0.2.0/24"] };

describe("Pulumi.yaml: the declared stack config keys", () => {
    it("declares exactly the keys the parser reads, each with a description", () => {
        assert.deepStrictEqual(Object.keys(declared).sort(), TOP_LEVEL_KEYS.map((k) => `torchpod:${k}`).sort());
        for (const [key, d] of Object.entries(declared))
            assert.ok(d.description && d.description.length > 20, `${key} lacks a description`);
    });

    it("uses only the types the Pulumi CLI knows, with item types for arrays", () => {
        for (const [key, d] of Object.entries(declared)) {
            if (d.type === undefined) continue;
            assert.ok(["string", "integer", "boolean", "array", "object"].includes(d.type), `${key}: type ${d.type}`);
            if (d.type === "array") assert.ok(d.items?.type, `${key}: an array needs items`);
        }
    });

    it("leaves without a default exactly the keys the parser requires (users, officeCidrs)", () => {
        const required = Object.entries(declared)
            .filter(([, d]) => d.default === undefined)
            .map(([k]) => k);
        assert.deepStrictEqual(required.sort(), ["torchpod:officeCidrs", "torchpod:users"]);
        assert.throws(() => parseStackConfig(rawConfig({ officeCidrs: valid.officeCidrs }), "t"), /torchpod:users: got nothing/);
    });

    it("declares defaults of their declared type that parse to the same config as leaving the keys out", () => {
        const defaults: Record<string, unknown> = {};
        for (const [key, d] of Object.entries(declared)) {
            if (d.default === undefined) continue;
            if (d.type === "object") assert.ok(typeof d.default === "object" && !Array.isArray(d.default), key);
            if (d.type === "string") assert.strictEqual(typeof d.default, "string", key);
            defaults[key] = d.default;
        }
        // The Pulumi CLI merges the declared defaults into the stack's config before the program runs.
        const merged = parseStackConfig(rawConfig({ ...defaults, ...valid }), "t");
        assert.deepStrictEqual(merged, parseStackConfig(rawConfig(valid), "t"));
    });
});
