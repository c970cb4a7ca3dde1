import { strict as assert } from "assert";
import { extendedResourceProblem } from "../../../components/common/extendedResources";

describe("extendedResourceProblem", () => {
    it("accepts vendor GPUs, MIG profiles and other vendors' devices", () => {
        for (const name of [
            "nvidia.com/gpu",
            "nvidia.com/mig-1g.10gb",
            "nvidia.com/mig-3g.40gb",
            "amd.com/gpu",
            "gpu.intel.com/i915",
            "example/gpu",
        ])
            assert.equal(extendedResourceProblem(name), undefined, name);
    });

    it("refuses names without a domain, with an upper-case domain, too long, or in the kubernetes.io domain", () => {
        for (const name of [
            "gpu",
            "nvidia.com/",
            "/gpu",
            "NVIDIA.com/gpu",
            "a/b/c",
            `nvidia.com/${"g".repeat(64)}`,
            "requests.nvidia.com/gpu",
            "",
        ])
            assert.match(extendedResourceProblem(name)!, /^expected an extended resource name with a domain/, name);
        for (const name of ["kubernetes.io/gpu", "node.kubernetes.io/gpu"])
            assert.match(extendedResourceProblem(name)!, /outside the kubernetes\.io domain/, name);
    });
});
