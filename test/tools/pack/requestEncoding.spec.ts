import { strict as assert } from "assert";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import * as analyzerPb from "@pulumi/pulumi/proto/analyzer_pb";
import { encodeAnalyzeRequest, encodeAnalyzeStackRequest, encodeStruct, PackResource } from "../../../tools/pack/runner";

/** What the runner sent before it wrote bytes itself: a JSON round trip, then google-protobuf's Struct. */
function googleStruct(v: Record<string, unknown>): Struct {
    return Struct.fromJavaScript(JSON.parse(JSON.stringify(v)));
}

function googleOptions(r: PackResource): analyzerPb.AnalyzerResourceOptions {
    const o = new analyzerPb.AnalyzerResourceOptions();
    o.setCustomtimeouts(new analyzerPb.AnalyzerResourceOptions.CustomTimeouts());
    if (r.parent) o.setParent(r.parent);
    return o;
}

const deployment: PackResource = {
    type: "kubernetes:apps/v1:Deployment",
    name: "user0001",
    urn: "urn:pulumi:dev::torchpod::torchpod:index:TorchPod$kubernetes:apps/v1:Deployment::user0001",
    parent: "urn:pulumi:dev::torchpod::torchpod:index:TorchPod::user0001",
    dependencies: ["urn:pulumi:dev::torchpod::kubernetes:core/v1:Namespace::torchpod", ""],
    props: {
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { name: "user0001", namespace: "torchpod", labels: { "app.kubernetes.io/component": "torchpod", a: "1" } },
        spec: {
            replicas: 1,
            template: {
                spec: {
                    containers: [{ name: "desktop", image: "gemfield/torchpod:1.0", ports: [{ containerPort: 7031 }], env: [] }],
                    automountServiceAccountToken: false,
                    volumes: [{ name: "shm", emptyDir: { medium: "Memory", sizeLimit: "8Gi" } }],
                },
            },
        },
    },
};

describe("pack request encoding", () => {
    it("writes a Struct byte for byte as google-protobuf does after a JSON round trip, including what JSON drops or changes", () => {
        const values: Record<string, unknown>[] = [
            {},
            deployment.props,
            { dropped: undefined, fn: () => 1, kept: null, zero: 0, negativeZero: -0, no: false, empty: "" },
            { list: [undefined, () => 1, NaN, Infinity, -Infinity, 1.5, -2, 2 ** 53, [], {}, [[null]]] },
            { date: new Date(0), nested: { deeper: { deepest: ["x"] } } },
            { "ü€😀": "ü€😀", Z: 1, a: 2, "": "", "10": 3, "9": 4 },
            { long: "x".repeat(300), many: Array.from({ length: 200 }, (_, i) => ({ i, s: `s${i}` })) },
        ];
        for (const v of values) {
            const expected = Buffer.from(googleStruct(v).serializeBinary());
            assert.ok(encodeStruct(v).equals(expected), JSON.stringify(v).slice(0, 120));
        }
    });

    it("writes AnalyzeRequest as the generated message would (type, properties, urn, name, options with the parent)", () => {
        const req = new analyzerPb.AnalyzeRequest();
        req.setType(deployment.type);
        req.setProperties(googleStruct(deployment.props));
        req.setUrn(deployment.urn);
        req.setName(deployment.name);
        req.setOptions(googleOptions(deployment));
        assert.ok(encodeAnalyzeRequest(deployment).equals(Buffer.from(req.serializeBinary())));
    });

    it("writes AnalyzeStackRequest as the generated message would, with parents and dependencies", () => {
        const namespace: PackResource = {
            type: "kubernetes:core/v1:Namespace",
            name: "torchpod",
            urn: "urn:pulumi:dev::torchpod::kubernetes:core/v1:Namespace::torchpod",
            props: { apiVersion: "v1", kind: "Namespace", metadata: { name: "torchpod" } },
        };
        const req = new analyzerPb.AnalyzeStackRequest();
        req.setResourcesList(
            [namespace, deployment].map((r) => {
                const a = new analyzerPb.AnalyzerResource();
                a.setType(r.type);
                a.setProperties(googleStruct(r.props));
                a.setUrn(r.urn);
                a.setName(r.name);
                a.setOptions(googleOptions(r));
                if (r.parent) a.setParent(r.parent);
                a.setDependenciesList(r.dependencies ?? []);
                return a;
            }),
        );
        const bytes = encodeAnalyzeStackRequest([namespace, deployment]);
        assert.ok(bytes.equals(Buffer.from(req.serializeBinary())));
        const decoded = analyzerPb.AnalyzeStackRequest.deserializeBinary(new Uint8Array(bytes));
        assert.deepEqual(decoded.getResourcesList()[1].getProperties()?.toJavaScript(), deployment.props);
    });
});
