import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import * as ts from "typescript";

const { tsNodeOptions } = require("../../../tools/typescript/tsNodeOptions.cjs");
const { create } = require("../../../tools/typescript/esbuildTranspiler.cjs");

const ROOT = path.resolve(__dirname, "../../..");

/** Runs `fn` while esbuild's package throws as it does with another platform's binary installed. */
function withBrokenEsbuild<T>(fn: () => T): T {
    const cached = require.cache[require.resolve("esbuild")]!;
    const real = cached.exports;
    cached.exports = {
        transformSync: () => {
            throw new Error('The package "@esbuild/linux-x64" could not be found');
        },
    };
    try {
        return fn();
    } finally {
        cached.exports = real;
    }
}

describe("ts-node options for our tools", () => {
    it("register transpile-only through esbuildTranspiler.cjs", () => {
        const options = tsNodeOptions();
        assert.equal(options.transpileOnly, true);
        assert.match(options.transpiler, /esbuildTranspiler\.cjs$/);
    });

    it("the transpiler falls back to TypeScript's transpileModule where esbuild cannot run", () => {
        const options = { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.CommonJS, esModuleInterop: true };
        const source = "export const answer: number = 6 * 7;\n";
        const out = withBrokenEsbuild(() => create({ service: { config: { options } } }).transpile(source, { fileName: "/src/a.ts" }));
        assert.equal(
            out.outputText,
            ts.transpileModule(source, { fileName: "/src/a.ts", compilerOptions: { ...options, sourceMap: true } }).outputText,
        );
        const exports: Record<string, unknown> = {};
        new Function("exports", out.outputText)(exports);
        assert.equal(exports.answer, 42);
    });

    it("tsconfig.json names the same transpiler, so the Pulumi CLI's ts-node loads the program transpile-only", () => {
        const tsconfig = JSON.parse(fs.readFileSync(path.join(ROOT, "tsconfig.json"), "utf8"));
        assert.equal(tsconfig["ts-node"].transpileOnly, true);
        assert.equal(path.resolve(ROOT, tsconfig["ts-node"].transpiler), path.join(ROOT, "tools/typescript/esbuildTranspiler.cjs"));
    });
});
