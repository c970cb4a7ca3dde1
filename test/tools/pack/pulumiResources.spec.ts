import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { RecordedResource } from "../../../tools/offline/recorded";
import { PulumiResourcesError, pulumiResourcesFile, readPulumiResources, REDACTED } from "../../../tools/pack/pulumiResources";

function recorded(type: string, name: string, inputs: Record<string, unknown>, secretPaths: string[][] = []): RecordedResource {
    return {
        urn: `urn:pulumi:dev::torchpod::${type}::${name}`,
        type,
        name,
        custom: true,
        remote: false,
        inputs,
        secretPaths,
        state: inputs,
        retainOnDelete: false,
        protect: false,
        deleteBeforeReplace: false,
        dependencies: [],
        ignoreChanges: [],
        replaceOnChanges: [],
    };
}

describe("pulumi-resources.json", () => {
    const write = (content: unknown) => {
        const f = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "pr-")), "pulumi-resources.json");
        fs.writeFileSync(f, JSON.stringify(content));
        return f;
    };

    it("writes a secret input as [secret] and reads the resources and unexpanded components back", () => {
        const provider = recorded("pulumi:providers:kubernetes", "k8s", { kubeconfig: "apiVersion: v1\ntoken: hunter2", namespace: "x" }, [
            ["kubeconfig"],
        ]);
        const content = pulumiResourcesFile("dev", [provider], [{ type: "kubernetes:yaml/v2:ConfigGroup", name: "extra", why: "w" }]);
        assert.ok(!JSON.stringify(content).includes("hunter2"));
        assert.deepStrictEqual(content.resources[0].props, { kubeconfig: REDACTED, namespace: "x" });
        assert.strictEqual(provider.inputs.kubeconfig, "apiVersion: v1\ntoken: hunter2", "the recorded inputs stay whole");
        const read = readPulumiResources(write(content));
        assert.deepStrictEqual(
            read.resources.map((r) => r.type),
            ["pulumi:providers:kubernetes"],
        );
        assert.deepStrictEqual(read.unexpanded, [{ type: "kubernetes:yaml/v2:ConfigGroup", name: "extra", why: "w" }]);
    });

    it("refuses a file render did not write, naming the file, the field and what was expected", () => {
        const f = write({ format: "something-else", resources: [], unexpanded: [] });
        assert.throws(
            () => readPulumiResources(f),
            (e: Error) => e instanceof PulumiResourcesError && e.message.startsWith(`${f}: format: got "something-else", expected`),
        );
        const g = write({ format: "torchpod/pulumi-resources@1", resources: [{ type: "x", name: "", urn: "u" }], unexpanded: [] });
        assert.throws(() => readPulumiResources(g), /resources\[0\]\.name: got "", expected a non-empty string/);
    });
});
