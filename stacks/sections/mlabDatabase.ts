// torchpod:mlab.database: sqlite (default) or an outside PostgreSQL server MLab reaches by IP (it has no DNS).
import { PLATFORM_DEFAULTS } from "../../components/common/defaults";
import { MlabDatabase } from "../../components/common/settings";
import { checkMlabDatabase } from "../../components/mlab/database";
import { Checker, Obj } from "../checker";
import { isDnsSubdomain } from "../validate";

export function parseDatabase(c: Checker, path: string, raw: unknown): MlabDatabase {
    if (raw === undefined || raw === null || raw === "sqlite") return { type: "sqlite" };
    const typeOf = typeof raw === "object" && !Array.isArray(raw) ? (raw as Obj).type : undefined;
    if (typeOf === "sqlite" || (typeOf === undefined && typeof raw === "object")) {
        c.object(path, raw, ["type"]);
        return { type: "sqlite" };
    }
    if (typeOf !== "postgres") {
        c.problem(typeOf === undefined ? path : `${path}.type`, typeOf ?? raw, 'expected "sqlite" (default) or "postgres"');
        return { type: "sqlite" };
    }
    const obj = c.object(path, raw, ["type", "host", "address", "name", "user", "passwordSecret", "sslMode"])!;
    const required = (key: string, check?: (s: string) => string | undefined) => {
        if (obj[key] === undefined) c.problem(`${path}.${key}`, undefined, "expected a value (required for postgres)");
        return c.string(`${path}.${key}`, obj[key], "", check);
    };
    const secret = c.object(`${path}.passwordSecret`, obj.passwordSecret, ["name", "key"]);
    if (!secret && !c.reported(`${path}.passwordSecret`))
        c.problem(
            `${path}.passwordSecret`,
            obj.passwordSecret,
            'expected {"name": <Secret in the MLab namespace>, "key": <key>} (required for postgres)',
        );
    const address = obj.address === undefined ? undefined : c.string(`${path}.address`, obj.address, "");
    const database: MlabDatabase = {
        type: "postgres",
        host: required("host", (s) => (/^[A-Za-z0-9.-]+(:\d{1,5})?$/.test(s) ? undefined : "expected host or host:port")),
        ...(address !== undefined ? { address } : {}),
        name: required("name"),
        user: required("user"),
        passwordSecret: {
            name: c.string(`${path}.passwordSecret.name`, secret?.name, "", (s) =>
                isDnsSubdomain(s) ? undefined : "expected a Secret name",
            ),
            key: c.string(`${path}.passwordSecret.key`, secret?.key, "password"),
        },
        sslMode: c.string(`${path}.sslMode`, obj.sslMode, PLATFORM_DEFAULTS.mlab.postgresSslMode, (s) =>
            ["disable", "require", "verify-ca", "verify-full"].includes(s)
                ? undefined
                : "expected disable, require, verify-ca or verify-full",
        ),
    };
    // MLab has no DNS: the server must be reachable by IP (host itself, or address through hostAliases).
    const unreachable = database.host ? checkMlabDatabase(database) : undefined;
    if (unreachable) c.problem(`${path}.${unreachable.key}`, unreachable.got, unreachable.expected);
    return database;
}
