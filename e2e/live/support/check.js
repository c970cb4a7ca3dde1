// Connection attempts from inside a pod: run there as `node -e <this file> '<targets JSON>' TIMEOUT_MS`, it prints
// one JSON array of {reachable, detail}, one per target, in order. Plain Node.js, no dependencies.
//   target: {host, port, kind: "tcp" | "dns-udp" | "dns-tcp"}
// tcp: a completed TCP handshake means reachable. dns-*: any DNS answer to a real query means reachable.
"use strict";
const dgram = require("dgram");
const net = require("net");

const targets = JSON.parse(process.argv[process.argv.length - 2]);
const timeoutMs = Number(process.argv[process.argv.length - 1]);

function query() {
    const name = Buffer.concat([
        ..."kubernetes.default.svc.cluster.local".split(".").map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l)])),
        Buffer.from([0, 0, 1, 0, 1]),
    ]);
    const id = Math.floor(Math.random() * 0x10000);
    return Buffer.concat([Buffer.from([id >> 8, id & 255, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0]), name]);
}

function tcp(t, payload) {
    return new Promise((resolve) => {
        const s = net.connect({ host: t.host, port: t.port });
        let settled = false;
        const done = (reachable, detail) => {
            if (settled) return;
            settled = true;
            clearTimeout(timer);
            s.destroy();
            resolve({ reachable, detail });
        };
        const timer = setTimeout(() => done(false, `no answer within ${timeoutMs} ms`), timeoutMs);
        s.once("error", (e) => done(false, e.code || e.message));
        s.once("connect", () => {
            if (!payload) return done(true, "TCP connection accepted");
            const len = Buffer.alloc(2);
            len.writeUInt16BE(payload.length);
            s.write(Buffer.concat([len, payload]));
            s.once("data", (d) => done(true, `DNS answered over TCP (${d.length} bytes)`));
        });
    });
}

function udp(t) {
    return new Promise((resolve) => {
        const s = dgram.createSocket("udp4");
        let settled = false;
        const done = (reachable, detail) => {
            if (settled) return;
            settled = true;
            clearTimeout(timer);
            try {
                s.close();
            } catch {
                /* closed */
            }
            resolve({ reachable, detail });
        };
        const timer = setTimeout(() => done(false, `no DNS answer within ${timeoutMs} ms`), timeoutMs);
        s.on("message", (m) => done(true, `DNS answered (${m.length} bytes)`));
        s.on("error", (e) => done(false, e.code || e.message));
        s.connect(t.port, t.host, () => s.send(query(), (e) => e && done(false, e.code || e.message)));
    });
}

Promise.all(targets.map((t) => (t.kind === "dns-udp" ? udp(t) : tcp(t, t.kind === "dns-tcp" ? query() : undefined)))).then((r) => {
    process.stdout.write(JSON.stringify(r) + "\n");
    process.exit(0);
});
