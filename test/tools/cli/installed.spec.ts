// The CLIs as another repository uses them: the compiled commands (bin entries) run from a different
// working directory resolve relative paths from there; `npm run` from a subfolder does the same
// (npm changes directory, the launcher goes back to INIT_CWD); every command answers --help with 0.
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { buildClis } from "./build";

const ROOT = path.resolve(__dirname, "../../..");
const npm = process.platform === "win32" ? "npm.cmd" : "npm";
const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8"));

/** A scratch "other repository" holding a copy of the services fixture under k8s/. */
function otherRepo(): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "torchpod-other-repo-"));
    fs.mkdirSync(path.join(dir, "k8s"));
    fs.copyFileSync(path.join(ROOT, "test/netpol/fixtures/services/mlab.yaml"), path.join(dir, "k8s", "mlab.yaml"));
    return dir;
}

describe("installable CLIs", function () {
    this.timeout(120000);
    before(() => buildClis());

    it("declares a bin entry for each command, pointing at its built bundle", () => {
        assert.deepStrictEqual(pkg.bin, {
            "torchpod-netpol": "dist/cli/netpol.js",
            "torchpod-policy-check": "dist/cli/policy-check.js",
            "torchpod-render": "dist/render/render.js",
        });
        for (const file of Object.values(pkg.bin) as string[]) {
            const text = fs.readFileSync(path.join(ROOT, file), "utf8");
            assert.ok(text.startsWith("#!/usr/bin/env node\n"), `${file} starts with a node shebang`);
            assert.ok((fs.statSync(path.join(ROOT, file)).mode & 0o111) !== 0, `${file} is executable`);
            assert.doesNotMatch(text, /require\("@torchpod\//, `${file} bundles the workspace packages`);
        }
        assert.strictEqual(pkg.scripts.prepare, "node tools/build.mjs", "npm ci builds them");
    });

    it("the built netpol, run from another directory, reads relative paths from there", () => {
        const cwd = otherRepo();
        const r = spawnSync(
            process.execPath,
            [path.join(ROOT, pkg.bin["torchpod-netpol"]), "k8s", "--to", "mlab/mlab", "--port", "80", "--json"],
            {
                cwd,
                encoding: "utf8",
            },
        );
        assert.strictEqual(r.status, 0, r.stderr);
        assert.deepStrictEqual(
            JSON.parse(r.stdout).map((e: any) => [e.from, e.to, e.port, e.allowed]),
            [["lab/torchpod-alice", "mlab/mlab", 80, true]],
        );
    });

    it("the built policy-check, run from another directory, reads relative paths from there", () => {
        const cwd = otherRepo();
        const r = spawnSync(process.execPath, [path.join(ROOT, pkg.bin["torchpod-policy-check"]), "k8s"], { cwd, encoding: "utf8" });
        // The fixture's TorchPod is not locked down: the pack must find mandatory violations in it.
        assert.strictEqual(r.status, 1, r.stderr);
        assert.match(r.stdout, /\[mandatory\] Pod lab\/torchpod-alice/);
        const missing = spawnSync(process.execPath, [path.join(ROOT, pkg.bin["torchpod-policy-check"]), "nope"], { cwd, encoding: "utf8" });
        assert.strictEqual(missing.status, 2);
        assert.match(missing.stderr, /nope: no such file or directory/);
    });

    it("npx runs the installed command from another repository, with paths relative to it", () => {
        const cwd = otherRepo();
        const r = spawnSync(
            npm,
            ["exec", "--yes", `--package=${ROOT}`, "--", "torchpod-netpol", "k8s", "--to", "mlab/mlab", "--port", "22", "--json"],
            {
                cwd,
                encoding: "utf8",
                env: { ...process.env, npm_config_update_notifier: "false" },
            },
        );
        assert.strictEqual(r.status, 0, r.stderr);
        const [entry] = JSON.parse(r.stdout);
        assert.deepStrictEqual([entry.to, entry.port, entry.allowed, entry.backends[0].port], ["mlab/mlab", 22, true, 2222]);
    });

    it("`npm run --silent netpol` from a subfolder resolves relative paths from that subfolder", () => {
        const sub = path.join(ROOT, "test", "netpol");
        const r = spawnSync(npm, ["run", "--silent", "netpol", "--", "fixtures/services", "--to", "mlab/mlab", "--port", "80", "--json"], {
            cwd: sub,
            encoding: "utf8",
        });
        assert.strictEqual(r.status, 0, r.stderr);
        assert.ok(r.stdout.startsWith("[\n") && r.stdout.endsWith("]\n"), "stdout is exactly one JSON array");
        assert.strictEqual(JSON.parse(r.stdout)[0].allowed, true);
    });

    it("every command answers --help with its usage and exit 0", () => {
        for (const [bin, usage] of [
            ["torchpod-netpol", /usage: torchpod-netpol/],
            ["torchpod-policy-check", /usage/],
            ["torchpod-render", /usage: torchpod-render/],
        ] as const) {
            const r = spawnSync(process.execPath, [path.join(ROOT, pkg.bin[bin]), "--help"], { encoding: "utf8" });
            assert.strictEqual(r.status, 0, `${bin}: ${r.stderr}`);
            assert.match(r.stdout, usage, bin);
        }
        for (const script of ["netpol", "render"]) {
            const r = spawnSync(npm, ["run", "--silent", script, "--", "--help"], { cwd: ROOT, encoding: "utf8" });
            assert.strictEqual(r.status, 0, `npm run ${script} -- --help: ${r.stderr}`);
        }
    });
});

describe("the npm-script launcher", function () {
    this.timeout(120000);

    it("rebuilds a bundle older than one of its sources before running it", () => {
        buildClis("netpol");
        const bundle = path.join(ROOT, "dist", "cli", "netpol.js");
        const source = path.join(ROOT, "tools", "cli", "netpol.ts");
        const past = new Date(fs.statSync(source).mtimeMs - 60_000);
        fs.utimesSync(bundle, past, past); // the bundle now predates its source: stale
        const r = spawnSync(process.execPath, [path.join(ROOT, "tools", "launch.cjs"), "netpol", "--help"], {
            cwd: ROOT,
            encoding: "utf8",
        });
        assert.strictEqual(r.status, 0, r.stderr);
        assert.ok(fs.statSync(bundle).mtimeMs >= fs.statSync(source).mtimeMs, "the launcher rebuilt the stale bundle");
    });

    it("refuses an unknown command with exit 2", () => {
        const r = spawnSync(process.execPath, [path.join(ROOT, "tools", "launch.cjs"), "nope"], { cwd: ROOT, encoding: "utf8" });
        assert.strictEqual(r.status, 2);
        assert.match(r.stderr, /launch: unknown command "nope" \(expected netpol, policy-check, render\)/);
    });
});
