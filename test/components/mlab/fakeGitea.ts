// A fake Gitea on 127.0.0.1 (ephemeral port) with state: exactly the API endpoints the MLab reconciler
// calls, with Gitea 1.22's status codes and JSON shapes (swagger: CreateUserOption, EditUserOption,
// CreateOrgOption, CreateTeamOption, CreateRepoOption, AddCollaboratorOption, RepoCollaboratorPermission).
// Anything else answers 404 and is recorded in `unhandled`, so a test can assert none was hit.
//
// With `gitRoot`, every repository is a real bare repository on disk and the fake serves git's smart
// http protocol (`git http-backend`, as Gitea does) with Gitea's access rules: private repositories,
// read for the admin, members of a team that includes all repositories and collaborators; write for
// the admin, write teams and write collaborators; 401 without credentials, 404 to whoever may not
// read, 403 to a reader who pushes. The importer's clone and push are tested against it.
import { spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as http from "http";
import { AddressInfo } from "net";
import * as path from "path";

export interface FakeUser {
    id: number;
    login: string;
    email: string;
    password: string;
    isAdmin: boolean;
    mustChangePassword: boolean;
    visibility?: string;
}
export interface FakeTeam {
    id: number;
    org: string;
    name: string;
    permission: string;
    includesAll: boolean;
    canCreateOrgRepo: boolean;
    members: Set<string>;
}
export interface FakeRepo {
    owner: string;
    name: string;
    private: boolean;
    mirror: boolean;
    /** Without `gitRoot`: whether the repository has no commit (repositories created through the API start empty). */
    empty: boolean;
    /** Collaborators by lower-case login: their permission (read, write, admin). */
    collaborators: Map<string, string>;
}
export interface RecordedRequest {
    method: string;
    path: string;
    body: any;
    user?: string;
}

export interface FakeGiteaOptions {
    /** Admin login and password Gitea knows (set by the bootstrap init container in real life). */
    admin: { user: string; password: string };
    /** /api/healthz answers 503 this many times before 200; Infinity = never ready. */
    notReadyTimes?: number;
    /** Paths (exact, e.g. /api/v1/orgs/deepvac/repos) that answer 500 to POST. */
    failPosts?: string[];
    /** A directory for real bare repositories: serves git smart http under /<owner>/<repo>.git. */
    gitRoot?: string;
}

export class FakeGitea {
    readonly users = new Map<string, FakeUser>();
    readonly orgs = new Map<string, { name: string; visibility: string }>();
    readonly teams: FakeTeam[] = [];
    readonly repos = new Map<string, FakeRepo>();
    readonly requests: RecordedRequest[] = [];
    readonly unhandled: string[] = [];
    healthChecks = 0;
    notReadyTimes: number;
    failPosts: Set<string>;
    readonly gitRoot?: string;
    private nextId = 1;
    private server: http.Server;

    constructor(options: FakeGiteaOptions) {
        this.notReadyTimes = options.notReadyTimes ?? 0;
        this.failPosts = new Set(options.failPosts ?? []);
        this.gitRoot = options.gitRoot;
        this.addUser(options.admin.user, options.admin.password, true);
        this.server = http.createServer((req, res) => this.handle(req, res));
    }

    addUser(login: string, password: string, isAdmin = false): FakeUser {
        const user = { id: this.nextId++, login, email: `${login}@example.test`, password, isAdmin, mustChangePassword: false };
        this.users.set(login.toLowerCase(), user);
        return user;
    }

    addOrg(name: string): void {
        this.orgs.set(name.toLowerCase(), { name, visibility: "private" });
    }

    addTeam(org: string, name: string, members: string[], permission = "write"): FakeTeam {
        const team = {
            id: this.nextId++,
            org,
            name,
            permission,
            includesAll: true,
            canCreateOrgRepo: false,
            members: new Set(members.map((m) => m.toLowerCase())),
        };
        this.teams.push(team);
        return team;
    }

    /** A repository; `empty` false stands for one that already holds commits (without `gitRoot`). */
    addRepo(owner: string, name: string, empty = false): FakeRepo {
        const repo = { owner, name, private: true, mirror: false, empty, collaborators: new Map<string, string>() };
        this.repos.set(`${owner}/${name}`.toLowerCase(), repo);
        if (this.gitRoot) {
            const dir = this.repoDir(repo);
            fs.mkdirSync(path.dirname(dir), { recursive: true });
            git(["init", "--quiet", "--bare", "--initial-branch=main", dir]);
        }
        return repo;
    }

    /** The bare repository of `repo` (with `gitRoot`). */
    repoDir(repo: { owner: string; name: string }): string {
        if (!this.gitRoot) throw new Error("this fake Gitea has no gitRoot");
        return path.join(this.gitRoot, repo.owner.toLowerCase(), `${repo.name.toLowerCase()}.git`);
    }

    /** True when the repository holds no commit. */
    isEmpty(repo: FakeRepo): boolean {
        if (!this.gitRoot) return repo.empty;
        return git(["--git-dir", this.repoDir(repo), "for-each-ref", "--count=1"]).trim() === "";
    }

    /** Gitea's access mode of `user` on `repo`: none, read, write or admin. */
    permission(user: FakeUser, repo: FakeRepo): "none" | "read" | "write" | "admin" {
        if (user.isAdmin) return "admin";
        const modes = ["none", "read", "write", "admin"] as const;
        let best = 0;
        const collab = repo.collaborators.get(user.login.toLowerCase());
        if (collab) best = Math.max(best, modes.indexOf(collab as (typeof modes)[number]));
        for (const t of this.teams) {
            if (t.org.toLowerCase() === repo.owner.toLowerCase() && t.includesAll && t.members.has(user.login.toLowerCase()))
                best = Math.max(best, modes.indexOf(t.permission as (typeof modes)[number]));
        }
        return modes[Math.max(best, 0)];
    }

    /** Requests that change state (anything but GET). */
    writes(): RecordedRequest[] {
        return this.requests.filter((r) => r.method !== "GET");
    }

    async start(): Promise<string> {
        await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
        return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    }

    async stop(): Promise<void> {
        this.server.closeAllConnections();
        await new Promise<void>((resolve) => this.server.close(() => resolve()));
    }

    private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
        const chunks: Buffer[] = [];
        req.on("data", (c: Buffer) => chunks.push(c));
        req.on("end", () => {
            const rawBytes = Buffer.concat(chunks);
            const gitPath = /^\/([^/]+)\/([^/]+)\.git(\/.*)$/.exec(new URL(req.url ?? "/", "http://fake").pathname);
            if (gitPath && this.gitRoot) return this.serveGit(req, res, rawBytes, gitPath[1], gitPath[2], gitPath[3]);
            const raw = rawBytes.toString("utf8");
            let body: any = undefined;
            if (raw) {
                try {
                    body = JSON.parse(raw);
                } catch {
                    return send(res, 400, { message: "invalid JSON" });
                }
            }
            const url = new URL(req.url ?? "/", "http://fake");
            const method = req.method ?? "GET";
            const who = this.authenticate(req.headers.authorization);
            if (url.pathname !== "/api/healthz")
                this.requests.push({ method, path: url.pathname, body, user: who === "bad" ? "(bad credentials)" : who?.login });
            try {
                this.route(method, url, body, who, res);
            } catch (e) {
                send(res, 500, { message: (e as Error).message });
            }
        });
    }

    /** Git smart http with Gitea's access rules, through `git http-backend` (CGI). */
    private serveGit(req: http.IncomingMessage, res: http.ServerResponse, body: Buffer, owner: string, name: string, rest: string): void {
        const url = new URL(req.url ?? "/", "http://fake");
        const who = this.authenticate(req.headers.authorization);
        const service = url.searchParams.get("service") ?? rest.replace(/^\//, "");
        const writing = service === "git-receive-pack";
        this.requests.push({
            method: req.method ?? "GET",
            path: url.pathname,
            body: undefined,
            user: who === "bad" ? "(bad credentials)" : who?.login,
        });
        if (who === undefined || who === "bad") {
            res.writeHead(401, { "www-authenticate": 'Basic realm="Gitea"' });
            return void res.end();
        }
        const repo = this.repos.get(`${owner}/${name}`.toLowerCase());
        const mode = repo ? this.permission(who, repo) : "none";
        if (!repo || mode === "none") {
            res.writeHead(404);
            return void res.end("Repository not found\n");
        }
        if (writing && mode === "read") {
            res.writeHead(403);
            return void res.end("User permission denied for writing.\n");
        }
        const child = spawn("git", ["http-backend"], {
            env: {
                PATH: process.env.PATH ?? "",
                GIT_PROJECT_ROOT: this.gitRoot!,
                GIT_HTTP_EXPORT_ALL: "1",
                PATH_INFO: `/${owner.toLowerCase()}/${name.toLowerCase()}.git${rest}`,
                REQUEST_METHOD: req.method ?? "GET",
                QUERY_STRING: url.search.replace(/^\?/, ""),
                CONTENT_TYPE: req.headers["content-type"] ?? "",
                CONTENT_LENGTH: String(body.length),
                HTTP_CONTENT_ENCODING: String(req.headers["content-encoding"] ?? ""),
                GIT_PROTOCOL: String(req.headers["git-protocol"] ?? ""),
                REMOTE_USER: who.login,
                REMOTE_ADDR: "127.0.0.1",
            },
            stdio: ["pipe", "pipe", "pipe"],
        });
        const out: Buffer[] = [];
        child.stdout.on("data", (d: Buffer) => out.push(d));
        child.stderr.on("data", () => undefined);
        child.on("close", () => {
            const all = Buffer.concat(out);
            const split = all.indexOf("\r\n\r\n");
            const headerText = split >= 0 ? all.subarray(0, split).toString("latin1") : "";
            const headers: Record<string, string> = {};
            let status = 200;
            for (const line of headerText.split("\r\n")) {
                const i = line.indexOf(":");
                if (i < 0) continue;
                const key = line.slice(0, i).trim().toLowerCase();
                const value = line.slice(i + 1).trim();
                if (key === "status") status = Number(value.split(" ")[0]);
                else headers[key] = value;
            }
            res.writeHead(status, headers);
            res.end(split >= 0 ? all.subarray(split + 4) : all);
        });
        // git http-backend may exit without reading all of its input (EPIPE here); its output is the answer.
        child.stdin.on("error", () => undefined);
        child.stdin.end(body);
    }

    private authenticate(header: string | undefined): FakeUser | undefined | "bad" {
        if (!header) return undefined;
        const m = /^Basic (.+)$/.exec(header);
        if (!m) return "bad";
        const decoded = Buffer.from(m[1], "base64").toString("utf8");
        const i = decoded.indexOf(":");
        const user = this.users.get(decoded.slice(0, i).toLowerCase());
        return user && user.password === decoded.slice(i + 1) ? user : "bad";
    }

    private route(method: string, url: URL, body: any, who: FakeUser | undefined | "bad", res: http.ServerResponse): void {
        const p = url.pathname;
        if (p === "/api/healthz" && method === "GET") {
            this.healthChecks++;
            if (this.healthChecks <= this.notReadyTimes) return send(res, 503, { status: "fail" });
            return send(res, 200, { status: "pass" });
        }
        if (!p.startsWith("/api/v1/")) return this.notFound(method, p, res);
        // REQUIRE_SIGNIN_VIEW: every API call needs a signed-in user; bad credentials are a 401.
        if (who === "bad" || who === undefined) return send(res, 401, { message: "user does not exist [uid: 0, name: ]" });
        const parts = p.slice("/api/v1/".length).split("/").map(decodeURIComponent);
        const admin = who.isAdmin;
        const forbidden = () => send(res, 403, { message: "You do not have permission" });
        if (method !== "GET" && this.failPosts.has(p))
            return send(res, 500, { message: `internal error while handling ${p}: exit status 128 - fatal: repository not found` });

        // GET /user
        if (method === "GET" && p === "/api/v1/user") return send(res, 200, userJson(who));
        // GET /users/{username}
        if (method === "GET" && parts[0] === "users" && parts.length === 2) {
            const u = this.users.get(parts[1].toLowerCase());
            return u ? send(res, 200, userJson(u)) : send(res, 404, { message: "user does not exist" });
        }
        // POST /admin/users
        if (method === "POST" && p === "/api/v1/admin/users") {
            if (!admin) return forbidden();
            if (!body?.username || !body?.email) return send(res, 422, { message: "username and email are required" });
            if (this.users.has(String(body.username).toLowerCase())) return send(res, 422, { message: "user already exists" });
            const u = this.addUser(body.username, body.password, false);
            if (body.visibility !== undefined) u.visibility = body.visibility;
            u.email = body.email;
            u.mustChangePassword = body.must_change_password !== false;
            return send(res, 201, userJson(u));
        }
        // PATCH /admin/users/{username}
        if (method === "PATCH" && parts[0] === "admin" && parts[1] === "users" && parts.length === 3) {
            if (!admin) return forbidden();
            const u = this.users.get(parts[2].toLowerCase());
            if (!u) return send(res, 404, { message: "user does not exist" });
            if (body?.login_name === undefined || body?.source_id === undefined)
                return send(res, 422, { message: "[LoginName]: Required" });
            if (body.password) u.password = body.password;
            if (body.must_change_password !== undefined) u.mustChangePassword = body.must_change_password;
            if (body.admin !== undefined) u.isAdmin = Boolean(body.admin);
            return send(res, 200, userJson(u));
        }
        // GET /admin/users, DELETE /admin/users/{username}
        if (method === "GET" && p === "/api/v1/admin/users") {
            if (!admin) return forbidden();
            return send(res, 200, paginate([...this.users.values()].map(userJson), url));
        }
        if (method === "DELETE" && parts[0] === "admin" && parts[1] === "users" && parts.length === 3) {
            if (!admin) return forbidden();
            const key = parts[2].toLowerCase();
            if (!this.users.has(key)) return send(res, 404, { message: "user does not exist" });
            this.users.delete(key);
            for (const r of this.repos.values()) r.collaborators.delete(key);
            for (const t of this.teams) t.members.delete(key);
            return send(res, 204, undefined);
        }
        // GET /repos/{owner}/{repo}/collaborators/{user}/permission, PUT /repos/{owner}/{repo}/collaborators/{user}
        if (parts[0] === "repos" && parts[3] === "collaborators" && parts.length >= 5) {
            const r = this.repos.get(`${parts[1]}/${parts[2]}`.toLowerCase());
            if (!r) return send(res, 404, { message: "repository does not exist" });
            const u = this.users.get(parts[4].toLowerCase());
            if (!u) return send(res, 404, { message: "user does not exist" });
            if (method === "GET" && parts.length === 6 && parts[5] === "permission") {
                if (!admin) return forbidden();
                return send(res, 200, { permission: this.permission(u, r), role_name: this.permission(u, r), user: userJson(u) });
            }
            if (method === "PUT" && parts.length === 5) {
                if (!admin) return forbidden();
                const perm = body?.permission ?? "write";
                if (!["read", "write", "admin"].includes(perm)) return send(res, 422, { message: "invalid permission" });
                r.collaborators.set(u.login.toLowerCase(), perm);
                return send(res, 204, undefined);
            }
        }
        // GET /orgs/{org}, POST /orgs
        if (method === "GET" && parts[0] === "orgs" && parts.length === 2) {
            const o = this.orgs.get(parts[1].toLowerCase());
            return o
                ? send(res, 200, { id: 1, username: o.name, visibility: o.visibility })
                : send(res, 404, { message: "org does not exist" });
        }
        if (method === "POST" && p === "/api/v1/orgs") {
            if (!body?.username) return send(res, 422, { message: "username is required" });
            if (this.orgs.has(body.username.toLowerCase()) || this.users.has(body.username.toLowerCase()))
                return send(res, 422, { message: "user already exists" });
            this.orgs.set(body.username.toLowerCase(), { name: body.username, visibility: body.visibility ?? "public" });
            return send(res, 201, { id: this.nextId++, username: body.username, visibility: body.visibility ?? "public" });
        }
        // GET/POST /orgs/{org}/teams
        if (parts[0] === "orgs" && parts[2] === "teams" && parts.length === 3) {
            const org = this.orgs.get(parts[1].toLowerCase());
            if (!org) return send(res, 404, { message: "org does not exist" });
            if (method === "GET") {
                const all = this.teams.filter((t) => t.org.toLowerCase() === org.name.toLowerCase()).map(teamJson);
                return send(res, 200, paginate(all, url));
            }
            if (method === "POST") {
                if (!admin) return forbidden();
                if (!body?.name) return send(res, 422, { message: "name is required" });
                if (!body.units?.length && !body.units_map) return send(res, 500, { message: "units permission should not be empty" });
                const t = this.addTeam(org.name, body.name, []);
                t.permission = body.permission;
                t.includesAll = Boolean(body.includes_all_repositories);
                t.canCreateOrgRepo = Boolean(body.can_create_org_repo);
                return send(res, 201, teamJson(t));
            }
        }
        // PATCH /teams/{id}
        if (method === "PATCH" && parts[0] === "teams" && parts.length === 2) {
            const t = this.teams.find((x) => x.id === Number(parts[1]));
            if (!t) return send(res, 404, { message: "team not found" });
            t.permission = body.permission ?? t.permission;
            t.includesAll = body.includes_all_repositories ?? t.includesAll;
            t.canCreateOrgRepo = body.can_create_org_repo ?? t.canCreateOrgRepo;
            return send(res, 200, teamJson(t));
        }
        // GET /teams/{id}/members, PUT/DELETE /teams/{id}/members/{username}
        if (parts[0] === "teams" && parts[2] === "members") {
            const t = this.teams.find((x) => x.id === Number(parts[1]));
            if (!t) return send(res, 404, { message: "team not found" });
            if (method === "GET" && parts.length === 3) {
                const members = [...t.members].map((m) => userJson(this.users.get(m)!));
                return send(res, 200, paginate(members, url));
            }
            if (parts.length === 4 && (method === "PUT" || method === "DELETE")) {
                const u = this.users.get(parts[3].toLowerCase());
                if (!u) return send(res, 404, { message: "user does not exist" });
                if (method === "PUT") t.members.add(u.login.toLowerCase());
                else t.members.delete(u.login.toLowerCase());
                return send(res, 204, undefined);
            }
        }
        // GET /repos/{owner}/{repo}
        if (method === "GET" && parts[0] === "repos" && parts.length === 3) {
            const r = this.repos.get(`${parts[1]}/${parts[2]}`.toLowerCase());
            if (r && this.permission(who, r) === "none") return send(res, 404, { message: "repository does not exist" });
            return r ? send(res, 200, this.repoJson(r)) : send(res, 404, { message: "repository does not exist" });
        }
        // POST /orgs/{org}/repos
        if (method === "POST" && parts[0] === "orgs" && parts[2] === "repos" && parts.length === 3) {
            const org = this.orgs.get(parts[1].toLowerCase());
            if (!org) return send(res, 404, { message: "org does not exist" });
            if (this.repos.has(`${org.name}/${body?.name}`.toLowerCase()))
                return send(res, 409, { message: "The repository with the same name already exists." });
            const r = this.addRepo(org.name, body.name, true);
            r.private = Boolean(body.private);
            return send(res, 201, this.repoJson(r));
        }
        return this.notFound(method, p, res);
    }

    private repoJson(r: FakeRepo) {
        return {
            full_name: `${r.owner}/${r.name}`,
            name: r.name,
            owner: { login: r.owner },
            private: r.private,
            mirror: r.mirror,
            empty: this.isEmpty(r),
        };
    }

    private notFound(method: string, p: string, res: http.ServerResponse): void {
        this.unhandled.push(`${method} ${p}`);
        send(res, 404, { message: "not found" });
    }
}

function send(res: http.ServerResponse, status: number, body: unknown): void {
    if (body === undefined) {
        res.writeHead(status);
        res.end();
        return;
    }
    const text = JSON.stringify(body);
    res.writeHead(status, { "content-type": "application/json;charset=utf-8", "content-length": Buffer.byteLength(text) });
    res.end(text);
}

function paginate<T>(items: T[], url: URL): T[] {
    const page = Number(url.searchParams.get("page") ?? 1);
    const limit = Math.min(Number(url.searchParams.get("limit") ?? 30), 50);
    return items.slice((page - 1) * limit, page * limit);
}

function userJson(u: FakeUser) {
    return { id: u.id, login: u.login, username: u.login, email: u.email, is_admin: u.isAdmin };
}

function teamJson(t: FakeTeam) {
    return {
        id: t.id,
        name: t.name,
        permission: t.permission,
        includes_all_repositories: t.includesAll,
        can_create_org_repo: t.canCreateOrgRepo,
    };
}

function git(args: string[]): string {
    const r = spawnSync("git", args, { encoding: "utf8" });
    if (r.status !== 0) throw new Error(`git ${args.join(" ")} failed: ${r.stderr}`);
    return r.stdout;
}
