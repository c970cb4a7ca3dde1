// Preload (`node -r`) that runs TypeScript sources through ts-node with esbuild as its transpiler
// (see tsNodeOptions.cjs): mocha, the benchmarks and the pack's process load TypeScript this way.
// ts-node finds the tsconfig.json nearest the current directory, as its own register does.
"use strict";
require("ts-node").register(require("./tsNodeOptions.cjs").tsNodeOptions());
