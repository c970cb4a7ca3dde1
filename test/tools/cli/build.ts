// Builds the CLI bundles from the current sources (tools/build.mjs), so no spec runs a stale dist/.
import { spawnSync } from "child_process";
import * as path from "path";

const ROOT = path.resolve(__dirname, "../../..");

export function buildClis(...names: string[]): void {
    const r = spawnSync(process.execPath, [path.join(ROOT, "tools", "build.mjs"), ...names], { cwd: ROOT, encoding: "utf8" });
    if (r.status !== 0) throw new Error(`tools/build.mjs failed: ${r.stderr}`);
}
