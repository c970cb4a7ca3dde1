// The pack's bundle loads @pulumi/policy without the whole Pulumi SDK, which @pulumi/policy imports for two
// names it rarely reads: policy/transport/pulumiSdkOnDemand.ts stands in for the SDK's root module there.
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as path from "path";

const ROOT = path.resolve(__dirname, "../../..");
const POLICY = path.join(ROOT, "policy");
const REGISTER = path.join(ROOT, "tools/typescript/register.cjs");

/** Runs SCRIPT in a fresh node process in the pack's folder (ts-node registered, as run-policy-pack does). */
function node(script: string) {
    const r = spawnSync(process.execPath, ["-r", REGISTER, "-e", script], { cwd: POLICY, encoding: "utf8" });
    assert.strictEqual(r.status, 0, r.stderr);
    return JSON.parse(r.stdout.trim().split("\n").pop()!);
}

const SDK_LOADED = `Object.keys(require.cache).some((k) => k.endsWith(require("path").join("@pulumi", "pulumi", "index.js")))`;

describe("the Pulumi SDK on demand, in the pack's bundle", function () {
    this.timeout(60000);

    it("loads the SDK on the first property read, and every read is the SDK's own value", () => {
        const got = node(`
            const onDemand = require("./transport/pulumiSdkOnDemand.ts");
            const before = ${SDK_LOADED};
            const sdk = require("@pulumi/pulumi");
            console.log(JSON.stringify({
                before,
                asset: onDemand.asset === sdk.asset,
                fileAsset: onDemand.asset.FileAsset === sdk.asset.FileAsset,
                output: onDemand.Output === sdk.Output,
                has: "asset" in onDemand && !("noSuchName" in onDemand),
                keys: Object.keys(onDemand).includes("Output"),
            }));`);
        assert.deepStrictEqual(got, { before: false, asset: true, fileAsset: true, output: true, has: true, keys: true });
    });

    it("the built pack serves without loading the SDK's root module; the sources' pack does load it", () => {
        const built = spawnSync(process.execPath, [path.join(ROOT, "tools/build.mjs"), "pack"], { cwd: ROOT, encoding: "utf8" });
        assert.strictEqual(built.status, 0, built.stderr);
        // Each starts its gRPC server (printing the port), then reports and exits.
        const report = `setImmediate(() => { console.log(JSON.stringify(${SDK_LOADED})); process.exit(0); });`;
        assert.strictEqual(node(`require("./compiledPack.cjs"); ${report}`), false);
        assert.strictEqual(node(`require("./index.ts"); ${report}`), true);
    });
});
