// How our tools register ts-node: transpile only (tsc --noEmit checks the types), with esbuild as
// the transpiler where it runs, ts-node's own transpiler where it does not (esbuild's package can be
// missing, or hold another platform's binary): slower, the same code.
"use strict";
const path = require("path");

const ESBUILD_TRANSPILER = path.join(__dirname, "esbuildTranspiler.cjs");

/** Whether esbuild loads and runs here. */
function esbuildUsable() {
    try {
        require("esbuild").transformSync("", { loader: "ts" });
        return true;
    } catch {
        return false;
    }
}

/** ts-node's register options; `project` is the tsconfig.json (default: the one nearest the current directory). */
module.exports.tsNodeOptions = function tsNodeOptions(project) {
    return {
        transpileOnly: true,
        ...(project !== undefined ? { project } : {}),
        ...(esbuildUsable() ? { transpiler: ESBUILD_TRANSPILER } : {}),
    };
};
