import { strict as assert } from "assert";
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import * as random from "@pulumi/random";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import { runPiece, ofType } from "../../mocks";

class Box extends pulumi.ComponentResource {
    readonly ip: pulumi.Output<string>;
    constructor(name: string) {
        super("torchpod:test:Box", name, {}, {});
        const pw = new random.RandomPassword(`${name}-pw`, { length: 20, special: false }, { parent: this });
        new k8s.core.v1.Secret(`${name}-secret`, { metadata: { name: "s" }, stringData: { p: pw.result } }, { parent: this });
        const svc = new k8s.core.v1.Service(
            `${name}-svc`,
            { metadata: { name: "svc", namespace: "ns" }, spec: { ports: [{ port: 80 }] } },
            { parent: this, retainOnDelete: true },
        );
        this.ip = svc.spec.clusterIP;
        this.registerOutputs({ ip: this.ip });
    }
}

describe("offline engine", () => {
    it("records children with their parent, options and computed state", async () => {
        const run = await runPiece(() => ({ ip: new Box("b").ip }));
        assert.equal(run.error, undefined);
        const [svc] = ofType(run, "kubernetes:core/v1:Service");
        assert.ok(svc.parent?.endsWith("torchpod:test:Box::b"), svc.parent);
        assert.equal(svc.retainOnDelete, true);
        assert.match(svc.state.spec.clusterIP, /^10\.\d+\.\d+\.\d+$/);
        assert.equal(run.exports.ip, svc.state.spec.clusterIP);
        const [secret] = ofType(run, "kubernetes:core/v1:Secret");
        assert.equal(secret.inputs.stringData.p.length, 20);
    });

    it("answers registrations with the mocks' state: secret inputs stay secret and computed fields resolve in dependent resources", async () => {
        const run = await runPiece(() => {
            const pw = new random.RandomPassword("pw", { length: 12, special: false });
            const svc = new k8s.core.v1.Service("svc", { metadata: { name: "svc", namespace: "ns" }, spec: { ports: [{ port: 80 }] } });
            const cm = new k8s.core.v1.ConfigMap("cm", {
                metadata: { namespace: "ns" },
                data: { ip: svc.spec.clusterIP, password: pulumi.secret(pw.result) },
            });
            return { data: cm.data, cmName: cm.metadata.name };
        });
        assert.equal(run.error, undefined);
        const [pw] = ofType(run, "random:index/randomPassword:RandomPassword");
        const [svc] = ofType(run, "kubernetes:core/v1:Service");
        const [cm] = ofType(run, "kubernetes:core/v1:ConfigMap");
        assert.deepEqual(cm.inputs.data, { ip: svc.state.spec.clusterIP, password: pw.state.result });
        assert.deepEqual(run.exports.data, { secret: { ip: svc.state.spec.clusterIP, password: pw.state.result } });
        assert.match(String(run.exports.cmName), /^cm-[0-9a-f]{8}$/, "auto-named as Pulumi would");
    });

    it("skips source positions only while a program runs", async () => {
        const callsites = (pulumi.Resource as unknown as { callsites: unknown }).callsites;
        let during: unknown;
        await runPiece(() => {
            during = (pulumi.Resource as unknown as { callsites: () => unknown[] }).callsites();
        });
        assert.deepEqual(during, []);
        assert.equal((pulumi.Resource as unknown as { callsites: unknown }).callsites, callsites);
    });

    it("records properties as the protobuf wire would hand them over: object keys sorted, arrays in order", async () => {
        const run = await runPiece(() => {
            new k8s.core.v1.ConfigMap("cm", {
                metadata: { namespace: "ns", name: "cm", labels: { zeta: "1", alpha: "2" } },
                data: { z: "1", a: "2", m: "3" },
                binaryData: undefined,
            });
            new k8s.core.v1.Service("svc", { metadata: { name: "svc" }, spec: { ports: [{ port: 81 }, { port: 80 }] } });
        });
        const [cm] = ofType(run, "kubernetes:core/v1:ConfigMap");
        assert.deepEqual(Object.keys(cm.inputs), ["apiVersion", "data", "kind", "metadata"]);
        assert.deepEqual(Object.keys(cm.inputs.metadata), ["labels", "name", "namespace"]);
        assert.deepEqual(Object.keys(cm.inputs.metadata.labels), ["alpha", "zeta"]);
        assert.deepEqual(Object.keys(cm.inputs.data), ["a", "m", "z"]);
        const [svc] = ofType(run, "kubernetes:core/v1:Service");
        assert.deepEqual(
            svc.inputs.spec.ports.map((p: { port: number }) => p.port),
            [81, 80],
        );
    });

    it("keeps protobuf Structs made while a program runs (the pack's requests, in render) byte-identical, and restores the converter after", async () => {
        const value = { b: [1, "two", true, null, { c: { d: "e" } }], a: { nested: "x" } };
        const expected = Struct.fromJavaScript(value as never).serializeBinary();
        const fromJavaScript = Struct.fromJavaScript;
        let during: Uint8Array | undefined;
        let readBack: unknown;
        await runPiece(() => {
            const struct = Struct.fromJavaScript(value as never);
            during = struct.serializeBinary();
            readBack = Struct.deserializeBinary(during).toJavaScript();
        });
        assert.deepEqual(during, expected);
        assert.deepEqual(readBack, value);
        assert.equal(Struct.fromJavaScript, fromJavaScript);
    });

    it("reports what the program threw and registers nothing after it", async () => {
        const run = await runPiece(() => {
            throw new Error("bad config");
        });
        assert.equal(run.error?.message, "bad config");
        assert.equal(run.resources.length, 0);
    });
});
