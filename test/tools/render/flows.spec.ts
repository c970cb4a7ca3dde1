// Render's who-may-talk-to-whom flows for the traffic table's rows that only some stacks have: the
// working-hours schedule, which reaches the API server by its Service IP and the control plane's addresses.
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { render, RenderResult } from "../../../tools/render/render";
import { devStackConfig } from "../../mocks";

/** Pulumi.<stack>.yaml from raw config values (JSON is YAML). */
function writeStackFile(dir: string, stack: string, raw: Record<string, string>): void {
    const lines = Object.entries(raw).map(([k, v]) => `  ${k}: ${JSON.stringify(/^[[{]/.test(v) ? JSON.parse(v) : v)}`);
    fs.writeFileSync(path.join(dir, `Pulumi.${stack}.yaml`), `config:\n${lines.join("\n")}\n`);
}

describe("render's flows: the working-hours schedule", function () {
    this.timeout(120000);
    let result: RenderResult;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "torchpod-flows-"));
    before(async () => {
        const raw = devStackConfig();
        const cluster = { ...JSON.parse(raw["torchpod:cluster"]), controlPlaneCidrs: ["203.0.113.16/28"] };
        writeStackFile(dir, "hours", {
            ...raw,
            "torchpod:cluster": JSON.stringify(cluster),
            "torchpod:schedule": JSON.stringify({ timeZone: "Europe/Berlin", start: "08:00", stop: "20:00" }),
        });
        result = await render({ stack: "hours", configDir: dir, outRoot: dir, checkPolicies: false, log: () => undefined });
    });
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    const labelOf = (id: string) => result.flows.nodes.find((n) => n.id === id)!.label;

    it("shows the schedule reaching the API server only: its Service IP on 443, the control plane on 443 and 6443", () => {
        const schedule = result.flows.nodes.filter((n) => n.label.includes("working-hours schedule"));
        assert.equal(schedule.length, 1, JSON.stringify(result.flows.nodes.map((n) => n.label)));
        const out = result.flows.flows.filter((f) => f.from === schedule[0].id).map((f) => [labelOf(f.to), [...f.ports].sort()]);
        assert.deepEqual(out, [
            ["API server 10.96.0.1", ["443/TCP"]],
            ["control plane 203.0.113.16/28", ["443/TCP", "6443/TCP"]],
        ]);
        assert.deepEqual(
            result.flows.flows.filter((f) => f.to === schedule[0].id),
            [],
            "nothing reaches the schedule",
        );
    });

    it("shows that nothing else reaches the control plane (the Airlock's and the importer's internet egress leave it out)", () => {
        const into = result.flows.flows.filter((f) => f.to.startsWith("controlplane")).map((f) => labelOf(f.from));
        assert.ok(
            into.every((l) => l.includes("working-hours schedule")),
            into.join(", "),
        );
    });
});
