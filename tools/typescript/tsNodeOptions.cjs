// How our tools register ts-node: transpile only (tsc --noEmit checks the types), through
// esbuildTranspiler.cjs (esbuild where it runs, TypeScript's transpileModule where it does not).
// tsconfig.json's "ts-node" section says the same for ts-node registered by others (the Pulumi CLI's
// program runner); these options are given explicitly so a tool works from any working directory.
"use strict";
const path = require("path");

const TRANSPILER = path.join(__dirname, "esbuildTranspiler.cjs");

/** ts-node's register options; `project` is the tsconfig.json (default: the one nearest the current directory). */
module.exports.tsNodeOptions = function tsNodeOptions(project) {
    return {
        transpileOnly: true,
        ...(project !== undefined ? { project } : {}),
        transpiler: TRANSPILER,
    };
};
