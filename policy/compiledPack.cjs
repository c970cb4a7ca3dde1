// The pack's entry for the Pulumi engine (package.json "main"): the pack compiled to JavaScript
// (dist/index.js, built from index.ts by tools/build.mjs, which `npm ci` runs through `prepare`).
//
// Why: the engine starts a Node.js pack through @pulumi/pulumi's run-policy-pack, which registers
// ts-node with type checking on; loading index.ts that way type-checks the whole pack (its policies,
// @torchpod/netpol, @pulumi/policy's and Node's declarations) before the pack can answer, about 4.5 s
// of every `pulumi preview --policy-pack policy`. The compiled bundle starts in a fraction of that.
//
// The sources stay the truth: the bundle is used only when every source it was built from (and the
// build script) has the sha256 recorded at build time. Otherwise it is rebuilt first, and if that is
// not possible here, the sources themselves are loaded (through the ts-node that run-policy-pack
// registered: slow, the same policies), with a line on stderr saying so.
"use strict";
const crypto = require("crypto");
const fs = require("fs");
const path = require("path");

const root = path.resolve(__dirname, "..");
const BUNDLE = path.join(__dirname, "dist", "index.js");
const INPUTS = path.join(__dirname, "dist", "index.inputs.json");

/** Why the bundle cannot be used as it is, or undefined when it was built from the current sources. */
function staleness() {
    let recorded;
    try {
        recorded = JSON.parse(fs.readFileSync(INPUTS, "utf8")).sha256;
        fs.accessSync(BUNDLE, fs.constants.R_OK);
    } catch {
        return "not built";
    }
    if (recorded === null || typeof recorded !== "object" || Object.keys(recorded).length === 0) return "no source digests recorded";
    for (const [file, digest] of Object.entries(recorded)) {
        let now;
        try {
            now = crypto
                .createHash("sha256")
                .update(fs.readFileSync(path.join(root, file)))
                .digest("hex");
        } catch {
            return `${file} is missing`;
        }
        if (now !== digest) return `${file} changed since it was built`;
    }
    return undefined;
}

function rebuild() {
    const { spawnSync } = require("child_process");
    const r = spawnSync(process.execPath, [path.join(root, "tools", "build.mjs"), "pack"], { cwd: root, encoding: "utf8" });
    return r.status === 0 ? undefined : (r.stderr || r.error?.message || `exit ${r.status}`).trim();
}

const stale = staleness();
let load = BUNDLE;
if (stale !== undefined) {
    const failed = rebuild();
    const still = failed === undefined ? staleness() : failed;
    if (still !== undefined) {
        process.stderr.write(
            `torchpod-lockdown: policy/dist/index.js is stale (${stale}) and could not be rebuilt (${still}); ` +
                "loading the TypeScript sources instead (slower). `npm run build:cli` rebuilds it.\n",
        );
        load = path.join(__dirname, "index.ts");
    }
}
require(load);
