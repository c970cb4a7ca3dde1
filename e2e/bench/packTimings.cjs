// Preload (NODE_OPTIONS=--require) of `npm run bench:preview`: in the policy pack's process, which
// the engine starts through @pulumi/pulumi's run-policy-pack, it times every Analyzer call the pack
// serves (from the request reaching the handler to its answer) and when the process started, and writes
// them to $TORCHPOD_BENCH_PACK_TIMINGS as JSON. Every other node process (the program, the language
// host's helpers) is left alone. It never ships in the pack.
"use strict";
const fs = require("fs");
const path = require("path");

const out = process.env.TORCHPOD_BENCH_PACK_TIMINGS;
const isPack = process.argv.some((a) => a.includes(`run-policy-pack${path.sep}`) || a.endsWith("run-policy-pack"));

if (out && isPack) {
    const { performance } = require("perf_hooks");
    // The gRPC server the pack serves on is @pulumi/policy's, so patch the copy that package loads.
    const policyDir = path.dirname(require.resolve("@pulumi/policy/package.json", { paths: [process.cwd()] }));
    const grpc = require(require.resolve("@grpc/grpc-js", { paths: [policyDir] }));
    const timings = {
        // Epoch milliseconds, comparable with the bench's own clock.
        processStart: performance.timeOrigin,
        firstAnswer: undefined,
        calls: {},
    };
    const save = () => fs.writeFileSync(out, JSON.stringify(timings));
    let pending;
    const saveSoon = () => {
        if (pending === undefined) pending = setTimeout(() => ((pending = undefined), save()), 200).unref();
    };
    const addService = grpc.Server.prototype.addService;
    grpc.Server.prototype.addService = function (service, implementation) {
        const timed = {};
        for (const [method, handler] of Object.entries(implementation)) {
            timed[method] = function (call, callback) {
                const started = performance.now();
                return handler.call(this, call, (err, res) => {
                    const ms = performance.now() - started;
                    const c = (timings.calls[method] ??= { count: 0, ms: 0, maxMs: 0 });
                    c.count++;
                    c.ms += ms;
                    c.maxMs = Math.max(c.maxMs, ms);
                    if (timings.firstAnswer === undefined) timings.firstAnswer = performance.timeOrigin + performance.now();
                    callback(err, res);
                    // AnalyzeStack is the engine's last call; the process is stopped soon after it.
                    if (method === "analyzeStack") save();
                    else saveSoon();
                });
            };
        }
        return addService.call(this, service, timed);
    };
}
