// `npm run bench:preview` (e2e/bench/preview.sh): what `pulumi preview` costs with the real engine, against
// the loopback API server that e2e/cluster.sh started. For the dev stack and a 100-user stack, side by side in
// one run, repeated, medians printed:
// - plain: `pulumi preview`;
// - pack:  `pulumi preview --policy-pack <checkout>/policy`;
// - floor: `pulumi preview` of a program of as many trivial ConfigMaps as the stack has resources, loaded the
//          same way (same tsconfig, same e2e transform, one explicit provider): what any program that size costs;
// - the pack's start-up (its process starting to its first answer) and what each Analyzer call costs inside
//   the pack, from a preload that times the pack's gRPC handlers (packTimings.cjs; never shipped).
// It prints figures, never asserts. Several checkouts (`--checkout DIR`, e.g. a worktree of an older commit)
// run interleaved in the same rounds, so a before/after comparison shares the machine's load.
//
//   npm run bench:preview [-- --sizes dev,100] [--runs 3] [--checkout DIR[=LABEL]]... [--prof DIR]
import * as child from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parseArgs } from "util";
import * as yaml from "js-yaml";
import { REPO, TRANSFORM, env, makeProject, platformEntry, pulumiEnv, pulumiOk, tempRoot } from "../support/harness";
import { devStackConfig, syntheticStackConfig } from "../../tools/bench/syntheticStack";

const PACK_TIMINGS = path.join(__dirname, "packTimings.cjs");
const CPU_PROFILE = path.join(__dirname, "cpuProfile.cjs");

interface Checkout {
    label: string;
    dir: string;
    /** This checkout's file:// backend (each checkout has its own stacks). */
    backend: string;
}

interface Size {
    label: string;
    stack: string;
    config: Record<string, unknown>;
}

interface PackTimings {
    processStart: number;
    firstAnswer?: number;
    calls: Record<string, { count: number; ms: number; maxMs: number }>;
}

interface Sample {
    ms: number;
    /** Resources the preview plans to create (its "N to create"). */
    resources: number;
    pack?: PackTimings;
    startedAt: number;
}

type CaseName = "plain" | "pack" | "floor";

const median = (xs: number[]) => {
    const s = [...xs].filter(Number.isFinite).sort((a, b) => a - b);
    if (s.length === 0) return NaN;
    const m = Math.floor(s.length / 2);
    return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const fmtS = (ms: number) => (Number.isFinite(ms) ? (ms / 1000).toFixed(1) : "-");
const fmtMs = (ms: number, digits = 1) => (Number.isFinite(ms) ? ms.toFixed(digits) : "-");
const load = () =>
    os
        .loadavg()
        .map((l) => l.toFixed(2))
        .join(" ");

/** A node_modules for CHECKOUT: its own, or links to this repository's with @torchpod/* pointing at CHECKOUT's sources. */
function nodeModulesOf(checkout: string): string {
    const own = path.join(checkout, "node_modules");
    if (fs.existsSync(own)) return own;
    fs.mkdirSync(own);
    const shared = path.join(REPO, "node_modules");
    for (const entry of fs.readdirSync(shared)) {
        if (entry === "@torchpod") continue;
        fs.symlinkSync(path.join(shared, entry), path.join(own, entry));
    }
    fs.mkdirSync(path.join(own, "@torchpod"));
    for (const pkg of fs.readdirSync(path.join(shared, "@torchpod")))
        fs.symlinkSync(path.join("..", "..", pkg), path.join(own, "@torchpod", pkg));
    console.log(`(linked ${own} to ${shared}, @torchpod/* to ${checkout}'s own sources)`);
    return own;
}

function floorEntry(count: number): string {
    return `${TRANSFORM}
import * as k8s from "@pulumi/kubernetes";
const provider = new k8s.Provider("floor", { kubeconfig: process.env.KUBECONFIG });
for (let i = 0; i < ${count}; i++) {
    new k8s.core.v1.ConfigMap(\`floor-\${i}\`, { metadata: { name: \`floor-\${i}\`, namespace: "default" }, data: { key: "value" } }, { provider });
}
`;
}

/** `pulumi stack init STACK` in DIR with CONFIG (key → value) as its stack file's config. */
function initStack(dir: string, checkout: Checkout, stack: string, config: Record<string, unknown>): void {
    pulumiOk(dir, ["stack", "init", stack], { PULUMI_BACKEND_URL: checkout.backend });
    const file = path.join(dir, `Pulumi.${stack}.yaml`);
    const doc = (fs.existsSync(file) ? (yaml.load(fs.readFileSync(file, "utf8")) as Record<string, unknown>) : undefined) ?? {};
    doc.config = config;
    fs.writeFileSync(file, yaml.dump(doc));
}

/**
 * The pack config render writes for this stack (its office networks, GPU kinds, API server), written as
 * `--policy-pack-config` takes it; undefined for a checkout whose render writes none (before the pack
 * refused exposure without office networks), which is then run without one, as it was then.
 */
function packConfigFile(root: string, checkout: Checkout, stack: string, config: Record<string, unknown>): string | undefined {
    const render = path.join(checkout.dir, "tools", "render", "render.ts");
    if (!fs.existsSync(render)) return undefined;
    const { packConfigFor } = require(render);
    if (typeof packConfigFor !== "function") return undefined;
    const { parseStackConfig } = require(path.join(checkout.dir, "stacks", "parse"));
    // As the engine hands config to the program: strings as they are, everything else as JSON.
    const raw = Object.fromEntries(Object.entries(config).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)]));
    const out = path.join(root, `pack-config-${path.basename(checkout.backend)}-${stack}.json`);
    fs.writeFileSync(out, JSON.stringify(packConfigFor(parseStackConfig(raw, stack)), null, 2));
    return out;
}

/** The pack to run a preview with: its folder and, where the checkout has one, the stack's pack config. */
interface PackRun {
    readonly dir: string;
    readonly config?: string;
}

/** Runs one preview and times it (wall clock of the `pulumi` process). */
function preview(dir: string, checkout: Checkout, stack: string, pack: PackRun | undefined, profDir: string | undefined): Sample {
    const extraEnv: Record<string, string> = { PULUMI_BACKEND_URL: checkout.backend };
    const nodeOptions: string[] = [];
    let timingsFile: string | undefined;
    if (pack) {
        timingsFile = path.join(os.tmpdir(), `torchpod-bench-pack-${process.pid}-${Date.now()}.json`);
        extraEnv.TORCHPOD_BENCH_PACK_TIMINGS = timingsFile;
        nodeOptions.push(`--require=${PACK_TIMINGS}`);
    }
    if (profDir) {
        fs.mkdirSync(profDir, { recursive: true });
        extraEnv.TORCHPOD_BENCH_PROF_DIR = profDir;
        nodeOptions.push(`--require=${CPU_PROFILE}`);
    }
    if (nodeOptions.length > 0) extraEnv.NODE_OPTIONS = [process.env.NODE_OPTIONS ?? "", ...nodeOptions].join(" ").trim();
    const args = [
        "preview",
        "--stack",
        stack,
        "--non-interactive",
        ...(pack ? ["--policy-pack", pack.dir] : []),
        ...(pack?.config ? ["--policy-pack-config", pack.config] : []),
    ];
    const startedAt = Date.now();
    const t0 = process.hrtime.bigint();
    const r = child.spawnSync(path.join(env("TORCHPOD_E2E_PULUMI_BIN_DIR"), "pulumi"), args, {
        cwd: dir,
        env: { ...process.env, ...extraEnv },
        encoding: "utf8",
        maxBuffer: 256 * 1024 * 1024,
    });
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    if (r.error) throw r.error;
    if (r.status !== 0) {
        throw new Error(`pulumi ${args.join(" ")} in ${dir} exited ${r.status}\n${(r.stdout + r.stderr).slice(-6000)}`);
    }
    const created = /(\d+) to create/.exec(r.stdout);
    let timings: PackTimings | undefined;
    if (timingsFile) {
        try {
            timings = JSON.parse(fs.readFileSync(timingsFile, "utf8"));
        } catch {
            console.log(`  (no pack timings written: ${timingsFile})`);
        }
        fs.rmSync(timingsFile, { force: true });
    }
    return { ms, resources: created ? Number(created[1]) : NaN, pack: timings, startedAt };
}

function parseCli() {
    const { values } = parseArgs({
        options: {
            sizes: { type: "string", default: "dev,100" },
            runs: { type: "string", default: "3" },
            checkout: { type: "string", multiple: true },
            prof: { type: "string" },
        },
    });
    const runs = Number(values.runs);
    if (!Number.isInteger(runs) || runs < 1) throw new Error(`bench:preview: --runs: got '${values.runs}', expected a whole number >= 1`);
    const sizes = values.sizes!.split(",").map((s) => {
        if (s === "dev") return { label: "dev", users: undefined };
        const n = Number(s);
        if (!Number.isInteger(n) || n < 1) throw new Error(`bench:preview: --sizes: got '${s}', expected 'dev' or a user count like 100`);
        return { label: `${n} users`, users: n };
    });
    const checkouts = (values.checkout ?? [REPO]).map((c) => {
        const [dir, label] = c.split("=");
        const abs = path.resolve(dir);
        if (!fs.existsSync(path.join(abs, "index.ts")) || !fs.existsSync(path.join(abs, "policy", "PulumiPolicy.yaml")))
            throw new Error(
                `bench:preview: --checkout: ${abs} is not a checkout of this repository (no index.ts, policy/PulumiPolicy.yaml)`,
            );
        return { dir: abs, label: label ?? (abs === REPO ? "this checkout" : path.basename(abs)) };
    });
    if (values.prof) fs.mkdirSync(values.prof, { recursive: true });
    return { runs, sizes, checkouts, prof: values.prof ? path.resolve(values.prof) : undefined };
}

function main(): void {
    const cli = parseCli();
    const root = tempRoot();
    pulumiEnv(root);
    for (const [name, bin, version] of [
        ["kubernetes", env("TORCHPOD_E2E_KUBERNETES_PROVIDER"), env("TORCHPOD_E2E_KUBERNETES_PROVIDER_VERSION")],
        ["random", env("TORCHPOD_E2E_RANDOM_PROVIDER"), env("TORCHPOD_E2E_RANDOM_PROVIDER_VERSION")],
    ]) {
        pulumiOk(root, ["plugin", "install", "resource", name, version, "-f", bin]);
    }
    const checkouts: Checkout[] = cli.checkouts.map((c, i) => {
        const backend = path.join(root, `state-${i}`);
        fs.mkdirSync(backend);
        return { ...c, backend: `file://${backend}` };
    });
    const sizes: Size[] = cli.sizes.map((s) => ({
        label: s.label,
        stack: s.users === undefined ? "dev" : `users${s.users}`,
        config: s.users === undefined ? devStackConfig() : syntheticStackConfig(s.users),
    }));

    // Setup and one untimed warm-up preview per program (it also counts the stack's resources for its floor).
    interface Target {
        checkout: Checkout;
        size: Size;
        program: string;
        floor: string;
        pack: PackRun;
        samples: Record<CaseName, Sample[]>;
    }
    const targets: Target[] = [];
    console.log(
        `bench:preview: ${checkouts.length} checkout(s), sizes ${sizes.map((s) => s.label).join(", ")}, ${cli.runs} run(s); temp ${root}`,
    );
    for (const [ci, checkout] of checkouts.entries()) {
        const program = makeProject(root, `program-${ci}`, platformEntry(checkout.dir), {
            program: checkout.dir,
            nodeModules: nodeModulesOf(checkout.dir),
        });
        for (const size of sizes) {
            const config = {
                ...size.config,
                "torchpod:kubernetes": { ...((size.config["torchpod:kubernetes"] as object) ?? {}), kubeconfig: env("KUBECONFIG") },
            };
            initStack(program, checkout, size.stack, config);
            const pack: PackRun = { dir: path.join(checkout.dir, "policy"), config: packConfigFile(root, checkout, size.stack, config) };
            const warm = preview(program, checkout, size.stack, pack, undefined);
            // The program's stack, its explicit provider and the rest: the floor has a stack, a provider and ConfigMaps.
            const count = warm.resources - 2;
            const floor = makeProject(root, `floor-${ci}-${size.stack}`, floorEntry(count), {
                program: checkout.dir,
                nodeModules: nodeModulesOf(checkout.dir),
                declareConfig: false,
            });
            initStack(floor, checkout, `floor-${size.stack}`, {});
            const floorWarm = preview(floor, checkout, `floor-${size.stack}`, undefined, undefined);
            console.log(
                `  ${checkout.label}, ${size.label}: ${warm.resources} resources to create (floor: ${floorWarm.resources}); warm-up with the pack ${fmtS(warm.ms)} s`,
            );
            targets.push({
                checkout,
                size,
                program,
                floor,
                pack,
                samples: { plain: [], pack: [], floor: [] },
            });
        }
    }

    const cases: CaseName[] = ["plain", "pack", "floor"];
    const loads: string[] = [];
    for (let run = 0; run < cli.runs; run++) {
        loads.push(load());
        // Rotate the order each round, so no case always runs first or last.
        const order = cases.map((_, i) => cases[(i + run) % cases.length]);
        for (const t of targets) {
            for (const c of order) {
                const prof = cli.prof
                    ? path.join(cli.prof, `${t.checkout.label}-${t.size.stack}-${c}-${run}`.replace(/[^\w.-]+/g, "_"))
                    : undefined;
                const s =
                    c === "floor"
                        ? preview(t.floor, t.checkout, `floor-${t.size.stack}`, undefined, prof)
                        : preview(t.program, t.checkout, t.size.stack, c === "pack" ? t.pack : undefined, prof);
                t.samples[c].push(s);
                process.stdout.write(`  run ${run + 1}: ${t.checkout.label}, ${t.size.label}, ${c}: ${fmtS(s.ms)} s\n`);
            }
        }
    }
    loads.push(load());

    console.log(`\nmedians of ${cli.runs} run(s); load average (1, 5, 15 min) at each round's start and at the end: ${loads.join(" | ")}`);
    console.log(`machine: ${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GB\n`);
    // The ratios are the medians of each round's own ratios: the cases of one round ran under the same load.
    console.log("ratios: the median of each round's ratio (cases of one round share the machine's load)");
    const header = [
        "checkout".padEnd(16),
        "stack".padEnd(10),
        "resources".padStart(9),
        "plain s".padStart(8),
        "pack s".padStart(7),
        "pack/plain".padStart(11),
        "floor s".padStart(8),
        "plain/floor".padStart(12),
    ].join(" ");
    console.log(header);
    for (const t of targets) {
        const m = (c: CaseName) => median(t.samples[c].map((s) => s.ms));
        const paired = (a: CaseName, b: CaseName) => median(t.samples[a].map((s, i) => s.ms / t.samples[b][i].ms));
        console.log(
            [
                t.checkout.label.padEnd(16),
                t.size.label.padEnd(10),
                String(median(t.samples.plain.map((s) => s.resources))).padStart(9),
                fmtS(m("plain")).padStart(8),
                fmtS(m("pack")).padStart(7),
                fmtMs(paired("pack", "plain"), 2).padStart(11),
                fmtS(m("floor")).padStart(8),
                fmtMs(paired("plain", "floor"), 2).padStart(12),
            ].join(" "),
        );
    }
    console.log("\nthe pack's share (medians): start-up = its process starting to its first answer; per call = inside the pack's handlers");
    console.log(
        [
            "checkout".padEnd(16),
            "stack".padEnd(10),
            "pack−plain s".padStart(12),
            "start-up s".padStart(10),
            "(rest)/resource ms".padStart(19),
            "Analyze ms/call".padStart(16),
            "Remediate ms/call".padStart(18),
            "AnalyzeStack ms".padStart(16),
            "calls".padStart(6),
        ].join(" "),
    );
    for (const t of targets) {
        const packs = t.samples.pack;
        const startup = median(packs.map((s) => (s.pack?.firstAnswer ?? NaN) - (s.pack?.processStart ?? NaN)));
        const added = median(packs.map((s) => s.ms)) - median(t.samples.plain.map((s) => s.ms));
        const resources = median(t.samples.plain.map((s) => s.resources));
        const perCall = (method: string) =>
            median(packs.map((s) => (s.pack?.calls[method] ? s.pack.calls[method].ms / s.pack.calls[method].count : NaN)));
        const stackMs = median(packs.map((s) => s.pack?.calls.analyzeStack?.ms ?? NaN));
        const calls = median(packs.map((s) => Object.values(s.pack?.calls ?? {}).reduce((n, c) => n + c.count, 0)));
        console.log(
            [
                t.checkout.label.padEnd(16),
                t.size.label.padEnd(10),
                fmtS(added).padStart(12),
                fmtS(startup).padStart(10),
                fmtMs((added - startup) / resources).padStart(19),
                fmtMs(perCall("analyze"), 2).padStart(16),
                fmtMs(perCall("remediate"), 2).padStart(18),
                fmtMs(stackMs, 0).padStart(16),
                String(calls).padStart(6),
            ].join(" "),
        );
    }
    console.log("\nevery sample (s):");
    for (const t of targets)
        for (const c of cases)
            console.log(`  ${t.checkout.label}, ${t.size.label}, ${c}: ${t.samples[c].map((s) => fmtS(s.ms)).join(" ")}`);
    console.log("\ntargets: pack ≤ 1.15× plain (dev and 100 users); plain preview of dev ≤ 1.2× its floor");
    if (process.env.TORCHPOD_E2E_KEEP === "1") console.log(`kept ${root}`);
    else fs.rmSync(root, { recursive: true, force: true });
}

main();
