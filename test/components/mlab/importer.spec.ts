// The MLab importer (components/mlab/importer.sh), run exactly as its Job runs it (`/bin/sh -c <script>`,
// inputs from env and files) after the real reconciler, against a fake Gitea on 127.0.0.1 that serves
// git's smart http protocol from real bare repositories with Gitea's access rules. Upstreams are local
// bare repositories (file://), or another fake Gitea on loopback.
import { strict as assert } from "assert";
import { spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as net from "net";
import { AddressInfo } from "net";
import * as path from "path";
import { FakeGitea } from "./fakeGitea";
import { ADMIN, IMPORTER, PASSWORDS, desiredState, runReconciler } from "./reconcilerRun";
import { IMPORTER_SCRIPT_PATH } from "../../../components/mlab";

interface Run {
    code: number | null;
    stdout: string;
    stderr: string;
}

const transcripts: string[] = [];

function git(args: string[], cwd?: string): string {
    const r = spawnSync("git", args, {
        cwd,
        encoding: "utf8",
        env: {
            ...process.env,
            GIT_CONFIG_NOSYSTEM: "1",
            GIT_AUTHOR_NAME: "t",
            GIT_AUTHOR_EMAIL: "t@example.test",
            GIT_COMMITTER_NAME: "t",
            GIT_COMMITTER_EMAIL: "t@example.test",
        },
    });
    if (r.status !== 0) throw new Error(`git ${args.join(" ")}: ${r.stderr}`);
    return r.stdout;
}

/** An upstream bare repository whose default branch is `trunk`, with a second branch and a tag. */
function makeUpstream(root: string): string {
    const work = path.join(root, "upstream-work");
    git(["init", "--quiet", "--initial-branch=trunk", work]);
    fs.writeFileSync(path.join(work, "README.md"), "deepvac\n");
    git(["add", "README.md"], work);
    git(["commit", "--quiet", "-m", "first"], work);
    git(["tag", "v1.0"], work);
    git(["checkout", "--quiet", "-b", "feature/x"], work);
    fs.writeFileSync(path.join(work, "x.txt"), "x\n");
    git(["add", "x.txt"], work);
    git(["commit", "--quiet", "-m", "x"], work);
    git(["checkout", "--quiet", "trunk"], work);
    const bare = path.join(root, "upstream.git");
    git(["clone", "--quiet", "--bare", work, bare]);
    return bare;
}

const refsOf = (gitDir: string) =>
    git(["--git-dir", gitDir, "for-each-ref", "--format=%(refname) %(objectname)"]).trim().split("\n").filter(Boolean).sort();

async function runImporter(
    env: Record<string, string>,
    credentials: { username: string; password: string } | undefined,
    root: string,
): Promise<Run> {
    const dir = fs.mkdtempSync(path.join(root, "run-"));
    const creds = path.join(dir, "credentials");
    fs.mkdirSync(creds);
    if (credentials) {
        fs.writeFileSync(path.join(creds, "username"), credentials.username);
        fs.writeFileSync(path.join(creds, "password"), credentials.password);
    }
    const work = path.join(dir, "work");
    fs.mkdirSync(work);
    const child = spawn("/bin/sh", ["-c", fs.readFileSync(IMPORTER_SCRIPT_PATH, "utf8")], {
        env: {
            PATH: process.env.PATH ?? "",
            MLAB_IMPORT_CREDENTIALS_DIR: creds,
            MLAB_IMPORT_WORK_DIR: work,
            ...env,
        },
        stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
    transcripts.push(stdout, stderr);
    return { code, stdout, stderr };
}

describe("MLab importer (against a fake Gitea serving git over http)", function () {
    this.timeout(60000);
    let root: string;
    let gitea: FakeGitea;
    let url: string;
    let upstream: string;
    const importer = { username: IMPORTER.user, password: IMPORTER.password };
    const importEnv = () => ({
        MLAB_URL: url,
        MLAB_IMPORT_REPO: "deepvac/deepvac",
        MLAB_IMPORT_UPSTREAM: `file://${upstream}`,
        MLAB_IMPORT_UPSTREAM_PROTOCOLS: "file",
    });

    beforeEach(async () => {
        root = fs.mkdtempSync(path.join(os.tmpdir(), "mlab-importer-"));
        upstream = makeUpstream(root);
        gitea = new FakeGitea({ admin: ADMIN, gitRoot: path.join(root, "gitea") });
        url = await gitea.start();
        const reconciled = await runReconciler(url, desiredState());
        assert.equal(reconciled.code, 0, reconciled.stderr);
    });
    afterEach(async () => {
        await gitea.stop();
        fs.rmSync(root, { recursive: true, force: true });
    });

    it("pushes every branch and tag of the upstream into the empty repository, the upstream's default branch first", async () => {
        const run = await runImporter(importEnv(), importer, root);
        assert.equal(run.code, 0, run.stderr);
        const target = gitea.repoDir({ owner: "deepvac", name: "deepvac" });
        assert.deepEqual(refsOf(target), refsOf(upstream), "the same branches and tags at the same commits");
        assert.deepEqual(
            refsOf(target).map((r) => r.split(" ")[0]),
            ["refs/heads/feature/x", "refs/heads/trunk", "refs/tags/v1.0"],
        );
        const pushes = gitea.requests.filter((r) => r.path.endsWith("/git-receive-pack") && r.method === "POST");
        assert.ok(
            pushes.every((p) => p.user === IMPORTER.user),
            "pushed as the import account",
        );
        assert.equal(pushes.length, 2, "the default branch alone, then the rest");
        assert.match(run.stdout, /pushing the default branch trunk/);
        assert.match(run.stdout, /imported 2 branch\(es\) and 1 tag\(s\)/);
        assert.ok(gitea.isEmpty(gitea.repos.get("deepvac/scratch")!), "no other repository is touched");
    });

    it("imports once: with content in the repository a second run pushes nothing, and after the reconciler deletes the account it still succeeds", async () => {
        assert.equal((await runImporter(importEnv(), importer, root)).code, 0);
        const before = gitea.requests.length;
        const again = await runImporter(importEnv(), importer, root);
        assert.equal(again.code, 0, again.stderr);
        assert.match(again.stdout, /already has content; nothing to import/);
        assert.equal(
            gitea.requests.slice(before).some((r) => r.path.endsWith("git-receive-pack") && r.method === "POST"),
            false,
        );
        const reconciled = await runReconciler(url, desiredState());
        assert.equal(reconciled.code, 0, reconciled.stderr);
        assert.equal(gitea.users.has(IMPORTER.user), false, "the reconciler deleted the import account");
        const revoked = await runImporter(importEnv(), importer, root);
        assert.equal(revoked.code, 0, revoked.stderr);
        assert.match(revoked.stdout, /not \(or no longer\) granted: the repository already has content; nothing to import/);
    });

    it("never overwrites: a repository that users pushed to is left as it is", async () => {
        // Someone (the admin) pushes a commit into the still-empty repository before the import.
        const work = path.join(root, "other");
        git(["init", "--quiet", "--initial-branch=main", work]);
        fs.writeFileSync(path.join(work, "a"), "a\n");
        git(["add", "a"], work);
        git(["-c", "user.name=a", "-c", "user.email=a@example.test", "commit", "--quiet", "-m", "a"], work);
        git(["--git-dir", gitea.repoDir({ owner: "deepvac", name: "deepvac" }), "fetch", "--quiet", work, "main:main"]);
        const before = refsOf(gitea.repoDir({ owner: "deepvac", name: "deepvac" }));
        const run = await runImporter(importEnv(), importer, root);
        assert.equal(run.code, 0, run.stderr);
        assert.match(run.stdout, /already has content; nothing to import/);
        assert.deepEqual(refsOf(gitea.repoDir({ owner: "deepvac", name: "deepvac" })), before);
    });

    it("a subverted importer with the import credential can read no other repository and create none", async () => {
        // scratch gets content (a user's push), then the importer's credential tries to carry it out.
        const scratch = gitea.repoDir({ owner: "deepvac", name: "scratch" });
        git(["--git-dir", scratch, "fetch", "--quiet", upstream, "trunk:main"]);
        const auth = "Basic " + Buffer.from(`${IMPORTER.user}:${IMPORTER.password}`).toString("base64");
        // Asynchronous: the fake Gitea answers from this very process.
        const child = spawn("git", ["-c", `http.extraHeader=Authorization: ${auth}`, "ls-remote", `${url}/deepvac/scratch.git`], {
            env: { PATH: process.env.PATH ?? "", GIT_TERMINAL_PROMPT: "0", GIT_CONFIG_NOSYSTEM: "1", HOME: root },
            stdio: ["ignore", "pipe", "pipe"],
        });
        let cloneErr = "";
        child.stderr.on("data", (d: Buffer) => (cloneErr += d.toString()));
        const status = await new Promise<number | null>((resolve) => child.on("close", resolve));
        const clone = { status, stderr: cloneErr };
        assert.notEqual(clone.status, 0, "git refuses");
        assert.match(clone.stderr, /not found/);
        const api = async (method: string, p: string, body?: unknown) =>
            fetch(`${url}${p}`, {
                method,
                headers: { authorization: auth, "content-type": "application/json" },
                body: body === undefined ? undefined : JSON.stringify(body),
            });
        assert.equal((await api("GET", "/api/v1/repos/deepvac/scratch")).status, 404, "the API hides it too");
        assert.equal((await api("GET", "/api/v1/admin/users")).status, 403);
        assert.equal((await api("POST", "/api/v1/admin/users", { username: "x", email: "x@x.x" })).status, 403);
        // Alice (a TorchPod user, in the team) can read scratch: the rules are Gitea's, not a blanket refusal.
        const alice = "Basic " + Buffer.from(`alice:${PASSWORDS.alice}`).toString("base64");
        assert.equal((await fetch(`${url}/api/v1/repos/deepvac/scratch`, { headers: { authorization: alice } })).status, 200);
    });

    it("sends no MLab credential to the upstream: an upstream that asks for one gets none, and the import fails clearly", async () => {
        const other = new FakeGitea({
            admin: { user: "root", password: "UpstreamR00tPassw0rdQq" },
            gitRoot: path.join(root, "other-gitea"),
        });
        const otherUrl = await other.start();
        try {
            other.addOrg("deepvac");
            other.addRepo("deepvac", "deepvac");
            const run = await runImporter(
                { ...importEnv(), MLAB_IMPORT_UPSTREAM: `${otherUrl}/deepvac/deepvac.git`, MLAB_IMPORT_UPSTREAM_PROTOCOLS: "http" },
                importer,
                root,
            );
            assert.equal(run.code, 1);
            assert.match(
                run.stderr,
                /mlab-importer: error: deepvac\/deepvac: cannot clone http:\/\/127\.0\.0\.1:\d+\/deepvac\/deepvac\.git/,
            );
            assert.equal(
                other.requests.some((r) => r.user !== undefined),
                false,
                "the upstream saw no credentials at all",
            );
            assert.ok(gitea.isEmpty(gitea.repos.get("deepvac/deepvac")!), "nothing was pushed");
        } finally {
            await other.stop();
        }
    });

    it("clones the upstream only over the allowed protocols (https in the Job)", async () => {
        const run = await runImporter({ ...importEnv(), MLAB_IMPORT_UPSTREAM_PROTOCOLS: "https" }, importer, root);
        assert.equal(run.code, 1);
        assert.match(run.stderr, /cannot clone file:\/\//);
        assert.ok(gitea.isEmpty(gitea.repos.get("deepvac/deepvac")!));
    });

    it("retries MLab while its connections are refused (a new pod's NetworkPolicy allowances come a moment late), then imports", async () => {
        // A port where nothing listens yet: connections are refused, as a network plugin rejects them
        // until it has programmed the new pod's address. After 3 s it relays to Gitea.
        const probe = net.createServer();
        await new Promise<void>((r) => probe.listen(0, "127.0.0.1", r));
        const port = (probe.address() as AddressInfo).port;
        await new Promise<void>((r) => probe.close(() => r()));
        const giteaPort = Number(new URL(url).port);
        const relay = net.createServer((c) => {
            const up = net.connect(giteaPort, "127.0.0.1");
            c.pipe(up).pipe(c);
            c.on("error", () => up.destroy());
            up.on("error", () => c.destroy());
        });
        const late = setTimeout(() => relay.listen(port, "127.0.0.1"), 3000);
        try {
            const run = await runImporter(
                { ...importEnv(), MLAB_URL: `http://127.0.0.1:${port}`, MLAB_IMPORT_CONNECT_RETRY_SECONDS: "30" },
                importer,
                root,
            );
            assert.equal(run.code, 0, run.stderr);
            assert.match(run.stdout, /imported 2 branch\(es\)/);
        } finally {
            clearTimeout(late);
            relay.close();
        }
    });

    it("fails clearly when MLab cannot be reached, and refuses to run without its inputs", async () => {
        await gitea.stop();
        const down = await runImporter({ ...importEnv(), MLAB_IMPORT_CONNECT_RETRY_SECONDS: "2" }, importer, root);
        assert.equal(down.code, 1);
        assert.match(down.stderr, /cannot reach MLab's repository at http:\/\/127\.0\.0\.1:\d+\/deepvac\/deepvac\.git/);
        gitea = new FakeGitea({ admin: ADMIN });
        await gitea.start();
        const { MLAB_IMPORT_REPO: _unused, ...noRepo } = importEnv();
        const missing = await runImporter(noRepo, importer, root);
        assert.equal(missing.code, 2);
        assert.match(missing.stderr, /MLAB_IMPORT_REPO is not set/);
        const noCreds = await runImporter(importEnv(), undefined, root);
        assert.equal(noCreds.code, 2);
        assert.match(noCreds.stderr, /the import credential in .* is missing \(expected files username and password\)/);
        const badRepo = await runImporter({ ...importEnv(), MLAB_IMPORT_REPO: "../etc/x" }, importer, root);
        assert.equal(badRepo.code, 2);
        assert.match(badRepo.stderr, /MLAB_IMPORT_REPO must be owner\/repo, got '\.\.\/etc\/x'/);
    });

    it("never prints the import password (any run above)", () => {
        assert.ok(transcripts.length > 0);
        assert.equal(transcripts.join("\n").includes(IMPORTER.password), false);
    });
});
