import { strict as assert } from "assert";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import * as analyzerPb from "@pulumi/pulumi/proto/analyzer_pb";
import { notApplicable } from "../../../policy/support/notApplicable";

// The policy server's Analyze handler, as the pack's process runs it (internal to @pulumi/policy).
const { makeAnalyzeRpcFun } = require("@pulumi/policy/server");

describe("notApplicable", () => {
    it("reaches the engine as the policy's not-applicable reason", async () => {
        const policy = {
            name: "pods-only",
            description: "",
            validateResource: (args: any) => notApplicable(args, "no pod template in this resource"),
        };
        const req = new analyzerPb.AnalyzeRequest();
        req.setType("kubernetes:core/v1:Service");
        req.setUrn("urn:pulumi:dev::torchpod::kubernetes:core/v1:Service::s");
        req.setProperties(Struct.fromJavaScript({ metadata: { name: "s" } }));
        req.setOptions(new analyzerPb.AnalyzerResourceOptions());
        const analyze = makeAnalyzeRpcFun("pack", "1.0.0", "mandatory", [policy]);
        const response: any = await new Promise((resolve, reject) =>
            analyze({ request: req }, (err: unknown, res: unknown) => (err ? reject(err) : resolve(res))),
        );
        assert.deepEqual(
            response.getNotApplicableList().map((n: any) => [n.getPolicyName(), n.getReason()]),
            [["pods-only", "no pod template in this resource"]],
        );
        assert.deepEqual(response.getDiagnosticsList(), []);
    });

    it("throws without capturing stack frames, and leaves Error.stackTraceLimit as it was", () => {
        const before = Error.stackTraceLimit;
        const args = {
            notApplicable: (reason?: string): never => {
                throw new Error(reason);
            },
        };
        assert.throws(
            () => notApplicable(args, "not a Kubernetes resource"),
            (e: Error) => e.message === "not a Kubernetes resource" && !e.stack!.includes("\n    at "),
        );
        assert.equal(Error.stackTraceLimit, before);
        assert.match(new Error("after").stack!, /\n {4}at /);
    });
});
