// Runs the MLab reconciler (components/mlab/reconciler.js) exactly as its Job runs it (`node
// reconciler.js`, inputs from env and files), for the reconciler's and the importer's specs.
import { spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { RECONCILER_SCRIPT_PATH } from "../../../components/mlab";

export const ADMIN = { user: "mlab-admin", password: "Adm1nPassw0rdXyZqRtUvWx" };
export const PASSWORDS: Record<string, string> = { alice: "AlicePassw0rdKkLmNoPq", bob: "BobPassw0rdGgHhJjKkLl" };
/** The import account of deepvac/deepvac and its password (the import Secret's). */
export const IMPORTER = { user: "mlab-import-0123456789", password: "Imp0rterPassw0rdAaSsDd" };
export const ALL_SECRETS = [ADMIN.password, ...Object.values(PASSWORDS), IMPORTER.password, "StalePassw0rdQqWwEeRr"];

export interface Desired {
    adminUser: string;
    team: string;
    emailDomain?: string;
    users: { name: string; email: string }[];
    projects: { owner: string; repo: string; upstream?: string; importer?: string }[];
}

export const desiredState = (over: Partial<Desired> = {}): Desired => ({
    adminUser: ADMIN.user,
    team: "torchpod-users",
    emailDomain: "mlab.example.internal",
    users: [
        { name: "alice", email: "alice@mlab.example.internal" },
        { name: "bob", email: "bob@mlab.example.internal" },
    ],
    projects: [
        { owner: "deepvac", repo: "deepvac", upstream: "https://github.com/DeepVAC/deepvac", importer: IMPORTER.user },
        { owner: "deepvac", repo: "scratch" },
    ],
    ...over,
});

export interface Run {
    code: number | null;
    stdout: string;
    stderr: string;
    ms: number;
}

/** Every line any run printed, checked for secrets at the end. */
export const transcripts: string[] = [];

export async function runReconciler(
    url: string,
    desired: Desired,
    opts: { adminPassword?: string; env?: Record<string, string> } = {},
): Promise<Run> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mlab-reconciler-"));
    try {
        const secrets = path.join(dir, "secrets");
        fs.mkdirSync(secrets);
        fs.writeFileSync(path.join(secrets, "admin-password"), (opts.adminPassword ?? ADMIN.password) + "\n");
        for (const u of desired.users) fs.writeFileSync(path.join(secrets, `user.${u.name}`), PASSWORDS[u.name] ?? "OtherUserPassw0rdXxCc");
        for (const p of desired.projects) if (p.importer) fs.writeFileSync(path.join(secrets, `import.${p.importer}`), IMPORTER.password);
        fs.writeFileSync(path.join(dir, "desired.json"), JSON.stringify(desired));
        const env = {
            PATH: process.env.PATH ?? "",
            MLAB_URL: url,
            MLAB_DESIRED_STATE: path.join(dir, "desired.json"),
            MLAB_CREDENTIALS_DIR: secrets,
            MLAB_READY_ATTEMPTS: "10",
            MLAB_READY_DELAY_MS: "5",
            MLAB_READY_MAX_DELAY_MS: "20",
            MLAB_REQUEST_TIMEOUT_MS: "5000",
            ...opts.env,
        };
        const started = Date.now();
        // Asynchronous on purpose: the fake Gitea answers from this very process.
        const child = spawn(process.execPath, [RECONCILER_SCRIPT_PATH], { env, stdio: ["ignore", "pipe", "pipe"] });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
        child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
        const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
        transcripts.push(stdout, stderr);
        return { code, stdout, stderr, ms: Date.now() - started };
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}
