// Preload (NODE_OPTIONS=--require) of `npm run bench:preview --prof DIR`: Node 20 refuses --cpu-prof in
// NODE_OPTIONS, so each node process the engine starts (the program, the policy pack) profiles itself
// through the inspector and writes DIR/<role>-<pid>.cpuprofile when it exits or is told to stop.
"use strict";
const fs = require("fs");
const path = require("path");
const inspector = require("inspector");

const dir = process.env.TORCHPOD_BENCH_PROF_DIR;
const role = process.argv.some((a) => a.includes("run-policy-pack"))
    ? "pack"
    : process.argv.some((a) => /cmd[\\/]run\b/.test(a))
      ? "program"
      : undefined;

if (dir && role) {
    const session = new inspector.Session();
    session.connect();
    session.post("Profiler.enable");
    session.post("Profiler.setSamplingInterval", { interval: 1000 });
    session.post("Profiler.start");
    let written = false;
    const write = () => {
        if (written) return;
        written = true;
        // The in-process session answers synchronously, so this works from an exit handler.
        session.post("Profiler.stop", (err, result) => {
            if (!err) fs.writeFileSync(path.join(dir, `${role}-${process.pid}.cpuprofile`), JSON.stringify(result.profile));
        });
    };
    process.on("exit", write);
    for (const signal of ["SIGTERM", "SIGINT"]) {
        process.once(signal, () => {
            write();
            process.exit(128 + (signal === "SIGTERM" ? 15 : 2));
        });
    }
}
