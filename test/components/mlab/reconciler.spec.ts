// The MLab reconciler (components/mlab/reconciler.js), run exactly as the Job runs it (`node
// reconciler.js`, inputs from env and files) against a fake Gitea on 127.0.0.1.
import { strict as assert } from "assert";
import { FakeGitea } from "./fakeGitea";
import { RECONCILER_SCRIPT_PATH } from "../../../components/mlab";
import { ADMIN, ALL_SECRETS, IMPORTER, PASSWORDS, desiredState, runReconciler, transcripts } from "./reconcilerRun";
import { strictCheckJsProblems } from "../../support/checkJs";

describe("MLab reconciler (against a fake Gitea)", function () {
    this.timeout(30000);
    let gitea: FakeGitea;
    let url: string;

    const start = async (options: { notReadyTimes?: number; failPosts?: string[] } = {}) => {
        gitea = new FakeGitea({ admin: ADMIN, ...options });
        url = await gitea.start();
    };
    afterEach(async () => {
        if (gitea) {
            assert.deepEqual(gitea.unhandled, [], "the reconciler called endpoints the fake (and this design) does not expect");
            assert.equal(
                gitea.requests.some((r) => r.method === "DELETE" && r.path.startsWith("/api/v1/repos/")),
                false,
                "never deletes a repository",
            );
            await gitea.stop();
        }
    });

    it("creates users, organisation, team and empty repositories on the first run, and never asks Gitea to migrate", async () => {
        await start();
        const run = await runReconciler(url, desiredState());
        assert.equal(run.code, 0, run.stderr);
        for (const name of ["alice", "bob"]) {
            const u = gitea.users.get(name)!;
            assert.ok(u, `user ${name} exists`);
            assert.equal(u.password, PASSWORDS[name]);
            assert.equal(u.mustChangePassword, false, "TorchPod users never face a forced password change");
            assert.equal(u.isAdmin, false);
        }
        assert.equal(gitea.orgs.get("deepvac")?.visibility, "private");
        const team = gitea.teams.find((t) => t.org === "deepvac")!;
        assert.equal(team.name, "torchpod-users");
        assert.equal(team.permission, "write");
        assert.equal(team.includesAll, true);
        assert.equal(team.canCreateOrgRepo, false);
        assert.deepEqual([...team.members].sort(), ["alice", "bob"]);
        const imported = gitea.repos.get("deepvac/deepvac")!;
        assert.equal(imported.mirror, false, "a normal writable repository, not a read-only mirror");
        assert.equal(imported.private, true);
        assert.equal(gitea.isEmpty(imported), true, "created empty: the importer Job fills it");
        assert.ok(gitea.repos.get("deepvac/scratch"), "a project without upstream is created empty");
        assert.equal(gitea.requests.filter((r) => r.path === "/api/v1/orgs/deepvac/repos").length, 2);
        assert.equal(
            gitea.requests.some((r) => r.path.includes("migrate")),
            false,
            "Gitea never fetches an upstream itself",
        );
        assert.match(run.stdout, /repository deepvac\/deepvac: created \(empty\)/);
    });

    it("gives a pending import an account that may write that one repository and nothing else", async () => {
        await start();
        const run = await runReconciler(url, desiredState());
        assert.equal(run.code, 0, run.stderr);
        const account = gitea.users.get(IMPORTER.user)!;
        assert.ok(account, "the import account exists");
        assert.equal(account.password, IMPORTER.password, "with the password of its Secret");
        assert.equal(account.isAdmin, false);
        assert.equal(account.mustChangePassword, false);
        assert.equal(account.visibility, "private");
        assert.equal(gitea.permission(account, gitea.repos.get("deepvac/deepvac")!), "write");
        assert.equal(gitea.permission(account, gitea.repos.get("deepvac/scratch")!), "none", "it cannot read the other repository");
        assert.equal(
            gitea.teams.some((t) => t.members.has(IMPORTER.user)),
            false,
            "it is in no team (the users' team reads every repository)",
        );
        assert.equal(gitea.users.get(IMPORTER.user)!.email, `${IMPORTER.user}@mlab.example.internal`);
        assert.match(run.stdout, /may write deepvac\/deepvac \(and nothing else\)/);
    });

    it("is idempotent: a second run makes no writes", async () => {
        await start();
        assert.equal((await runReconciler(url, desiredState())).code, 0);
        const before = gitea.requests.length;
        const second = await runReconciler(url, desiredState());
        assert.equal(second.code, 0, second.stderr);
        const writes = gitea.requests.slice(before).filter((r) => r.method !== "GET");
        assert.deepEqual(writes, [], `second run wrote: ${writes.map((w) => `${w.method} ${w.path}`).join(", ")}`);
        assert.match(second.stdout, /0 write\(s\)/);
        assert.match(second.stdout, /deepvac\/deepvac: exists \(empty\)/);
        assert.match(second.stdout, /ready for the import of deepvac\/deepvac/);
    });

    it("leaves an existing repository with content alone and gives it no import account", async () => {
        await start();
        gitea.addOrg("deepvac");
        gitea.addRepo("deepvac", "deepvac");
        const run = await runReconciler(url, desiredState());
        assert.equal(run.code, 0, run.stderr);
        assert.equal(gitea.users.has(IMPORTER.user), false);
        assert.equal(
            gitea.requests.some((r) => r.method === "POST" && r.path === "/api/v1/orgs"),
            false,
            "the existing organisation is reused",
        );
        assert.equal(gitea.requests.filter((r) => r.path === "/api/v1/orgs/deepvac/repos").length, 1, "only scratch is created");
        assert.deepEqual([...gitea.teams[0].members].sort(), ["alice", "bob"]);
    });

    it("deletes the import account once its repository has content, and any import account of no pending import", async () => {
        await start();
        assert.equal((await runReconciler(url, desiredState())).code, 0);
        gitea.repos.get("deepvac/deepvac")!.empty = false; // the importer pushed the upstream
        gitea.addUser("mlab-import-stale000000", "StalePassw0rdQqWwEeRr");
        gitea.repos.get("deepvac/scratch")!.collaborators.set("mlab-import-stale000000", "write");
        const run = await runReconciler(url, desiredState());
        assert.equal(run.code, 0, run.stderr);
        assert.equal(gitea.users.has(IMPORTER.user), false, "its credential opens nothing any more");
        assert.equal(gitea.users.has("mlab-import-stale000000"), false);
        assert.equal(gitea.repos.get("deepvac/scratch")!.collaborators.size, 0);
        assert.ok(gitea.users.get("alice") && gitea.users.get("bob") && gitea.users.get(ADMIN.user), "no other account is touched");
        const third = await runReconciler(url, desiredState());
        assert.match(third.stdout, /0 write\(s\)/);
    });

    it("refuses to hand an administrator's account to an importer", async () => {
        await start();
        gitea.addUser(IMPORTER.user, IMPORTER.password, true);
        const run = await runReconciler(url, desiredState());
        assert.equal(run.code, 1);
        assert.match(run.stderr, /import account mlab-import-0123456789 is a Gitea administrator: refusing/);
        assert.equal(gitea.repos.get("deepvac/deepvac")!.collaborators.size, 0);
    });

    it("rejects a desired state where a user takes the import accounts' prefix, or an import account has another name, before calling Gitea", async () => {
        await start();
        const clash = await runReconciler(
            url,
            desiredState({ users: [{ name: "mlab-import-x", email: "x@mlab.example.internal" }], projects: [] }),
        );
        assert.equal(clash.code, 2);
        assert.match(clash.stderr, /user mlab-import-x takes the import accounts' prefix mlab-import-/);
        const named = await runReconciler(
            url,
            desiredState({
                projects: [{ owner: "deepvac", repo: "deepvac", upstream: "https://github.com/DeepVAC/deepvac", importer: "alice" }],
            }),
        );
        assert.equal(named.code, 2);
        assert.match(named.stderr, /importer of deepvac\/deepvac must be an account name starting with mlab-import-, got "alice"/);
        assert.deepEqual(gitea.requests, []);
    });

    it("resets a password that no longer matches the Secret, and only then", async () => {
        await start();
        gitea.addUser("alice", "StalePassw0rdQqWwEeRr");
        const run = await runReconciler(url, desiredState({ projects: [] }));
        assert.equal(run.code, 0, run.stderr);
        assert.equal(gitea.users.get("alice")!.password, PASSWORDS.alice);
        const patches = gitea.writes().filter((w) => w.method === "PATCH");
        assert.deepEqual(
            patches.map((p) => p.path),
            ["/api/v1/admin/users/alice"],
        );
        assert.equal(patches[0].body.must_change_password, false);
        assert.equal(patches[0].body.login_name, "alice");
        assert.equal(patches[0].body.source_id, 0);
    });

    it("restores the managed team's access and membership; removing a project or user deletes no data", async () => {
        await start();
        assert.equal((await runReconciler(url, desiredState())).code, 0);
        const team = gitea.teams[0];
        team.permission = "read"; // someone fiddled with it in the UI
        const run = await runReconciler(url, desiredState({ users: [{ name: "alice", email: "alice@mlab.example.internal" }] }));
        assert.equal(run.code, 0, run.stderr);
        assert.equal(team.permission, "write");
        assert.deepEqual([...team.members], ["alice"], "bob, no longer a TorchPod user, loses write access");
        assert.ok(gitea.users.get("bob"), "bob's account stays");
        const removed = await runReconciler(url, desiredState({ projects: [] }));
        assert.equal(removed.code, 0, removed.stderr);
        assert.ok(gitea.repos.get("deepvac/deepvac") && gitea.repos.get("deepvac/scratch"), "repositories removed from config stay");
        assert.ok(gitea.orgs.get("deepvac"), "so does their organisation");
    });

    it("retries while Gitea is not ready yet, then reconciles", async () => {
        await start({ notReadyTimes: 3 });
        const run = await runReconciler(url, desiredState());
        assert.equal(run.code, 0, run.stderr);
        assert.equal(gitea.healthChecks, 4);
        assert.match(run.stdout, /waiting for Gitea at .* \(attempt 1\/10: HTTP 503\)/);
        assert.ok(gitea.repos.get("deepvac/deepvac"));
    });

    it("fails clearly, within its bounded backoff, when Gitea never gets ready", async () => {
        await start({ notReadyTimes: Infinity });
        const run = await runReconciler(url, desiredState(), { env: { MLAB_READY_ATTEMPTS: "4" } });
        assert.equal(run.code, 3);
        assert.match(run.stderr, new RegExp(`Gitea at ${url.replace(/[.]/g, "\\.")} not ready after 4 attempts \\(last: HTTP 503\\)`));
        assert.equal(gitea.healthChecks, 4);
        assert.ok(run.ms < 10000, `took ${run.ms} ms`);
        assert.deepEqual(gitea.requests, [], "no API call before Gitea is ready");
    });

    it("fails clearly when nothing listens at the URL", async () => {
        await start();
        await gitea.stop();
        const run = await runReconciler(url, desiredState(), { env: { MLAB_READY_ATTEMPTS: "2" } });
        assert.equal(run.code, 3);
        assert.match(run.stderr, /not ready after 2 attempts \(last: .*ECONNREFUSED/);
        gitea = undefined as unknown as FakeGitea;
    });

    it("stops with a clear error on bad admin credentials (401) and writes nothing", async () => {
        await start();
        const run = await runReconciler(url, desiredState(), { adminPassword: "WrongAdminPassw0rdZzYy" });
        ALL_SECRETS.push("WrongAdminPassw0rdZzYy");
        assert.equal(run.code, 4);
        assert.match(run.stderr, /rejected the admin credentials of 'mlab-admin' \(HTTP 401 on GET \/api\/v1\/user\)/);
        assert.deepEqual(gitea.writes(), []);
        assert.equal(run.stderr.includes("WrongAdminPassw0rdZzYy"), false);
    });

    it("reports a failed repository creation naming the project, and still reconciles the rest", async () => {
        await start({ failPosts: ["/api/v1/orgs/deepvac/repos"] });
        const desired = desiredState({
            projects: [
                { owner: "deepvac", repo: "deepvac", upstream: "https://github.com/DeepVAC/deepvac", importer: IMPORTER.user },
                { owner: "tools", repo: "lint" },
            ],
        });
        const run = await runReconciler(url, desired);
        assert.equal(run.code, 1);
        assert.match(run.stderr, /project deepvac\/deepvac: creating repository deepvac\/deepvac: HTTP 500: internal error/);
        assert.equal(gitea.repos.has("deepvac/deepvac"), false);
        assert.equal(gitea.users.has(IMPORTER.user), false, "no import account without its repository");
        assert.ok(gitea.repos.get("tools/lint"), "the other project is still created");
        assert.deepEqual([...gitea.teams[0].members].sort(), ["alice", "bob"]);
        // The next run (the Job's retry) creates it once Gitea can.
        gitea.failPosts.clear();
        const retry = await runReconciler(url, desired);
        assert.equal(retry.code, 0, retry.stderr);
        assert.ok(gitea.repos.get("deepvac/deepvac"));
        assert.ok(gitea.users.get(IMPORTER.user));
    });

    it("rejects unreadable input with exit code 2 before calling Gitea", async () => {
        await start();
        const run = await runReconciler(url, desiredState(), { env: { MLAB_DESIRED_STATE: "/nonexistent/desired.json" } });
        assert.equal(run.code, 2);
        assert.match(run.stderr, /cannot read the desired state \/nonexistent\/desired\.json/);
        assert.deepEqual(gitea.requests, []);
    });

    it("never prints a password (any run above)", () => {
        assert.ok(transcripts.length > 0);
        const all = transcripts.join("\n");
        for (const secret of ALL_SECRETS) {
            assert.equal(all.includes(secret), false, "a password appeared in the reconciler's output");
            assert.equal(all.includes(Buffer.from(`${ADMIN.user}:${secret}`).toString("base64")), false);
            assert.equal(all.includes(Buffer.from(`${IMPORTER.user}:${secret}`).toString("base64")), false);
        }
    });
});

describe("MLab reconciler script", () => {
    it("type-checks under strict checkJs (its JSDoc types are real)", () => {
        assert.equal(strictCheckJsProblems(RECONCILER_SCRIPT_PATH), "");
    });

    it("masks secrets, their URL-encoded forms and URL credentials", () => {
        const { makeRedactor } = require(RECONCILER_SCRIPT_PATH) as { makeRedactor: (s: string[]) => (x: string) => string };
        const redact = makeRedactor(["p@ss/word", "abc"]);
        assert.equal(redact("x p@ss/word y p%40ss%2Fword abc"), "x *** y *** ***");
        assert.equal(redact("clone https://user:tok@github.com/a/b"), "clone https://***@github.com/a/b");
    });
});
