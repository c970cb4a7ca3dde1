// The shape every component's pure argument check returns, so the config layer can report a
// component's rule against the stack-config key it came from, and a component built on its own can
// refuse bad arguments before it registers anything.
import { isAddress } from "@torchpod/netpol/net";

/** One broken rule of a component's arguments. */
export interface ArgProblem {
    /** The argument's path inside the component's args, e.g. `officeCidrs[1]` or `config.internetAddress`. */
    readonly field: string;
    /** The offending value. */
    readonly got: unknown;
    /** What would be accepted, phrased for the stack config: `expected …`. */
    readonly expected: string;
    /** The same problem phrased for a component built on its own (names the argument). */
    readonly message: string;
}

/** Throws one Error naming every problem, prefixed by the component's name; does nothing when there is none. */
export function refuseInvalidArgs(component: string, problems: readonly ArgProblem[]): void {
    if (problems.length === 0) return;
    throw new Error(problems.map((p) => `${component}: ${p.message}`).join("\n"));
}

/** An IP address check (the cluster's DNS and API server addresses). */
export function addressProblem(field: string, value: string): ArgProblem | undefined {
    return isAddress(value)
        ? undefined
        : {
              field,
              got: value,
              expected: "expected an IPv4 or IPv6 address",
              message: `${field} must be an IP address, got ${JSON.stringify(value)}`,
          };
}

/** A port number check shared by every component that takes ports. */
export function portProblem(field: string, port: number): ArgProblem | undefined {
    return Number.isInteger(port) && port >= 1 && port <= 65535
        ? undefined
        : {
              field,
              got: port,
              expected: "expected a port number between 1 and 65535",
              message: `${field} must be a port number 1-65535, got ${port}`,
          };
}
