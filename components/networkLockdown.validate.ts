// The network lock-down's rules on its arguments, as a pure check (no Pulumi): the stack config calls
// it before any resource exists, and NetworkLockdown refuses what it reports.
import { Cidr, cidrContainsCidr, formatCidr, parseCidr } from "@torchpod/netpol/net";
import { ArgProblem, addressProblem, portProblem } from "./argProblems";
import type { NetworkLockdownArgs } from "./networkLockdown";

type Checked = Pick<NetworkLockdownArgs, "officeCidrs" | "cluster" | "mlabPorts" | "airlockSftpContainerPort">;

/**
 * Every problem of the lock-down's arguments: malformed CIDRs and addresses, ports out of range, an
 * empty DNS pod selector (it would open port 53 of every pod of the DNS namespace), an office network
 * that is the whole address space (the internet would reach every TorchPod) or lies inside the
 * cluster's pod or service range (pods would pass for office computers).
 */
export function validateNetworkLockdownArgs(args: Checked): ArgProblem[] {
    const problems: ArgProblem[] = [];
    const { cluster } = args;
    for (const p of [
        portProblem("mlabPorts.http", args.mlabPorts.http),
        portProblem("mlabPorts.ssh", args.mlabPorts.ssh),
        portProblem("airlockSftpContainerPort", args.airlockSftpContainerPort ?? 22),
    ])
        if (p) problems.push(p);

    /** The CIDR at `field`, or undefined after reporting why it is not one. */
    const cidr = (field: string, what: string, text: string): Cidr | undefined => {
        const c = parseCidr(text);
        if (typeof c !== "string") return c;
        problems.push({
            field,
            got: text,
            expected: 'expected a CIDR like "192.0.2.0/24" or "2001:db8::/32"',
            message: `${what} ${JSON.stringify(text)} is not a valid CIDR (e.g. 10.0.0.0/8 or fd00::/8)`,
        });
        return undefined;
    };
    const cidrs = (field: string, what: string, texts: readonly string[]): Cidr[] =>
        texts.flatMap((text, i) => cidr(`${field}[${i}]`, what, text) ?? []);
    const clusterRanges = [
        ...cidrs("cluster.podCidrs", "cluster pod/service CIDR", cluster.podCidrs),
        ...cidrs("cluster.serviceCidrs", "cluster pod/service CIDR", cluster.serviceCidrs),
    ];
    cidrs("cluster.controlPlaneCidrs", "control-plane CIDR", cluster.controlPlaneCidrs);
    for (const key of ["apiServerIp", "dnsServiceIp"] as const) {
        const p = addressProblem(`cluster.${key}`, cluster[key]);
        if (p) problems.push(p);
    }
    if (Object.keys(cluster.dnsPodLabels).length === 0)
        problems.push({
            field: "cluster.dnsPodLabels",
            got: cluster.dnsPodLabels,
            expected:
                "expected the labels of the cluster DNS pods (e.g. k8s-app: kube-dns): an empty selector opens port 53 of every pod there",
            message: "cluster.dnsPodLabels must name the cluster DNS pods (e.g. k8s-app: kube-dns)",
        });

    args.officeCidrs.forEach((text, i) => {
        const field = `officeCidrs[${i}]`;
        const c = cidr(field, "office CIDR", text);
        if (!c) return;
        if (c.prefix === 0)
            problems.push({
                field,
                got: text,
                expected: "expected a specific network, not the whole address space (that would open the platform to the internet)",
                message: `office CIDR ${text} is the whole address space: the internet would reach every TorchPod`,
            });
        else {
            const inside = clusterRanges.find((k) => cidrContainsCidr(k, c));
            if (inside)
                problems.push({
                    field,
                    got: text,
                    expected: `expected a network outside the cluster's range ${formatCidr(inside)}: pods would pass for office computers`,
                    message: `office CIDR ${text} lies inside the cluster range ${formatCidr(inside)}: pods would pass for office computers`,
                });
        }
    });
    return problems;
}
