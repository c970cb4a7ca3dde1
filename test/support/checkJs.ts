// The platform's plain-JavaScript scripts (run by node in their pods) carry JSDoc types; this checks them
// as TypeScript's strict checkJs would, so those types stay real.
import * as path from "path";
import * as ts from "typescript";

/** The diagnostics of `script` under strict checkJs (Node's types, ES2022), one message per line; "" when clean. */
export function strictCheckJsProblems(script: string): string {
    const program = ts.createProgram([script], {
        allowJs: true,
        checkJs: true,
        noEmit: true,
        strict: true,
        target: ts.ScriptTarget.ES2022,
        module: ts.ModuleKind.CommonJS,
        lib: ["lib.es2022.d.ts"],
        types: ["node"],
        typeRoots: [path.join(__dirname, "..", "..", "node_modules", "@types")],
    });
    return ts
        .getPreEmitDiagnostics(program)
        .filter((d) => d.file?.fileName === script || !d.file)
        .map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n"))
        .join("\n");
}
