// MLab has no DNS: the config layer refuses an outside PostgreSQL server MLab could only reach by name,
// before the program registers anything, and accepts one given by IP (or by name plus its address).
import { strict as assert } from "assert";
import { parseStackConfig } from "../../stacks/parse";
import { devStackConfig, runIndex } from "../mocks";

const withDatabase = (database: Record<string, unknown>) => {
    const raw = devStackConfig();
    const mlab = JSON.parse(raw["torchpod:mlab"]);
    return { ...raw, "torchpod:mlab": JSON.stringify({ ...mlab, database }) };
};
const pg = { type: "postgres", name: "gitea", user: "gitea", passwordSecret: { name: "mlab-pg", key: "password" } };

describe("stack config: MLab's outside database without DNS", function () {
    this.timeout(120000);

    it("refuses a database host name without an address, naming the key, the value and what was expected, and registers nothing", async () => {
        assert.throws(
            () => parseStackConfig(withDatabase({ ...pg, host: "pg.internal:5432" }), "dev"),
            /torchpod:mlab\.database\.host: got "pg\.internal:5432", MLab has no DNS; expected an IPv4 address, or set torchpod:mlab\.database\.address/,
        );
        const run = await runIndex(withDatabase({ ...pg, host: "pg.internal:5432" }));
        assert.ok(run.error, "the program fails");
        assert.equal(run.resources.filter((r) => r.custom).length, 0, "before any resource");
    });

    it("refuses an address that is not an IP address", () => {
        assert.throws(
            () => parseStackConfig(withDatabase({ ...pg, host: "pg.internal", address: "db.internal" }), "dev"),
            /torchpod:mlab\.database\.address: got "db\.internal", expected the database server's IP address/,
        );
    });

    it("accepts a database by IP, or by name with its address", () => {
        const byIp = parseStackConfig(withDatabase({ ...pg, host: "192.0.2.40:6432" }), "dev").mlab.database;
        assert.equal(byIp.type === "postgres" && byIp.host, "192.0.2.40:6432");
        const byName = parseStackConfig(withDatabase({ ...pg, host: "pg.internal", address: "192.0.2.40" }), "dev").mlab.database;
        assert.equal(byName.type === "postgres" && byName.address, "192.0.2.40");
    });
});
