// Prints how long each way of running the netpol CLI takes to a first answer on a small input
// (the median of several runs, wall clock, including node's own start). No assertion: a figure to read.
//   node tools/measureStartup.mjs [runs]
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const runs = Number(process.argv[2] ?? 7);
const input = ["test/netpol/fixtures/basic", "--from", "lab/torchpod-alice", "--to", "mlab/gitea", "--port", "3000", "--json", "-q"];
const npm = process.platform === "win32" ? "npm.cmd" : "npm";

const ways = [
    ["compiled (node dist/cli/netpol.js)", process.execPath, ["dist/cli/netpol.js", ...input]],
    ["npm run --silent netpol (launcher → compiled)", npm, ["run", "--silent", "netpol", "--", ...input]],
    ["ts-node (the sources, no build)", process.execPath, ["-r", "ts-node/register/transpile-only", "tools/cli/netpol.ts", ...input]],
    ["node alone (node -e 0), for reference", process.execPath, ["-e", "0"]],
];

const build = spawnSync(process.execPath, ["tools/build.mjs", "netpol"], { cwd: root, encoding: "utf8" });
if (build.status !== 0) throw new Error(build.stderr);
for (const [name, cmd, args] of ways) {
    const times = [];
    for (let i = 0; i < runs; i++) {
        const t0 = process.hrtime.bigint();
        const r = spawnSync(cmd, args, { cwd: root, encoding: "utf8" });
        const ms = Number(process.hrtime.bigint() - t0) / 1e6;
        if (r.status !== 0) throw new Error(`${name}: exit ${r.status}: ${r.stderr}`);
        times.push(ms);
    }
    times.sort((a, b) => a - b);
    const median = times[Math.floor(times.length / 2)];
    process.stdout.write(
        `${name.padEnd(48)} median ${(median / 1000).toFixed(3)} s  (min ${(times[0] / 1000).toFixed(3)} s, ${runs} runs)\n`,
    );
}
