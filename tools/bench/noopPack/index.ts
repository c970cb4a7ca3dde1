// The pack's floor for `npm run bench`: as many resource and stack policies as torchpod-lockdown has,
// each doing nothing, behind the same request decoding. What it costs over a stack's objects is what
// @pulumi/policy and the Analyzer protocol cost any pack of that shape; the rest of the real pack's
// cost is its policies' own work. Started by the bench's pack-floor case, never by tests.
import { PolicyPack, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { resourcePolicies, stackPolicies } from "../../../policy/policies";
import { installStructDecoder } from "../../../policy/transport/structDecoder";

installStructDecoder();

const noopResource = (_: unknown, i: number): ResourceValidationPolicy => ({
    name: `noop-resource-${i}`,
    description: "Does nothing.",
    validateResource: () => {},
});
const noopStack = (_: unknown, i: number): StackValidationPolicy => ({
    name: `noop-stack-${i}`,
    description: "Does nothing.",
    validateStack: () => {},
});

new PolicyPack("torchpod-bench-noop", {
    policies: [...stackPolicies.map(noopStack), ...resourcePolicies.map(noopResource)],
    enforcementLevel: "mandatory",
});
