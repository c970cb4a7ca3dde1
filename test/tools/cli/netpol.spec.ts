// The netpol CLI as other tools call it: a separate process, JSON shape, exit codes, errors.
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as path from "path";

const ROOT = path.resolve(__dirname, "../../..");
const FIX = path.join("test", "netpol", "fixtures");

function netpol(...args: string[]): { status: number | null; stdout: string; stderr: string } {
    const r = spawnSync(process.execPath, ["-r", "ts-node/register/transpile-only", "tools/cli/netpol.ts", ...args], {
        cwd: ROOT,
        encoding: "utf8",
    });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("netpol CLI", function () {
    this.timeout(60000);

    it("--json prints one array of {from,to,port,protocol,allowed} for every ordered pair × port × protocol", () => {
        const r = netpol(path.join(FIX, "basic"), "--port", "3000,2222", "--protocol", "TCP,UDP", "--json");
        assert.strictEqual(r.status, 0, r.stderr);
        assert.strictEqual(r.stderr, "");
        const out = JSON.parse(r.stdout);
        assert.ok(Array.isArray(out));
        assert.strictEqual(out.length, 5 * 4 * 2 * 2, "5 workloads → 20 ordered pairs, × 2 ports × 2 protocols");
        for (const e of out) assert.deepStrictEqual(Object.keys(e).sort(), ["allowed", "from", "port", "protocol", "to"]);
        const find = (from: string, to: string, port: number, protocol: string) =>
            out.find((e: any) => e.from === from && e.to === to && e.port === port && e.protocol === protocol)?.allowed;
        assert.strictEqual(find("lab/torchpod-alice", "mlab/gitea", 3000, "TCP"), true);
        assert.strictEqual(find("lab/torchpod-alice", "mlab/gitea", 3000, "UDP"), false);
        assert.strictEqual(find("lab/torchpod-alice", "lab/torchpod-bob", 3000, "TCP"), false);
        assert.strictEqual(find("ops/probe", "mlab/gitea", 3000, "TCP"), false);
        assert.strictEqual(find("ops/probe", "mlab/backup", 2222, "UDP"), true);
    });

    it("defaults to TCP port 80 and honours --from / --to (workload or IP)", () => {
        const r = netpol(path.join(FIX, "basic"), "--from", "lab/torchpod-alice", "--to", "1.1.1.1", "--json");
        assert.strictEqual(r.status, 0, r.stderr);
        assert.deepStrictEqual(JSON.parse(r.stdout), [
            { from: "lab/torchpod-alice", to: "1.1.1.1", port: 80, protocol: "TCP", allowed: false },
        ]);
        const r2 = netpol(path.join(FIX, "basic"), "--from", "mlab/gitea", "--json");
        const out = JSON.parse(r2.stdout);
        assert.deepStrictEqual(
            out.map((e: any) => e.to),
            ["lab/torchpod-alice", "lab/torchpod-bob", "mlab/backup", "ops/probe"],
        );
        assert.ok(out.every((e: any) => e.from === "mlab/gitea" && e.port === 80 && e.protocol === "TCP"));
    });

    it("an IP that is a Pod's status.podIP stands for that Pod (its own policies apply); other IPs are the outside world", () => {
        const r = netpol(path.join(FIX, "basic"), "--to", "10.42.0.7", "--port", "2222", "--protocol", "UDP", "--json");
        assert.strictEqual(r.status, 0, r.stderr);
        const out = JSON.parse(r.stdout);
        assert.deepStrictEqual(
            out.map((e: any) => e.from),
            ["lab/torchpod-alice", "lab/torchpod-bob", "mlab/backup", "mlab/gitea"],
            "the pod itself is not a pair",
        );
        assert.ok(out.every((e: any) => e.to === "ops/probe"));
        const outside = JSON.parse(netpol(path.join(FIX, "basic"), "--to", "10.42.0.8", "--json").stdout);
        assert.strictEqual(outside.length, 5);
        assert.ok(outside.every((e: any) => e.to === "10.42.0.8"));
    });

    it("through `npm run --silent netpol -- ... --json`, stdout is exactly one JSON array", () => {
        const npm = process.platform === "win32" ? "npm.cmd" : "npm";
        const r = spawnSync(npm, ["run", "--silent", "netpol", "--", path.join(FIX, "basic"), "--port", "3000", "--json"], {
            cwd: ROOT,
            encoding: "utf8",
        });
        assert.strictEqual(r.status, 0, r.stderr);
        assert.strictEqual(r.stderr, "");
        assert.ok(r.stdout.startsWith("[") && r.stdout.endsWith("]\n"), r.stdout.slice(0, 200));
        assert.strictEqual(JSON.parse(r.stdout).length, 20);
    });

    it("prints a readable grid without --json, and an explanation for one pair", () => {
        const grid = netpol(path.join(FIX, "basic"), "--port", "3000");
        assert.strictEqual(grid.status, 0, grid.stderr);
        assert.match(grid.stdout, /TCP\/3000/);
        assert.match(grid.stdout, /lab\/torchpod-alice +· ✗ ✗ ✓ ✗\n/);
        const one = netpol(path.join(FIX, "basic"), "--from", "lab/torchpod-alice", "--to", "mlab/gitea", "--port", "3000");
        assert.match(one.stdout, /✓ allowed .*egress: allowed by lab\/torchpod-lockdown; ingress: allowed by mlab\/mlab-from-torchpods/);
    });

    it("exits 2 naming the file and line for unreadable YAML", () => {
        const r = netpol(path.join(FIX, "bad-yaml"));
        assert.strictEqual(r.status, 2);
        assert.strictEqual(r.stdout, "");
        assert.match(r.stderr, /^netpol: .*bad-yaml[/\\]broken\.yaml: invalid YAML at line 5, column \d+: .+\n$/);
    });

    it("exits 2 naming the file, the policy and the field for a malformed policy", () => {
        const r = netpol(path.join(FIX, "bad-policy"));
        assert.strictEqual(r.status, 2);
        assert.strictEqual(
            r.stderr,
            `netpol: ${path.join(FIX, "bad-policy", "policy.yaml")}: NetworkPolicy lab/bad-port: spec.ingress[0].ports[0].port: 70000 is not a port number (expected an integer 1-65535)\n`,
        );
    });

    it("exits 2 for a missing path, an unknown workload, and bad flag values", () => {
        const cases: [string[], RegExp][] = [
            [[path.join(FIX, "nope")], /^netpol: .*nope: no such file or directory\n$/],
            [
                [path.join(FIX, "basic"), "--from", "lab/carol"],
                /^netpol: --from: workload "lab\/carol" not found in the manifests \(known: .*lab\/torchpod-alice.*\)\n$/,
            ],
            [
                [path.join(FIX, "basic"), "--to", "10.0.0.0/8"],
                /^netpol: --to: "10\.0\.0\.0\/8" is a CIDR \(expected NS\/NAME or one IP address\)\n$/,
            ],
            [[path.join(FIX, "basic"), "--to", "gitea"], /^netpol: --to: "gitea" is neither NS\/NAME nor an IP address\n$/],
            [[path.join(FIX, "basic"), "--port", "80,http"], /^netpol: --port: "http" is not a port number \(expected integers 1-65535/],
            [[path.join(FIX, "basic"), "--port", "0"], /^netpol: --port: "0" is not a port number/],
            [[path.join(FIX, "basic"), "--protocol", "ICMP"], /^netpol: --protocol: "ICMP" is not a protocol \(expected TCP, UDP or SCTP/],
            [[path.join(FIX, "basic"), "--port"], /^netpol: --port: missing value/],
            [[path.join(FIX, "basic"), "--frm", "x/y"], /^netpol: unknown option "--frm"/],
            [[], /^netpol: no manifest files or folders given/],
        ];
        for (const [args, msg] of cases) {
            const r = netpol(...args);
            assert.strictEqual(r.status, 2, `${args.join(" ")}: ${r.stderr}`);
            assert.match(r.stderr, msg, args.join(" "));
            assert.strictEqual(r.stderr.trim().split("\n").length, 1, "one line");
        }
    });

    it("--help documents the defaults and exits 0", () => {
        const r = netpol("--help");
        assert.strictEqual(r.status, 0);
        assert.match(r.stdout, /--port N\[,N\.\.\.\] +destination ports \(default: 80\)/);
        assert.match(r.stdout, /\(default: TCP\)/);
    });
});
