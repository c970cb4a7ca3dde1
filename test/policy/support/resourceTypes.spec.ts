// The table of resource types: well-formed, one entry per type, and every judge a policy of the pack
// (or one of the two another branch adds).
import * as assert from "assert";
import { policies } from "../../../policy/policies";
import { POD_OWNING_KINDS } from "../../../policy/support/resources";
import { EXPOSURE_POLICY, kindEntry, RESOURCE_TYPES, STORAGE_COPIES_POLICY, tokenEntry } from "../../../policy/support/resourceTypes";

describe("the table of resource types", () => {
    it("names each type once, as group/Kind or a type token", () => {
        const seen = new Set<string>();
        for (const e of RESOURCE_TYPES) {
            assert.ok(!seen.has(e.type), `${e.type} twice`);
            seen.add(e.type);
            assert.match(e.type, /^([a-z0-9.-]+\/[A-Z][A-Za-z0-9]*|[a-z][a-z0-9-]*:[^\s]+)$/, e.type);
            assert.ok(e.why.length > 10, `${e.type}: why`);
        }
    });

    it("names only judging policies that are in the pack, or the exposure and storage-copy policies of the other branch", () => {
        const names = new Set(policies.map((p) => p.name));
        for (const e of RESOURCE_TYPES)
            for (const p of e.judgedBy) assert.ok(names.has(p) || p === EXPOSURE_POLICY || p === STORAGE_COPIES_POLICY, `${e.type}: ${p}`);
    });

    it("knows every built-in pod owner", () => {
        for (const k of POD_OWNING_KINDS) {
            const api = k === "Pod" || k === "ReplicationController" ? "v1" : k === "Job" || k === "CronJob" ? "batch/v1" : "apps/v1";
            assert.strictEqual(kindEntry(api, k)?.category, "pod-holder", k);
        }
    });

    it("matches a token exactly before a prefix, and a kind only in its own group", () => {
        assert.strictEqual(tokenEntry("pulumi:providers:kubernetes")?.judgedBy[0], "known-resource-types");
        assert.strictEqual(tokenEntry("pulumi:providers:aws")?.category, "pulumi");
        assert.strictEqual(tokenEntry("random:index/randomPassword:RandomPassword")?.category, "harmless");
        assert.strictEqual(tokenEntry("kubernetes:helm.sh/v3:Release")?.category, "opaque");
        assert.strictEqual(kindEntry("example.com/v1", "Deployment"), undefined);
        assert.strictEqual(kindEntry("example.com/v1", "TenantNetworkPolicy")?.judgedBy[0], "only-core-network-policy");
    });
});
