#!/usr/bin/env node
// The live tier's "internet": runs inside the run's internet network namespace (e2e/live/node.sh), on
// every address of it (198.51.100.10, .20, .53 and the metadata address 169.254.169.254), and records
// every request and DNS query it gets in DIR/requests.log (one JSON object a line, with the client's
// address), so a test can show who reached it and who did not.
//
//   node internet.mjs --dir DIR --addresses "IP..."   (the namespace's addresses, for DNS over UDP)
//     :443  https (DIR/server.crt, for github.com) serving the bare repositories under DIR/git read-only
//           through `git http-backend` (smart HTTP): https://github.com/DeepVAC/deepvac
//     :80   http: /datasets/sample.txt is a file to fetch; every other path answers "sink"
//     :53   DNS over UDP and TCP: github.com -> 198.51.100.10, sink.example.test -> 198.51.100.20,
//           NXDOMAIN for every other name (it forwards nothing)
//   It writes DIR/ready once listening.
import { spawn } from "node:child_process";
import dgram from "node:dgram";
import { appendFileSync, readFileSync, writeFileSync } from "node:fs";
import http from "node:http";
import https from "node:https";
import net from "node:net";
import { join } from "node:path";
import { parseArgs } from "node:util";

const { values } = parseArgs({ options: { dir: { type: "string" }, addresses: { type: "string" } } });
const dir = values.dir;
const addresses = values.addresses.split(/\s+/).filter(Boolean);
const LOG = join(dir, "requests.log");
export const SAMPLE = "torchpod live tier: a dataset fetched from the internet\n";
const NAMES = { "github.com": "198.51.100.10", "sink.example.test": "198.51.100.20" };

function record(entry) {
    appendFileSync(LOG, JSON.stringify({ time: new Date().toISOString(), ...entry }) + "\n");
}
const remote = (sock) => (sock.remoteAddress ?? "").replace(/^::ffff:/, "");
const local = (sock) => (sock.localAddress ?? "").replace(/^::ffff:/, "");

function gitBackend(req, res) {
    const url = new URL(req.url, "https://github.com");
    const child = spawn("git", ["http-backend"], {
        env: {
            PATH: process.env.PATH,
            GIT_PROJECT_ROOT: join(dir, "git"),
            GIT_HTTP_EXPORT_ALL: "1",
            PATH_INFO: decodeURIComponent(url.pathname.replace(/^\/([^/]+)\/([^/]+?)(\.git)?(\/|$)/, "/$1/$2.git$4")),
            QUERY_STRING: url.search.replace(/^\?/, ""),
            REQUEST_METHOD: req.method,
            CONTENT_TYPE: req.headers["content-type"] ?? "",
            REMOTE_ADDR: remote(req.socket),
            GIT_HTTP_MAX_REQUEST_BUFFER: "100M",
            HTTP_GIT_PROTOCOL: req.headers["git-protocol"] ?? "",
        },
    });
    req.pipe(child.stdin);
    child.stdin.on("error", () => {});
    let buf = Buffer.alloc(0);
    let headersDone = false;
    child.stdout.on("data", (d) => {
        if (headersDone) return void res.write(d);
        buf = Buffer.concat([buf, d]);
        const i = buf.indexOf("\r\n\r\n");
        const j = i >= 0 ? i : buf.indexOf("\n\n");
        if (j < 0) return;
        const head = buf.subarray(0, j).toString("utf8");
        const body = buf.subarray(j + (i >= 0 ? 4 : 2));
        let status = 200;
        for (const line of head.split(/\r?\n/)) {
            const k = line.indexOf(":");
            const name = line.slice(0, k).trim();
            const value = line.slice(k + 1).trim();
            if (name.toLowerCase() === "status") status = Number(value.split(" ")[0]);
            else res.setHeader(name, value);
        }
        res.statusCode = status;
        headersDone = true;
        res.write(body);
    });
    child.on("close", () => res.end());
}

const httpsServer = https.createServer(
    { key: readFileSync(join(dir, "server.key")), cert: readFileSync(join(dir, "server.crt")) },
    (req, res) => {
        record({ proto: "https", local: local(req.socket), remote: remote(req.socket), method: req.method, url: req.url });
        gitBackend(req, res);
    },
);
const httpServer = http.createServer((req, res) => {
    record({
        proto: "http",
        local: local(req.socket),
        remote: remote(req.socket),
        method: req.method,
        url: req.url,
        host: req.headers.host,
    });
    req.resume();
    if (req.url === "/datasets/sample.txt") return void res.end(SAMPLE);
    res.end(local(req.socket) === "169.254.169.254" ? "metadata stand-in\n" : "sink\n");
});

function dnsAnswer(query) {
    if (query.length < 12) return undefined;
    let off = 12;
    const labels = [];
    while (off < query.length && query[off] !== 0) {
        const len = query[off];
        labels.push(query.subarray(off + 1, off + 1 + len).toString("ascii"));
        off += len + 1;
    }
    const qname = labels.join(".").toLowerCase();
    const qtype = query.readUInt16BE(off + 1);
    const question = query.subarray(12, off + 5);
    const ip = qtype === 1 ? NAMES[qname] : undefined;
    const known = qname in NAMES;
    const header = Buffer.from([query[0], query[1], 0x81, known ? 0x80 : 0x83, 0, 1, 0, ip ? 1 : 0, 0, 0, 0, 0]);
    const answer = ip
        ? Buffer.concat([Buffer.from([0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 30, 0, 4]), Buffer.from(ip.split(".").map(Number))])
        : Buffer.alloc(0);
    return { qname, response: Buffer.concat([header, question, answer]) };
}

// One UDP socket per address: an answer must come from the address the query went to (a socket bound to
// 0.0.0.0 would answer from the link's address, and a client's connected socket would drop that).
const udps = addresses.map((address) => {
    const udp = dgram.createSocket("udp4");
    udp.on("message", (msg, rinfo) => {
        const a = dnsAnswer(msg);
        if (!a) return;
        record({ proto: "dns-udp", local: address, remote: rinfo.address, qname: a.qname });
        udp.send(a.response, rinfo.port, rinfo.address);
    });
    return { udp, address };
});
const tcpDns = net.createServer((sock) => {
    let buf = Buffer.alloc(0);
    sock.on("data", (d) => {
        buf = Buffer.concat([buf, d]);
        while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
            const msg = buf.subarray(2, 2 + buf.readUInt16BE(0));
            buf = buf.subarray(2 + msg.length);
            const a = dnsAnswer(msg);
            if (!a) continue;
            record({ proto: "dns-tcp", remote: remote(sock), qname: a.qname });
            const len = Buffer.alloc(2);
            len.writeUInt16BE(a.response.length);
            sock.write(Buffer.concat([len, a.response]));
        }
    });
    sock.on("error", () => {});
});

await Promise.all([
    new Promise((r) => httpsServer.listen(443, "0.0.0.0", r)),
    new Promise((r) => httpServer.listen(80, "0.0.0.0", r)),
    ...udps.map(({ udp, address }) => new Promise((r) => udp.bind(53, address, r))),
    new Promise((r) => tcpDns.listen(53, "0.0.0.0", r)),
]);
writeFileSync(LOG, "");
writeFileSync(join(dir, "ready"), "");
console.log("internet: https :443 (git), http :80 (sink), dns :53");
for (const sig of ["SIGTERM", "SIGINT"]) process.on(sig, () => process.exit(0));
