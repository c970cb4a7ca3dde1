// The Airlock's audit writer (components/airlock/audit-writer.js) over temporary folders: the share,
// the sftp session logs and the audit volume, as its pod mounts them. Cycles are run one at a time
// (`once`) with an injected clock; the CLI is also run as its pod runs it (`node audit-writer.js`).
import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { AUDIT_WRITER_SCRIPT_PATH, SFTP_AUDIT_WRAPPER_PATH } from "../../../components/airlockAudit";
import { strictCheckJsProblems } from "../../support/checkJs";

interface Writer {
    main(
        argv: string[],
        env: NodeJS.ProcessEnv,
        io: { out: (l: string) => void; err: (l: string) => void; now?: () => number },
    ): Promise<number>;
}
const writer = require(AUDIT_WRITER_SCRIPT_PATH) as Writer;

const sha = (data: string | Buffer) => crypto.createHash("sha256").update(data).digest("hex");

class Airlock {
    readonly root = fs.mkdtempSync(path.join(os.tmpdir(), "airlock-audit-"));
    readonly share = path.join(this.root, "opt/public/airlock");
    readonly sftpLogs = path.join(this.root, "var/log/airlock-sftp");
    readonly audit = path.join(this.root, "var/lib/airlock-audit");
    clock = Date.parse("2025-01-06T09:00:00Z");
    readonly out: string[] = [];
    readonly err: string[] = [];
    constructor(readonly extraEnv: Record<string, string> = {}) {
        for (const d of [this.share, this.sftpLogs, this.audit]) fs.mkdirSync(d, { recursive: true });
    }
    get env(): NodeJS.ProcessEnv {
        return { AUDIT_WATCH_DIR: this.share, AUDIT_SFTP_LOG_DIR: this.sftpLogs, AUDIT_LOG_DIR: this.audit, ...this.extraEnv };
    }
    /** One writer cycle, 10 s after the previous one. */
    async cycle(): Promise<void> {
        this.clock += 10_000;
        const code = await writer.main(["once"], this.env, {
            out: (l) => this.out.push(l),
            err: (l) => this.err.push(l),
            now: () => this.clock,
        });
        assert.equal(code, 0, this.err.join("\n"));
    }
    write(rel: string, data: string | Buffer): void {
        fs.mkdirSync(path.dirname(path.join(this.share, rel)), { recursive: true });
        fs.writeFileSync(path.join(this.share, rel), data);
    }
    records(): any[] {
        const file = path.join(this.audit, "audit.jsonl");
        return fs.existsSync(file)
            ? fs
                  .readFileSync(file, "utf8")
                  .trim()
                  .split("\n")
                  .filter(Boolean)
                  .map((l) => JSON.parse(l))
            : [];
    }
    files(event?: string): any[] {
        return this.records().filter((r) => (event ? r.event === event : r.event.startsWith("file-")));
    }
    async show(): Promise<{ code: number; out: string[]; err: string[] }> {
        const out: string[] = [];
        const err: string[] = [];
        const code = await writer.main(["show"], this.env, { out: (l) => out.push(l), err: (l) => err.push(l) });
        return { code, out, err };
    }
    cleanup(): void {
        fs.rmSync(this.root, { recursive: true, force: true });
    }
}

/** sftp-server's INFO lines as OpenSSH writes them with -e (CRLF endings), for one session. */
function sftpSession(a: Airlock, name: string, user: string, client: string, lines: string[]): void {
    const body = [`session opened for local user ${user} from [${client}]`, ...lines].map((l) => `${l}\r\n`).join("");
    fs.appendFileSync(path.join(a.sftpLogs, name), body);
}

describe("Airlock audit writer: what enters", function () {
    this.timeout(20000);
    let a: Airlock;
    beforeEach(() => (a = new Airlock()));
    afterEach(() => a.cleanup());

    it("records a file that lands in the share with its path, size, sha256, mtime and the Airlock as its route, once it has settled", async () => {
        const data = crypto.randomBytes(300_000);
        a.write("pip/torch-2.5.0-cp311-none-linux_x86_64.whl", data);
        await a.cycle();
        assert.deepEqual(a.files(), [], "not recorded before it has been seen unchanged twice");
        await a.cycle();
        const [r] = a.files();
        assert.equal(r.event, "file-added");
        assert.equal(r.path, "pip/torch-2.5.0-cp311-none-linux_x86_64.whl");
        assert.equal(r.size, data.length);
        assert.equal(r.sha256, sha(data));
        assert.deepEqual(r.route, { via: "airlock" });
        assert.equal(r.time, new Date(a.clock).toISOString());
        assert.ok(!Number.isNaN(Date.parse(r.mtime)));
        await a.cycle();
        assert.equal(a.files().length, 1, "an unchanged file is recorded once");
    });

    it("attributes a file an sftp session wrote to that session's user and client address", async () => {
        sftpSession(a, "20250106T090000Z-41.log", "airlock", "192.0.2.15", [
            `open "${a.share}/datasets/coco.zip" flags WRITE,CREATE,TRUNCATE mode 0644`,
            `close "${a.share}/datasets/coco.zip" bytes read 0 written 11`,
            `open "pip/requests.whl" flags WRITE,CREATE,TRUNCATE mode 0644`,
            `session closed for local user airlock from [192.0.2.15]`,
        ]);
        a.write("datasets/coco.zip", "coco-bytes!");
        a.write("pip/requests.whl", "wheel");
        a.write("apt/curl.deb", "downloaded in the Airlock");
        await a.cycle();
        await a.cycle();
        const byPath = Object.fromEntries(a.files("file-added").map((r) => [r.path, r]));
        assert.deepEqual(byPath["datasets/coco.zip"].route, {
            via: "sftp",
            user: "airlock",
            client: "192.0.2.15",
            session: "20250106T090000Z-41.log",
        });
        assert.equal(byPath["datasets/coco.zip"].sha256, sha("coco-bytes!"));
        assert.equal(
            byPath["pip/requests.whl"].route.via,
            "sftp",
            "a relative path is resolved against the session's start folder, the share",
        );
        assert.deepEqual(byPath["apt/curl.deb"].route, { via: "airlock" });
        const sftp = a.records().filter((r) => r.event === "sftp");
        assert.deepEqual(
            sftp.map((r) => r.op),
            ["session-opened", "open", "close", "open", "session-closed"],
        );
        assert.equal(sftp[1].path, `${a.share}/datasets/coco.zip`);
        assert.deepEqual(sftp[1].flags, ["WRITE", "CREATE", "TRUNCATE"]);
        assert.equal(sftp[2].user, "airlock");
        assert.equal(sftp[2].client, "192.0.2.15");
    });

    it("takes a session's user and client address from its first line only: a file name with line breaks cannot pose as another login", async () => {
        // What OpenSSH's sftp-server writes for `put` of a file named
        // 'a" flags READ mode 0644\r\nsession opened for local user mallory from [203.0.113.9]\r\nopen "victim.bin'
        // (reproduced with the real sftp-server): it escapes neither CR nor LF on stderr.
        sftpSession(a, "20250106T090000Z-42.log", "bob", "192.0.2.20", [
            `open "${a.share}/d/a" flags READ mode 0644`,
            `session opened for local user mallory from [203.0.113.9]`,
            `open "victim.bin" flags WRITE,CREATE,TRUNCATE mode 0644`,
            `session closed for local user mallory from [203.0.113.9]`,
            `open "later.bin" flags WRITE,CREATE,TRUNCATE mode 0644`,
        ]);
        a.write("victim.bin", "v");
        a.write("later.bin", "l");
        await a.cycle();
        await a.cycle();
        const byPath = Object.fromEntries(a.files("file-added").map((r) => [r.path, r]));
        assert.equal(byPath["victim.bin"].route.user, "bob");
        assert.equal(byPath["victim.bin"].route.client, "192.0.2.20");
        assert.equal(byPath["later.bin"].route.user, "bob", "a forged 'session closed' ends nothing");
        const forged = a.records().find((r) => r.op === "forged-session-opened");
        assert.deepEqual(forged.claims, { user: "mallory", client: "203.0.113.9" });
        assert.equal(forged.user, "bob");
        assert.ok(!a.records().some((r) => r.user === "mallory"), "no record names the forged login as its user");
    });

    it("reads each sftp log line once, across cycles and restarts, and only whole lines", async () => {
        const file = path.join(a.sftpLogs, "20250106T090000Z-7.log");
        fs.writeFileSync(file, `session opened for local user airlock from [192.0.2.9]\r\nopen "/opt/x" fla`);
        await a.cycle();
        fs.appendFileSync(file, `gs READ mode 0666\r\n`);
        await a.cycle();
        await a.cycle();
        const ops = a
            .records()
            .filter((r) => r.event === "sftp")
            .map((r) => `${r.op} ${r.path ?? ""}`.trim());
        assert.deepEqual(ops, ["session-opened", "open /opt/x"]);
    });

    it("records a truncated sftp log (someone in the Airlock rewrote it) and what it says afterwards", async () => {
        const file = path.join(a.sftpLogs, "s.log");
        sftpSession(a, "s.log", "airlock", "192.0.2.9", ['remove name "/opt/public/airlock/a"']);
        await a.cycle();
        fs.writeFileSync(file, "session opened for local user airlock from [192.0.2.9]\r\n");
        await a.cycle();
        const t = a.records().find((r) => r.event === "sftp-log-truncated");
        assert.ok(t, "a truncation is recorded");
        assert.equal(t.session, "s.log");
    });

    it("keeps recording when someone in the Airlock leaves a huge sparse file among the sftp logs (bounded reads, no crash loop)", async () => {
        // Any Airlock login may create files in the sftp-log directory (1733), and `truncate -s 8G` costs nothing.
        const junk = path.join(a.sftpLogs, "00000000T000000Z-1.log");
        fs.writeFileSync(junk, "");
        fs.truncateSync(junk, 8 * 1024 ** 3);
        a.write("after.txt", "recorded anyway");
        await a.cycle();
        await a.cycle();
        assert.deepEqual(
            a.files().map((r) => r.path),
            ["after.txt"],
        );
        const junkLines = a.records().filter((r) => r.event === "sftp" && r.session === path.basename(junk));
        assert.ok(junkLines.length >= 1 && junkLines.length <= 2, `one short record per chunk read, got ${junkLines.length}`);
        assert.ok(
            junkLines.every((r) => r.op === "unparsed" && r.bytes > 0 && r.line.length <= 200),
            JSON.stringify(junkLines[0]),
        );
    });

    it("records changes and removals, and a file that vanished before it settled", async () => {
        a.write("notes.txt", "v1");
        await a.cycle();
        await a.cycle();
        a.write("notes.txt", "version 2");
        a.write("flash.bin", "here and gone");
        await a.cycle();
        fs.rmSync(path.join(a.share, "flash.bin"));
        await a.cycle();
        const changed = a.files("file-changed");
        assert.equal(changed.length, 1);
        assert.equal(changed[0].sha256, sha("version 2"));
        const vanished = a.files("file-vanished");
        assert.deepEqual(
            vanished.map((r) => [r.path, r.size]),
            [["flash.bin", 13]],
        );
        fs.rmSync(path.join(a.share, "notes.txt"));
        await a.cycle();
        const removed = a.files("file-removed");
        assert.deepEqual(
            removed.map((r) => [r.path, r.sha256]),
            [["notes.txt", sha("version 2")]],
        );
    });

    it("records a file that never stops changing after the longest wait, unsettled, with the hash of what it held", async () => {
        const b = new Airlock({ AUDIT_MAX_PENDING_SECONDS: "25" });
        try {
            for (let i = 0; i < 5; i++) {
                b.write("growing.bin", "x".repeat(100 * (i + 1)));
                await b.cycle();
            }
            const [r] = b.files("file-added");
            assert.ok(r, "recorded before it settled");
            assert.equal(r.settled, false);
            assert.equal(r.sha256, sha("x".repeat(r.size)));
        } finally {
            b.cleanup();
        }
    });

    it("records symlinks with their target and special files without opening them (a FIFO never blocks the writer)", async () => {
        fs.symlinkSync("/home/alice/.ssh", path.join(a.share, "link"));
        spawnSync("mkfifo", [path.join(a.share, "pipe")]);
        await a.cycle();
        await a.cycle();
        const byPath = Object.fromEntries(a.files("file-added").map((r) => [r.path, r]));
        assert.equal(byPath.link.type, "symlink");
        assert.equal(byPath.link.target, "/home/alice/.ssh");
        assert.equal(byPath.link.sha256, undefined);
        if (fs.existsSync(path.join(a.share, "pipe"))) assert.equal(byPath.pipe.type, "fifo");
    });

    it("records a file whose content root changed after it was recorded, even with its size and mtime put back (ctime gives it away)", async () => {
        a.write("model.bin", "aaaa");
        const file = path.join(a.share, "model.bin");
        fs.utimesSync(file, 1_700_000_000, 1_700_000_000);
        await a.cycle();
        await a.cycle();
        fs.writeFileSync(file, "bbbb");
        fs.utimesSync(file, 1_700_000_000, 1_700_000_000);
        await a.cycle();
        await a.cycle();
        const changed = a.files("file-changed");
        assert.equal(changed.length, 1, "the new content is recorded");
        assert.equal(changed[0].sha256, sha("bbbb"));
    });

    it("never walks through a directory swapped for a symlink between its lstat and its listing (nothing outside the share is recorded)", async () => {
        const outside = path.join(a.root, "outside");
        fs.mkdirSync(outside);
        fs.writeFileSync(path.join(outside, "secret.txt"), "outside the share");
        a.write("d/inside.txt", "in");
        const dir = path.join(a.share, "d");
        // The writer's own `fs` (a plain object, unlike this module's namespace import).
        const nodeFs = require("fs") as typeof fs;
        const realLstat = nodeFs.lstatSync;
        let swapped = false;
        // The race a root user in the Airlock runs in a loop, made deterministic: right after the writer
        // has seen `d` as a directory, it becomes a symlink to somewhere else.
        (nodeFs as any).lstatSync = function (p: fs.PathLike, ...rest: any[]) {
            const st = (realLstat as any).call(nodeFs, p, ...rest);
            if (!swapped && String(p).endsWith("/d")) {
                swapped = true;
                fs.renameSync(dir, path.join(a.share, "d.old"));
                fs.symlinkSync(outside, dir);
            }
            return st;
        };
        try {
            await a.cycle();
        } finally {
            (nodeFs as any).lstatSync = realLstat;
        }
        assert.ok(swapped, "the walk looked at d");
        await a.cycle();
        await a.cycle();
        const paths = a.files().map((r) => r.path);
        assert.ok(!paths.includes("d/secret.txt"), `recorded a file outside the share: ${paths.join(", ")}`);
        assert.ok(paths.includes("d") && paths.includes("d.old/inside.txt"), paths.join(", "));
    });

    it("continues after a restart: nothing recorded twice, the hash chain unbroken", async () => {
        a.write("a.txt", "a");
        await a.cycle();
        await a.cycle();
        a.write("b.txt", "b");
        await a.cycle(); // a new writer process each cycle: state and chain come from the audit volume
        await a.cycle();
        assert.deepEqual(
            a.files("file-added").map((r) => r.path),
            ["a.txt", "b.txt"],
        );
        const seqs = a.records().map((r) => r.seq);
        assert.deepEqual(
            seqs,
            seqs.map((_, i) => i + 1),
        );
        const shown = await a.show();
        assert.equal(shown.code, 0, shown.err.join("\n"));
        assert.match(shown.err.join("\n"), /hash chain intact/);
    });

    it("show: a changed, dropped or reordered line breaks the hash chain, and show says which (exit 3)", async () => {
        a.write("a.txt", "a");
        a.write("b.txt", "b");
        await a.cycle();
        await a.cycle();
        const file = path.join(a.audit, "audit.jsonl");
        const lines = fs.readFileSync(file, "utf8").trim().split("\n");
        assert.equal(lines.length, 2);
        const forged = JSON.parse(lines[0]);
        forged.sha256 = sha("something else");
        fs.writeFileSync(file, [JSON.stringify(forged), lines[1]].join("\n") + "\n");
        let shown = await a.show();
        assert.equal(shown.code, 3);
        assert.match(shown.err.join("\n"), /line 1 \(seq 1\): its hash does not match/);
        fs.writeFileSync(file, lines[1] + "\n");
        shown = await a.show();
        assert.equal(shown.code, 3);
        assert.match(shown.err.join("\n"), /does not follow the line before it/);
    });

    it("refuses bad settings with one clear line (exit 2)", async () => {
        const err: string[] = [];
        const code = await writer.main(["once"], { ...a.env, AUDIT_INTERVAL_SECONDS: "soon" }, { out: () => {}, err: (l) => err.push(l) });
        assert.equal(code, 2);
        assert.deepEqual(err, ['airlock audit: AUDIT_INTERVAL_SECONDS must be a number of seconds >= 0, got "soon"']);
        const code2 = await writer.main(
            ["once"],
            { ...a.env, AUDIT_WATCH_DIR: "relative/share" },
            { out: () => {}, err: (l) => err.push(l) },
        );
        assert.equal(code2, 2);
    });

    it("runs as its pod runs it: `node audit-writer.js once`, then `show` prints JSON lines", () => {
        a.write("x.txt", "x");
        for (let i = 0; i < 2; i++) {
            const r = spawnSync(process.execPath, [AUDIT_WRITER_SCRIPT_PATH, "once"], { env: a.env, encoding: "utf8" });
            assert.equal(r.status, 0, r.stderr);
        }
        const show = spawnSync(process.execPath, [AUDIT_WRITER_SCRIPT_PATH, "show"], { env: a.env, encoding: "utf8" });
        assert.equal(show.status, 0, show.stderr);
        const recs = show.stdout
            .trim()
            .split("\n")
            .map((l) => JSON.parse(l));
        assert.equal(recs[0].path, "x.txt");
        assert.equal(recs[0].sha256, sha("x"));
    });

    it("type-checks under strict checkJs (its JSDoc types are real)", () => {
        assert.equal(strictCheckJsProblems(AUDIT_WRITER_SCRIPT_PATH), "");
    });
});

/** The image's sftp-server, when this machine has one (Debian's openssh-sftp-server; or TORCHPOD_SFTP_SERVER). */
function realSftpServer(): string | undefined {
    const candidates = [
        process.env.TORCHPOD_SFTP_SERVER,
        "/usr/lib/openssh/sftp-server",
        path.join(os.homedir(), ".cache/torchpod-sftp/usr/lib/openssh/sftp-server"),
    ];
    return candidates.find((c) => c && fs.existsSync(c));
}

describe("Airlock sftp subsystem wrapper (sftp-server-audit.sh) with OpenSSH's sftp client", function () {
    this.timeout(20000);
    const server = realSftpServer();
    const client = spawnSync("sh", ["-c", "command -v sftp"], { encoding: "utf8" }).stdout.trim();

    it("an upload over sftp appears in the audit log with its sha256, its user and the sftp route", async function () {
        if (!server || !client) {
            // Needs OpenSSH's sftp client and sftp-server (apt-get download openssh-sftp-server; dpkg-deb -x into ~/.cache/torchpod-sftp).
            this.skip();
        }
        const a = new Airlock({ AUDIT_SFTP_ROOT: "/opt/public/airlock" });
        try {
            const bin = path.join(a.root, "usr/local/lib/airlock-audit");
            fs.mkdirSync(bin, { recursive: true });
            fs.copyFileSync(server!, path.join(bin, "sftp-server"));
            fs.chmodSync(path.join(bin, "sftp-server"), 0o755);
            const upload = path.join(a.root, "model.pt");
            const data = crypto.randomBytes(50_000);
            fs.writeFileSync(upload, data);
            // The session names the share as the Airlock does (/opt/public/airlock); the writer's mount is elsewhere here.
            const env = {
                ...process.env,
                AIRLOCK_SFTP_LOG_DIR: a.sftpLogs,
                AIRLOCK_SFTP_SERVER: path.join(bin, "sftp-server"),
                AIRLOCK_SFTP_START_DIR: a.share,
            };
            const r = spawnSync(client, ["-b", "-", "-D", SFTP_AUDIT_WRAPPER_PATH], {
                env,
                input: `mkdir models\nput ${upload} models/model.pt\nput ${upload} tmp.pt\nrm tmp.pt\n`,
                encoding: "utf8",
            });
            assert.equal(r.status, 0, r.stderr + r.stdout);
            const logs = fs.readdirSync(a.sftpLogs);
            assert.equal(logs.length, 1, "one log file per session");
            assert.match(logs[0], /^\d{8}T\d{6}Z-\d+\.log$/);
            // The real paths are under the temporary share; map them as the Airlock's would be.
            const text = fs.readFileSync(path.join(a.sftpLogs, logs[0]), "utf8").split(a.share).join("/opt/public/airlock");
            fs.writeFileSync(path.join(a.sftpLogs, logs[0]), text);
            await a.cycle();
            await a.cycle();
            const [r1] = a.files("file-added");
            assert.equal(r1.path, "models/model.pt");
            assert.equal(r1.sha256, sha(data));
            assert.equal(r1.route.via, "sftp");
            assert.equal(r1.route.user, os.userInfo().username);
            assert.ok(
                a.records().some((x) => x.event === "sftp" && x.op === "remove" && x.path === "/opt/public/airlock/tmp.pt"),
                "the removal of a file that never settled is in the sftp record",
            );
        } finally {
            a.cleanup();
        }
    });

    it("refuses the session when the sftp log cannot be written (fail closed)", function () {
        if (!server || !client) this.skip();
        const root = fs.mkdtempSync(path.join(os.tmpdir(), "airlock-sftp-"));
        try {
            const r = spawnSync(client, ["-b", "-", "-D", SFTP_AUDIT_WRAPPER_PATH], {
                env: {
                    ...process.env,
                    AIRLOCK_SFTP_LOG_DIR: path.join(root, "missing"),
                    AIRLOCK_SFTP_SERVER: server!,
                    AIRLOCK_SFTP_START_DIR: root,
                },
                input: "ls\n",
                encoding: "utf8",
            });
            assert.notEqual(r.status, 0);
            assert.match(r.stderr, /cannot write the sftp audit log/);
        } finally {
            fs.rmSync(root, { recursive: true, force: true });
        }
    });
});
