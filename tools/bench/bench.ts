// `npm run bench`: how the platform scales with team size. For synthetic stacks of 10, 100 and 1,000
// users it measures program evaluation (offline engine), the policy pack over the result (over gRPC,
// as policy-check runs it), peak memory and the number of resources, each size in a fresh process.
// It prints figures; nothing here asserts a time.
import { spawnSync } from "child_process";
import * as path from "path";
import { readStackConfigFile, releaseProgram, runProgram } from "../offline/engine";
import { startPackCheck } from "../pack/packCheck";

const repoRoot = path.resolve(__dirname, "../..");
const SIZES = [10, 100, 1000];

interface Measurement {
    users: number;
    resources: number;
    programMs: number;
    policyMs: number;
    peakRssMb: number;
    violations: number;
}

/** The dev stack's config with `users` synthetic users (GPUs cycling 0..2). */
export function syntheticConfig(users: number): Record<string, string> {
    const raw = readStackConfigFile(path.join(repoRoot, "Pulumi.dev.yaml"));
    const list = Array.from({ length: users }, (_, i) => ({ name: `user${String(i).padStart(4, "0")}`, gpus: i % 3 }));
    const config: Record<string, string> = { ...raw, "torchpod:users": JSON.stringify(list) };
    // The dev stack's GPU quota fits three users; a synthetic team gets one that fits it.
    const gpu = raw["torchpod:gpu"] ? JSON.parse(raw["torchpod:gpu"]) : undefined;
    if (gpu?.quota !== undefined) {
        config["torchpod:gpu"] = JSON.stringify({ ...gpu, quota: list.reduce((sum, u) => sum + u.gpus, 0) });
    }
    return config;
}

/** One render-and-check as `npm run render` does it: the pack analyzes while the program runs. */
async function measureOne(users: number): Promise<Measurement> {
    const entry = require.resolve(path.join(repoRoot, "index.ts"));
    const started = process.hrtime.bigint();
    const check = startPackCheck();
    const run = await runProgram(() => require(entry), {
        stack: `bench${users}`,
        config: syntheticConfig(users),
        onResource: check.onResource,
    });
    if (run.error) {
        await check.close();
        throw run.error;
    }
    const programMs = Number(process.hrtime.bigint() - started) / 1e6;
    releaseProgram(entry);

    const policyStarted = process.hrtime.bigint();
    const { violations } = await check.finish(run.resources);
    const policyMs = Number(process.hrtime.bigint() - policyStarted) / 1e6;
    return {
        users,
        resources: run.resources.length,
        programMs,
        policyMs,
        peakRssMb: process.resourceUsage().maxRSS / 1024,
        violations: violations.length,
    };
}

function main(): void {
    const rows: Measurement[] = [];
    for (const users of SIZES) {
        // A fresh process per size: peak memory and module caches of one size never colour the next.
        const child = spawnSync(
            process.execPath,
            [
                ...process.execArgv.filter((a) => a.startsWith("--max-")),
                "-r",
                "ts-node/register/transpile-only",
                __filename,
                "--one",
                String(users),
            ],
            {
                cwd: repoRoot,
                encoding: "utf8",
                maxBuffer: 64 * 1024 * 1024,
            },
        );
        const line = child.stdout.trim().split("\n").pop() ?? "";
        if (child.status !== 0 || !line.startsWith("{")) {
            process.stderr.write(child.stderr);
            throw new Error(`bench: the ${users}-user run failed (exit ${child.status})`);
        }
        rows.push(JSON.parse(line));
        process.stderr.write(`  measured ${users} users\n`);
    }
    const fmt = (n: number) => n.toFixed(0).padStart(9);
    console.log("program ms: evaluation, with the pack analyzing each object alongside (as the engine does);");
    console.log("policy ms: what the pack still needed after the program (the rest of Analyze, AnalyzeStack).\n");
    console.log("users  resources  program ms  policy ms   total ms  peak RSS MB  violations");
    for (const r of rows) {
        console.log(
            `${String(r.users).padStart(5)}  ${String(r.resources).padStart(9)}  ${fmt(r.programMs)}  ${fmt(r.policyMs)}  ${fmt(r.programMs + r.policyMs)}  ${r.peakRssMb.toFixed(0).padStart(11)}  ${String(r.violations).padStart(10)}`,
        );
    }
    const total = (r: Measurement) => r.programMs + r.policyMs;
    const [, hundred, thousand] = rows;
    console.log(`\ntime(1000 users) / time(100 users) = ${(total(thousand) / total(hundred)).toFixed(2)} (target <= 12: linear)`);
    console.log(`1000 users render + check: ${(total(thousand) / 1000).toFixed(1)} s (target < 30 s)`);
}

if (require.main === module) {
    const one = process.argv.indexOf("--one");
    if (one >= 0) {
        measureOne(Number(process.argv[one + 1])).then(
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
        main();
    }
}
