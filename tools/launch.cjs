#!/usr/bin/env node
// The `npm run netpol|policy-check|render` launcher. npm runs scripts from the repository root, so
// paths on the command line are resolved from where the user typed the command (INIT_CWD, set by
// npm), as the installed commands (the `bin` entries) resolve them from the current directory.
// It runs the compiled bundle in dist/ when it is at least as new as every source it was built from,
// rebuilds it first when it is stale or missing (esbuild, a fraction of a second), and falls back to
// ts-node on the sources when no build is possible. Usage: node tools/launch.cjs <cli> [args...]
"use strict";
const fs = require("fs");
const path = require("path");

const root = path.resolve(__dirname, "..");
const CLIS = {
    netpol: { source: "tools/cli/netpol.ts", bundle: "dist/cli/netpol.js" },
    "policy-check": { source: "tools/cli/policyCheck.ts", bundle: "dist/cli/policy-check.js" },
    render: { source: "tools/render/render.ts", bundle: "dist/render/render.js" },
};

function mtime(file) {
    try {
        return fs.statSync(path.join(root, file)).mtimeMs;
    } catch {
        return undefined;
    }
}

/** True when the bundle exists and no source it lists (nor the list itself) is newer. */
function fresh(cli) {
    const built = mtime(cli.bundle);
    if (built === undefined) return false;
    let listed;
    try {
        listed = JSON.parse(fs.readFileSync(path.join(root, cli.bundle.replace(/\.js$/, ".inputs.json")), "utf8")).inputs;
    } catch {
        return false;
    }
    for (const input of [...listed, "package.json", "tools/build.mjs"]) {
        const t = mtime(input);
        if (t === undefined || t > built) return false;
    }
    return true;
}

function build(name) {
    const { spawnSync } = require("child_process");
    const r = spawnSync(process.execPath, [path.join(root, "tools/build.mjs"), name], { cwd: root, encoding: "utf8" });
    return r.status === 0;
}

const [name, ...args] = process.argv.slice(2);
const cli = CLIS[name];
if (!cli) {
    process.stderr.write(`launch: unknown command "${name ?? ""}" (expected ${Object.keys(CLIS).join(", ")})\n`);
    process.exit(2);
}
if (process.env.INIT_CWD) process.chdir(process.env.INIT_CWD);
// Run the chosen file as the main module (as `node file` would, and as ts-node's own bin does),
// so its `require.main === module` entry point runs and process.argv is what it expects.
if (fresh(cli) || build(name)) {
    process.argv = [process.argv[0], path.join(root, cli.bundle), ...args];
} else {
    require("ts-node").register(require("./typescript/tsNodeOptions.cjs").tsNodeOptions(path.join(root, "tsconfig.json")));
    process.argv = [process.argv[0], path.join(root, cli.source), ...args];
}
require("module").runMain();
