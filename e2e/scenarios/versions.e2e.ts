// The toolchain's versions against package-lock.json: the CLI must be the SDK's version; a provider that differs
// (the Go module proxy here cannot serve every release) is named, never hidden.
import * as assert from "assert";
import * as child from "child_process";
import * as fs from "fs";
import * as path from "path";
import { REPO, env } from "../support/harness";

function locked(pkg: string): string {
    const lock = JSON.parse(fs.readFileSync(path.join(REPO, "package-lock.json"), "utf8"));
    return lock.packages[`node_modules/${pkg}`].version;
}

describe("toolchain versions against package-lock.json", function () {
    it("the pulumi CLI is @pulumi/pulumi's version", function () {
        const out = child.execFileSync(path.join(env("TORCHPOD_E2E_PULUMI_BIN_DIR"), "pulumi"), ["version"], { encoding: "utf8" }).trim();
        assert.strictEqual(out, `v${locked("@pulumi/pulumi")}`);
    });

    it("the Node language host is @pulumi/pulumi's version", function () {
        const out = child
            .execFileSync(path.join(env("TORCHPOD_E2E_PULUMI_BIN_DIR"), "pulumi-language-nodejs"), ["-version"], { encoding: "utf8" })
            .trim();
        assert.ok(out.replace(/^v/, "") === locked("@pulumi/pulumi"), `language host reports ${out}`);
    });

    it("each provider is its package's version, or its drift is named (strict with TORCHPOD_E2E_STRICT_VERSIONS=1)", function () {
        const drift: string[] = [];
        const k8s = env("TORCHPOD_E2E_KUBERNETES_PROVIDER_VERSION");
        assert.strictEqual(env("TORCHPOD_E2E_KUBERNETES_PROVIDER_WANTED"), locked("@pulumi/kubernetes"));
        if (k8s !== locked("@pulumi/kubernetes"))
            drift.push(`kubernetes provider ${k8s} (package-lock.json @pulumi/kubernetes ${locked("@pulumi/kubernetes")})`);
        const kind = process.env.TORCHPOD_E2E_RANDOM_PROVIDER_KIND ?? "";
        const random = env("TORCHPOD_E2E_RANDOM_PROVIDER_VERSION");
        if (kind !== "" || random !== locked("@pulumi/random")) {
            drift.push(
                `random provider: torchpod's ${kind || "other"} build installed as ${random} (package-lock.json @pulumi/random ${locked("@pulumi/random")}; the real provider cannot be built here)`,
            );
        }
        // The installed stand-in reports the version it stands in for.
        const reported = child.execFileSync(env("TORCHPOD_E2E_RANDOM_PROVIDER"), ["-version"], { encoding: "utf8" }).trim();
        assert.strictEqual(reported, random);
        for (const d of drift) console.log(`      DRIFT: ${d}`);
        if (process.env.TORCHPOD_E2E_STRICT_VERSIONS === "1") assert.deepStrictEqual(drift, []);
    });
});
