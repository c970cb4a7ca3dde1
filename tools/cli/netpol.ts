// netpol CLI: who may reach whom under the NetworkPolicies of a set of manifests.
// Contract: npm run --silent netpol -- <files or folders...> [--from NS/NAME]
//   [--to NS/NAME|IP] [--port N[,N...]] [--protocol TCP|UDP|SCTP[,...]] [--json]
// Exit 0 on success, 2 on bad input (one line on stderr naming the file or flag).
import { parseArgs as parseArgv } from "node:util";
import { parseAddress, parseCidr } from "@torchpod/netpol/net";
import { NetpolError } from "@torchpod/netpol/errors";
import { loadManifests, ManifestError, sourceOf } from "@torchpod/netpol/manifests";
import { NetworkModel } from "@torchpod/netpol/model";
import { ServiceEndpoint, describeServicePorts } from "@torchpod/netpol/services";
import { Endpoint, MatrixEntry, PROTOCOLS, Protocol, Verdict, WorkloadEndpoint } from "@torchpod/netpol/types";

/** Above this many destinations the text output lists the allowed pairs instead of drawing a grid. */
const GRID_MAX_COLUMNS = 30;

const USAGE = `usage: torchpod-netpol <manifest files or folders...> [options]
       npm run --silent netpol -- <manifest files or folders...> [options]

Evaluates Kubernetes NetworkPolicy (networking.k8s.io/v1) over the manifests: Namespaces, Pods,
workloads with pod templates (Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, CronJob,
ReplicationController), Services and NetworkPolicies. Folders are read recursively (*.yaml, *.yml,
*.json); relative paths are resolved from the directory the command was typed in.

options:
  --from NS/NAME|IP       only connections from this workload (or from this outside IP)
  --to NS/NAME|IP         only connections to this workload, this Service, or this IP
  --port N[,N...]         destination ports (default: 80); for a Service, its ports (mapped to
                          the targetPort on each pod it selects)
  --protocol P[,P...]     TCP, UDP and/or SCTP (default: TCP)
  --json                  print one JSON array of {"from","to","port","protocol","allowed"},
                          one object per ordered pair of distinct endpoints, per port × protocol,
                          with the reasons: "egress" and "ingress" {"isolated","allowedBy"}
                          (and for a Service: "service" and "backends")
  -q, --quiet             do not print warnings (what the analysis left out) on stderr
  -h, --help              this help

Names: a workload is NS/NAME; where two kinds share a name in a namespace (a Deployment and a
StatefulSet "db"), each is NS/KIND/NAME (default/Deployment/db), and NS/NAME is an error naming both.
Where a Service and a workload share NS/NAME, --to means the Service for the ports it declares and
the pods directly for other ports; NS/Service/NAME always means the Service.

Without --from/--to every ordered pair of workloads is evaluated: the text output is a grid, or
one line per allowed pair beyond ${GRID_MAX_COLUMNS} destinations. An IP address that is a Pod's
status.podIP stands for that Pod (reported as NS/NAME), a Service's clusterIP for that Service; any
other IP is the outside world, where only the pod side of the connection is policed.

Warnings on stderr say what was not evaluated: policy kinds other than NetworkPolicy (Cilium,
Calico, AdminNetworkPolicy...), custom resources whose pods are not seen, namespaces used but not
declared, and policies that select nothing.

Exit status: 0 done, 2 bad input (one line on stderr naming the file or flag).`;

class UsageError extends Error {}

interface Options {
    paths: string[];
    from?: string;
    to?: string;
    ports: number[];
    protocols: Protocol[];
    json: boolean;
    quiet: boolean;
    help: boolean;
}

function parsePorts(value: string): number[] {
    return value.split(",").map((s) => {
        const t = s.trim();
        if (!/^[0-9]+$/.test(t) || Number(t) < 1 || Number(t) > 65535) {
            throw new UsageError(`--port: "${s}" is not a port number (expected integers 1-65535, comma-separated, e.g. --port 80,443)`);
        }
        return Number(t);
    });
}

function parseProtocols(value: string): Protocol[] {
    return value.split(",").map((s) => {
        const t = s.trim().toUpperCase();
        if (!PROTOCOLS.includes(t as Protocol))
            throw new UsageError(`--protocol: "${s}" is not a protocol (expected TCP, UDP or SCTP, comma-separated)`);
        return t as Protocol;
    });
}

const VALUE_HINTS: Record<string, string> = {
    from: "NS/NAME or an IP",
    to: "NS/NAME or an IP",
    port: "port numbers like 80,443",
    protocol: "TCP, UDP or SCTP",
};

/** node:util parseArgs, with its errors turned into one line naming the flag and what it expects. */
export function parseArgs(argv: string[]): Options {
    // A value that looks like a flag ("--port --json") is a missing value, not a value.
    for (let i = 0; i < argv.length; i++) {
        const flag = argv[i].replace(/^--/, "");
        if (argv[i].startsWith("--") && VALUE_HINTS[flag] !== undefined) {
            const next = argv[i + 1];
            if (next === undefined || next.startsWith("--"))
                throw new UsageError(`--${flag}: missing value (expected ${VALUE_HINTS[flag]})`);
            i++;
        }
    }
    let parsed;
    try {
        parsed = parseArgv({
            args: argv,
            allowPositionals: true,
            strict: true,
            options: {
                from: { type: "string" },
                to: { type: "string" },
                port: { type: "string" },
                protocol: { type: "string" },
                json: { type: "boolean" },
                quiet: { type: "boolean", short: "q" },
                help: { type: "boolean", short: "h" },
            },
        });
    } catch (e: any) {
        const unknown = /Unknown option '([^']+)'/.exec(e?.message ?? "");
        if (unknown) throw new UsageError(`unknown option "${unknown[1]}" (see --help)`);
        const noValue = /Option '--(\w+)' does not take an argument/.exec(e?.message ?? "");
        if (noValue) throw new UsageError(`--${noValue[1]} takes no value`);
        throw new UsageError(`${e?.message ?? e} (see --help)`);
    }
    const v = parsed.values;
    return {
        paths: parsed.positionals,
        from: v.from,
        to: v.to,
        ports: [...new Set(v.port !== undefined ? parsePorts(v.port) : [80])],
        protocols: [...new Set(v.protocol !== undefined ? parseProtocols(v.protocol) : (["TCP"] as Protocol[]))],
        json: v.json === true,
        quiet: v.quiet === true,
        help: v.help === true,
    };
}

/** What --to names: one endpoint, or a Service (with the workload of the same name, if any). */
type Target = { endpoint: Endpoint } | { service: ServiceEndpoint; workload?: WorkloadEndpoint };

function knownNames(model: NetworkModel): string {
    const known = [...model.workloads.map((x) => x.id), ...model.services.map((s) => `${s.id} (Service)`)];
    return known.length === 0
        ? "the manifests define no workloads"
        : `known: ${known.slice(0, 12).join(", ")}${known.length > 12 ? `, … (${known.length} in all)` : ""}`;
}

/**
 * NS/NAME names a workload (or a Service, for --to); an IP address is the Pod whose status.podIP it
 * is (so that Pod's own policies apply, as they would on a cluster), a Service's clusterIP, or else
 * the outside world.
 */
function resolveTarget(model: NetworkModel, flag: "--from" | "--to", s: string): Target {
    const addr = parseAddress(s);
    if (addr) {
        const same = (ip: string | undefined) => {
            const a = ip !== undefined ? parseAddress(ip) : undefined;
            return a !== undefined && a.family === addr.family && a.value === addr.value;
        };
        const pods = model.workloads.filter((w) => same(w.ip));
        if (pods.length === 1) return { endpoint: pods[0] };
        if (pods.length > 1)
            throw new UsageError(
                `${flag}: ${s} is the status.podIP of several pods (${pods.map((p) => p.id).join(", ")}; expected one): name the pod as NS/NAME`,
            );
        const svc = model.services.find((x) => x.clusterIPs.some(same));
        if (svc) {
            if (flag === "--from")
                throw new UsageError(`--from: ${s} is the clusterIP of Service ${svc.id} (expected a pod, a workload or an outside IP)`);
            return { service: svc };
        }
        return { endpoint: { type: "ip", id: s, ip: s } };
    }
    if (typeof parseCidr(s) !== "string") throw new UsageError(`${flag}: "${s}" is a CIDR (expected NS/NAME or one IP address)`);
    if (!/^[^/\s]+\/[^/\s]+(\/[^/\s]+)?$/.test(s)) throw new UsageError(`${flag}: "${s}" is neither NS/NAME nor an IP address`);
    const parts = s.split("/");
    if (parts.length === 3 && parts[1] === "Service") {
        const svc = model.service(`${parts[0]}/${parts[2]}`);
        if (!svc) throw new UsageError(`${flag}: Service "${parts[0]}/${parts[2]}" not found in the manifests (${knownNames(model)})`);
        if (flag === "--from") throw new UsageError(`--from: "${s}" is a Service (expected a workload or an outside IP)`);
        return { service: svc };
    }
    const workloads = model.findWorkloads(s);
    if (workloads.length > 1)
        throw new UsageError(
            `${flag}: "${s}" names ${workloads.length} workloads (${workloads.map((w) => w.id).join(", ")}): name one as NS/KIND/NAME`,
        );
    const svc = flag === "--to" && parts.length === 2 ? model.service(s) : undefined;
    if (svc) return { service: svc, workload: workloads[0] };
    if (workloads.length === 1) return { endpoint: workloads[0] };
    if (flag === "--from" && model.service(s))
        throw new UsageError(`--from: "${s}" is a Service, not a workload (expected a workload or an outside IP)`);
    throw new UsageError(`${flag}: workload "${s}" not found in the manifests (${knownNames(model)})`);
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
    } else if (to.length > GRID_MAX_COLUMNS) {
        // A grid of hundreds of columns helps nobody: one line per allowed connection instead.
        for (const port of o.ports) {
            for (const protocol of o.protocols) {
                const here = entries.filter((e) => e.port === port && e.protocol === protocol);
                const open = here.filter((e) => e.allowed);
                lines.push(`${protocol}/${port}: ${open.length} of ${here.length} ordered pairs allowed (every other pair is denied)`);
                for (const e of open) lines.push(`  ${e.from} → ${e.to}`);
            }
        }
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

/** An entry of --json: the contract's five fields, then the reasons. */
interface OutputEntry extends MatrixEntry {
    service?: { name: string; port: number; targetPort: number | string; portName?: string };
    backends?: {
        to: string;
        port?: number;
        allowed: boolean;
        egress?: Verdict["egress"];
        ingress?: Verdict["ingress"];
        problem?: string;
    }[];
    problem?: string;
}

/** Entries towards a Service (and, for ports it does not declare, the workload of the same name). */
function serviceEntries(
    model: NetworkModel,
    from: Endpoint[],
    target: { service: ServiceEndpoint; workload?: WorkloadEndpoint },
    o: Options,
) {
    const { service, workload } = target;
    const out: OutputEntry[] = [];
    const sources = from.filter((f) => f !== workload);
    for (const port of o.ports) {
        for (const protocol of o.protocols) {
            const declared = service.ports.some((p) => p.port === port && p.protocol === protocol);
            if (!declared && workload) {
                out.push(...model.matrix({ from: sources, to: [workload], ports: [port], protocols: [protocol], reasons: true }));
                continue;
            }
            for (const f of sources) {
                const v = model.checkService(f, service, port, protocol);
                const e: OutputEntry = { from: f.id, to: service.id, port, protocol, allowed: v.allowed };
                if (v.servicePort) {
                    e.service = { name: service.id, port, targetPort: v.servicePort.targetPort };
                    if (v.servicePort.name) e.service.portName = v.servicePort.name;
                }
                if (v.backends.length === 1 && v.backends[0].verdict) {
                    e.egress = v.backends[0].verdict.egress;
                    e.ingress = v.backends[0].verdict.ingress;
                }
                e.backends = v.backends.map((b) => {
                    const x: NonNullable<OutputEntry["backends"]>[number] = { to: b.workload, allowed: b.verdict?.allowed === true };
                    if (b.targetPort !== undefined) x.port = b.targetPort;
                    if (b.verdict) {
                        x.egress = b.verdict.egress;
                        x.ingress = b.verdict.ingress;
                    }
                    if (b.problem) x.problem = b.problem;
                    return x;
                });
                if (v.problem) e.problem = declared ? v.problem : `${v.problem} (${describeServicePorts(service)})`;
                out.push(e);
            }
        }
    }
    return out;
}

function printServiceLines(entries: OutputEntry[]): void {
    const lines = entries.map((e) => {
        const verdict = e.allowed ? "✓ allowed" : "✗ denied";
        const head = `${e.from} → ${e.to}${e.service ? " (Service)" : ""}  ${e.protocol}/${e.port}  ${verdict}`;
        if (e.problem) return `${head}  (${e.problem})`;
        if (!e.backends) return `${head}  (${explainSide("egress", e.egress!)}; ${explainSide("ingress", e.ingress!)})`;
        const why = e.backends.map((b) =>
            b.problem
                ? `${b.to}: ${b.problem}`
                : `→ ${b.to}:${b.port} ${b.allowed ? "allowed" : "denied"}: ${explainSide("egress", b.egress!)}; ${explainSide("ingress", b.ingress!)}`,
        );
        return `${head}  (${why.join(" | ")})`;
    });
    process.stdout.write(lines.join("\n") + "\n");
}

function writeJson(entries: readonly MatrixEntry[]): void {
    process.stdout.write(entries.length === 0 ? "[]\n" : "[\n" + entries.map((e) => JSON.stringify(e)).join(",\n") + "\n]\n");
}

export function main(argv: string[]): number {
    try {
        const o = parseArgs(argv);
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
        const source = o.from !== undefined ? resolveTarget(model, "--from", o.from) : undefined;
        const target = o.to !== undefined ? resolveTarget(model, "--to", o.to) : undefined;
        if (!o.quiet) for (const w of model.warnings) process.stderr.write(`netpol: warning: ${w}\n`);
        const from = source && "endpoint" in source ? [source.endpoint] : all;
        if (target && "service" in target) {
            const entries = serviceEntries(model, from, target, o);
            if (o.json) writeJson(entries);
            else printServiceLines(entries);
            return 0;
        }
        const to = target ? [target.endpoint] : all;
        const entries = model.matrix({ from, to, ports: o.ports, protocols: o.protocols, reasons: o.json });
        if (o.json) writeJson(entries);
        else printTable(model, from, to, o, entries);
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
