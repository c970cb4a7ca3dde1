// loadManifests: folders recursively, multi-document YAML, JSON, Lists; clear errors with the path.
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { loadManifests, ManifestError, sourceOf } from "@torchpod/netpol";

const FIX = path.join(__dirname, "fixtures");

describe("netpol: loading manifests", () => {
    it("reads a folder recursively (*.yaml, *.yml, *.json), multi-document YAML and Lists", () => {
        const objs = loadManifests([path.join(FIX, "basic")]);
        const names = objs.map((o) => `${o.kind}:${o.metadata?.name}`);
        assert.deepStrictEqual(names.sort(), [
            "CronJob:backup",
            "Deployment:gitea",
            "Namespace:lab",
            "Namespace:mlab",
            "NetworkPolicy:mlab-from-torchpods",
            "NetworkPolicy:torchpod-lockdown",
            "Pod:probe",
            "Service:gitea",
            "StatefulSet:torchpod-alice",
            "StatefulSet:torchpod-bob",
        ]);
        const gitea = objs.find((o) => o.kind === "Deployment")!;
        assert.strictEqual(sourceOf(gitea), path.join(FIX, "basic", "workloads", "mlab.json"));
    });

    it("reads single files and keeps the order of the arguments", () => {
        const objs = loadManifests([path.join(FIX, "basic", "policies.yml"), path.join(FIX, "basic", "namespaces.yaml")]);
        assert.deepStrictEqual(
            objs.map((o) => o.kind),
            ["NetworkPolicy", "NetworkPolicy", "Namespace", "Namespace"],
        );
    });

    it("fails on a missing path, naming it", () => {
        const p = path.join(FIX, "does-not-exist");
        assert.throws(
            () => loadManifests([p]),
            (e: unknown) => e instanceof ManifestError && e.file === p && /no such file/.test(e.reason),
        );
    });

    it("fails on unreadable YAML with the file, line and reason", () => {
        const p = path.join(FIX, "bad-yaml", "broken.yaml");
        assert.throws(
            () => loadManifests([path.join(FIX, "bad-yaml")]),
            (e: unknown) => e instanceof ManifestError && e.file === p && /^invalid YAML at line 5, column \d+: /.test(e.reason),
        );
    });

    it("fails on invalid JSON and on documents that are not objects", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "netpol-"));
        try {
            fs.writeFileSync(path.join(dir, "a.json"), "{ nope");
            assert.throws(() => loadManifests([path.join(dir, "a.json")]), /a\.json: invalid JSON/);
            fs.writeFileSync(path.join(dir, "b.yaml"), "kind: Namespace\nmetadata: {name: a}\n---\njust a string\n");
            assert.throws(() => loadManifests([path.join(dir, "b.yaml")]), /b\.yaml: document 2 is not a Kubernetes object/);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});
