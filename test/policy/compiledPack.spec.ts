// policy/compiledPack.cjs, the pack's entry for the Pulumi engine: it loads the compiled bundle only when the
// bundle was built from the current sources, rebuilds it otherwise, and falls back to the TypeScript sources
// (never to a stale bundle) when it cannot. Run here in a scratch copy of the layout, with a fake build script.
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

const ROOT = path.resolve(__dirname, "../..");
const REGISTER = path.join(ROOT, "tools/typescript/register.cjs");
const sha256 = (file: string) => crypto.createHash("sha256").update(fs.readFileSync(file)).digest("hex");

/** A fake tools/build.mjs: writes a bundle printing MESSAGE and records the sources' digests, or fails. */
const fakeBuild = (message: string | undefined) =>
    message === undefined
        ? `process.stderr.write("build: esbuild is not installed\\n"); process.exit(1);\n`
        : `import * as fs from "node:fs"; import * as crypto from "node:crypto";
const root = new URL("..", import.meta.url).pathname;
const sha = (f) => crypto.createHash("sha256").update(fs.readFileSync(root + f)).digest("hex");
fs.mkdirSync(root + "policy/dist", { recursive: true });
fs.writeFileSync(root + "policy/dist/index.js", ${JSON.stringify(`console.log(${JSON.stringify(message)});`)});
fs.writeFileSync(root + "policy/dist/index.inputs.json", JSON.stringify({ sha256: { "policy/index.ts": sha("policy/index.ts"), "tools/build.mjs": sha("tools/build.mjs") } }));
`;

describe("policy/compiledPack.cjs (the pack as the engine loads it)", function () {
    this.timeout(60000);
    let dir: string;

    beforeEach(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "torchpod-compiled-pack-"));
        fs.mkdirSync(path.join(dir, "policy", "dist"), { recursive: true });
        fs.mkdirSync(path.join(dir, "tools"));
        fs.copyFileSync(path.join(ROOT, "policy/compiledPack.cjs"), path.join(dir, "policy/compiledPack.cjs"));
        fs.writeFileSync(path.join(dir, "policy/index.ts"), 'const where: string = "the sources";\nconsole.log(where);\n');
        fs.writeFileSync(
            path.join(dir, "tsconfig.json"),
            JSON.stringify({ compilerOptions: { target: "ES2022", module: "commonjs", esModuleInterop: true } }),
        );
        fs.writeFileSync(path.join(dir, "tools/build.mjs"), fakeBuild("the rebuilt bundle"));
        // A bundle built from the current sources.
        fs.writeFileSync(path.join(dir, "policy/dist/index.js"), 'console.log("the bundle");');
        const digests = {
            "policy/index.ts": sha256(path.join(dir, "policy/index.ts")),
            "tools/build.mjs": sha256(path.join(dir, "tools/build.mjs")),
        };
        fs.writeFileSync(path.join(dir, "policy/dist/index.inputs.json"), JSON.stringify({ sha256: digests }));
    });
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    /** Loads the entry as run-policy-pack does: ts-node already registered, the pack's folder as cwd. */
    const load = () =>
        spawnSync(process.execPath, ["-r", REGISTER, path.join(dir, "policy/compiledPack.cjs")], { cwd: dir, encoding: "utf8" });

    it("loads the bundle when every source it was built from is unchanged", () => {
        const r = load();
        assert.strictEqual(r.status, 0, r.stderr);
        assert.strictEqual(r.stdout.trim(), "the bundle");
        assert.strictEqual(r.stderr, "");
    });

    it("rebuilds the bundle first when a source changed since the build", () => {
        fs.appendFileSync(path.join(dir, "policy/index.ts"), "// changed\n");
        // Even with the bundle's time in the future: content decides, not timestamps.
        const future = new Date(Date.now() + 3600_000);
        fs.utimesSync(path.join(dir, "policy/dist/index.js"), future, future);
        const r = load();
        assert.strictEqual(r.status, 0, r.stderr);
        assert.strictEqual(r.stdout.trim(), "the rebuilt bundle");
    });

    it("rebuilds when the bundle was never built", () => {
        fs.rmSync(path.join(dir, "policy/dist"), { recursive: true });
        const r = load();
        assert.strictEqual(r.status, 0, r.stderr);
        assert.strictEqual(r.stdout.trim(), "the rebuilt bundle");
    });

    it("loads the TypeScript sources, and says so on stderr, when a stale bundle cannot be rebuilt", () => {
        fs.writeFileSync(path.join(dir, "tools/build.mjs"), fakeBuild(undefined));
        const r = load();
        assert.strictEqual(r.status, 0, r.stderr);
        assert.strictEqual(r.stdout.trim(), "the sources");
        assert.match(
            r.stderr,
            /policy\/dist\/index\.js is stale \(tools\/build\.mjs changed since it was built\) and could not be rebuilt \(build: esbuild is not installed\)/,
        );
    });
});
