// Preload (`node -r`) that runs TypeScript sources through ts-node with esbuild as its transpiler:
// mocha, the benchmarks, render's program and the pack's process all load TypeScript this way.
// ts-node finds the tsconfig.json nearest the current directory, as its own register does.
"use strict";
const path = require("path");
require("ts-node").register({ transpileOnly: true, transpiler: path.join(__dirname, "esbuildTranspiler.cjs") });
