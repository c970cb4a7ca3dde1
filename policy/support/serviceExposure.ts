// How a Service is exposed beyond the cluster, judged against the office networks: shared by the
// TorchPod and MLab policies (the traffic table lets only office networks in from outside).
import { isUnknown, read } from "./unknowns";
import { Unknowns } from "./resources";
import { officeProblem } from "./cidrs";

/**
 * The ways a Service reaches beyond the office: NodePort, a LoadBalancer with node ports, without
 * source ranges or with a range outside `officeCidrs` (any range when none are configured), externalIPs.
 * `unknowns` collects the values unknown during preview that were needed.
 */
export function serviceExposures(obj: unknown, path: string[], officeCidrs: readonly string[], unknowns: Unknowns): string[] {
    const type = read(obj, ["spec", "type"], unknowns, path);
    const alloc = read(obj, ["spec", "allocateLoadBalancerNodePorts"], unknowns, path);
    const externalIPs = read(obj, ["spec", "externalIPs"], unknowns, path);
    const ru: Unknowns = [];
    const sourceRanges = type === "LoadBalancer" ? read(obj, ["spec", "loadBalancerSourceRanges"], ru, path) : undefined;
    if (Array.isArray(sourceRanges))
        sourceRanges.forEach(
            (x, i) => isUnknown(x) && ru.push({ sentinel: x, path: [...path, "spec", "loadBalancerSourceRanges", String(i)] }),
        );
    unknowns.push(...ru);
    const out: string[] = [];
    if (type === "NodePort") out.push("type NodePort");
    if (type === "LoadBalancer" && alloc !== false)
        out.push("type LoadBalancer with node ports (allocateLoadBalancerNodePorts is not false)");
    if (type === "LoadBalancer") {
        const ranges = Array.isArray(sourceRanges) ? sourceRanges.filter((x) => typeof x === "string" && !isUnknown(x)) : [];
        const outside = ranges.map((x) => ({ x, why: officeProblem(x, officeCidrs) })).filter((o) => o.why);
        if (ranges.length === 0 && ru.length === 0)
            out.push(
                "type LoadBalancer without loadBalancerSourceRanges (open to every address the load balancer faces, usually the internet)",
            );
        else if (outside.length)
            out.push(`type LoadBalancer with loadBalancerSourceRanges ${outside.map((o) => o.x).join(", ")} ${outside[0].why}`);
    }
    if (Array.isArray(externalIPs) && externalIPs.length > 0) out.push(`externalIPs ${externalIPs.join(", ")}`);
    return out;
}
