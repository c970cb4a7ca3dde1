// The MLab admin bootstrap (components/mlab/bootstrap-admin.sh), run as the Gitea pod's init container
// runs it (`/bin/sh -c <script>`), against a fake `gitea` CLI on PATH that keeps its users in a file.
import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { BOOTSTRAP_SCRIPT_PATH } from "../../../components/mlab";

const PASSWORD = "Adm1nBootstrapPassw0rdQx";

/**
 * A stand-in for Gitea 1.22's CLI: `migrate`, `admin user list [--admin]` (a header, then one row per
 * account, or per admin with --admin: ID Username Email IsActive IsAdmin 2FA), `admin user create` and
 * `admin user change-password` (which fails for an unknown user). Every call is appended to calls.log;
 * FAIL_MIGRATE=1 makes `migrate` fail.
 */
const FAKE_GITEA = `#!/bin/sh
state="$FAKE_GITEA_DIR"
echo "$*" >> "$state/calls.log"
[ "$1" = "--config" ] && shift 2
case "$1 $2 $3" in
  "migrate  ") [ "\${FAIL_MIGRATE:-0}" = 1 ] && { echo "migrate: database is locked" >&2; exit 1; }; exit 0 ;;
  "admin user list")
    printf 'ID   Username   Email   IsActive   IsAdmin   2FA\\n'
    if [ -f "$state/users" ]; then
      if [ "\${4:-}" = "--admin" ]; then awk '$5 == "true"' "$state/users"; else cat "$state/users"; fi
    fi
    exit 0 ;;
  "admin user create")
    name=""; admin=false; while [ $# -gt 0 ]; do [ "$1" = "--username" ] && name="$2"; [ "$1" = "--admin" ] && admin=true; shift; done
    if [ -f "$state/users" ] && awk -v u="$name" 'tolower($2) == tolower(u) { found = 1 } END { exit !found }' "$state/users"; then
      echo "Command error: CreateUser: user already exists [name: $name]" >&2; exit 1
    fi
    echo "1   $name   $name@example.org   true   $admin   false" >> "$state/users"
    echo "New user '$name' has been successfully created!"; exit 0 ;;
  "admin user change-password")
    name=""; while [ $# -gt 0 ]; do [ "$1" = "--username" ] && name="$2"; shift; done
    [ -f "$state/users" ] && awk -v u="$name" 'tolower($2) == tolower(u) { found = 1 } END { exit !found }' "$state/users" || { echo "user does not exist [name: $name]" >&2; exit 1; }
    echo "$name's password has been successfully updated!"; exit 0 ;;
esac
echo "fake gitea: unexpected call: $*" >&2; exit 9
`;

interface Fake {
    dir: string;
    calls: () => string[];
}

const dirs: string[] = [];

/** A fake CLI whose database holds `admins` (administrators) and `users` (accounts without admin rights). */
function fakeGitea(admins: string[] = [], users: string[] = []): Fake {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mlab-bootstrap-"));
    dirs.push(dir);
    fs.writeFileSync(path.join(dir, "gitea"), FAKE_GITEA, { mode: 0o755 });
    const rows = [...admins.map((a) => [a, true] as const), ...users.map((u) => [u, false] as const)];
    if (rows.length > 0)
        fs.writeFileSync(
            path.join(dir, "users"),
            rows.map(([name, admin], i) => `${i + 2}   ${name}   ${name}@example.org   true   ${admin}   false\n`).join(""),
        );
    return {
        dir,
        calls: () =>
            fs.existsSync(path.join(dir, "calls.log")) ? fs.readFileSync(path.join(dir, "calls.log"), "utf8").trim().split("\n") : [],
    };
}

function bootstrap(fake: Fake, env: Record<string, string> = {}) {
    const result = spawnSync("/bin/sh", ["-c", fs.readFileSync(BOOTSTRAP_SCRIPT_PATH, "utf8")], {
        env: {
            PATH: `${fake.dir}:/usr/bin:/bin`,
            FAKE_GITEA_DIR: fake.dir,
            GITEA_APP_INI: "/etc/gitea/conf/app.ini",
            MLAB_ADMIN_USER: "mlab-admin",
            MLAB_ADMIN_EMAIL: "mlab-admin@mlab.example.internal",
            MLAB_ADMIN_PASSWORD: PASSWORD,
            ...env,
        },
        encoding: "utf8",
    });
    return { code: result.status, out: `${result.stdout}${result.stderr}` };
}

const verbs = (calls: string[]) => calls.map((c) => c.replace(/^--config \S+ /, "").split(" --")[0]);

describe("MLab admin bootstrap (init container script, against a fake gitea CLI)", () => {
    after(() => {
        for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
    });

    it("migrates, then creates the admin when there is none", () => {
        const fake = fakeGitea();
        const run = bootstrap(fake);
        assert.equal(run.code, 0, run.out);
        assert.deepEqual(verbs(fake.calls()), ["migrate", "admin user list", "admin user create"]);
        const create = fake.calls()[2];
        assert.match(create, /--admin/);
        assert.match(create, /--username mlab-admin /);
        assert.match(create, /--must-change-password=false/);
        assert.match(run.out, /admin mlab-admin created/);
    });

    it("is idempotent: a second run resets the existing admin's password and creates nothing", () => {
        const fake = fakeGitea();
        assert.equal(bootstrap(fake).code, 0);
        const before = fake.calls().length;
        const again = bootstrap(fake);
        assert.equal(again.code, 0, again.out);
        assert.deepEqual(verbs(fake.calls().slice(before)), ["migrate", "admin user list", "admin user change-password"]);
        assert.match(fake.calls().slice(-1)[0], /--username mlab-admin --password \S+ --must-change-password=false/);
        assert.match(again.out, /admin mlab-admin exists; password set from its Secret/);
    });

    it("matches the admin's name exactly (another admin called mlab-admin2 is not it)", () => {
        const fake = fakeGitea(["mlab-admin2", "root"]);
        assert.equal(bootstrap(fake).code, 0);
        assert.deepEqual(verbs(fake.calls()), ["migrate", "admin user list", "admin user create"]);
    });

    it("matches the admin's name without regard to case, as Gitea does", () => {
        const fake = fakeGitea(["MLab-Admin"]);
        const run = bootstrap(fake);
        assert.equal(run.code, 0, run.out);
        assert.deepEqual(verbs(fake.calls()), ["migrate", "admin user list", "admin user change-password"]);
    });

    it("stops with a clear message, instead of failing on 'already exists' at every start, when mlab-admin lost its admin rights", () => {
        const fake = fakeGitea(["root"], ["mlab-admin", "alice"]);
        const run = bootstrap(fake);
        assert.equal(run.code, 1);
        assert.match(run.out, /mlab-bootstrap: error: the account mlab-admin exists but is not an administrator \(IsAdmin: false\)/);
        assert.match(run.out, /Restore its rights as another administrator .*Is Administrator\), then restart the MLab pod/);
        assert.doesNotMatch(run.out, /already exists/);
        assert.deepEqual(verbs(fake.calls()), ["migrate", "admin user list"], "neither creates nor touches the account");
        assert.ok(!run.out.includes(PASSWORD));
    });

    it("the fake CLI behaves as Gitea's: creating an existing account fails (what the old bootstrap looped on)", () => {
        const fake = fakeGitea([], ["mlab-admin"]);
        const r = spawnSync(path.join(fake.dir, "gitea"), ["admin", "user", "create", "--admin", "--username", "mlab-admin"], {
            env: { FAKE_GITEA_DIR: fake.dir, PATH: "/usr/bin:/bin" },
            encoding: "utf8",
        });
        assert.equal(r.status, 1);
        assert.match(r.stderr, /user already exists/);
    });

    it("fails (the pod does not start) when the migration fails, and touches no user", () => {
        const fake = fakeGitea();
        const run = bootstrap(fake, { FAIL_MIGRATE: "1" });
        assert.notEqual(run.code, 0);
        assert.deepEqual(verbs(fake.calls()), ["migrate"]);
        assert.match(run.out, /database is locked/);
    });

    it("refuses to run without its inputs, naming the missing variable", () => {
        const fake = fakeGitea();
        const run = bootstrap(fake, { MLAB_ADMIN_PASSWORD: "" });
        assert.notEqual(run.code, 0);
        assert.match(run.out, /MLAB_ADMIN_PASSWORD/);
        assert.deepEqual(fake.calls(), []);
    });

    it("never prints the admin password", () => {
        for (const admins of [[], ["mlab-admin"]]) {
            const run = bootstrap(fakeGitea(admins));
            assert.equal(run.code, 0);
            assert.ok(!run.out.includes(PASSWORD), run.out);
        }
    });
});
