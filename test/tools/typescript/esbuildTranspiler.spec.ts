import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as vm from "vm";
import * as ts from "typescript";

const { create } = require("../../../tools/typescript/esbuildTranspiler.cjs");

const ROOT_OPTIONS = { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.CommonJS, esModuleInterop: true };

/** ts-node hands a transpiler its service; only the parsed compiler options are read. */
function transpiler(options: ts.CompilerOptions = ROOT_OPTIONS) {
    return create({ service: { config: { options } } });
}

/** Runs CommonJS output in a fresh context; `require` serves the fake modules given. */
function runModule(code: string, modules: Record<string, unknown>): unknown {
    const module = { exports: {} as unknown };
    const fn = vm.runInNewContext(`(function (exports, require, module) {${code}\n})`, { Promise, Error });
    fn(module.exports, (name: string) => modules[name], module);
    return module.exports;
}

// Parameter properties and class fields (their order and define semantics), enums, default and
// namespace imports of CommonJS modules, optional chaining, `export =`.
const SAMPLE = `
import cjs from "plain-cjs";
import * as esm from "compiled-esm";
enum Kind { A = 1, B }
class Box {
    readonly kind = Kind.B;
    label?: string;
    constructor(public size: number) {}
}
const box = new Box(3);
export = {
    box: { ...box, keys: Object.keys(box), hasLabel: "label" in box },
    kinds: Kind,
    cjs: cjs.name,
    esm: esm.value,
    missing: (esm as any).deep?.deeper ?? "none",
    later: () => import("compiled-esm").then((m) => m.value),
};
`;
const MODULES = {
    "plain-cjs": { name: "plain" },
    "compiled-esm": Object.defineProperty({ value: 42 }, "__esModule", { value: true }),
};

describe("esbuild transpiler for ts-node", () => {
    it("produces code that behaves as TypeScript's own transpileModule output does", () => {
        const ours = transpiler().transpile(SAMPLE, { fileName: "/src/sample.ts" }).outputText;
        const tsc = ts.transpileModule(SAMPLE, { compilerOptions: ROOT_OPTIONS, fileName: "/src/sample.ts" }).outputText;
        const expected = JSON.parse(JSON.stringify(runModule(tsc, MODULES)));
        assert.deepEqual(JSON.parse(JSON.stringify(runModule(ours, MODULES))), expected);
        assert.deepEqual(expected.box.keys, ["size", "kind", "label"], "the sample exercises define semantics for class fields");
    });

    it("turns import() into require(), as tsc's CommonJS output does, so imported TypeScript goes through ts-node", async () => {
        const ours = transpiler().transpile(SAMPLE, { fileName: "/src/sample.ts" }).outputText;
        assert.equal(await (runModule(ours, MODULES) as { later: () => Promise<number> }).later(), 42);
    });

    it("emits strict-mode code, as tsc does for a module: writing to a frozen object throws", () => {
        const source = "export function write(): void {\n    const o: any = Object.freeze({ a: 1 });\n    o.a = 2;\n}\n";
        const tsc = ts.transpileModule(source, { compilerOptions: ROOT_OPTIONS, fileName: "/src/w.ts" }).outputText;
        // The code runs in its own context, with its own TypeError.
        const typeError = (e: Error) => e.name === "TypeError" && /read.only/.test(e.message);
        assert.throws(() => (runModule(tsc, {}) as { write: () => void }).write(), typeError, "tsc's output is strict");
        const ours = transpiler().transpile(source, { fileName: "/src/w.ts" }).outputText;
        assert.throws(() => (runModule(ours, {}) as { write: () => void }).write(), typeError);
    });

    it("maps stack traces back to the TypeScript source's lines", () => {
        // The type alias and blank line vanish from the JavaScript: unmapped, the throw would be on line 2.
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "transpiler-"));
        const file = path.join(dir, "fail.ts");
        fs.writeFileSync(file, "type T = { a: number };\n\nexport function fail(t?: T): never {\n    throw new Error(`boom ${t}`);\n}\n");
        try {
            assert.throws(
                () => require(file).fail(),
                (e: Error) => e.stack!.includes(`${file}:4:11`),
            );
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("is the transpiler of the ts-node this test suite runs under", () => {
        // .mocharc.json preloads tools/typescript/register.cjs: a test of itself, and of every spec here.
        const service = (process as any)[Symbol.for("ts-node.register.instance")];
        assert.ok(service, "ts-node is registered");
        assert.equal(path.basename(service.options.transpiler), "esbuildTranspiler.cjs");
    });

    it("refuses a tsconfig without esModuleInterop, naming the option", () => {
        assert.throws(() => transpiler({ ...ROOT_OPTIONS, esModuleInterop: false }), /compilerOptions\.esModuleInterop: true/);
    });

    it("refuses a target older than ES2015, naming the option and the value", () => {
        assert.throws(
            () => transpiler({ ...ROOT_OPTIONS, target: ts.ScriptTarget.ES5 }),
            /compilerOptions\.target 1: expected ES2015 or later/,
        );
    });

    it("reports a syntax error with the file and line", () => {
        assert.throws(() => transpiler().transpile("const a = ;\n", { fileName: "/src/broken.ts" }), /\/src\/broken\.ts:1:10/);
    });
});
