// Mocha's spec reporter; at the end it writes `passed failed` to $TORCHPOD_E2E_RESULT so e2e/run.sh can end the
// run with the plain line `N passed, N failed` after its timings.
"use strict";
const fs = require("fs");
const Spec = require("mocha/lib/reporters/spec");
const { EVENT_RUN_END } = require("mocha/lib/runner").constants;

class E2eReporter extends Spec {
    constructor(runner, options) {
        super(runner, options);
        runner.once(EVENT_RUN_END, () => {
            const { passes, failures } = this.stats;
            if (process.env.TORCHPOD_E2E_RESULT) fs.writeFileSync(process.env.TORCHPOD_E2E_RESULT, `${passes} ${failures}\n`);
        });
    }
}

module.exports = E2eReporter;
