// Builds the installable CLIs: one CommonJS bundle per command under dist/, with the workspace
// packages (@torchpod/*) compiled in and every other package left to node_modules. The bundles keep
// the folder depth of their sources (dist/cli/ for tools/cli/, dist/render/ for tools/render/), so
// paths the code resolves from __dirname (the policy pack, the program) stay the same.
// Each bundle gets a <name>.inputs.json beside it listing the sources it was built from: the npm
// script launcher (tools/launch.cjs) rebuilds when one of them is newer than the bundle.
//
//   node tools/build.mjs          build every CLI
//   node tools/build.mjs netpol   build one (netpol, policy-check, render)
import * as esbuild from "esbuild";
import * as fs from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

/** The CLIs: npm script name → source and bundle (paths from the repository root). */
export const CLIS = {
    netpol: { source: "tools/cli/netpol.ts", bundle: "dist/cli/netpol.js" },
    "policy-check": { source: "tools/cli/policyCheck.ts", bundle: "dist/cli/policy-check.js" },
    render: { source: "tools/render/render.ts", bundle: "dist/render/render.js" },
};

/** Workspace packages are bundled; every other bare import stays a require() of node_modules. */
const externalPackages = {
    name: "external-packages",
    setup(build) {
        build.onResolve({ filter: /^[^./]/ }, (args) => {
            if (args.path.startsWith("@torchpod/") || args.path.startsWith("node:")) return undefined;
            return { path: args.path, external: true };
        });
    },
};

export async function buildCli(name) {
    const cli = CLIS[name];
    if (!cli) throw new Error(`unknown CLI "${name}" (expected one of ${Object.keys(CLIS).join(", ")})`);
    const outfile = path.join(root, cli.bundle);
    const result = await esbuild.build({
        absWorkingDir: root,
        entryPoints: [cli.source],
        outfile,
        bundle: true,
        platform: "node",
        target: "node20",
        format: "cjs",
        sourcemap: "linked",
        banner: { js: "#!/usr/bin/env node" },
        plugins: [externalPackages],
        metafile: true,
        logLevel: "warning",
    });
    const inputs = Object.keys(result.metafile.inputs).sort();
    fs.writeFileSync(outfile.replace(/\.js$/, ".inputs.json"), JSON.stringify({ source: cli.source, inputs }, null, 2) + "\n");
    fs.chmodSync(outfile, 0o755);
    return outfile;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
    const names = process.argv.slice(2);
    const which = names.length > 0 ? names : Object.keys(CLIS);
    try {
        for (const name of which) {
            const out = await buildCli(name);
            process.stdout.write(`built ${path.relative(root, out)}\n`);
        }
    } catch (e) {
        process.stderr.write(`build: ${e.message}\n`);
        process.exit(1);
    }
}
