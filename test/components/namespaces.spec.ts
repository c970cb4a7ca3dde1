import * as assert from "assert";
import { Namespaces } from "../../components/namespaces";
import { LABEL_MANAGED_BY, LABEL_PART_OF, LABEL_INSTANCE } from "@torchpod/contract";
import { ofType, runPiece, RecordedResource } from "../mocks";

describe("Namespaces component", () => {
    it("enforces Pod Security baseline for TorchPods and restricted for MLab, by label", async () => {
        const run = await runPiece(() => new Namespaces("namespaces", { names: { torchpods: "tp", mlab: "ml" }, instance: "dev" }));
        const ns = Object.fromEntries(ofType(run, "kubernetes:core/v1:Namespace").map((r) => [r.inputs.metadata.name, r]));
        assert.deepStrictEqual(Object.keys(ns).sort(), ["ml", "tp"]);
        const tp = ns.tp.inputs.metadata.labels;
        assert.strictEqual(tp["pod-security.kubernetes.io/enforce"], "baseline");
        assert.strictEqual(tp["pod-security.kubernetes.io/audit"], "restricted");
        const ml = ns.ml.inputs.metadata.labels;
        assert.strictEqual(ml["pod-security.kubernetes.io/enforce"], "restricted");
        for (const r of Object.values(ns) as RecordedResource[]) {
            const labels = r.inputs.metadata.labels;
            assert.strictEqual(labels[LABEL_PART_OF], "torchpod");
            assert.strictEqual(labels[LABEL_MANAGED_BY], "pulumi");
            assert.strictEqual(labels[LABEL_INSTANCE], "dev");
            assert.ok(!Object.values(labels).includes("privileged"));
        }
    });

    it("retains namespaces on delete (deleting one would delete its PVCs)", async () => {
        const run = await runPiece(() => new Namespaces("namespaces", { names: { torchpods: "torchpod", mlab: "mlab" } }));
        for (const r of ofType(run, "kubernetes:core/v1:Namespace")) assert.strictEqual(r.retainOnDelete, true, r.name);
    });
});
