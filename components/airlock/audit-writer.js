// @ts-check
// The Airlock's audit writer: records every file that lands in the airlock share, in an append-only
// log that no TorchPod and no Airlock user can change.
//
// It runs in a pod of its own (the airlock-audit Deployment, a node image, this file delivered by a
// ConfigMap) that mounts the share and the Airlock's sftp session logs read-only, and the audit volume
// writable; no other pod mounts the audit volume and the pod has no network at all. Here it runs under
// mocha over temporary folders. Plain Node.js with JSDoc types, no dependencies, no build step.
//
// Each cycle (every AUDIT_INTERVAL_SECONDS, sooner when inotify says something changed):
//   1. reads what the Airlock's sftp subsystem logged since the last cycle (one file per session,
//      written by sftp-server-audit.sh: `session opened for local user U from [IP]`, `open "P" flags
//      WRITE,...`, `rename old "A" new "B"`, ...), records each line, and remembers which paths an
//      sftp session wrote;
//   2. walks the share and compares every entry with what it recorded before. A new or changed file is
//      recorded once it has *settled* (the same size, mtime, ctime and inode in two consecutive cycles; the
//      walk and the hash never follow a symlink, not even one swapped in for a directory mid-walk), with
//      its path, size, sha256, mtime and route: `sftp` (the session's user and client address) when an
//      sftp session wrote that path, `airlock` otherwise (a download in the Airlock's desktop or
//      terminal, or anything else done inside the Airlock). A file that never settles is hashed and
//      recorded anyway after AUDIT_MAX_PENDING_SECONDS, marked `settled: false`; one that vanishes
//      before it settled is recorded as `file-vanished`. Removals are recorded too.
//
// The log is JSON lines, each with `seq`, `time`, `prev` (the previous line's hash) and `hash`
// (sha256 of the line without it): a line changed, dropped or reordered breaks the chain, and
// `node audit-writer.js show` says where. Nothing is ever rewritten; the writer's state (what it has
// seen) lives beside the log, so a restart neither repeats nor loses records.
//
// Commands: `run` (the default: cycle forever), `once` (one cycle), `show` (verify the chain and print
// every record; exit 3 when it is broken).
"use strict";

const crypto = require("crypto");
const fs = require("fs");
const path = require("path");

/**
 * @typedef {{
 *   watchDir: string, sftpLogDir: string, logDir: string, sftpRoot: string,
 *   intervalMs: number, maxPendingMs: number,
 * }} Settings
 * @typedef {{ type: string, size: number, mtimeMs: number, ctimeMs: number, ino: number, target?: string }} Entry
 * @typedef {Entry & { sha256?: string }} KnownFile
 * @typedef {Entry & { firstSeen: number }} PendingFile
 * @typedef {{ via: "sftp", user: string, client: string, session: string } | { via: "airlock" }} Route
 * @typedef {{ user: string, client: string }} Session
 * @typedef {{
 *   version: 1,
 *   files: Record<string, KnownFile>,
 *   pending: Record<string, PendingFile>,
 *   sftpOffsets: Record<string, number>,
 *   sftpSessions: Record<string, Session>,
 *   sftpWrites: Record<string, { user: string, client: string, session: string, at: number }>,
 * }} State
 * @typedef {{ out: (line: string) => void, err: (line: string) => void, now?: () => number }} Io
 */

const LOG_FILE = "audit.jsonl";
const STATE_FILE = "state.json";
const GENESIS = "0".repeat(64);
/** Exit codes: 2 bad input, 3 the log's hash chain is broken. */
const EXIT = { input: 2, broken: 3 };
/** sftp writes older than this that no file change claimed are forgotten. */
const SFTP_WRITE_TTL_MS = 24 * 60 * 60 * 1000;
/** An sftp log line longer than this is cut (a path is at most 4096 bytes on Linux). */
const MAX_LINE = 8192;
/** The most of one sftp session log read in one cycle. */
const SFTP_READ_CHUNK = 1 << 18;
/** Records held before the log is flushed and the state saved mid-cycle: memory stays bounded however much changed. */
const MAX_BATCH = 10000;

class AuditError extends Error {
    /** @param {string} message @param {number} exitCode */
    constructor(message, exitCode) {
        super(message);
        this.exitCode = exitCode;
    }
}

/** @param {NodeJS.ProcessEnv} env @returns {Settings} */
function readSettings(env) {
    /** @param {string} name */
    const dir = (name) => {
        const v = env[name];
        if (!v || !path.isAbsolute(v)) throw new AuditError(`${name} must be an absolute path, got ${JSON.stringify(v ?? "")}`, EXIT.input);
        return path.resolve(v);
    };
    /** @param {string} name @param {number} fallback */
    const seconds = (name, fallback) => {
        const raw = env[name];
        if (raw === undefined || raw === "") return fallback * 1000;
        const n = Number(raw);
        if (!Number.isFinite(n) || n < 0)
            throw new AuditError(`${name} must be a number of seconds >= 0, got ${JSON.stringify(raw)}`, EXIT.input);
        return n * 1000;
    };
    const watchDir = dir("AUDIT_WATCH_DIR");
    return {
        watchDir,
        sftpLogDir: dir("AUDIT_SFTP_LOG_DIR"),
        logDir: dir("AUDIT_LOG_DIR"),
        // Where the share sits in the Airlock, as sftp paths name it (the same path as here by default).
        sftpRoot: env.AUDIT_SFTP_ROOT ? dir("AUDIT_SFTP_ROOT") : watchDir,
        intervalMs: seconds("AUDIT_INTERVAL_SECONDS", 10),
        maxPendingMs: seconds("AUDIT_MAX_PENDING_SECONDS", 600),
    };
}

// --- The append-only log -------------------------------------------------------------------------

/** @param {string} text */
const sha256 = (text) => crypto.createHash("sha256").update(text).digest("hex");

/** The last record's seq and hash (the chain continues from them), or the genesis. @param {string} file */
function chainTail(file) {
    let fd;
    try {
        fd = fs.openSync(file, "r");
    } catch (e) {
        if (/** @type {NodeJS.ErrnoException} */ (e).code === "ENOENT") return { seq: 0, hash: GENESIS };
        throw e;
    }
    try {
        const size = fs.fstatSync(fd).size;
        const len = Math.min(size, 1 << 20);
        const buf = Buffer.alloc(len);
        fs.readSync(fd, buf, 0, len, size - len);
        const lines = buf
            .toString("utf8")
            .split("\n")
            .filter((l) => l.trim() !== "");
        if (lines.length === 0) return { seq: 0, hash: GENESIS };
        const last = JSON.parse(lines[lines.length - 1]);
        return { seq: Number(last.seq), hash: String(last.hash) };
    } finally {
        fs.closeSync(fd);
    }
}

class AuditLog {
    /** @param {string} dir @param {() => number} now */
    constructor(dir, now) {
        this.file = path.join(dir, LOG_FILE);
        this.now = now;
        const tail = chainTail(this.file);
        this.seq = tail.seq;
        this.prev = tail.hash;
        /** @type {string[]} */
        this.batch = [];
    }
    /** Queues one record; `flush` writes the batch. @param {Record<string, unknown>} fields */
    add(fields) {
        const record = { seq: ++this.seq, time: new Date(this.now()).toISOString(), ...fields, prev: this.prev };
        const hash = sha256(JSON.stringify(record));
        this.prev = hash;
        this.batch.push(JSON.stringify({ ...record, hash }));
    }
    /** Appends the batch and makes it durable before the state that depends on it is saved. */
    flush() {
        if (this.batch.length === 0) return;
        const fd = fs.openSync(this.file, "a", 0o640);
        try {
            fs.writeSync(fd, this.batch.join("\n") + "\n");
            fs.fsyncSync(fd);
        } finally {
            fs.closeSync(fd);
        }
        this.batch = [];
    }
}

/**
 * Checks the hash chain of a log's text. @param {string} text
 * @returns {{ records: any[], problems: string[] }}
 */
function verifyLog(text) {
    const records = [];
    const problems = [];
    let prev = GENESIS;
    let seq = 0;
    for (const [i, line] of text.split("\n").entries()) {
        if (line.trim() === "") continue;
        let r;
        try {
            r = JSON.parse(line);
        } catch {
            problems.push(`line ${i + 1}: not JSON`);
            continue;
        }
        const { hash, ...rest } = r;
        if (sha256(JSON.stringify(rest)) !== hash) problems.push(`line ${i + 1} (seq ${r.seq}): its hash does not match its content`);
        if (r.prev !== prev)
            problems.push(`line ${i + 1} (seq ${r.seq}): does not follow the line before it (a line was changed, dropped or reordered)`);
        if (r.seq !== seq + 1) problems.push(`line ${i + 1}: seq ${r.seq} after ${seq}`);
        prev = hash;
        seq = Number(r.seq);
        records.push(r);
    }
    return { records, problems };
}

// --- State ---------------------------------------------------------------------------------------

/** @returns {State} */
function emptyState() {
    return { version: 1, files: {}, pending: {}, sftpOffsets: {}, sftpSessions: {}, sftpWrites: {} };
}

/** @param {string} dir @returns {State} */
function loadState(dir) {
    let text;
    try {
        text = fs.readFileSync(path.join(dir, STATE_FILE), "utf8");
    } catch (e) {
        if (/** @type {NodeJS.ErrnoException} */ (e).code === "ENOENT") return emptyState();
        throw e;
    }
    const s = JSON.parse(text);
    if (!s || s.version !== 1)
        throw new AuditError(`${path.join(dir, STATE_FILE)}: unknown state version ${JSON.stringify(s?.version)}`, EXIT.input);
    return { ...emptyState(), ...s };
}

/** Written whole or not at all (a crash between the log and the state repeats records, never loses them). @param {string} dir @param {State} state */
function saveState(dir, state) {
    const file = path.join(dir, STATE_FILE);
    const tmp = `${file}.tmp`;
    const fd = fs.openSync(tmp, "w", 0o640);
    try {
        fs.writeSync(fd, JSON.stringify(state));
        fs.fsyncSync(fd);
    } finally {
        fs.closeSync(fd);
    }
    fs.renameSync(tmp, file);
}

// --- sftp session logs ---------------------------------------------------------------------------

/**
 * One line of sftp-server's INFO log (OpenSSH's own format; paths as the client sent them).
 * @param {string} raw
 * @returns {{ op: string, path?: string, from?: string, to?: string, flags?: string[], written?: number, user?: string, client?: string, message?: string } | undefined}
 */
function parseSftpLine(raw) {
    // With -e, OpenSSH may prefix the program name and ends lines with \r.
    const line = raw.replace(/\r$/, "").replace(/^sftp-server(\[\d+\])?: /, "");
    let m;
    if ((m = /^session (opened|closed) for local user (\S+) from \[([^\]]*)\]$/.exec(line)))
        return { op: `session-${m[1]}`, user: m[2], client: m[3] };
    if ((m = /^open "(.*)" flags (\S+) mode 0?[0-7]+$/.exec(line))) return { op: "open", path: m[1], flags: m[2].split(",") };
    if ((m = /^(?:\S+ )*close "(.*)" bytes read \d+ written (\d+)$/.exec(line))) return { op: "close", path: m[1], written: Number(m[2]) };
    if ((m = /^(rename|posix-rename|hardlink|symlink) old "(.*)" new "(.*)"$/.exec(line))) return { op: m[1], from: m[2], to: m[3] };
    if ((m = /^(remove|rmdir) name "(.*)"$/.exec(line))) return { op: m[1], path: m[2] };
    if ((m = /^mkdir name "(.*)" mode 0?[0-7]+$/.exec(line))) return { op: "mkdir", path: m[1] };
    if ((m = /^set "(.*)" size \d+$/.exec(line))) return { op: "truncate", path: m[1] };
    if ((m = /^set "(.*)" (mode|modtime|owner|group|flags) /.exec(line))) return { op: `set-${m[2]}`, path: m[1] };
    if ((m = /^sent status (.*)$/.exec(line))) return { op: "status", message: m[1] };
    return undefined;
}

/**
 * A path an sftp client named, relative to the share; undefined when it lies outside.
 * @param {Settings} s @param {string} p
 */
function shareRelative(s, p) {
    const abs = path.posix.resolve(s.sftpRoot, p);
    const rel = path.posix.relative(s.sftpRoot, abs);
    if (rel === "" || rel.startsWith("..") || path.posix.isAbsolute(rel)) return undefined;
    return rel;
}

/**
 * Reads what every session logged since the last cycle; records each line and the paths it wrote.
 * @param {Settings} s @param {State} state @param {AuditLog} log @param {number} now @param {() => void} checkpoint
 */
function ingestSftpLogs(s, state, log, now, checkpoint) {
    let names;
    try {
        names = fs
            .readdirSync(s.sftpLogDir)
            .filter((n) => n.endsWith(".log"))
            .sort();
    } catch (e) {
        if (/** @type {NodeJS.ErrnoException} */ (e).code === "ENOENT") return;
        throw e;
    }
    for (const name of names) {
        const file = path.join(s.sftpLogDir, name);
        let st;
        try {
            st = fs.lstatSync(file);
        } catch {
            continue;
        }
        if (!st.isFile()) continue;
        let offset = state.sftpOffsets[name] ?? 0;
        if (st.size < offset) {
            log.add({ event: "sftp-log-truncated", session: name, before: offset, after: st.size });
            offset = 0;
        }
        if (st.size === offset) {
            state.sftpOffsets[name] = offset;
            continue;
        }
        // At most one chunk per session log per cycle: anyone in the Airlock can leave a sparse file of
        // any size here, and reading it whole would crash the writer on every start (the record would stop).
        let chunk = Buffer.alloc(Math.min(st.size - offset, SFTP_READ_CHUNK));
        try {
            const fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW | fs.constants.O_NONBLOCK);
            try {
                chunk = chunk.subarray(0, fs.readSync(fd, chunk, 0, chunk.length, offset));
            } finally {
                fs.closeSync(fd);
            }
        } catch (e) {
            // Swapped for a symlink or a FIFO since the lstat: recorded, never fatal.
            log.add({ event: "unreadable", path: `sftp-log/${name}`, error: /** @type {NodeJS.ErrnoException} */ (e).code ?? String(e) });
            continue;
        }
        // Only whole lines: a line the session is still writing waits for the next cycle.
        const end = chunk.lastIndexOf(0x0a);
        if (end < 0) {
            // A full chunk without a line end is no line sftp-server wrote: recorded short and skipped.
            if (chunk.length === SFTP_READ_CHUNK) {
                const who = state.sftpSessions[name] ?? { user: "?", client: "?" };
                log.add({
                    event: "sftp",
                    session: name,
                    ...who,
                    op: "unparsed",
                    bytes: chunk.length,
                    line: chunk.subarray(0, 200).toString("utf8"),
                });
                state.sftpOffsets[name] = offset + chunk.length;
            }
            continue;
        }
        state.sftpOffsets[name] = offset + end + 1;
        // sftp-server logs file names as the client sent them, line breaks included (OpenSSH escapes
        // neither CR nor LF on stderr): any sftp user can write what looks like more lines. The one line
        // no client can shape is the first, written before the client sends anything, so the session's
        // user and address come from it alone and never change afterwards.
        let first = offset === 0;
        for (const raw of chunk.subarray(0, end).toString("utf8").split("\n")) {
            if (raw.trim() === "") continue;
            const parsed = parseSftpLine(raw.slice(0, MAX_LINE));
            const isFirst = first;
            first = false;
            if (parsed?.op === "session-opened" && isFirst)
                state.sftpSessions[name] = { user: parsed.user ?? "?", client: parsed.client ?? "?" };
            const who = state.sftpSessions[name] ?? { user: "?", client: "?" };
            if (!parsed) {
                log.add({ event: "sftp", session: name, user: who.user, client: who.client, op: "unparsed", line: raw.slice(0, MAX_LINE) });
                continue;
            }
            const { op, ...rest } = parsed;
            // Only the first line opens the session; a later one is a file name posing as a line.
            const late = op === "session-opened" && !isFirst;
            if (op === "session-opened" || op === "session-closed") {
                delete rest.user;
                delete rest.client;
            }
            log.add({
                event: "sftp",
                session: name,
                user: who.user,
                client: who.client,
                op: late ? "forged-session-opened" : op,
                ...rest,
                ...(late ? { claims: { user: parsed.user, client: parsed.client } } : {}),
            });
            /** @param {string | undefined} p */
            const wrote = (p) => {
                const rel = p === undefined ? undefined : shareRelative(s, p);
                if (rel !== undefined) state.sftpWrites[rel] = { ...who, session: name, at: now };
            };
            if (op === "open" && parsed.flags?.some((f) => f === "WRITE" || f === "CREATE" || f === "APPEND" || f === "TRUNCATE"))
                wrote(parsed.path);
            if (op === "close" && (parsed.written ?? 0) > 0) wrote(parsed.path);
            if (op === "truncate") wrote(parsed.path);
            if (["rename", "posix-rename", "hardlink", "symlink"].includes(op)) wrote(parsed.to);
        }
        checkpoint();
    }
    // A session's identity is kept while its log exists (a forged "session closed" line ends nothing).
    const present = new Set(names);
    for (const name of Object.keys(state.sftpSessions)) if (!present.has(name)) delete state.sftpSessions[name];
    for (const [rel, w] of Object.entries(state.sftpWrites)) if (now - w.at > SFTP_WRITE_TTL_MS) delete state.sftpWrites[rel];
}

// --- The share -----------------------------------------------------------------------------------

/** @param {fs.Stats} st */
function typeOf(st) {
    if (st.isFile()) return "file";
    if (st.isSymbolicLink()) return "symlink";
    if (st.isDirectory()) return "directory";
    if (st.isFIFO()) return "fifo";
    if (st.isSocket()) return "socket";
    return "device";
}

/**
 * Opens the directory `rel` under `root` one component at a time, never following a symlink: root in
 * the Airlock can swap a directory for a symlink (to /, /proc, this pod's audit volume) at any moment,
 * and a path string would be resolved again, through the symlink, by every call that takes it. Names
 * under the returned descriptor are reached through /proc/self/fd, which pins the directory itself.
 * @param {string} root @param {string} rel @returns {number}
 */
function openDirNoFollow(root, rel) {
    const flags = fs.constants.O_RDONLY | fs.constants.O_DIRECTORY | fs.constants.O_NOFOLLOW;
    let fd = fs.openSync(root, fs.constants.O_RDONLY | fs.constants.O_DIRECTORY);
    for (const name of rel === "" ? [] : rel.split("/")) {
        try {
            const next = fs.openSync(`${fdPath(fd)}/${name}`, flags);
            fs.closeSync(fd);
            fd = next;
        } catch (e) {
            fs.closeSync(fd);
            throw e;
        }
    }
    return fd;
}

/** @param {number} fd */
const fdPath = (fd) => `/proc/self/fd/${fd}`;

/** A directory that changed while the walk reached it: the next cycle sees what it became. @param {unknown} e */
const changedUnderfoot = (e) => ["ENOENT", "ELOOP", "ENOTDIR"].includes(/** @type {NodeJS.ErrnoException} */ (e).code ?? "");

/** Every entry under the share but directories, by relative path (symlinks are never followed). @param {string} root */
function walk(root) {
    /** @type {Map<string, Entry>} */
    const out = new Map();
    /** @type {string[]} */
    const problems = [];
    const stack = [""];
    while (stack.length > 0) {
        const rel = /** @type {string} */ (stack.pop());
        let fd;
        let names;
        try {
            fd = openDirNoFollow(root, rel);
            names = fs.readdirSync(fdPath(fd));
        } catch (e) {
            if (fd !== undefined) fs.closeSync(fd);
            if (rel !== "" && changedUnderfoot(e)) continue;
            problems.push(`${rel || "."}: ${/** @type {NodeJS.ErrnoException} */ (e).code ?? e}`);
            continue;
        }
        try {
            for (const name of names) {
                const r = rel ? `${rel}/${name}` : name;
                const at = `${fdPath(fd)}/${name}`;
                let st;
                try {
                    st = fs.lstatSync(at);
                } catch {
                    continue; // gone since readdir: the next cycle sees it missing
                }
                const type = typeOf(st);
                if (type === "directory") {
                    stack.push(r);
                    continue;
                }
                /** @type {Entry} */
                const e = { type, size: st.size, mtimeMs: st.mtimeMs, ctimeMs: st.ctimeMs, ino: st.ino };
                if (type === "symlink") {
                    try {
                        e.target = fs.readlinkSync(at);
                    } catch {
                        e.target = "?";
                    }
                }
                out.set(r, e);
            }
        } finally {
            fs.closeSync(fd);
        }
    }
    return { entries: out, problems };
}

/** @param {Entry} a @param {Entry | undefined} b */
// ctime too: root can put a file's size and mtime back after changing it, but nobody can set its ctime.
const sameEntry = (a, b) =>
    b !== undefined &&
    a.type === b.type &&
    a.size === b.size &&
    a.mtimeMs === b.mtimeMs &&
    a.ctimeMs === b.ctimeMs &&
    a.ino === b.ino &&
    a.target === b.target;

/**
 * The sha256 of the regular file `rel`, reached without following any symlink on the way and read
 * without blocking on special files; undefined when it is no longer the entry the walk saw, or changed
 * while being read (it is then still settling). @param {string} root @param {string} rel @param {Entry} expected
 * @returns {Promise<string | undefined>}
 */
async function hashFile(root, rel, expected) {
    const dir = openDirNoFollow(root, path.posix.dirname(rel) === "." ? "" : path.posix.dirname(rel));
    let fd;
    try {
        fd = fs.openSync(
            `${fdPath(dir)}/${path.posix.basename(rel)}`,
            fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW | fs.constants.O_NONBLOCK,
        );
    } finally {
        fs.closeSync(dir);
    }
    /** @param {fs.Stats} st */
    const unchanged = (st) =>
        st.isFile() &&
        st.ino === expected.ino &&
        st.size === expected.size &&
        st.mtimeMs === expected.mtimeMs &&
        st.ctimeMs === expected.ctimeMs;
    try {
        if (!unchanged(fs.fstatSync(fd))) return undefined;
        const hash = crypto.createHash("sha256");
        const buf = Buffer.alloc(1 << 20);
        for (;;) {
            const n = await new Promise((resolve, reject) =>
                fs.read(fd, buf, 0, buf.length, null, (e, bytes) => (e ? reject(e) : resolve(bytes))),
            );
            if (n === 0) break;
            hash.update(buf.subarray(0, /** @type {number} */ (n)));
        }
        if (!unchanged(fs.fstatSync(fd))) return undefined;
        return hash.digest("hex");
    } finally {
        fs.closeSync(fd);
    }
}

/** The route of a change at `rel`: the sftp session that wrote it, or the Airlock itself. @param {State} state @param {string} rel @returns {Route} */
function routeOf(state, rel) {
    const w = state.sftpWrites[rel];
    if (!w) return { via: "airlock" };
    delete state.sftpWrites[rel];
    return { via: "sftp", user: w.user, client: w.client, session: w.session };
}

/**
 * Compares the share with what was recorded and records the differences (see the file comment).
 * @param {Settings} s @param {State} state @param {AuditLog} log @param {number} now @param {() => void} checkpoint
 */
async function scanShare(s, state, log, now, checkpoint) {
    const { entries, problems } = walk(s.watchDir);
    for (const p of problems) log.add({ event: "unreadable", path: p });
    /** @param {string} rel @param {Entry} e @param {boolean} settled */
    const record = async (rel, e, settled) => {
        let sha;
        if (e.type === "file") {
            sha = await hashFile(s.watchDir, rel, e).catch(() => undefined);
            if (sha === undefined && settled) return false; // changed while hashed: still settling
        }
        const known = state.files[rel];
        log.add({
            event: known ? "file-changed" : "file-added",
            path: rel,
            type: e.type,
            size: e.size,
            ...(sha ? { sha256: sha } : {}),
            ...(e.target !== undefined ? { target: e.target } : {}),
            mtime: new Date(e.mtimeMs).toISOString(),
            ...(settled ? {} : { settled: false }),
            route: routeOf(state, rel),
        });
        state.files[rel] = { ...e, ...(sha ? { sha256: sha } : {}) };
        delete state.pending[rel];
        return true;
    };
    for (const [rel, e] of [...entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
        const known = state.files[rel];
        // A state saved before ctime was kept: take the ctime of what is otherwise unchanged.
        if (known && known.ctimeMs === undefined && sameEntry(e, { ...known, ctimeMs: e.ctimeMs })) known.ctimeMs = e.ctimeMs;
        if (sameEntry(e, known)) {
            delete state.pending[rel];
            continue;
        }
        const pending = state.pending[rel];
        if (pending && sameEntry(e, pending)) {
            await record(rel, e, true);
        } else if (pending && now - pending.firstSeen >= s.maxPendingMs) {
            await record(rel, e, false);
        } else {
            state.pending[rel] = { ...e, firstSeen: pending?.firstSeen ?? now };
        }
        checkpoint();
    }
    for (const [rel, k] of Object.entries(state.files)) {
        if (entries.has(rel)) continue;
        log.add({ event: "file-removed", path: rel, type: k.type, size: k.size, ...(k.sha256 ? { sha256: k.sha256 } : {}) });
        delete state.files[rel];
        checkpoint();
    }
    for (const [rel, p] of Object.entries(state.pending)) {
        if (entries.has(rel)) continue;
        log.add({
            event: "file-vanished",
            path: rel,
            type: p.type,
            size: p.size,
            firstSeen: new Date(p.firstSeen).toISOString(),
            route: routeOf(state, rel),
        });
        delete state.pending[rel];
        checkpoint();
    }
}

/** One cycle: sftp logs, then the share; the log is durable before the state moves on. @param {Settings} s @param {State} state @param {AuditLog} log @param {number} now */
async function cycle(s, state, log, now) {
    // Between two records and their state changes, the log may be made durable and the state saved.
    const checkpoint = () => {
        if (log.batch.length < MAX_BATCH) return;
        log.flush();
        saveState(s.logDir, state);
    };
    ingestSftpLogs(s, state, log, now, checkpoint);
    await scanShare(s, state, log, now, checkpoint);
    log.flush();
    saveState(s.logDir, state);
}

// --- Commands ------------------------------------------------------------------------------------

/**
 * @param {string[]} argv @param {NodeJS.ProcessEnv} env @param {Io} io
 * @param {{ signal?: AbortSignal }} [opts]
 * @returns {Promise<number>}
 */
async function main(argv, env, io, opts = {}) {
    const now = io.now ?? Date.now;
    const command = argv[0] ?? "run";
    try {
        if (command === "show") {
            const dir = env.AUDIT_LOG_DIR;
            if (!dir) throw new AuditError("AUDIT_LOG_DIR is not set", EXIT.input);
            let text = "";
            try {
                text = fs.readFileSync(path.join(dir, LOG_FILE), "utf8");
            } catch (e) {
                if (/** @type {NodeJS.ErrnoException} */ (e).code !== "ENOENT") throw e;
            }
            const { records, problems } = verifyLog(text);
            for (const r of records) io.out(JSON.stringify(r));
            for (const p of problems) io.err(`audit log ${path.join(dir, LOG_FILE)}: ${p}`);
            io.err(`${records.length} records; hash chain ${problems.length === 0 ? "intact" : `BROKEN (${problems.length} problems)`}`);
            return problems.length === 0 ? 0 : EXIT.broken;
        }
        if (command !== "run" && command !== "once")
            throw new AuditError(`unknown command ${JSON.stringify(command)} (run, once, show)`, EXIT.input);
        const s = readSettings(env);
        for (const d of [s.watchDir, s.logDir])
            if (!fs.statSync(d).isDirectory()) throw new AuditError(`${d} is not a directory`, EXIT.input);
        const state = loadState(s.logDir);
        const log = new AuditLog(s.logDir, now);
        if (command === "once") {
            await cycle(s, state, log, now());
            return 0;
        }
        log.add({ event: "writer-started", watchDir: s.watchDir, sftpLogDir: s.sftpLogDir, intervalSeconds: s.intervalMs / 1000 });
        io.out(`airlock audit: watching ${s.watchDir} every ${s.intervalMs / 1000} s, log ${path.join(s.logDir, LOG_FILE)}`);
        // inotify, where the volume supports it, only makes the next cycle come sooner; the cycles are the guarantee.
        let wake = () => {};
        try {
            const watcher = fs.watch(s.watchDir, { recursive: true, persistent: false }, () => wake());
            watcher.on("error", () => {});
            opts.signal?.addEventListener("abort", () => watcher.close());
        } catch {
            io.out("airlock audit: no file-change notifications on this volume; scanning on the interval only");
        }
        while (!opts.signal?.aborted) {
            await cycle(s, state, log, now());
            await new Promise((resolve) => {
                const timer = setTimeout(resolve, s.intervalMs);
                // A burst of changes wakes the writer once, a second later (files are recorded once settled anyway).
                wake = () => {
                    clearTimeout(timer);
                    setTimeout(resolve, Math.min(1000, s.intervalMs));
                    wake = () => {};
                };
                opts.signal?.addEventListener("abort", () => resolve(undefined));
            });
        }
        return 0;
    } catch (e) {
        if (e instanceof AuditError) {
            io.err(`airlock audit: ${e.message}`);
            return e.exitCode;
        }
        io.err(`airlock audit: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
        return 1;
    }
}

module.exports = { main, readSettings, parseSftpLine, verifyLog, EXIT, LOG_FILE, STATE_FILE };

if (require.main === module) {
    main(process.argv.slice(2), process.env, { out: (l) => console.log(l), err: (l) => console.error(l) }).then((code) => {
        process.exitCode = code;
    });
}
