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

describe("offline engine: components it cannot see into", () => {
    const deployment = `apiVersion: apps/v1
kind: Deployment
metadata: {name: hidden, namespace: torchpod}
spec:
  selector: {matchLabels: {app: hidden}}
  template:
    metadata: {labels: {app: hidden}}
    spec: {containers: [{name: c, image: busybox:1.36}]}
`;

    it("has seen everything when the program holds only resources the program itself registers", async () => {
        const run = await runPiece(() => new Box("b"));
        assert.deepEqual(run.unexpanded, []);
        assert.ok(run.resources.every((r) => r.remote === false));
    });

    it("names a yaml/v2 ConfigGroup, which the provider expands at deploy time, and registers none of its objects", async () => {
        const run = await runPiece(() => new k8s.yaml.v2.ConfigGroup("extra", { yaml: deployment }));
        assert.deepEqual(
            run.unexpanded.map((u) => [u.type, u.name]),
            [["kubernetes:yaml/v2:ConfigGroup", "extra"]],
        );
        assert.match(run.unexpanded[0].why, /the provider builds at deploy time/);
        assert.deepEqual(ofType(run, "kubernetes:apps/v1:Deployment"), []);
    });

    it("names a helm v4 Chart and a helm v3 Chart (whose objects come from helm template)", async () => {
        const run = await runPiece(() => {
            new k8s.helm.v4.Chart("v4", { chart: "./no-such-chart" });
            new k8s.helm.v3.Chart("v3", { path: "./no-such-chart" });
        });
        assert.deepEqual(run.unexpanded.map((u) => `${u.type} ${u.name}`).sort(), [
            "kubernetes:helm.sh/v3:Chart v3",
            "kubernetes:helm.sh/v4:Chart v4",
        ]);
        assert.match(run.unexpanded.find((u) => u.name === "v3")!.why, /helm template/);
    });

    it("expands a yaml/v1 ConfigGroup as the provider's yaml:decode would, so its objects are seen", async () => {
        const run = await runPiece(() => new k8s.yaml.ConfigGroup("v1", { yaml: `---\n${deployment}---\n` }));
        assert.equal(run.error, undefined);
        assert.deepEqual(run.unexpanded, []);
        const [d] = ofType(run, "kubernetes:apps/v1:Deployment");
        assert.equal(d.inputs.metadata.name, "hidden");
        assert.ok(d.parent?.endsWith("kubernetes:yaml:ConfigGroup::v1"), d.parent);
    });

    it("records where secret inputs were, so nothing written from them shows one", async () => {
        const run = await runPiece(() => {
            new k8s.core.v1.ConfigMap("cm", { metadata: { name: "cm" }, data: { plain: "a", hidden: pulumi.secret("s3cret") } });
        });
        const [cm] = ofType(run, "kubernetes:core/v1:ConfigMap");
        assert.equal(cm.inputs.data.hidden, "s3cret");
        // The SDK marks the smallest property it can (here the whole `data` map) secret; `metadata` stays plain.
        assert.ok(
            cm.secretPaths.some((p) => ["data", "hidden"].slice(0, p.length).join("/") === p.join("/")),
            JSON.stringify(cm.secretPaths),
        );
        assert.ok(!cm.secretPaths.some((p) => p[0] === "metadata"));
    });
});
