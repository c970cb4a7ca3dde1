// torchpod:cluster: the cluster's facts (address ranges, DNS, the API server) the lock-down and the probe need.
import { PLATFORM_DEFAULTS } from "../../components/common/defaults";
import { ClusterConfig } from "../../components/common/settings";
import { cidrContainsAddress, parseAddress } from "@torchpod/netpol/net";
import { Checker, NAMESPACE } from "../checker";
import { isDnsLabel } from "../validate";

export function parseCluster(c: Checker, raw: unknown): ClusterConfig {
    const path = `${NAMESPACE}:cluster`;
    const obj = c.object(path, raw, [
        "podCidrs",
        "serviceCidrs",
        "dnsNamespace",
        "dnsPodLabels",
        "dnsServiceIp",
        "apiServerIp",
        "controlPlaneCidrs",
    ]);
    const pods = c.cidrs(`${path}.podCidrs`, obj?.podCidrs, PLATFORM_DEFAULTS.cluster.podCidrs, { nonEmpty: true });
    const services = c.cidrs(`${path}.serviceCidrs`, obj?.serviceCidrs, PLATFORM_DEFAULTS.cluster.serviceCidrs, { nonEmpty: true });
    const controlPlane = c.cidrs(`${path}.controlPlaneCidrs`, obj?.controlPlaneCidrs, PLATFORM_DEFAULTS.cluster.controlPlaneCidrs, {
        forbidAll: true,
    });
    const inServices = (key: "dnsServiceIp" | "apiServerIp") => {
        const value = c.ip(`${path}.${key}`, obj?.[key], PLATFORM_DEFAULTS.cluster[key]);
        const ip = parseAddress(value);
        if (ip && services.parsed.length > 0 && !services.parsed.some((s) => cidrContainsAddress(s, ip)) && obj?.[key] !== undefined) {
            c.problem(`${path}.${key}`, value, `expected an address inside serviceCidrs (${services.texts.join(", ")})`);
        } else if (ip && services.parsed.length > 0 && !services.parsed.some((s) => cidrContainsAddress(s, ip))) {
            c.problem(
                `${path}.${key}`,
                undefined,
                `expected it set: the default ${value} is outside serviceCidrs (${services.texts.join(", ")})`,
            );
        }
        return value;
    };
    return {
        podCidrs: pods.texts,
        serviceCidrs: services.texts,
        dnsNamespace: c.string(`${path}.dnsNamespace`, obj?.dnsNamespace, PLATFORM_DEFAULTS.cluster.dnsNamespace, (s) =>
            isDnsLabel(s) ? undefined : "expected a namespace name (DNS-1123 label)",
        ),
        dnsPodLabels: c.labelMap(`${path}.dnsPodLabels`, obj?.dnsPodLabels, PLATFORM_DEFAULTS.cluster.dnsPodLabels),
        dnsServiceIp: inServices("dnsServiceIp"),
        apiServerIp: inServices("apiServerIp"),
        controlPlaneCidrs: controlPlane.texts,
        dualStack: [...pods.parsed, ...services.parsed].some((p) => p.family === 6),
    };
}
