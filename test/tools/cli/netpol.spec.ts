// The netpol CLI as other tools call it: the compiled command (dist/cli/netpol.js, built from the
// sources first) in a separate process; JSON shape, exit codes, errors, warnings.
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as path from "path";
import { buildClis } from "./build";

const ROOT = path.resolve(__dirname, "../../..");
const FIX = path.join("test", "netpol", "fixtures");
const BIN = path.join(ROOT, "dist", "cli", "netpol.js");

function netpol(...args: string[]): { status: number | null; stdout: string; stderr: string } {
    const r = spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, encoding: "utf8" });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const UNDECLARED_OPS = /^netpol: warning: namespace used but not declared: ops;/m;

describe("netpol CLI", function () {
    this.timeout(60000);
    before(() => buildClis("netpol"));

    it("--json prints one array of {from,to,port,protocol,allowed} for every ordered pair × port × protocol", () => {
        const r = netpol(path.join(FIX, "basic"), "--port", "3000,2222", "--protocol", "TCP,UDP", "--json", "--quiet");
        assert.strictEqual(r.status, 0, r.stderr);
        assert.strictEqual(r.stderr, "");
        const out = JSON.parse(r.stdout);
        assert.ok(Array.isArray(out));
        assert.strictEqual(out.length, 5 * 4 * 2 * 2, "5 workloads → 20 ordered pairs, × 2 ports × 2 protocols");
        for (const e of out) {
            assert.deepStrictEqual(Object.keys(e).slice(0, 5), ["from", "to", "port", "protocol", "allowed"]);
            assert.strictEqual(typeof e.egress.isolated, "boolean");
            assert.ok(Array.isArray(e.ingress.allowedBy));
        }
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
            {
                from: "lab/torchpod-alice",
                to: "1.1.1.1",
                port: 80,
                protocol: "TCP",
                allowed: false,
                egress: { isolated: true, allowedBy: [] },
                ingress: { isolated: false, allowedBy: [] },
            },
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

    it("through `npm run --silent netpol -- ... --json`, stdout is exactly one JSON array and warnings go to stderr", () => {
        const npm = process.platform === "win32" ? "npm.cmd" : "npm";
        const r = spawnSync(npm, ["run", "--silent", "netpol", "--", path.join(FIX, "basic"), "--port", "3000", "--json"], {
            cwd: ROOT,
            encoding: "utf8",
        });
        assert.strictEqual(r.status, 0, r.stderr);
        assert.match(r.stderr, UNDECLARED_OPS);
        assert.ok(r.stdout.startsWith("[") && r.stdout.endsWith("]\n"), r.stdout.slice(0, 200));
        const out = JSON.parse(r.stdout);
        assert.strictEqual(out.length, 20);
        const alice = out.find((e: any) => e.from === "lab/torchpod-alice" && e.to === "mlab/gitea");
        assert.deepStrictEqual(alice, {
            from: "lab/torchpod-alice",
            to: "mlab/gitea",
            port: 3000,
            protocol: "TCP",
            allowed: true,
            egress: { isolated: true, allowedBy: ["lab/torchpod-lockdown"] },
            ingress: { isolated: true, allowedBy: ["mlab/mlab-from-torchpods"] },
        });
    });

    it("maps a Service port to its target port: --to mlab/mlab --port 80 is the http container port", () => {
        const r = netpol(path.join(FIX, "services"), "--from", "lab/torchpod-alice", "--to", "mlab/mlab", "--port", "80,22,8080", "--json");
        assert.strictEqual(r.status, 0, r.stderr);
        const [http, ssh, other] = JSON.parse(r.stdout);
        assert.deepStrictEqual(
            [http.allowed, http.service, http.backends.map((b: any) => [b.to, b.port, b.allowed])],
            [true, { name: "mlab/mlab", port: 80, targetPort: "http", portName: "http" }, [["mlab/mlab", 3000, true]]],
        );
        assert.deepStrictEqual([ssh.allowed, ssh.backends[0].port], [true, 2222]);
        assert.deepStrictEqual(http.ingress, { isolated: true, allowedBy: ["mlab/mlab-ingress"] });
        // 8080 is neither a Service port nor open on the pod: judged on the pod directly, denied.
        assert.deepStrictEqual([other.to, other.allowed, other.service], ["mlab/mlab", false, undefined]);
        const text = netpol(path.join(FIX, "services"), "--from", "lab/torchpod-alice", "--to", "mlab/mlab", "--port", "80");
        assert.match(text.stdout, /^lab\/torchpod-alice → mlab\/mlab \(Service\) {2}TCP\/80 {2}✓ allowed {2}\(→ mlab\/mlab:3000 allowed: /);
    });

    it("takes a Service's clusterIP as the Service, where only its declared ports lead anywhere", () => {
        const r = netpol(path.join(FIX, "services"), "--from", "lab/torchpod-alice", "--to", "10.96.7.7", "--port", "80,3000", "--json");
        assert.strictEqual(r.status, 0, r.stderr);
        const [svc80, svc3000] = JSON.parse(r.stdout);
        assert.deepStrictEqual([svc80.to, svc80.allowed], ["mlab/mlab", true]);
        assert.strictEqual(svc3000.allowed, false);
        assert.match(svc3000.problem, /Service mlab\/mlab has no port 3000\/TCP \(its ports: 80\/TCP→http, 22\/TCP→2222\)/);
    });

    it("gives workloads that share a name ids with their kind, and refuses the ambiguous name naming both", () => {
        const r = netpol(path.join(FIX, "name-clash"), "--from", "default/client", "--port", "5432", "--json");
        assert.strictEqual(r.status, 0, r.stderr);
        assert.deepStrictEqual(
            JSON.parse(r.stdout).map((e: any) => [e.to, e.allowed]),
            [
                ["default/Deployment/db", false],
                ["default/StatefulSet/db", true],
            ],
        );
        const ambiguous = netpol(path.join(FIX, "name-clash"), "--to", "default/db", "--port", "5432");
        assert.strictEqual(ambiguous.status, 2);
        assert.strictEqual(
            ambiguous.stderr,
            'netpol: --to: "default/db" names 2 workloads (default/Deployment/db, default/StatefulSet/db): name one as NS/KIND/NAME\n',
        );
        const one = netpol(path.join(FIX, "name-clash"), "--from", "default/client", "--to", "default/StatefulSet/db", "--port", "5432");
        assert.match(one.stdout, /^default\/client → default\/StatefulSet\/db {2}TCP\/5432 {2}✓ allowed/);
    });

    it("warns on stderr about what it did not evaluate, and --quiet silences the warnings", () => {
        const r = netpol(path.join(FIX, "ignored"), "--json");
        assert.strictEqual(r.status, 0, r.stderr);
        JSON.parse(r.stdout);
        const lines = r.stderr.trim().split("\n");
        assert.strictEqual(lines.length, 4, r.stderr);
        assert.match(lines[0], /^netpol: warning: not evaluated: 1 CiliumNetworkPolicy \(cilium\.io\/v2\): lab\/allow-world;/);
        assert.match(lines[1], /^netpol: warning: not seen: 1 Cluster \(postgresql\.cnpg\.io\/v1\): lab\/pg;/);
        assert.match(lines[2], /^netpol: warning: namespace used but not declared: ops;/);
        assert.match(lines[3], /^netpol: warning: NetworkPolicy lab\/typo selects no pod in the manifests/);
        assert.strictEqual(netpol(path.join(FIX, "ignored"), "--json", "-q").stderr, "");
    });

    it("prints a readable grid without --json, and an explanation for one pair", () => {
        const grid = netpol(path.join(FIX, "basic"), "--port", "3000");
        assert.strictEqual(grid.status, 0, grid.stderr);
        assert.match(grid.stderr, UNDECLARED_OPS);
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
            [[path.join(FIX, "basic"), "--json=yes"], /^netpol: --json takes no value/],
            [[path.join(FIX, "basic"), "--from", "mlab"], /^netpol: --from: "mlab" is neither NS\/NAME nor an IP address/],
            [[path.join(FIX, "services"), "--from", "mlab/Service/mlab"], /^netpol: --from: "mlab\/Service\/mlab" is a Service/],
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
