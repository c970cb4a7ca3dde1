// Summarises V8 CPU profiles (`node --cpu-prof`, `.cpuprofile` files): self time by function and by
// package or source file, so "where the time goes" can be written down from a profile, not guessed.
//   node -r ./tools/typescript/register.cjs tools/bench/profileSummary.ts <file.cpuprofile> [--top N]
import * as fs from "fs";
import * as path from "path";

interface ProfileNode {
    id: number;
    callFrame: { functionName: string; url: string; lineNumber: number };
    children?: number[];
}

interface CpuProfile {
    nodes: ProfileNode[];
    samples: number[];
    timeDeltas: number[];
    startTime: number;
    endTime: number;
}

/** Where a frame lives: `node_modules/<package>`, a repository file, `(node internals)` or V8's own entries. */
export function bucketOf(url: string, functionName: string): string {
    if (!url) return `(${functionName || "anonymous"})`;
    const file = url.replace(/^file:\/\//, "");
    const nm = file.lastIndexOf("node_modules/");
    if (nm >= 0) {
        const rest = file.slice(nm + "node_modules/".length).split("/");
        return `node_modules/${rest[0].startsWith("@") ? `${rest[0]}/${rest[1]}` : rest[0]}`;
    }
    if (file.startsWith("node:") || !file.startsWith("/")) return "(node internals)";
    return path.relative(process.cwd(), file);
}

export function summarise(profile: CpuProfile, top: number): string {
    const byId = new Map(profile.nodes.map((n) => [n.id, n]));
    const selfUs = new Map<number, number>();
    profile.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
    const total = profile.endTime - profile.startTime;
    const byFunction = new Map<string, number>();
    const byBucket = new Map<string, number>();
    for (const [id, us] of selfUs) {
        const f = byId.get(id)!.callFrame;
        const bucket = bucketOf(f.url, f.functionName);
        const fn = `${f.functionName || "(anonymous)"} ${bucket}:${f.lineNumber + 1}`;
        byFunction.set(fn, (byFunction.get(fn) ?? 0) + us);
        byBucket.set(bucket, (byBucket.get(bucket) ?? 0) + us);
    }
    const table = (m: Map<string, number>) =>
        [...m.entries()]
            .sort((a, b) => b[1] - a[1])
            .slice(0, top)
            .map(([k, us]) => `${(us / 1000).toFixed(0).padStart(8)} ms ${((100 * us) / total).toFixed(1).padStart(5)}%  ${k}`)
            .join("\n");
    return [
        `profile: ${(total / 1000).toFixed(0)} ms`,
        "self time by package or file:",
        table(byBucket),
        "self time by function:",
        table(byFunction),
    ].join("\n");
}

if (require.main === module) {
    const args = process.argv.slice(2);
    const t = args.indexOf("--top");
    const top = t >= 0 ? Number(args.splice(t, 2)[1]) : 25;
    if (args.length === 0) {
        console.error("usage: node -r ./tools/typescript/register.cjs tools/bench/profileSummary.ts <file.cpuprofile>... [--top N]");
        process.exit(2);
    }
    for (const file of args) {
        console.log(`== ${file}`);
        console.log(summarise(JSON.parse(fs.readFileSync(file, "utf8")) as CpuProfile, top));
    }
}
