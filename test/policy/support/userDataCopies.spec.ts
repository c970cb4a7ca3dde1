import * as assert from "assert";
import { claimSpecSource, propagateCopies, storageGraph, templateCopies } from "../../../policy/support/userDataCopies";

const r = (apiVersion: string, kind: string, namespace: string, name: string, spec: unknown) => ({
    type: `kubernetes:${apiVersion.includes("/") ? apiVersion : `core/${apiVersion}`}:${kind}`,
    name,
    props: { apiVersion, kind, metadata: { name, namespace }, spec },
});
const snapshot = (ns: string, name: string, claim: string) =>
    r("snapshot.storage.k8s.io/v1", "VolumeSnapshot", ns, name, { source: { persistentVolumeClaimName: claim } });
const claim = (ns: string, name: string, source?: Record<string, unknown>, field = "dataSourceRef") =>
    r("v1", "PersistentVolumeClaim", ns, name, source ? { [field]: source } : {});
const fromSnapshot = (name: string, namespace?: string) => ({
    apiGroup: "snapshot.storage.k8s.io",
    kind: "VolumeSnapshot",
    name,
    ...(namespace ? { namespace } : {}),
});

describe("user data copies", () => {
    it("reads dataSourceRef (across namespaces) before dataSource, and ignores populators", () => {
        assert.deepStrictEqual(claimSpecSource({ dataSourceRef: fromSnapshot("s", "torchpod") }, "scratch"), {
            kind: "VolumeSnapshot",
            namespace: "torchpod",
            name: "s",
            via: "dataSourceRef",
        });
        assert.strictEqual(
            claimSpecSource({ dataSource: { kind: "PersistentVolumeClaim", name: "c", namespace: "x" } }, "ns")?.namespace,
            "ns",
        );
        assert.strictEqual(
            claimSpecSource({ dataSourceRef: { apiGroup: "populators.example", kind: "Hello", name: "h" } }, "ns"),
            undefined,
        );
        assert.strictEqual(
            claimSpecSource({ dataSource: { kind: "VolumeSnapshot", name: "s" } }, "ns"),
            undefined,
            "a snapshot needs its apiGroup",
        );
    });

    it("follows a home through a snapshot into a claim restored in another namespace, and a clone of that claim", () => {
        const graph = storageGraph([
            snapshot("torchpod", "snap", "home-alice"),
            claim("scratch", "restored", fromSnapshot("snap", "torchpod")),
            claim("scratch", "clone", { kind: "PersistentVolumeClaim", name: "restored" }, "dataSource"),
            claim("scratch", "unrelated"),
        ]);
        const held = new Map([["torchpod/home-alice", "a home claim"]]);
        const { snapshots } = propagateCopies(graph, held);
        assert.match(snapshots.get("torchpod/snap")!, /copies claim torchpod\/home-alice, which holds a home claim/);
        assert.match(held.get("scratch/restored")!, /^a copy \(dataSourceRef VolumeSnapshot torchpod\/snap\)/);
        assert.match(held.get("scratch/clone")!, /^a copy \(dataSource PersistentVolumeClaim scratch\/restored\)/);
        assert.strictEqual(held.has("scratch/unrelated"), false);
    });

    it("does not follow a snapshot of a claim in another namespace (a VolumeSnapshot copies its own namespace's claim)", () => {
        const graph = storageGraph([snapshot("scratch", "snap", "home-alice")]);
        assert.strictEqual(propagateCopies(graph, new Map([["torchpod/home-alice", "a home claim"]])).snapshots.size, 0);
    });

    it("finds the claim templates of ephemeral volumes and of a StatefulSet that copy a claim or snapshot", () => {
        const spec = {
            volumes: [
                { name: "scratch", ephemeral: { volumeClaimTemplate: { spec: { dataSource: fromSnapshot("snap") } } } },
                { name: "plain", ephemeral: { volumeClaimTemplate: { spec: {} } } },
            ],
        };
        const sts = [{ metadata: { name: "data" }, spec: { dataSourceRef: { kind: "PersistentVolumeClaim", name: "home-alice" } } }];
        assert.deepStrictEqual(
            templateCopies({ spec, namespace: "torchpod" }, sts).map(
                (c) => `${c.volume} ${c.source.kind} ${c.source.namespace}/${c.source.name}`,
            ),
            ["scratch VolumeSnapshot torchpod/snap", "data PersistentVolumeClaim torchpod/home-alice"],
        );
    });
});
