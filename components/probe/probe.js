#!/usr/bin/env node
// @ts-check
// The enforcement probe: runs in a pod that carries TorchPod labels, so the TorchPod NetworkPolicies
// apply to it, and proves, before any TorchPod starts, that the cluster enforces them (fail closed).
// Plain Node.js, no dependencies: it runs from a ConfigMap in a small pinned node image.
//
//   node probe.js                 checks the targets in $PROBE_CONFIG (JSON, see below); exit 0 when
//                                 every must-reach target answers and no must-not-reach target does,
//                                 1 otherwise, 2 when the configuration is unusable
//   node probe.js --serve PORT    a TCP listener that accepts and closes connections: the stand-in
//                                 TorchPod the probe must not reach
//
// $PROBE_CONFIG: {
//   "timeoutMs": 3000,              how long one attempt may take
//   "reachRetrySeconds": 120,       how long must-reach targets are retried (MLab may still be starting)
//   "isolationSettleSeconds": 30,   how long a must-not-reach target that answers is tried again: a network
//                                   plugin isolates a new pod a moment after it starts (it learns the pod's
//                                   address first), so only a target that still answers then is a leak
//   "mustReach":    [{ "name", "host", "port", "kind": "tcp" }],
//   "mustNotReach": [{ "name", "host", "port", "kind": "tcp" | "dns-udp" }]
// }
// A TCP connect that completes means reachable; refused, unreachable or timed out means blocked.
// `dns-udp` sends a real DNS query and treats any answer as reachable.
"use strict";

const dgram = require("dgram");
const fs = require("fs");
const net = require("net");

const NO_ENFORCEMENT = "this cluster's network plugin does not enforce NetworkPolicy (e.g. flannel): refusing to start TorchPods";

/**
 * @typedef {{ name: string; host: string; port: number; kind: "tcp" | "dns-udp" }} Target
 * @typedef {{ timeoutMs: number; reachRetrySeconds: number; isolationSettleSeconds: number; mustReach: Target[]; mustNotReach: Target[] }} Config
 * @typedef {{ reachable: boolean; detail: string }} Outcome
 */

/** @param {string} why */
function configError(why) {
    return new Error(`probe: bad PROBE_CONFIG: ${why}`);
}

/**
 * @param {unknown} raw
 * @returns {Config}
 */
function parseConfig(raw) {
    if (!raw || typeof raw !== "object") throw configError("not a JSON object");
    const o = /** @type {Record<string, unknown>} */ (raw);
    /** @param {unknown} list @param {string} field @returns {Target[]} */
    const targets = (list, field) => {
        if (!Array.isArray(list)) throw configError(`${field} must be a list`);
        return list.map((t, i) => {
            const where = `${field}[${i}]`;
            if (!t || typeof t !== "object") throw configError(`${where} is not an object`);
            const { name, host, port, kind } = /** @type {Record<string, unknown>} */ (t);
            if (typeof name !== "string" || name === "") throw configError(`${where}.name must be a string`);
            if (typeof host !== "string" || net.isIP(host) === 0)
                throw configError(`${where}.host must be an IP address (the probe has no DNS), got ${JSON.stringify(host)}`);
            if (typeof port !== "number" || !Number.isInteger(port) || port < 1 || port > 65535)
                throw configError(`${where}.port must be 1-65535`);
            const k = kind ?? "tcp";
            if (k !== "tcp" && k !== "dns-udp") throw configError(`${where}.kind must be tcp or dns-udp`);
            return { name, host, port, kind: /** @type {"tcp" | "dns-udp"} */ (k) };
        });
    };
    const timeoutMs = o.timeoutMs ?? 3000;
    const reachRetrySeconds = o.reachRetrySeconds ?? 120;
    const isolationSettleSeconds = o.isolationSettleSeconds ?? 30;
    if (typeof timeoutMs !== "number" || !(timeoutMs > 0)) throw configError("timeoutMs must be a positive number");
    if (typeof reachRetrySeconds !== "number" || !(reachRetrySeconds >= 0)) throw configError("reachRetrySeconds must be >= 0");
    if (typeof isolationSettleSeconds !== "number" || !(isolationSettleSeconds >= 0))
        throw configError("isolationSettleSeconds must be >= 0");
    const mustReach = targets(o.mustReach ?? [], "mustReach");
    const mustNotReach = targets(o.mustNotReach ?? [], "mustNotReach");
    if (mustReach.length === 0) throw configError("mustReach is empty: without a positive control a broken network looks locked down");
    return { timeoutMs, reachRetrySeconds, isolationSettleSeconds, mustReach, mustNotReach };
}

/**
 * One TCP connection attempt.
 * @param {string} host @param {number} port @param {number} timeoutMs
 * @returns {Promise<Outcome>}
 */
function tcpCheck(host, port, timeoutMs) {
    return new Promise((resolve) => {
        const socket = net.connect({ host, port });
        /** @param {Outcome} o */
        const done = (o) => {
            clearTimeout(timer);
            socket.destroy();
            resolve(o);
        };
        const timer = setTimeout(() => done({ reachable: false, detail: `no answer within ${timeoutMs} ms` }), timeoutMs);
        socket.once("connect", () => done({ reachable: true, detail: "TCP connection accepted" }));
        socket.once("error", (/** @type {NodeJS.ErrnoException} */ e) => done({ reachable: false, detail: e.code ?? e.message }));
    });
}

/**
 * A DNS query (kubernetes.default.svc.cluster.local, A, recursion desired); any answer means reachable.
 * @param {string} host @param {number} port @param {number} timeoutMs
 * @returns {Promise<Outcome>}
 */
function dnsUdpCheck(host, port, timeoutMs) {
    return new Promise((resolve) => {
        const socket = dgram.createSocket(net.isIPv6(host) ? "udp6" : "udp4");
        const id = Math.floor(Math.random() * 0x10000);
        const labels = "kubernetes.default.svc.cluster.local".split(".");
        const question = Buffer.concat([
            ...labels.map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l, "ascii")])),
            Buffer.from([0, 0, 1, 0, 1]), // root label, QTYPE A, QCLASS IN
        ]);
        const header = Buffer.from([id >> 8, id & 0xff, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0]);
        const query = Buffer.concat([header, question]);
        let finished = false;
        /** @param {Outcome} o */
        const done = (o) => {
            if (finished) return;
            finished = true;
            clearTimeout(timer);
            try {
                socket.close();
            } catch {
                /* already closed */
            }
            resolve(o);
        };
        const timer = setTimeout(() => done({ reachable: false, detail: `no DNS answer within ${timeoutMs} ms` }), timeoutMs);
        socket.on("message", (msg) => done({ reachable: true, detail: `DNS answered (${msg.length} bytes)` }));
        // A connected UDP socket reports ICMP port-unreachable as ECONNREFUSED: blocked.
        socket.on("error", (e) => done({ reachable: false, detail: /** @type {NodeJS.ErrnoException} */ (e).code ?? e.message }));
        socket.connect(port, host, () =>
            socket.send(query, (e) => {
                if (e) done({ reachable: false, detail: /** @type {NodeJS.ErrnoException} */ (e).code ?? e.message });
            }),
        );
    });
}

/** @param {Target} t @param {number} timeoutMs */
function check(t, timeoutMs) {
    return t.kind === "dns-udp" ? dnsUdpCheck(t.host, t.port, timeoutMs) : tcpCheck(t.host, t.port, timeoutMs);
}

/** @param {Target} t */
function describe(t) {
    const host = net.isIPv6(t.host) ? `[${t.host}]` : t.host;
    return `${t.name} (${host}:${t.port} ${t.kind === "dns-udp" ? "UDP, DNS query" : "TCP"})`;
}

/**
 * Retries a must-reach target until it answers or the retry window closes.
 * @param {Target} t @param {Config} config
 * @returns {Promise<Outcome>}
 */
async function reach(t, config) {
    const deadline = Date.now() + config.reachRetrySeconds * 1000;
    for (;;) {
        const o = await check(t, config.timeoutMs);
        if (o.reachable || Date.now() >= deadline) return o;
        await new Promise((r) => setTimeout(r, Math.min(2000, Math.max(50, deadline - Date.now()))));
    }
}

/**
 * Checks a must-not-reach target until it is blocked or the settle window closes: the network plugin
 * isolates a new pod a moment after it starts, so an early answer alone is no leak. Never retried past the
 * window, so a plugin that enforces nothing (flannel) still fails the probe.
 * @param {Target} t @param {Config} config
 * @returns {Promise<Outcome>}
 */
async function staysBlocked(t, config) {
    const deadline = Date.now() + config.isolationSettleSeconds * 1000;
    let answered = 0;
    for (;;) {
        const o = await check(t, config.timeoutMs);
        if (!o.reachable)
            return answered === 0
                ? o
                : { reachable: false, detail: `${o.detail}; it answered ${answered} time(s) before this pod was isolated` };
        answered++;
        if (Date.now() >= deadline) return o;
        await new Promise((r) => setTimeout(r, Math.min(1000, Math.max(50, deadline - Date.now()))));
    }
}

/**
 * Runs every check; returns the exit code and the report lines.
 * @param {Config} config
 * @returns {Promise<{ code: number; lines: string[]; failure?: string }>}
 */
async function run(config) {
    /** @type {string[]} */
    const lines = [];
    const [reached, leaked] = await Promise.all([
        Promise.all(config.mustReach.map((t) => reach(t, config))),
        Promise.all(config.mustNotReach.map((t) => staysBlocked(t, config))),
    ]);
    /** @type {string[]} */
    const problems = [];
    config.mustReach.forEach((t, i) => {
        const o = reached[i];
        lines.push(`${o.reachable ? "ok  " : "FAIL"} must reach     ${describe(t)}: ${o.detail}`);
        if (!o.reachable)
            problems.push(`cannot reach ${t.name} — the lock-down is too tight or ${t.name} is down (${describe(t)}: ${o.detail})`);
    });
    /** @type {string[]} */
    const leaks = [];
    config.mustNotReach.forEach((t, i) => {
        const o = leaked[i];
        lines.push(`${o.reachable ? "LEAK" : "ok  "} must not reach ${describe(t)}: ${o.reachable ? o.detail : `blocked (${o.detail})`}`);
        if (o.reachable) leaks.push(describe(t));
    });
    if (leaks.length > 0) {
        problems.push(
            `a pod with TorchPod labels reached: ${leaks.join(", ")}. ${NO_ENFORCEMENT} (or the lock-down NetworkPolicies are missing)`,
        );
    }
    if (problems.length === 0) {
        lines.push("enforcement probe passed: MLab answers (every must-reach target) and every forbidden target is blocked");
        return { code: 0, lines };
    }
    return { code: 1, lines, failure: `enforcement probe FAILED: ${problems.join("; ")}` };
}

/** @param {string} message */
function writeTerminationMessage(message) {
    const file = process.env.PROBE_TERMINATION_LOG ?? "/dev/termination-log";
    try {
        fs.writeFileSync(file, message.slice(0, 4000));
    } catch {
        // Not in a pod (or read-only): stderr carries the message anyway.
    }
}

/** @param {number} port */
function serve(port) {
    const server = net.createServer((socket) => socket.end());
    server.listen(port, () => console.log(`probe target listening on TCP ${port}`));
    // PID 1 gets no default signal handling: exit promptly when the pod is stopped.
    for (const sig of /** @type {const} */ (["SIGTERM", "SIGINT"])) process.on(sig, () => server.close(() => process.exit(0)));
}

async function main() {
    const args = process.argv.slice(2);
    if (args[0] === "--serve") {
        const port = Number(args[1]);
        if (!Number.isInteger(port) || port < 1 || port > 65535) {
            console.error("usage: probe.js --serve PORT");
            process.exit(2);
        }
        serve(port);
        return;
    }
    /** @type {Config} */
    let config;
    try {
        const text = process.env.PROBE_CONFIG;
        if (!text) throw configError("PROBE_CONFIG is not set");
        let raw;
        try {
            raw = JSON.parse(text);
        } catch (e) {
            throw configError(`not JSON: ${/** @type {Error} */ (e).message}`);
        }
        config = parseConfig(raw);
    } catch (e) {
        const message = `${/** @type {Error} */ (e).message}; refusing to start TorchPods`;
        console.error(message);
        writeTerminationMessage(message);
        process.exit(2);
    }
    const result = await run(config);
    for (const l of result.lines) console.log(l);
    if (result.failure) {
        console.error(result.failure);
        writeTerminationMessage(result.failure);
    }
    process.exit(result.code);
}

if (require.main === module) {
    main().catch((e) => {
        const message = `enforcement probe crashed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}; refusing to start TorchPods`;
        console.error(message);
        writeTerminationMessage(message);
        process.exit(1);
    });
}

module.exports = { parseConfig, run, NO_ENFORCEMENT };
