// @ts-check
// The MLab reconciler: makes a running Gitea hold exactly what the stack config says, idempotently.
//
// It runs in-cluster as a Job (node image, no dependencies, this file delivered by a ConfigMap) and
// here under mocha against a fake Gitea. Plain Node.js with JSDoc types, checked by `tsc --checkJs`
// in the tests: no build step between this file and the pod that runs it.
//
// What it does, in order (every step reads first and writes only what differs, so a second run with
// the same input makes no writes):
//   1. waits for Gitea's /api/healthz, with bounded retries and exponential backoff;
//   2. checks the admin credentials (the admin itself is created or updated by the bootstrap init
//      container of the Gitea pod, which has the database; the API cannot create the first admin);
//   3. per user: creates the account, or resets its password when it no longer matches the Secret;
//   4. per project `owner/repo`: the organisation (private), a team with write access to all its
//      repositories holding exactly the stack's users, and the repository, created empty when it is
//      missing. An existing repository is never changed or deleted; this script never calls DELETE on
//      a repository, so removing a project from config keeps its data;
//   5. per project with an upstream: its import account (`importer` in the desired state). Gitea never
//      fetches anything itself (migrations are off and MLab has no egress): a separate importer Job
//      clones the upstream and pushes into the empty repository. While the repository is still empty,
//      the import account exists with the password of its Secret and is a collaborator with write
//      access on that one repository, and nothing else (no team, no other repository, not an admin);
//      once the repository has content, the account is deleted, so its credential opens nothing;
//   6. import accounts (names starting with IMPORTER_PREFIX) of no pending import are deleted.
//
// Inputs (env): MLAB_URL (Gitea base URL), MLAB_DESIRED_STATE (JSON file), MLAB_CREDENTIALS_DIR (a
// directory with `admin-password`, `user.<name>` and `import.<account>` files), and tuning knobs (see
// readSettings).
// Passwords are read from files, sent only in request bodies and Authorization headers, and every
// line this script prints passes through a redactor that masks them.
"use strict";

const fs = require("fs");
const path = require("path");

/**
 * @typedef {{ name: string, email: string, fullName?: string }} DesiredUser
 * @typedef {{ owner: string, repo: string, upstream?: string, importer?: string }} DesiredProject
 * @typedef {{ adminUser: string, team: string, emailDomain?: string, users: DesiredUser[], projects: DesiredProject[] }} DesiredState
 * @typedef {{
 *   url: string,
 *   desiredFile: string,
 *   secretsDir: string,
 *   readyAttempts: number,
 *   readyDelayMs: number,
 *   readyMaxDelayMs: number,
 *   requestTimeoutMs: number,
 * }} Settings
 * @typedef {{ user: string, password: string }} Credentials
 * @typedef {{ status: number, body: any, text: string }} ApiResponse
 * @typedef {(line: string) => void} Logger
 */

/** An error with a message meant for the operator; the script prints it and exits non-zero. */
class ReconcileError extends Error {
    /** @param {string} message @param {number} [exitCode] */
    constructor(message, exitCode = 1) {
        super(message);
        this.name = "ReconcileError";
        this.exitCode = exitCode;
    }
}

/** Every import account's name starts with this (and no TorchPod user's may). */
const IMPORTER_PREFIX = "mlab-import-";

/** Exit codes: 1 reconcile failures, 2 bad input, 3 Gitea not ready, 4 admin credentials rejected. */
const EXIT = { failed: 1, input: 2, notReady: 3, auth: 4 };

/**
 * @param {NodeJS.ProcessEnv} env
 * @returns {Settings}
 */
function readSettings(env) {
    /** @param {string} name @param {number} fallback */
    const num = (name, fallback) => {
        const raw = env[name];
        if (raw === undefined || raw === "") return fallback;
        const n = Number(raw);
        if (!Number.isFinite(n) || n < 0)
            throw new ReconcileError(`${name} must be a non-negative number, got ${JSON.stringify(raw)}`, EXIT.input);
        return n;
    };
    /** @param {string} name */
    const required = (name) => {
        const v = env[name];
        if (!v) throw new ReconcileError(`${name} is not set`, EXIT.input);
        return v;
    };
    const url = required("MLAB_URL").replace(/\/+$/, "");
    return {
        url,
        desiredFile: required("MLAB_DESIRED_STATE"),
        secretsDir: required("MLAB_CREDENTIALS_DIR"),
        // Defaults: ~60 attempts, 2 s doubling to 15 s: about a quarter of an hour for a first start
        // (image pull, volume attach, database migrations) before the Job gives up.
        readyAttempts: Math.max(1, Math.floor(num("MLAB_READY_ATTEMPTS", 60))),
        readyDelayMs: num("MLAB_READY_DELAY_MS", 2000),
        readyMaxDelayMs: num("MLAB_READY_MAX_DELAY_MS", 15000),
        requestTimeoutMs: num("MLAB_REQUEST_TIMEOUT_MS", 30000),
    };
}

/**
 * @param {string} file
 * @returns {DesiredState}
 */
function readDesiredState(file) {
    let doc;
    try {
        doc = JSON.parse(fs.readFileSync(file, "utf8"));
    } catch (e) {
        throw new ReconcileError(`cannot read the desired state ${file}: ${e instanceof Error ? e.message : String(e)}`, EXIT.input);
    }
    /** @param {string} why @returns {never} */
    const bad = (why) => {
        throw new ReconcileError(`desired state ${file}: ${why}`, EXIT.input);
    };
    if (!doc || typeof doc !== "object") bad("expected a JSON object");
    if (typeof doc.adminUser !== "string" || !doc.adminUser) bad("adminUser must be a non-empty string");
    if (typeof doc.team !== "string" || !doc.team) bad("team must be a non-empty string");
    if (doc.emailDomain !== undefined && (typeof doc.emailDomain !== "string" || !doc.emailDomain.includes(".")))
        bad(`emailDomain must be a dotted domain, got ${JSON.stringify(doc.emailDomain)}`);
    if (!Array.isArray(doc.users)) bad("users must be a list");
    if (!Array.isArray(doc.projects)) bad("projects must be a list");
    for (const u of doc.users) {
        if (!u || typeof u.name !== "string" || typeof u.email !== "string")
            bad(`each user needs a name and an email, got ${JSON.stringify(u)}`);
    }
    for (const p of doc.projects) {
        if (!p || typeof p.owner !== "string" || typeof p.repo !== "string")
            bad(`each project needs an owner and a repo, got ${JSON.stringify(p)}`);
        if (p.upstream !== undefined && typeof p.upstream !== "string") bad(`upstream of ${p.owner}/${p.repo} must be a string`);
        if (p.importer !== undefined && (typeof p.importer !== "string" || !p.importer.startsWith(IMPORTER_PREFIX)))
            bad(
                `importer of ${p.owner}/${p.repo} must be an account name starting with ${IMPORTER_PREFIX}, got ${JSON.stringify(p.importer)}`,
            );
        if (p.importer !== undefined && !p.upstream) bad(`${p.owner}/${p.repo} has an importer but no upstream`);
    }
    // An import account must never be a TorchPod user's account, nor another project's.
    const importers = doc.projects.map((/** @type {DesiredProject} */ p) => p.importer).filter(Boolean);
    if (new Set(importers).size !== importers.length) bad("two projects share an import account");
    for (const u of doc.users) {
        if (u.name.toLowerCase().startsWith(IMPORTER_PREFIX)) bad(`user ${u.name} takes the import accounts' prefix ${IMPORTER_PREFIX}`);
    }
    return doc;
}

/**
 * Reads one secret file (a mounted Secret key); trailing newlines are not part of the value.
 * @param {string} dir @param {string} key
 */
function readSecret(dir, key) {
    const file = path.join(dir, key);
    let value;
    try {
        value = fs.readFileSync(file, "utf8").replace(/\r?\n$/, "");
    } catch (e) {
        throw new ReconcileError(
            `cannot read the secret ${key} in ${dir}: ${e instanceof Error && "code" in e ? e.code : "unreadable"}`,
            EXIT.input,
        );
    }
    if (!value) throw new ReconcileError(`the secret ${key} in ${dir} is empty`, EXIT.input);
    return value;
}

/**
 * A function that masks every secret (and any user:password@ in URLs) in a line of output.
 * @param {readonly string[]} secrets
 * @returns {(s: string) => string}
 */
function makeRedactor(secrets) {
    // Longest first, so a secret that contains another is masked whole.
    const list = [...new Set(secrets.filter((s) => s.length > 0))].sort((a, b) => b.length - a.length);
    return (s) => {
        let out = String(s);
        for (const secret of list) {
            out = out.split(secret).join("***");
            const encoded = encodeURIComponent(secret);
            if (encoded !== secret) out = out.split(encoded).join("***");
        }
        return out.replace(/(\b[a-z][a-z0-9+.-]*:\/\/)[^/\s@]*@/gi, "$1***@");
    };
}

/** @param {number} ms */
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** @param {Credentials} c */
const basicAuth = (c) => "Basic " + Buffer.from(`${c.user}:${c.password}`, "utf8").toString("base64");

/** @param {string} s */
const seg = (s) => encodeURIComponent(s);

/**
 * A small Gitea API client: JSON in and out, a timeout on every request, and a count of writes.
 */
class Gitea {
    /** @param {Settings} settings @param {Credentials} admin */
    constructor(settings, admin) {
        this.base = settings.url;
        this.admin = admin;
        this.timeoutMs = settings.requestTimeoutMs;
        /** Requests that change state (anything but GET). */
        this.writes = 0;
    }

    /**
     * @param {string} method
     * @param {string} apiPath path under the base URL, e.g. /api/v1/version
     * @param {{ body?: unknown, auth?: Credentials | null, timeoutMs?: number }} [options]
     * @returns {Promise<ApiResponse>}
     */
    async request(method, apiPath, options = {}) {
        const auth = options.auth === undefined ? this.admin : options.auth;
        /** @type {Record<string, string>} */
        const headers = { accept: "application/json" };
        if (auth) headers.authorization = basicAuth(auth);
        if (options.body !== undefined) headers["content-type"] = "application/json";
        if (method !== "GET") this.writes++;
        let res;
        try {
            res = await fetch(this.base + apiPath, {
                method,
                headers,
                body: options.body === undefined ? undefined : JSON.stringify(options.body),
                signal: AbortSignal.timeout(options.timeoutMs ?? this.timeoutMs),
                redirect: "manual",
            });
        } catch (e) {
            const why =
                e instanceof Error
                    ? e.name === "TimeoutError"
                        ? "timed out"
                        : e.cause instanceof Error
                          ? e.cause.message
                          : e.message
                    : String(e);
            throw new ReconcileError(`${method} ${apiPath} failed: ${why}`);
        }
        const text = await res.text();
        let body;
        try {
            body = text ? JSON.parse(text) : null;
        } catch {
            body = null;
        }
        if (res.status === 401 && auth === this.admin) {
            throw new ReconcileError(
                `Gitea at ${this.base} rejected the admin credentials of '${this.admin.user}' (HTTP 401 on ${method} ${apiPath}): ` +
                    "the admin password in the MLab admin Secret does not match Gitea's; the bootstrap init container of the MLab pod sets it on every start",
                EXIT.auth,
            );
        }
        if (res.status === 403 && auth === this.admin && apiPath.startsWith("/api/v1/admin/")) {
            throw new ReconcileError(`'${this.admin.user}' is not a Gitea administrator (HTTP 403 on ${method} ${apiPath})`, EXIT.auth);
        }
        return { status: res.status, body, text };
    }

    /**
     * Every item of a paginated list endpoint.
     * @param {string} apiPath
     * @returns {Promise<any[]>}
     */
    async list(apiPath) {
        const limit = 50;
        /** @type {any[]} */
        const all = [];
        for (let page = 1; page <= 1000; page++) {
            const sep = apiPath.includes("?") ? "&" : "?";
            const res = await this.request("GET", `${apiPath}${sep}page=${page}&limit=${limit}`);
            expectStatus(res, [200], `GET ${apiPath}`);
            const items = Array.isArray(res.body) ? res.body : [];
            all.push(...items);
            if (items.length < limit) break;
        }
        return all;
    }
}

/**
 * @param {ApiResponse} res @param {number[]} ok @param {string} what
 */
function expectStatus(res, ok, what) {
    if (!ok.includes(res.status)) throw new ReconcileError(`${what}: HTTP ${res.status}${describeBody(res)}`);
}

/** @param {ApiResponse} res */
function describeBody(res) {
    const message = res.body && typeof res.body === "object" && typeof res.body.message === "string" ? res.body.message : res.text;
    const short = String(message || "")
        .replace(/\s+/g, " ")
        .trim()
        .slice(0, 300);
    return short ? `: ${short}` : "";
}

/**
 * Waits for /api/healthz to answer 200.
 * @param {Settings} settings @param {Logger} log
 */
async function waitForGitea(settings, log) {
    let last = "no answer";
    for (let attempt = 1; attempt <= settings.readyAttempts; attempt++) {
        try {
            const res = await fetch(`${settings.url}/api/healthz`, {
                signal: AbortSignal.timeout(Math.min(settings.requestTimeoutMs, 10000)),
            });
            await res.text();
            if (res.status === 200) {
                log(`Gitea at ${settings.url} is ready`);
                return;
            }
            last = `HTTP ${res.status}`;
        } catch (e) {
            last = e instanceof Error ? (e.cause instanceof Error ? e.cause.message : e.message) : String(e);
        }
        if (attempt < settings.readyAttempts) {
            const delay = Math.min(settings.readyDelayMs * 2 ** (attempt - 1), settings.readyMaxDelayMs);
            log(`waiting for Gitea at ${settings.url} (attempt ${attempt}/${settings.readyAttempts}: ${last}); next try in ${delay} ms`);
            await sleep(delay);
        }
    }
    throw new ReconcileError(`Gitea at ${settings.url} not ready after ${settings.readyAttempts} attempts (last: ${last})`, EXIT.notReady);
}

/**
 * One user account: created, or its password reset when the Secret's no longer works.
 * @param {Gitea} gitea @param {DesiredUser} user @param {string} password @param {Logger} log
 */
async function reconcileUser(gitea, user, password, log) {
    const existing = await gitea.request("GET", `/api/v1/users/${seg(user.name)}`);
    if (existing.status === 404) {
        const res = await gitea.request("POST", "/api/v1/admin/users", {
            body: {
                username: user.name,
                login_name: user.name,
                source_id: 0,
                email: user.email,
                full_name: user.fullName ?? user.name,
                password,
                must_change_password: false,
                send_notify: false,
            },
        });
        expectStatus(res, [201], `creating user ${user.name}`);
        log(`user ${user.name}: created`);
        return;
    }
    expectStatus(existing, [200], `looking up user ${user.name}`);
    // Does the password in the Secret still work? Ask Gitea as the user (no write when it does).
    const probe = await gitea.request("GET", "/api/v1/user", { auth: { user: user.name, password } });
    if (probe.status === 200) {
        log(`user ${user.name}: up to date`);
        return;
    }
    const res = await gitea.request("PATCH", `/api/v1/admin/users/${seg(user.name)}`, {
        // login_name and source_id are required by Gitea's EditUserOption (local accounts: 0).
        body: { login_name: user.name, source_id: 0, password, must_change_password: false },
    });
    expectStatus(res, [200], `updating the password of user ${user.name}`);
    log(`user ${user.name}: password reset to the one in its Secret`);
}

/** The repository units the team gets write access to. */
const TEAM_UNITS = ["repo.code", "repo.issues", "repo.pulls", "repo.releases", "repo.wiki"];

/**
 * @param {string} org @param {string} team
 */
function teamBody(org, team) {
    return {
        name: team,
        description: `TorchPod users of ${org} (managed by the MLab reconciler)`,
        permission: "write",
        includes_all_repositories: true,
        can_create_org_repo: false,
        units: TEAM_UNITS,
        units_map: Object.fromEntries(TEAM_UNITS.map((u) => [u, "write"])),
    };
}

/**
 * The organisation and its managed team with exactly the desired members.
 * @param {Gitea} gitea @param {string} org @param {DesiredState} desired @param {Logger} log
 */
async function reconcileOrg(gitea, org, desired, log) {
    const existing = await gitea.request("GET", `/api/v1/orgs/${seg(org)}`);
    if (existing.status === 404) {
        // Private: only members (the team below) and the admin see it, even among signed-in users.
        const res = await gitea.request("POST", "/api/v1/orgs", {
            body: { username: org, visibility: "private", repo_admin_change_team_access: false },
        });
        expectStatus(res, [201], `creating organisation ${org}`);
        log(`organisation ${org}: created`);
    } else {
        expectStatus(existing, [200], `looking up organisation ${org}`);
    }

    const teams = await gitea.list(`/api/v1/orgs/${seg(org)}/teams`);
    let team = teams.find((t) => typeof t.name === "string" && t.name.toLowerCase() === desired.team.toLowerCase());
    if (!team) {
        const res = await gitea.request("POST", `/api/v1/orgs/${seg(org)}/teams`, { body: teamBody(org, desired.team) });
        expectStatus(res, [201], `creating team ${desired.team} in ${org}`);
        team = res.body;
        log(`team ${org}/${desired.team}: created with write access to all repositories`);
    } else if (team.permission !== "write" || team.includes_all_repositories !== true || team.can_create_org_repo === true) {
        const res = await gitea.request("PATCH", `/api/v1/teams/${team.id}`, { body: teamBody(org, desired.team) });
        expectStatus(res, [200], `updating team ${desired.team} in ${org}`);
        log(`team ${org}/${desired.team}: access restored to write on all repositories`);
    }

    const members = new Set((await gitea.list(`/api/v1/teams/${team.id}/members`)).map((m) => String(m.login ?? m.username).toLowerCase()));
    const wanted = new Set(desired.users.map((u) => u.name.toLowerCase()));
    for (const user of desired.users) {
        if (members.has(user.name.toLowerCase())) continue;
        const res = await gitea.request("PUT", `/api/v1/teams/${team.id}/members/${seg(user.name)}`);
        expectStatus(res, [204], `adding ${user.name} to team ${org}/${desired.team}`);
        log(`team ${org}/${desired.team}: added ${user.name}`);
    }
    // The team is managed: a user removed from the stack loses write access (their account and
    // everything they pushed stay).
    for (const member of members) {
        if (wanted.has(member) || member === desired.adminUser.toLowerCase()) continue;
        const res = await gitea.request("DELETE", `/api/v1/teams/${team.id}/members/${seg(member)}`);
        expectStatus(res, [204], `removing ${member} from team ${org}/${desired.team}`);
        log(`team ${org}/${desired.team}: removed ${member} (no longer a TorchPod user)`);
    }
}

/**
 * The repository: left alone when it exists, created empty (private) otherwise. Returns whether it
 * is empty (no commit yet), which decides whether its import is pending.
 * @param {Gitea} gitea @param {DesiredProject} project @param {Logger} log
 * @returns {Promise<boolean>}
 */
async function reconcileRepo(gitea, project, log) {
    const full = `${project.owner}/${project.repo}`;
    const repoPath = `/api/v1/repos/${seg(project.owner)}/${seg(project.repo)}`;
    const existing = await gitea.request("GET", repoPath);
    if (existing.status === 200) {
        const empty = Boolean(existing.body && existing.body.empty === true);
        log(`repository ${full}: exists${empty ? " (empty)" : ""}`);
        return empty;
    }
    expectStatus(existing, [404], `looking up repository ${full}`);
    const res = await gitea.request("POST", `/api/v1/orgs/${seg(project.owner)}/repos`, {
        body: {
            name: project.repo,
            private: true,
            auto_init: false,
            default_branch: "main",
            ...(project.upstream ? { description: `Imported from ${project.upstream}` } : {}),
        },
    });
    if (res.status === 409) {
        log(`repository ${full}: already exists (created concurrently); left as is`);
        const again = await gitea.request("GET", repoPath);
        expectStatus(again, [200], `looking up repository ${full}`);
        return Boolean(again.body && again.body.empty === true);
    }
    expectStatus(res, [201], `creating repository ${full}`);
    log(`repository ${full}: created (empty)`);
    return true;
}

/**
 * A pending import's account: exists, not an administrator, holds the password of its Secret, belongs
 * to no team, and is a collaborator with write access on exactly this repository.
 * @param {Gitea} gitea @param {DesiredProject} project @param {string} account @param {string} password
 * @param {string} emailDomain @param {Logger} log
 */
async function grantImport(gitea, project, account, password, emailDomain, log) {
    const full = `${project.owner}/${project.repo}`;
    const existing = await gitea.request("GET", `/api/v1/users/${seg(account)}`);
    if (existing.status === 404) {
        const res = await gitea.request("POST", "/api/v1/admin/users", {
            body: {
                username: account,
                login_name: account,
                source_id: 0,
                email: `${account}@${emailDomain}`,
                full_name: `Import of ${full}`,
                password,
                must_change_password: false,
                send_notify: false,
                visibility: "private",
            },
        });
        expectStatus(res, [201], `creating import account ${account}`);
        log(`import account ${account}: created for ${full}`);
    } else {
        expectStatus(existing, [200], `looking up import account ${account}`);
        if (existing.body && existing.body.is_admin === true)
            throw new ReconcileError(`import account ${account} is a Gitea administrator: refusing to hand its credential to an importer`);
        const probe = await gitea.request("GET", "/api/v1/user", { auth: { user: account, password } });
        if (probe.status !== 200) {
            const res = await gitea.request("PATCH", `/api/v1/admin/users/${seg(account)}`, {
                body: { login_name: account, source_id: 0, password, must_change_password: false, admin: false },
            });
            expectStatus(res, [200], `setting the password of import account ${account}`);
            log(`import account ${account}: password set from its Secret`);
        }
    }
    const collaborator = `/api/v1/repos/${seg(project.owner)}/${seg(project.repo)}/collaborators/${seg(account)}`;
    const permission = await gitea.request("GET", `${collaborator}/permission`);
    const current = permission.status === 200 && permission.body ? permission.body.permission : undefined;
    if (current !== "write") {
        const res = await gitea.request("PUT", collaborator, { body: { permission: "write" } });
        expectStatus(res, [204], `granting ${account} write access to ${full}`);
        log(`import account ${account}: may write ${full} (and nothing else) until it holds the upstream`);
    } else {
        log(`import account ${account}: ready for the import of ${full}`);
    }
}

/**
 * Deletes an import account (it owns nothing: its collaborations go with it).
 * @param {Gitea} gitea @param {string} account @param {string} why @param {Logger} log
 */
async function revokeImport(gitea, account, why, log) {
    const res = await gitea.request("DELETE", `/api/v1/admin/users/${seg(account)}`);
    if (res.status === 404) return;
    expectStatus(res, [204], `deleting import account ${account}`);
    log(`import account ${account}: deleted (${why})`);
}

/**
 * Runs the whole reconciliation. Resolves to the process exit code; never prints a secret.
 * @param {NodeJS.ProcessEnv} env
 * @param {{ out: Logger, err: Logger }} io
 * @returns {Promise<number>}
 */
async function main(env, io) {
    /** @type {(s: string) => string} */
    let redact = makeRedactor([]);
    /** @type {Logger} */
    const log = (line) => io.out(redact(`mlab-reconciler: ${line}`));
    /** @type {Logger} */
    const fail = (line) => io.err(redact(`mlab-reconciler: error: ${line}`));
    try {
        const settings = readSettings(env);
        const desired = readDesiredState(settings.desiredFile);
        const admin = { user: desired.adminUser, password: readSecret(settings.secretsDir, "admin-password") };
        /** @type {Map<string, string>} */
        const passwords = new Map();
        for (const u of desired.users) passwords.set(u.name, readSecret(settings.secretsDir, `user.${u.name}`));
        /** @type {Map<string, string>} */
        const importPasswords = new Map();
        for (const p of desired.projects) {
            if (p.importer) importPasswords.set(p.importer, readSecret(settings.secretsDir, `import.${p.importer}`));
        }
        redact = makeRedactor([admin.password, ...passwords.values(), ...importPasswords.values()]);
        const emailDomain = desired.emailDomain ?? "mlab.local";

        await waitForGitea(settings, log);
        const gitea = new Gitea(settings, admin);
        // Fail fast, and clearly, on bad admin credentials (401 is turned into a ReconcileError).
        const me = await gitea.request("GET", "/api/v1/user");
        expectStatus(me, [200], `signing in as ${admin.user}`);
        if (me.body && me.body.is_admin === false) throw new ReconcileError(`'${admin.user}' is not a Gitea administrator`, EXIT.auth);

        /** @type {string[]} */
        const failures = [];
        /** @param {string} what @param {() => Promise<void>} step */
        const attempt = async (what, step) => {
            try {
                await step();
            } catch (e) {
                // Credentials and input errors stop everything; a failed item does not stop the others.
                if (e instanceof ReconcileError && e.exitCode !== EXIT.failed) throw e;
                const message = e instanceof Error ? e.message : String(e);
                failures.push(message);
                fail(`${what}: ${message}`);
            }
        };
        for (const user of desired.users) {
            await attempt(`user ${user.name}`, () => reconcileUser(gitea, user, /** @type {string} */ (passwords.get(user.name)), log));
        }
        const orgs = [...new Set(desired.projects.map((p) => p.owner))];
        for (const org of orgs) await attempt(`organisation ${org}`, () => reconcileOrg(gitea, org, desired, log));
        /** @type {Set<string>} */
        const pending = new Set();
        for (const project of desired.projects) {
            await attempt(`project ${project.owner}/${project.repo}`, async () => {
                const empty = await reconcileRepo(gitea, project, log);
                const account = project.importer;
                if (!account) return;
                // A repository with content needs no import: its account goes in the sweep below.
                if (!empty) return;
                pending.add(account.toLowerCase());
                await grantImport(gitea, project, account, /** @type {string} */ (importPasswords.get(account)), emailDomain, log);
            });
        }
        // Import accounts of projects no longer pending (imported, or removed from config) open nothing.
        await attempt("import accounts", async () => {
            for (const u of await gitea.list("/api/v1/admin/users")) {
                const login = String(u.login ?? u.username);
                if (!login.toLowerCase().startsWith(IMPORTER_PREFIX) || pending.has(login.toLowerCase())) continue;
                await revokeImport(gitea, login, "no pending import: its repository has content or left the config", log);
            }
        });
        if (failures.length > 0) {
            fail(`${failures.length} step(s) failed; ${gitea.writes} write(s) made`);
            return EXIT.failed;
        }
        log(`done: ${desired.users.length} user(s), ${desired.projects.length} project(s), ${gitea.writes} write(s)`);
        return 0;
    } catch (e) {
        if (e instanceof ReconcileError) {
            fail(e.message);
            return e.exitCode;
        }
        fail(`unexpected failure: ${e instanceof Error ? e.message : String(e)}`);
        return EXIT.failed;
    }
}

module.exports = { main, readSettings, makeRedactor, EXIT, IMPORTER_PREFIX };

if (require.main === module) {
    main(process.env, { out: (l) => console.log(l), err: (l) => console.error(l) }).then((code) => {
        process.exitCode = code;
    });
}
