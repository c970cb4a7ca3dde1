// netpol CLI: who may reach whom under the NetworkPolicies of a set of manifests.
// Contract (DESIGN.md): npm run --silent netpol -- <files or folders...> [--from NS/NAME]
//   [--to NS/NAME|IP] [--port N[,N...]] [--protocol TCP|UDP|SCTP[,...]] [--json]
// Exit 0 on success, 2 on bad input (one line on stderr naming the file or flag).
import { parseAddress, parseCidr } from "@torchpod/netpol/net";
import { NetpolError } from "@torchpod/netpol/errors";
import { loadManifests, ManifestError, sourceOf } from "@torchpod/netpol/manifests";
import { NetworkModel } from "@torchpod/netpol/model";
import { Endpoint, MatrixEntry, PROTOCOLS, Protocol, Verdict } from "@torchpod/netpol/types";

const USAGE = `usage: npm run --silent netpol -- <manifest files or folders...> [options]

Evaluates Kubernetes NetworkPolicy (networking.k8s.io/v1) over the manifests: Namespaces, Pods,
workloads with pod templates (Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, CronJob,
ReplicationController) and NetworkPolicies. Folders are read recursively (*.yaml, *.yml, *.json).

options:
  --from NS/NAME|IP       only connections from this workload (or from this outside IP)
  --to NS/NAME|IP         only connections to this workload (or to this outside IP)
  --port N[,N...]         destination ports (default: 80)
  --protocol P[,P...]     TCP, UDP and/or SCTP (default: TCP)
  --json                  print one JSON array of {"from","to","port","protocol","allowed"},
                          one object per ordered pair of distinct endpoints, per port × protocol
  -h, --help              this help

Without --from/--to every ordered pair of workloads is evaluated. An IP address that is a Pod's
status.podIP stands for that Pod (reported as NS/NAME); any other IP is the outside world, where
only the pod side of the connection is policed. Exit status: 0 done, 2 bad input.`;

class UsageError extends Error {}

interface Options {
    paths: string[];
    from?: string;
    to?: string;
    ports: number[];
    protocols: Protocol[];
    json: boolean;
    help: boolean;
}

function parseArgs(argv: string[]): Options {
    const o: Options = { paths: [], ports: [80], protocols: ["TCP"], json: false, help: false };
    for (let i = 0; i < argv.length; i++) {
        let arg = argv[i];
        let value: string | undefined;
        if (arg.startsWith("--") && arg.includes("=")) {
            value = arg.slice(arg.indexOf("=") + 1);
            arg = arg.slice(0, arg.indexOf("="));
        }
        const takeValue = (what: string): string => {
            if (value !== undefined) return value;
            const next = argv[i + 1];
            if (next === undefined || next.startsWith("--")) throw new UsageError(`${arg}: missing value (expected ${what})`);
            i++;
            return next;
        };
        switch (arg) {
            case "-h":
            case "--help":
                o.help = true;
                break;
            case "--json":
                if (value !== undefined) throw new UsageError(`--json takes no value (got "${value}")`);
                o.json = true;
                break;
            case "--from":
                o.from = takeValue("NS/NAME or an IP");
                break;
            case "--to":
                o.to = takeValue("NS/NAME or an IP");
                break;
            case "--port":
                o.ports = takeValue("port numbers like 80,443")
                    .split(",")
                    .map((s) => {
                        const t = s.trim();
                        if (!/^[0-9]+$/.test(t) || Number(t) < 1 || Number(t) > 65535) {
                            throw new UsageError(
                                `--port: "${s}" is not a port number (expected integers 1-65535, comma-separated, e.g. --port 80,443)`,
                            );
                        }
                        return Number(t);
                    });
                break;
            case "--protocol":
                o.protocols = takeValue("TCP, UDP or SCTP")
                    .split(",")
                    .map((s) => {
                        const t = s.trim().toUpperCase();
                        if (!PROTOCOLS.includes(t as Protocol))
                            throw new UsageError(`--protocol: "${s}" is not a protocol (expected TCP, UDP or SCTP, comma-separated)`);
                        return t as Protocol;
                    });
                break;
            default:
                if (arg.startsWith("-")) throw new UsageError(`unknown option "${argv[i]}" (see --help)`);
                o.paths.push(arg);
        }
    }
    o.ports = [...new Set(o.ports)];
    o.protocols = [...new Set(o.protocols)];
    return o;
}

/**
 * NS/NAME names a workload; an IP address is the Pod whose status.podIP it is (so that Pod's own
 * policies apply, as they would on a cluster), otherwise the outside world.
 */
function resolveEndpoint(model: NetworkModel, flag: string, s: string): Endpoint {
    const addr = parseAddress(s);
    if (addr) {
        const pods = model.workloads.filter((w) => {
            const a = w.ip !== undefined ? parseAddress(w.ip) : undefined;
            return a !== undefined && a.family === addr.family && a.value === addr.value;
        });
        if (pods.length === 1) return pods[0];
        if (pods.length > 1)
            throw new UsageError(
                `${flag}: ${s} is the status.podIP of several pods (${pods.map((p) => p.id).join(", ")}; expected one): name the pod as NS/NAME`,
            );
        return { type: "ip", id: s, ip: s };
    }
    if (typeof parseCidr(s) !== "string") throw new UsageError(`${flag}: "${s}" is a CIDR (expected NS/NAME or one IP address)`);
    if (!/^[^/\s]+\/[^/\s]+$/.test(s)) throw new UsageError(`${flag}: "${s}" is neither NS/NAME nor an IP address`);
    const w = model.workload(s);
    if (w) return w;
    const known = model.workloads.map((x) => x.id);
    const list =
        known.length === 0
            ? "the manifests define no workloads"
            : `known: ${known.slice(0, 12).join(", ")}${known.length > 12 ? `, … (${known.length} in all)` : ""}`;
    throw new UsageError(`${flag}: workload "${s}" not found in the manifests (${list})`);
}

function explainSide(name: string, s: Verdict["egress"]): string {
    if (!s.isolated) return `${name}: not isolated`;
    return s.allowedBy.length > 0 ? `${name}: allowed by ${s.allowedBy.join(", ")}` : `${name}: isolated, no rule allows it`;
}

function printTable(model: NetworkModel, from: Endpoint[], to: Endpoint[], o: Options, entries: MatrixEntry[]): void {
    const lines: string[] = [];
    if (from.length === 1 && to.length === 1) {
        for (const port of o.ports) {
            for (const protocol of o.protocols) {
                const v = model.check(from[0], to[0], port, protocol);
                lines.push(
                    `${from[0].id} → ${to[0].id}  ${protocol}/${port}  ${v.allowed ? "✓ allowed" : "✗ denied"}  (${explainSide("egress", v.egress)}; ${explainSide("ingress", v.ingress)})`,
                );
            }
        }
    } else if (from.length === 0 || to.length === 0) {
        lines.push("no workloads found in the manifests");
    } else {
        const lookup = new Map<string, boolean>();
        for (const e of entries) lookup.set(`${e.port}\0${e.protocol}\0${e.from}\0${e.to}`, e.allowed);
        const width = Math.max(...from.map((f) => f.id.length));
        const colW = String(to.length).length + 1;
        lines.push("columns (to):");
        to.forEach((t, j) => lines.push(`  ${String(j + 1).padStart(colW - 1)} ${t.id}`));
        for (const port of o.ports) {
            for (const protocol of o.protocols) {
                lines.push("", `${protocol}/${port}  (rows: from; ✓ allowed, ✗ denied, · same endpoint)`);
                lines.push(" ".repeat(width) + " " + to.map((_, j) => String(j + 1).padStart(colW)).join(""));
                for (const f of from) {
                    const cells = to.map((t) => {
                        const a = lookup.get(`${port}\0${protocol}\0${f.id}\0${t.id}`);
                        return (f === t || a === undefined ? "·" : a ? "✓" : "✗").padStart(colW);
                    });
                    lines.push(f.id.padEnd(width) + " " + cells.join(""));
                }
            }
        }
    }
    process.stdout.write(lines.join("\n") + "\n");
}

export function main(argv: string[]): number {
    let o: Options;
    try {
        o = parseArgs(argv);
        if (o.help) {
            process.stdout.write(USAGE + "\n");
            return 0;
        }
        if (o.paths.length === 0) throw new UsageError("no manifest files or folders given (see --help)");
        const objects = loadManifests(o.paths);
        let model: NetworkModel;
        try {
            model = NetworkModel.fromObjects(objects);
        } catch (e) {
            if (e instanceof NetpolError) {
                const bad = objects.find(
                    (x) =>
                        x.kind === "NetworkPolicy" &&
                        `${x.metadata?.namespace || "default"}/${x.metadata?.name || "(unnamed)"}` === e.policy,
                );
                const file = bad && sourceOf(bad);
                throw new UsageError(`${file ? file + ": " : ""}${e.message}`);
            }
            throw e;
        }
        const all = [...model.workloads].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)); // stable, readable order
        const from = o.from !== undefined ? [resolveEndpoint(model, "--from", o.from)] : all;
        const to = o.to !== undefined ? [resolveEndpoint(model, "--to", o.to)] : all;
        const entries = model.matrix({ from, to, ports: o.ports, protocols: o.protocols });
        if (o.json) {
            process.stdout.write(entries.length === 0 ? "[]\n" : "[\n" + entries.map((e) => JSON.stringify(e)).join(",\n") + "\n]\n");
        } else {
            printTable(model, from, to, o, entries);
        }
        return 0;
    } catch (e) {
        if (e instanceof UsageError || e instanceof ManifestError) {
            process.stderr.write(`netpol: ${e.message}\n`);
            return 2;
        }
        throw e;
    }
}

if (require.main === module) {
    process.exitCode = main(process.argv.slice(2));
}
