// A ts-node transpiler (its "transpiler" option) over esbuild's transform. ts-node's own
// transpile-only mode runs TypeScript's transpileModule per file: for the program, about a second of
// a 1,000-user render and of every test process; esbuild does the same work in a few milliseconds.
// Types are still checked, by `npm run build` (tsc --noEmit), not here.
// Named by tsconfig.json's "ts-node" section too, so `pulumi preview` loads the program through it.
// Where esbuild cannot run (its package missing, or another platform's binary), it falls back to
// TypeScript's transpileModule, what ts-node's own transpile-only mode runs: slower, the same code.
"use strict";

// TypeScript's ScriptTarget numbers (ts.ScriptTarget) for the targets esbuild names.
const TARGETS = {
    2: "es2015",
    3: "es2016",
    4: "es2017",
    5: "es2018",
    6: "es2019",
    7: "es2020",
    8: "es2021",
    9: "es2022",
    10: "es2023",
    11: "es2024",
    99: "esnext",
};
const ES2022 = 9;

/** @param {{service: {config: {options: Record<string, unknown>}}}} createOptions */
module.exports.create = function create(createOptions) {
    const options = createOptions.service.config.options;
    const target = TARGETS[options.target ?? ES2022];
    if (target === undefined)
        throw new Error(`esbuildTranspiler: tsconfig compilerOptions.target ${options.target}: expected ES2015 or later`);
    // esbuild's CommonJS output always interoperates as esModuleInterop does; without it, tsc's
    // default imports would mean something else, so refuse rather than run different code.
    if (options.esModuleInterop !== true) throw new Error("esbuildTranspiler: expected tsconfig compilerOptions.esModuleInterop: true");
    const tsconfigRaw = {
        compilerOptions: {
            useDefineForClassFields: options.useDefineForClassFields ?? (options.target ?? ES2022) >= ES2022,
            experimentalDecorators: options.experimentalDecorators === true,
            verbatimModuleSyntax: options.verbatimModuleSyntax === true,
            // tsc's CommonJS output of a module is always strict; esbuild's only when told.
            alwaysStrict: true,
        },
    };
    if (!esbuildUsable()) return typescriptTranspiler(options);
    const esbuild = require("esbuild");
    return {
        transpile(input, { fileName }) {
            const result = esbuild.transformSync(input, {
                loader: fileName.endsWith(".tsx") ? "tsx" : "ts",
                format: "cjs",
                target,
                platform: "node",
                sourcefile: fileName,
                sourcemap: "external",
                tsconfigRaw,
                // tsc's CommonJS output turns import() into require(); kept native, it would load
                // the file past ts-node's hook and fail on ".ts".
                supported: { "dynamic-import": false },
            });
            return { outputText: result.code, sourceMapText: result.map };
        },
    };
};

/** Whether esbuild loads and runs here. */
function esbuildUsable() {
    try {
        require("esbuild").transformSync("", { loader: "ts" });
        return true;
    } catch {
        return false;
    }
}
module.exports.esbuildUsable = esbuildUsable;

/** ts-node's own transpile-only output: TypeScript's transpileModule with the tsconfig's options. */
function typescriptTranspiler(options) {
    const ts = require("typescript");
    return {
        transpile(input, { fileName }) {
            const result = ts.transpileModule(input, {
                fileName,
                compilerOptions: { ...options, sourceMap: true, inlineSourceMap: false, declaration: false, noEmit: false },
                reportDiagnostics: false,
            });
            return { outputText: result.outputText, sourceMapText: result.sourceMapText };
        },
    };
}
