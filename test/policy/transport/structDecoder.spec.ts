import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import * as analyzerPb from "@pulumi/pulumi/proto/analyzer_pb";
import { loadManifests } from "@torchpod/netpol";
import { manifestsToResources } from "../../../tools/pack/manifestResources";
import { decodeStruct, installStructDecoder } from "../../../policy/transport/structDecoder";

// The policy server's Analyze handler, as the pack's process runs it (internal to @pulumi/policy).
const { makeAnalyzeRpcFun } = require("@pulumi/policy/server");

const bytesOf = (value: unknown) => Struct.fromJavaScript(JSON.parse(JSON.stringify(value))).serializeBinary();
/** What google-protobuf itself gives back for these bytes. */
const reference = (bytes: Uint8Array) => Struct.deserializeBinary(bytes).toJavaScript();

/** Hand-written wire bytes, for what google-protobuf never writes but a peer may send. */
const varint = (n: number) => {
    const out: number[] = [];
    while (n >= 0x80) {
        out.push((n & 0x7f) | 0x80);
        n = Math.floor(n / 128);
    }
    out.push(n);
    return out;
};
const delimited = (field: number, body: number[]) => [...varint((field << 3) | 2), ...varint(body.length), ...body];
const text = (s: string) => [...Buffer.from(s, "utf8")];
const stringValue = (s: string) => delimited(3, text(s));
const entry = (key: string, value: number[]) => delimited(1, [...delimited(1, text(key)), ...delimited(2, value)]);

const CASES = path.join(__dirname, "../../redteam/cases");
/** Every object of every red-team case (several cases share names, so each case is read on its own). */
const corpus = fs.readdirSync(CASES).flatMap((name) => manifestsToResources(loadManifests([path.join(CASES, name, "manifests")])));

describe("Struct decoding in the pack's process", () => {
    it("decodes every object of the red-team corpus exactly as google-protobuf does", () => {
        assert.ok(corpus.length > 200, `${corpus.length} objects`);
        for (const r of corpus) {
            const bytes = bytesOf(r.props);
            assert.deepStrictEqual(decodeStruct(bytes), reference(bytes), r.urn);
        }
    });

    it("keeps every kind of value: null, booleans, numbers at the edges, unicode, empty and nested lists and objects", () => {
        const value = {
            nothing: null,
            yes: true,
            no: false,
            numbers: [0, -0, 1, -1, 0.1, 1e308, -1e-308, 2 ** 53 + 2, 65535, 4294967296],
            strings: ["", "ascii", "ünïcödé", "日本語", "emoji 🚀", "nul\u0000byte", "x".repeat(70000)],
            empty: {},
            emptyList: [],
            nested: [[[]], [{ a: [{}] }]],
            "": "empty key",
            "10": "integer-like key",
            "2": "another",
        };
        const bytes = bytesOf(value);
        assert.deepStrictEqual(decodeStruct(bytes), reference(bytes));
        assert.deepStrictEqual(Object.keys(decodeStruct(bytes)), Object.keys(reference(bytes)), "same key order");
    });

    it("lets the last of two entries with one key win, and skips fields it does not know, as google-protobuf does", () => {
        const bytes = Uint8Array.from([
            ...entry("k", stringValue("first")),
            ...delimited(7, text("unknown field")),
            ...entry("k", stringValue("second")),
            ...varint((9 << 3) | 0),
            ...varint(300),
        ]);
        assert.deepStrictEqual(decodeStruct(bytes), reference(bytes));
        assert.deepStrictEqual(decodeStruct(bytes), { k: "second" });
    });

    it("refuses a value with no kind and a truncated message, as google-protobuf cannot read them either", () => {
        const noKind = Uint8Array.from(entry("k", []));
        assert.throws(() => reference(noKind), /Unexpected struct type/);
        assert.throws(() => decodeStruct(noKind), /Unexpected struct type/);
        const truncated = Uint8Array.from(entry("k", stringValue("abcdef")).slice(0, -3));
        assert.throws(() => decodeStruct(truncated), /protobuf: a field runs past the end/);
    });

    describe("installed", () => {
        let uninstall: () => void;
        before(() => (uninstall = installStructDecoder()));
        after(() => uninstall());

        const request = () => {
            const req = new analyzerPb.AnalyzeRequest();
            req.setType("kubernetes:apps/v1:Deployment");
            req.setUrn("urn:pulumi:dev::torchpod::kubernetes:apps/v1:Deployment::d");
            req.setProperties(Struct.fromJavaScript({ metadata: { name: "d", labels: { b: "2", a: "1" } }, spec: { replicas: 1 } }));
            req.setOptions(new analyzerPb.AnalyzerResourceOptions());
            return req.serializeBinary();
        };

        it("gives an Analyze request's properties as google-protobuf would, and a fresh top-level object on every call", () => {
            const props = analyzerPb.AnalyzeRequest.deserializeBinary(request()).getProperties()!;
            const first = props.toJavaScript() as Record<string, unknown>;
            assert.deepStrictEqual(first, { metadata: { labels: { a: "1", b: "2" }, name: "d" }, spec: { replicas: 1 } });
            // The policy server's Configure adds its enforcement level to the object it is given.
            Object.assign(first, { enforcementLevel: "advisory" });
            assert.equal("enforcementLevel" in props.toJavaScript(), false);
        });

        it("gives each policy its own properties: what one policy changes, the next does not see", async () => {
            const seen: string[] = [];
            const policies = [
                {
                    name: "changes-its-props",
                    description: "",
                    validateResource: (args: any) => {
                        args.props.metadata.name = "changed";
                        args.props.metadata.labels.a = "changed";
                        delete args.props.spec;
                    },
                },
                {
                    name: "reads-its-props",
                    description: "",
                    validateResource: (args: any) => seen.push(JSON.stringify(args.props)),
                },
            ];
            const analyze = makeAnalyzeRpcFun("pack", "1.0.0", "mandatory", policies);
            const call = { request: analyzerPb.AnalyzeRequest.deserializeBinary(request()) };
            for (let i = 0; i < 2; i++)
                await new Promise((resolve, reject) => analyze(call, (err: unknown) => (err ? reject(err) : resolve(undefined))));
            const original = JSON.stringify({ metadata: { labels: { a: "1", b: "2" }, name: "d" }, spec: { replicas: 1 } });
            assert.deepEqual(seen, [original, original]);
        });

        it("still serializes a decoded request back to the same bytes (the protobuf tree is built when asked for)", () => {
            const bytes = request();
            const req = analyzerPb.AnalyzeRequest.deserializeBinary(bytes);
            assert.deepStrictEqual(req.serializeBinary(), bytes);
            assert.deepStrictEqual(req.getProperties()!.toJavaScript(), reference(req.getProperties()!.serializeBinary()));
        });

        it("decodes an AnalyzeStack request's every resource", () => {
            const req = new analyzerPb.AnalyzeStackRequest();
            for (const r of corpus.slice(0, 50)) {
                const resource = new analyzerPb.AnalyzerResource();
                resource.setType(r.type);
                resource.setUrn(r.urn);
                resource.setProperties(Struct.fromJavaScript(JSON.parse(JSON.stringify(r.props))));
                req.addResources(resource);
            }
            const decoded = analyzerPb.AnalyzeStackRequest.deserializeBinary(req.serializeBinary()).getResourcesList();
            assert.equal(decoded.length, 50);
            decoded.forEach((resource, i) =>
                assert.deepStrictEqual(resource.getProperties()!.toJavaScript(), JSON.parse(JSON.stringify(corpus[i].props))),
            );
        });
    });
});
