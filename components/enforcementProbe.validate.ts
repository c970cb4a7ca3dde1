// The enforcement probe's rules on its arguments, as a pure check (no Pulumi): the stack config calls
// it before any resource exists, and EnforcementProbe refuses what it reports.
import { checkPinnedImage, DESKTOP_PORTS } from "@torchpod/contract";
import { cidrHolding, parseAddress } from "@torchpod/netpol/net";
import { ArgProblem, addressProblem, portProblem } from "./common/argProblems";
import { PRIVATE_V4, PRIVATE_V6 } from "./networkLockdown";
import { ClusterConfig, ProbeConfig } from "./common/settings";

/** The arguments the check reads (EnforcementProbeArgs satisfies it). */
export interface ProbeArgsChecked {
    readonly config: ProbeConfig;
    readonly cluster: Pick<ClusterConfig, "podCidrs" | "serviceCidrs" | "dnsServiceIp" | "apiServerIp">;
    readonly mlab: { readonly port: number; readonly sshPort?: number };
    readonly airlock: { readonly port: number };
    readonly targetPort?: number;
    /** The isolation gate runs the probe's image against the cluster addresses even when the probe is disabled. @default true */
    readonly isolationGate?: boolean;
}

/**
 * Every problem of the probe's arguments: an unpinned image, a non-positive timeout, an internet
 * address that is not an address (the probe has no DNS) or not on the internet (a private or cluster
 * address proves nothing about internet egress), cluster addresses that are not addresses, ports out
 * of range. A disabled probe checks only what the isolation gate uses (image, timeout, cluster
 * addresses), and nothing without the gate (then it creates nothing).
 */
export function validateProbeArgs(args: ProbeArgsChecked): ArgProblem[] {
    const { config, cluster } = args;
    if (!config.enabled && args.isolationGate === false) return [];
    const problems: ArgProblem[] = [];
    const pinned = checkPinnedImage(config.image);
    if (pinned)
        problems.push({
            field: "config.image",
            got: config.image,
            expected: pinned,
            message: `probe.image must be pinned (a tag or digest, never :latest), got ${JSON.stringify(config.image)}`,
        });
    if (!(config.timeoutSeconds > 0))
        problems.push({
            field: "config.timeoutSeconds",
            got: config.timeoutSeconds,
            expected: "expected a positive number of seconds",
            message: `probe.timeoutSeconds must be positive, got ${config.timeoutSeconds}`,
        });
    for (const key of ["dnsServiceIp", "apiServerIp"] as const) {
        const p = addressProblem(`cluster.${key}`, cluster[key]);
        if (p) problems.push(p);
    }
    if (!config.enabled) return problems;
    const ip = config.internetAddress;
    const address = parseAddress(ip);
    if (!address)
        problems.push({
            field: "config.internetAddress",
            got: ip,
            expected: "expected a public IP address (the probe has no DNS; it must fail to reach it)",
            message: `probe.internetAddress must be an IP address (the probe has no DNS), got ${JSON.stringify(ip)}`,
        });
    else {
        const notInternet = cidrHolding(ip, [
            ...(address.family === 6 ? PRIVATE_V6 : PRIVATE_V4),
            ...cluster.podCidrs,
            ...cluster.serviceCidrs,
        ]);
        if (notInternet)
            problems.push({
                field: "config.internetAddress",
                got: ip,
                expected: `expected a public IP address: ${ip} lies in ${notInternet}, and failing to reach it proves nothing about the internet`,
                message: `probe.internetAddress ${ip} is not an internet address (it lies in ${notInternet})`,
            });
    }
    for (const p of [
        portProblem("mlab.port", args.mlab.port),
        args.mlab.sshPort !== undefined ? portProblem("mlab.sshPort", args.mlab.sshPort) : undefined,
        portProblem("airlock.port", args.airlock.port),
        portProblem("targetPort", args.targetPort ?? DESKTOP_PORTS.rdp),
    ])
        if (p) problems.push(p);
    return problems;
}
