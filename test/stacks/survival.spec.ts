// Data survival (home volumes, the airlock share, MLab's data, the audit records): run the program twice with different
// configs (as two `pulumi up`s would) and compare what the engine would keep, replace or delete.
import * as assert from "assert";
import { devStackConfig, ofType, runIndex, ProgramRun, RecordedResource } from "../mocks";

const PVC = "kubernetes:core/v1:PersistentVolumeClaim";

function pvc(run: ProgramRun, name: string): RecordedResource | undefined {
    return ofType(run, PVC).find((r) => r.inputs.metadata.name === name);
}

describe("data survival (home volumes, the airlock share, MLab data) across config changes", () => {
    let before_: ProgramRun;
    let after: ProgramRun;
    before(async () => {
        before_ = await runIndex(devStackConfig());
        if (before_.error) throw before_.error;
        const changed = devStackConfig();
        changed["torchpod:image"] = "gemfield/torchpod:1.0-pro";
        changed["torchpod:users"] = JSON.stringify([
            { name: "alice", gpus: 4, cpu: "4", cpuLimit: "16", memory: "32Gi", memoryLimit: "128Gi", shm: "32Gi", home: "200Gi" },
            { name: "bob", gpus: 0, image: "gemfield/torchpod:1.0" },
            // carol removed
        ]);
        changed["torchpod:storage"] = JSON.stringify({
            homeClass: "fast-ssd",
            airlockClass: "nfs",
            airlockSize: "1Ti",
            mlabClass: "fast-ssd",
            mlabSize: "80Gi",
        });
        // A Gitea upgrade, a new project, one project dropped and the database moved to PostgreSQL.
        changed["torchpod:mlab"] = JSON.stringify({
            image: "gitea/gitea:1.22.7-rootless",
            host: "mlab.dev.torchpod.internal",
            projects: [{ name: "deepvac/libdeepvac", upstream: "https://github.com/DeepVAC/libdeepvac" }],
            database: {
                type: "postgres",
                host: "pg.internal",
                address: "192.0.2.40",
                name: "gitea",
                user: "gitea",
                passwordSecret: { name: "mlab-pg", key: "password" },
            },
        });
        changed["torchpod:gpu"] = JSON.stringify({ quota: 8 });
        after = await runIndex(changed);
        if (after.error) throw after.error;
    });

    it("keeps each remaining user's home volume at the same URN and object name", () => {
        for (const user of ["alice", "bob"]) {
            const a = pvc(before_, `home-${user}`)!;
            const b = pvc(after, `home-${user}`)!;
            assert.ok(a && b, `home-${user} missing`);
            assert.strictEqual(b.urn, a.urn);
            assert.strictEqual(b.inputs.metadata.name, a.inputs.metadata.name);
            assert.strictEqual(b.inputs.metadata.namespace, a.inputs.metadata.namespace);
        }
    });

    it("retains home volumes on delete in every run", () => {
        for (const run of [before_, after]) for (const r of ofType(run, PVC)) assert.strictEqual(r.retainOnDelete, true, r.urn);
    });

    it("never lets a storage-class or access-mode change replace a home volume; only the size may change", () => {
        const a = pvc(before_, "home-alice")!;
        const b = pvc(after, "home-alice")!;
        assert.strictEqual(b.inputs.spec.storageClassName, "fast-ssd", "the new class is in the inputs ...");
        assert.ok(b.ignoreChanges.includes("spec.storageClassName"), "... but ignored, so no replacement");
        assert.ok(b.ignoreChanges.includes("spec.accessModes"));
        assert.strictEqual(b.deleteBeforeReplace, false);
        assert.deepStrictEqual(b.inputs.spec.accessModes, a.inputs.spec.accessModes);
        assert.strictEqual(b.inputs.spec.resources.requests.storage, "200Gi");
    });

    it("leaves a removed user's home volume retained: it was retainOnDelete when last deployed, so the engine drops it from state without deleting it", () => {
        const carol = pvc(before_, "home-carol")!;
        assert.ok(carol);
        assert.strictEqual(carol.retainOnDelete, true);
        assert.strictEqual(pvc(after, "home-carol"), undefined);
        assert.ok(!ofType(after, "kubernetes:apps/v1:Deployment").some((d) => d.inputs.metadata.name === "torchpod-carol"));
    });

    it("keeps the airlock share and the namespaces at the same URNs, retained", () => {
        assert.strictEqual(pvc(after, "airlock-share")!.urn, pvc(before_, "airlock-share")!.urn);
        assert.strictEqual(pvc(after, "airlock-share")!.retainOnDelete, true);
        const ns = (run: ProgramRun) =>
            ofType(run, "kubernetes:core/v1:Namespace")
                .map((r) => r.urn)
                .sort();
        assert.deepStrictEqual(ns(after), ns(before_));
    });

    it("keeps both audit records (the airlock-audit log and the sftp session logs) at the same URNs and names, retained, their class change ignored", () => {
        for (const name of ["airlock-audit", "airlock-sftp-log"]) {
            const a = pvc(before_, name)!;
            const b = pvc(after, name)!;
            assert.ok(a && b, `${name} missing`);
            assert.strictEqual(b.urn, a.urn, name);
            assert.strictEqual(b.inputs.metadata.namespace, a.inputs.metadata.namespace, name);
            assert.strictEqual(b.retainOnDelete, true, name);
            assert.strictEqual(b.inputs.spec.storageClassName, "nfs", "the new class is in the inputs ...");
            assert.ok(b.ignoreChanges.includes("spec.storageClassName"), `${name}: ... but ignored, so no replacement`);
        }
        const writer = (run: ProgramRun) =>
            ofType(run, "kubernetes:apps/v1:Deployment").find((d) => d.inputs.metadata.name === "airlock-audit")!;
        assert.strictEqual(writer(after).urn, writer(before_).urn, "the writer keeps its Deployment");
    });

    it("keeps MLab's data volume at the same URN and name, retained, through an image upgrade, a storage-class change, project and user changes", () => {
        const a = pvc(before_, "mlab-data")!;
        const b = pvc(after, "mlab-data")!;
        assert.ok(a && b, "mlab-data missing");
        assert.strictEqual(b.urn, a.urn);
        assert.strictEqual(b.inputs.metadata.namespace, a.inputs.metadata.namespace);
        assert.strictEqual(b.retainOnDelete, true);
        assert.ok(b.ignoreChanges.includes("spec.storageClassName"), "the new class is ignored for the existing volume");
        assert.strictEqual(b.inputs.spec.resources.requests.storage, "80Gi", "only growth applies");
        const gitea = (run: ProgramRun) =>
            ofType(run, "kubernetes:apps/v1:Deployment").find((d) => d.urn.includes("torchpod:index:Mlab$"))!;
        assert.strictEqual(gitea(after).urn, gitea(before_).urn);
        assert.strictEqual(gitea(after).inputs.spec.template.spec.containers[0].image, "gitea/gitea:1.22.7-rootless");
        // Gitea's own keys (they encrypt secrets in its database) stay the same random values.
        const keys = (run: ProgramRun) =>
            ofType(run, "random:index/randomPassword:RandomPassword")
                .filter((r) => /^mlab-(secret-key|internal-token|admin-password)$/.test(r.name))
                .map((r) => [r.urn, r.inputs]);
        assert.strictEqual(keys(before_).length, 3);
        assert.deepStrictEqual(keys(after), keys(before_));
    });

    it("retains every PVC and namespace, so renaming a namespace (a replacement) leaves the old one and its volumes in place", async () => {
        const renamed = devStackConfig();
        renamed["torchpod:namespaces"] = JSON.stringify({ torchpods: "torchpod-2", mlab: "mlab-2" });
        const run = await runIndex(renamed);
        if (run.error) throw run.error;
        // Same URNs, new object names: the engine replaces them. Every old one was last deployed with
        // retainOnDelete, so the replacement never deletes it: the old namespace keeps its volumes.
        for (const name of ["home-alice", "airlock-share", "mlab-data", "airlock-audit", "airlock-sftp-log"]) {
            const old = pvc(before_, name)!;
            const moved = pvc(run, name)!;
            assert.strictEqual(moved.urn, old.urn, name);
            assert.notStrictEqual(moved.inputs.metadata.namespace, old.inputs.metadata.namespace, name);
            assert.strictEqual(old.retainOnDelete, true, name);
        }
        for (const ns of ofType(before_, "kubernetes:core/v1:Namespace")) assert.strictEqual(ns.retainOnDelete, true, ns.urn);
    });

    it("keeps each user's password (same RandomPassword URN and inputs) across the changes", () => {
        const pw = (run: ProgramRun) =>
            ofType(run, "random:index/randomPassword:RandomPassword").find(
                (r) => r.urn.includes("TorchPod$") && r.name === "alice-password",
            )!;
        assert.strictEqual(pw(after).urn, pw(before_).urn);
        assert.deepStrictEqual(pw(after).inputs, pw(before_).inputs);
    });
});
