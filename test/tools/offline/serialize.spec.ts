import { strict as assert } from "assert";
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import * as random from "@pulumi/random";
import { serializeResourceProperties } from "../../../tools/offline/serialize";
import { runPiece } from "../../mocks";

// The SDK's own, taken before any offline run swaps in ours.
const rpc = require("@pulumi/pulumi/runtime/rpc");
const sdkSerialize: typeof serializeResourceProperties = rpc.serializeResourceProperties;

/** Each input's dependencies as a sorted list of URNs. */
async function urnsOf(deps: Map<string, Set<unknown>>): Promise<Record<string, string[]>> {
    const out: Record<string, string[]> = {};
    for (const [key, set] of deps) {
        out[key] = (
            await Promise.all([...set].map((r) => new Promise<string>((resolve) => (r as pulumi.Resource).urn.apply(resolve))))
        ).sort();
    }
    return out;
}

describe("offline serialization of resource inputs", () => {
    it("gives what the SDK's serializeResourceProperties gives: values, dropped keys, nulls in arrays, secrets, resources and dependencies", async () => {
        let ours: [unknown, Record<string, string[]>] | undefined;
        let sdks: [unknown, Record<string, string[]>] | undefined;
        const run = await runPiece(async () => {
            const pw = new random.RandomPassword("pw", { length: 12 });
            const svc = new k8s.core.v1.Service("svc", { metadata: { name: "svc", namespace: "ns" }, spec: { ports: [{ port: 80 }] } });
            const props = () => ({
                id: "never sent",
                urn: "never sent",
                plain: { a: 1, b: [1, undefined, null, "x", () => 1], c: undefined, f: () => 1, nested: { deep: [{ x: true }, []] } },
                empty: {},
                ip: svc.spec.clusterIP,
                secret: pulumi.secret("s"),
                promise: Promise.resolve({ p: [1, svc.metadata.name] }),
                mixed: [1, svc.metadata.name, { o: pw.result, plain: "y" }, undefined],
                resource: svc,
                undefinedOutput: pulumi.output(undefined),
                undefinedInArray: [pulumi.output(undefined), pulumi.output("kept")],
                asset: new pulumi.asset.StringAsset("text"),
                date: new Date(0),
                nothing: undefined,
            });
            const [oursValue, oursDeps] = await serializeResourceProperties("t", props());
            const [sdkValue, sdkDeps] = await sdkSerialize("t", props());
            ours = [oursValue, await urnsOf(oursDeps)];
            sdks = [sdkValue, await urnsOf(sdkDeps)];
        });
        assert.equal(run.error, undefined);
        assert.deepStrictEqual(ours, sdks);
        const [value, deps] = ours!;
        assert.deepStrictEqual((value as { plain: unknown }).plain, {
            a: 1,
            b: [1, null, null, "x", null],
            nested: { deep: [{ x: true }, []] },
        });
        assert.ok(
            deps.ip.some((urn) => urn.endsWith("::svc")),
            "an Output's resource is a dependency of its input",
        );
        assert.deepStrictEqual(deps.plain, [], "plain data depends on nothing");
        assert.ok(!("id" in (value as object)) && !("nothing" in (value as object)));
    });

    it("names the input whose serialization failed, as the SDK does", async () => {
        const failing = { fine: "x", broken: [1, Promise.reject(new Error("boom"))] };
        await assert.rejects(serializeResourceProperties("t", failing), /error serializing property "broken": boom/);
    });
});
