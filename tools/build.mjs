// Builds what ships as JavaScript: one CommonJS bundle per installable CLI under dist/, and the policy
// pack as the engine loads it (policy/dist/index.js), each with the workspace packages (@torchpod/*)
// compiled in and every other package left to node_modules. The CLI bundles keep the folder depth of
// their sources (dist/cli/ for tools/cli/, dist/render/ for tools/render/), so paths the code resolves
// from __dirname (the policy pack, the program) stay the same.
// Each bundle gets a <name>.inputs.json beside it listing the sources it was built from, with their
// sha256: the npm script launcher (tools/launch.cjs) rebuilds a CLI when one of them is newer than the
// bundle, and the pack's entry (policy/compiledPack.cjs) when one of them differs.
// Files are written to a temporary name and renamed, so a process loading a bundle while another
// rebuilds it never reads half a file.
//
//   node tools/build.mjs          build every bundle
//   node tools/build.mjs netpol   build one (netpol, policy-check, render, pack)
import * as crypto from "node:crypto";
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

/** The policy pack as `pulumi preview --policy-pack policy` loads it (through policy/compiledPack.cjs). */
export const PACK = { source: "policy/index.ts", bundle: "policy/dist/index.js" };

const TARGETS = { ...CLIS, pack: PACK };

/**
 * Workspace packages are bundled; every other bare import stays a require() of node_modules. The pack's
 * bundle also compiles in @pulumi/policy, whose import of the `@pulumi/pulumi` root resolves to
 * policy/transport/pulumiSdkOnDemand.ts (the SDK loaded on first use; see there). Every other
 * @pulumi/pulumi module stays a require() of node_modules.
 */
const SDK_ON_DEMAND = path.join(root, "policy/transport/pulumiSdkOnDemand.ts");
const POLICY_LIBRARY = `${path.sep}node_modules${path.sep}@pulumi${path.sep}policy${path.sep}`;
const externalPackages = (pack) => ({
    name: "external-packages",
    setup(build) {
        build.onResolve({ filter: /^[^./]/ }, (args) => {
            if (args.path.startsWith("@torchpod/") || args.path.startsWith("node:")) return undefined;
            if (pack && /^@pulumi\/policy(\/|$)/.test(args.path)) return undefined;
            if (pack && args.path === "@pulumi/pulumi" && args.importer.includes(POLICY_LIBRARY)) return { path: SDK_ON_DEMAND };
            return { path: args.path, external: true };
        });
    },
});

const sha256 = (file) =>
    crypto
        .createHash("sha256")
        .update(fs.readFileSync(path.join(root, file)))
        .digest("hex");

/** Writes `text` to `file` through a temporary file in the same folder and a rename. */
function writeAtomically(file, contents, mode) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const tmp = `${file}.${process.pid}.${crypto.randomBytes(4).toString("hex")}.tmp`;
    fs.writeFileSync(tmp, contents, mode === undefined ? undefined : { mode });
    fs.renameSync(tmp, file);
}

/** Builds one bundle (a CLI name or "pack"); returns its path. */
export async function build(name) {
    const target = TARGETS[name];
    if (!target) throw new Error(`unknown bundle "${name}" (expected one of ${Object.keys(TARGETS).join(", ")})`);
    const cli = name in CLIS;
    const outfile = path.join(root, target.bundle);
    const result = await esbuild.build({
        absWorkingDir: root,
        entryPoints: [target.source],
        outfile,
        bundle: true,
        platform: "node",
        target: "node20",
        format: "cjs",
        sourcemap: "linked",
        ...(cli ? { banner: { js: "#!/usr/bin/env node" } } : {}),
        plugins: [externalPackages(!cli)],
        metafile: true,
        write: false,
        logLevel: "warning",
    });
    const inputs = Object.keys(result.metafile.inputs).sort();
    // The sources' digests, and the build script's own (its options shape the output too).
    const digests = Object.fromEntries([...inputs, "tools/build.mjs"].map((f) => [f, sha256(f)]));
    // The map first: a loader that finds the new bundle finds its map.
    const files = [...result.outputFiles].sort((a, b) => Number(b.path.endsWith(".map")) - Number(a.path.endsWith(".map")));
    for (const f of files) writeAtomically(f.path, f.contents, f.path === outfile && cli ? 0o755 : undefined);
    writeAtomically(
        outfile.replace(/\.js$/, ".inputs.json"),
        JSON.stringify({ source: target.source, inputs, sha256: digests }, null, 2) + "\n",
    );
    return outfile;
}

/** Builds one CLI (kept for callers that build only CLIs). */
export const buildCli = (name) => {
    if (!(name in CLIS)) throw new Error(`unknown CLI "${name}" (expected one of ${Object.keys(CLIS).join(", ")})`);
    return build(name);
};

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
    const names = process.argv.slice(2);
    const which = names.length > 0 ? names : Object.keys(TARGETS);
    try {
        for (const name of which) {
            const out = await build(name);
            process.stdout.write(`built ${path.relative(root, out)}\n`);
        }
    } catch (e) {
        process.stderr.write(`build: ${e.message}\n`);
        process.exit(1);
    }
}
