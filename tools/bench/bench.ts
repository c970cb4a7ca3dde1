// `npm run bench`: how the platform scales with team size, measured against its own floor. Every case
// runs in a fresh child process (so peak RSS is that case's alone, and no module cache or heap of one
// case colours the next), and cases of one size run side by side in one invocation, so their ratios
// are comparable even on a busy machine where absolute seconds are not.
//
// Cases, for synthetic stacks of 10, 100 and 1,000 users:
// - floor:        as many trivial ConfigMaps as the stack registers resources, under the same offline
//                 engine in the same process setup: what any program of that size costs the SDK.
// - program:      evaluating the real program (index.ts) under the offline engine, no pack.
// - pack:         the pack's own cost over that program's objects, as the engine pays it on every
//                 `pulumi preview --policy-pack`: Analyze per object plus AnalyzeStack, over gRPC, with
//                 the pack already started (its start-up is printed separately).
// - pack-floor:   the same, with a pack of torchpod-lockdown's shape whose policies do nothing
//                 (tools/bench/noopPack): what @pulumi/policy and the protocol cost any such pack.
// - render:       program and pack together as `npm run render` runs them (the pack analyzing each
//                 object while the program still runs).
// - policy-check: the pack over the rendered YAML (the kubectl-only team's path): reading the files,
//                 turning them into resources, Analyze per object, AnalyzeStack; pack start-up excluded.
//
// It prints figures and ratios; nothing here asserts a time.
//   npm run --silent bench [-- --sizes 10,100,1000]
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { releaseProgram, runProgram } from "../offline/engine";
import { isKubernetesObject } from "../offline/recorded";
import { startPackCheck, toPackResource } from "../pack/packCheck";
import { PackSession } from "../pack/runner";
import { MANIFEST_FILES, toManifests, toYaml } from "../render/manifestFiles";
import { syntheticConfig } from "./syntheticStack";

const repoRoot = path.resolve(__dirname, "../..");
const DEFAULT_SIZES = [10, 100, 1000];

/** What one case measured in its own process. */
export interface CaseResult {
    case: string;
    size: number;
    resources: number;
    /** Wall time of what the case measures. */
    ms: number;
    /** Peak resident memory of the measuring process. */
    peakRssMb: number;
    /** Case-specific details (the pack's start-up, its own peak memory, Analyze vs AnalyzeStack, ...). */
    detail: Record<string, number>;
}

/** TORCHPOD_BENCH_PACK_PROF=<dir>: the pack's process writes a CPU profile there (see README.md beside this file). */
const packStart = (packDir?: string) => ({
    ...(packDir ? { packDir } : {}),
    nodeArgs: process.env.TORCHPOD_BENCH_PACK_PROF
        ? ["--cpu-prof", `--cpu-prof-dir=${process.env.TORCHPOD_BENCH_PACK_PROF}`, "-r", path.join(__dirname, "exitOnSigterm.js")]
        : [],
});

const now = () => process.hrtime.bigint();
const msSince = (t: bigint) => Number(now() - t) / 1e6;
const peakRssMb = () => process.resourceUsage().maxRSS / 1024;

function entry(): string {
    return require.resolve(path.join(repoRoot, "index.ts"));
}

/** The real program, n users. */
async function evaluate(users: number, onResource?: Parameters<typeof runProgram>[1]["onResource"]) {
    const main = entry();
    const run = await runProgram(() => require(main), { stack: `bench${users}`, config: syntheticConfig(users), onResource });
    if (run.error) throw run.error;
    return run;
}

/** `count` ConfigMaps with one key each, registered the way the program registers its objects. */
async function floorCase(count: number): Promise<CaseResult> {
    const started = now();
    const run = await runProgram(
        () => {
            // Loaded inside the measured run, as the program loads it (through index.ts).
            const k8s: typeof import("@pulumi/kubernetes") = require("@pulumi/kubernetes");
            for (let i = 0; i < count; i++) {
                new k8s.core.v1.ConfigMap(`floor-${i}`, {
                    metadata: { name: `floor-${i}`, namespace: "floor" },
                    data: { key: "value" },
                });
            }
        },
        { stack: "floor", config: {} },
    );
    if (run.error) throw run.error;
    return { case: "floor", size: count, resources: run.resources.length, ms: msSince(started), peakRssMb: peakRssMb(), detail: {} };
}

async function programCase(users: number): Promise<CaseResult> {
    const started = now();
    const run = await evaluate(users);
    return { case: "program", size: users, resources: run.resources.length, ms: msSince(started), peakRssMb: peakRssMb(), detail: {} };
}

/** The pack in `packDir` (default: torchpod-lockdown) over the program's Kubernetes objects, already started. */
async function packOver(caseName: string, users: number, packDir?: string): Promise<CaseResult> {
    const run = await evaluate(users);
    releaseProgram(entry());
    const objects = run.resources.filter(isKubernetesObject).map(toPackResource);
    const startup = now();
    const session = await PackSession.open(packStart(packDir));
    const startupMs = msSince(startup);
    const started = now();
    for (const r of objects) session.analyze(r);
    await session.finish(objects);
    const { analyzeMs, analyzeStackMs } = session.timings;
    return {
        case: caseName,
        size: users,
        resources: objects.length,
        ms: msSince(started),
        peakRssMb: peakRssMb(),
        detail: { startupMs, analyzeMs, analyzeStackMs, packPeakRssMb: session.packPeakRssMb },
    };
}

const packCase = (users: number) => packOver("pack", users);
const packFloorCase = (users: number) => packOver("pack-floor", users, path.join(__dirname, "noopPack"));

async function renderCase(users: number): Promise<CaseResult> {
    const started = now();
    const check = startPackCheck({}, packStart());
    let run;
    try {
        run = await evaluate(users, check.onResource);
    } catch (e) {
        await check.close();
        throw e;
    }
    const programMs = msSince(started);
    releaseProgram(entry());
    const { violations } = await check.finish(run.resources);
    return {
        case: "render",
        size: users,
        resources: run.resources.length,
        ms: msSince(started),
        peakRssMb: peakRssMb(),
        detail: { programMs, violations: violations.length },
    };
}

async function policyCheckCase(users: number): Promise<CaseResult> {
    const { loadManifests } = await import("@torchpod/netpol");
    const { manifestsToResources } = await import("../pack/manifestResources");
    const run = await evaluate(users);
    releaseProgram(entry());
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "torchpod-bench-"));
    try {
        const manifests = toManifests(run.resources);
        for (const file of MANIFEST_FILES) fs.writeFileSync(path.join(dir, file), toYaml(manifests.files.get(file) ?? []));
        const startup = now();
        const session = await PackSession.open(packStart());
        const startupMs = msSince(startup);
        const started = now();
        const resources = manifestsToResources(loadManifests([dir]));
        const loadMs = msSince(started);
        for (const r of resources) session.analyze(r);
        const { violations } = await session.finish(resources);
        const { analyzeMs, analyzeStackMs } = session.timings;
        return {
            case: "policy-check",
            size: users,
            resources: resources.length,
            ms: msSince(started),
            peakRssMb: peakRssMb(),
            detail: { startupMs, loadMs, analyzeMs, analyzeStackMs, violations: violations.length, packPeakRssMb: session.packPeakRssMb },
        };
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

const CASES: Record<string, (size: number) => Promise<CaseResult>> = {
    floor: floorCase,
    program: programCase,
    pack: packCase,
    "pack-floor": packFloorCase,
    render: renderCase,
    "policy-check": policyCheckCase,
};

/** Runs one case in a fresh child process and returns what it measured (undefined when it failed: reported, not fatal). */
function runCase(name: string, size: number): CaseResult | undefined {
    const child = spawnSync(
        process.execPath,
        [
            ...process.execArgv.filter((a) => a.startsWith("--max-") || a.startsWith("--cpu-prof") || a.startsWith("--heap-prof")),
            "-r",
            path.join(repoRoot, "tools/typescript/register.cjs"),
            __filename,
            "--case",
            name,
            String(size),
        ],
        { cwd: repoRoot, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 },
    );
    const line = child.stdout.trim().split("\n").pop() ?? "";
    if (child.status !== 0 || !line.startsWith("{")) {
        process.stderr.write(child.stderr);
        process.stderr.write(`  FAILED ${name} ${size} (exit ${child.status}): its figures are missing below\n`);
        return undefined;
    }
    // Each case's figures as soon as they exist, so a later failure loses nothing.
    process.stderr.write(`  measured ${name} ${size}: ${line}\n`);
    return JSON.parse(line);
}

const ratio = (a: number, b: number) => (Number.isFinite(a / b) ? (a / b).toFixed(2) : "-");
const pad = (s: string | number, n: number) => String(s).padStart(n);

const MISSING: CaseResult = { case: "missing", size: 0, resources: NaN, ms: NaN, peakRssMb: NaN, detail: {} };

function main(sizes: number[]): void {
    const rows: {
        users: number;
        program: CaseResult;
        floor: CaseResult;
        pack: CaseResult;
        packFloor: CaseResult;
        render: CaseResult;
        check: CaseResult;
    }[] = [];
    for (const users of sizes) {
        const program = runCase("program", users) ?? MISSING;
        const floor = (Number.isFinite(program.resources) ? runCase("floor", program.resources) : undefined) ?? MISSING;
        const pack = runCase("pack", users) ?? MISSING;
        const packFloor = runCase("pack-floor", users) ?? MISSING;
        const render = runCase("render", users) ?? MISSING;
        const check = runCase("policy-check", users) ?? MISSING;
        rows.push({ users, program, floor, pack, packFloor, render, check });
    }
    const f0 = (n: number | undefined) => (n !== undefined && Number.isFinite(n) ? n.toFixed(0) : "-");
    console.log("Each figure is one case in its own process; ratios compare cases of one run ('-': the case failed).");
    console.log("floor: as many trivial ConfigMaps as the stack has resources, same engine and process setup.");
    console.log("pack: Analyze per object + AnalyzeStack over gRPC, pack already started.");
    console.log("policy-check: the pack over the rendered YAML (reading it included), pack already started.\n");
    console.log("users  resources   floor ms  program ms  ×floor   pack ms  ×program   render ms  policy-check ms  ×pack");
    for (const r of rows) {
        console.log(
            [
                pad(r.users, 5),
                pad(f0(r.program.resources), 10),
                pad(f0(r.floor.ms), 10),
                pad(f0(r.program.ms), 11),
                pad(ratio(r.program.ms, r.floor.ms), 7),
                pad(f0(r.pack.ms), 9),
                pad(ratio(r.pack.ms, r.program.ms), 9),
                pad(f0(r.render.ms), 11),
                pad(f0(r.check.ms), 16),
                pad(ratio(r.check.ms, r.pack.ms), 6),
            ].join(" "),
        );
    }
    console.log("\npeak RSS MB (each case's own process; the pack's process beside it)");
    console.log("users   floor  program  ×floor  render  pack process  policy-check  its pack process");
    for (const r of rows) {
        console.log(
            [
                pad(r.users, 5),
                pad(f0(r.floor.peakRssMb), 7),
                pad(f0(r.program.peakRssMb), 8),
                pad(ratio(r.program.peakRssMb, r.floor.peakRssMb), 7),
                pad(f0(r.render.peakRssMb), 7),
                pad(f0(r.pack.detail.packPeakRssMb), 13),
                pad(f0(r.check.peakRssMb), 13),
                pad(f0(r.check.detail.packPeakRssMb), 17),
            ].join(" "),
        );
    }
    console.log("\ndetails");
    for (const r of rows) {
        const p = r.pack.detail;
        const c = r.check.detail;
        console.log(
            `${pad(r.users, 5)} users: pack start-up ${f0(p.startupMs)} ms, Analyze ${f0(p.analyzeMs)} ms, AnalyzeStack ${f0(p.analyzeStackMs)} ms; ` +
                `pack floor ${f0(r.packFloor.ms)} ms (Analyze ${f0(r.packFloor.detail.analyzeMs)} ms, AnalyzeStack ${f0(r.packFloor.detail.analyzeStackMs)} ms); ` +
                `render: program ${f0(r.render.detail.programMs)} ms, ${f0(r.render.detail.violations)} violation(s); ` +
                `policy-check: reading ${f0(c.loadMs)} ms, Analyze ${f0(c.analyzeMs)} ms, AnalyzeStack ${f0(c.analyzeStackMs)} ms, ${f0(c.violations)} violation(s)`,
        );
    }
    const last = rows[rows.length - 1];
    const before = rows.find((r) => r.users * 10 === last.users);
    console.log(`\ntargets at ${last.users} users:`);
    console.log(`  program / floor          ${ratio(last.program.ms, last.floor.ms).padStart(6)}  (target <= 1.5)`);
    console.log(`  pack / program           ${ratio(last.pack.ms, last.program.ms).padStart(6)}  (target <= 0.3)`);
    console.log(
        `    of which the pack floor ${ratio(last.packFloor.ms, last.program.ms).padStart(6)}  (@pulumi/policy and the protocol, no-op policies of the same shape)`,
    );
    console.log(`  peak RSS program / floor ${ratio(last.program.peakRssMb, last.floor.peakRssMb).padStart(6)}  (target <= 1.3)`);
    if (before) {
        const total = (r: (typeof rows)[number]) => r.program.ms + r.pack.ms;
        console.log(
            `  time(${last.users}) / time(${before.users})  ${ratio(total(last), total(before)).padStart(6)}  (program + pack; target <= 11: linear)`,
        );
    }
    console.log(`  policy-check / pack      ${ratio(last.check.ms, last.pack.ms).padStart(6)}  (target <= 2)`);
}

function parseSizes(argv: string[]): number[] {
    const i = argv.indexOf("--sizes");
    if (i < 0) return DEFAULT_SIZES;
    const sizes = (argv[i + 1] ?? "").split(",").map(Number);
    if (sizes.length === 0 || sizes.some((n) => !Number.isInteger(n) || n < 1))
        throw new Error(`bench: --sizes: got '${argv[i + 1] ?? ""}', expected user counts like 10,100,1000`);
    return sizes;
}

if (require.main === module) {
    const one = process.argv.indexOf("--case");
    if (one >= 0) {
        const name = process.argv[one + 1];
        const run = CASES[name];
        if (!run) {
            console.error(`bench: unknown case '${name}', expected one of ${Object.keys(CASES).join(", ")}`);
            process.exit(2);
        }
        run(Number(process.argv[one + 2])).then(
            (m) => {
                console.log(JSON.stringify(m));
                process.exit(0);
            },
            (e) => {
                console.error(e);
                process.exit(1);
            },
        );
    } else {
        main(parseSizes(process.argv.slice(2)));
    }
}
