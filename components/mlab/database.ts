// MLab's one possible way out: the outside PostgreSQL server the stack config names. MLab has no DNS,
// so Gitea reaches it by IP, either because `host` is an IPv4 address or through a hostAliases entry
// that maps `host` to `address`; the lock-down opens exactly that address and port, nothing else.
import * as net from "net";
import { MlabDatabase } from "../settings";

/** PostgreSQL's port when `host` names none. */
export const POSTGRES_DEFAULT_PORT = 5432;

export interface MlabDatabaseEndpoint {
    /** The server's IP address (the lock-down's only egress for Gitea). */
    readonly ip: string;
    readonly port: number;
    /** The host name Gitea connects to, when it is not the address itself: mapped in hostAliases. */
    readonly hostAlias?: string;
}

/** A problem with the database's address: which key of `torchpod:mlab.database` and what was expected. */
export interface MlabDatabaseProblem {
    readonly key: "host" | "address";
    readonly got: string;
    readonly expected: string;
}

/** Why MLab cannot reach this database without DNS, or undefined when it can (a pure check for the config layer). */
export function checkMlabDatabase(database: MlabDatabase): MlabDatabaseProblem | undefined {
    if (database.type !== "postgres") return undefined;
    const [host, port] = splitHostPort(database.host);
    if (port !== undefined && (!Number.isInteger(port) || port < 1 || port > 65535))
        return { key: "host", got: database.host, expected: "expected a port 1-65535" };
    if (net.isIPv4(host))
        return database.address === undefined
            ? undefined
            : { key: "address", got: database.address, expected: "expected no address when host is already an IP address" };
    if (database.address === undefined)
        return {
            key: "host",
            got: database.host,
            expected:
                "MLab has no DNS; expected an IPv4 address, or set torchpod:mlab.database.address to the server's IP (Gitea maps the name to it through hostAliases)",
        };
    if (net.isIP(database.address) === 0)
        return { key: "address", got: database.address, expected: "expected the database server's IP address" };
    return undefined;
}

/** One line naming the key, the value and what was expected. */
export function describeMlabDatabaseProblem(p: MlabDatabaseProblem): string {
    return `torchpod:mlab.database.${p.key} ${JSON.stringify(p.got)}: ${p.expected}`;
}

/** Where Gitea's database is, for the pod's hostAliases and the lock-down; undefined with SQLite. */
export function mlabDatabaseEndpoint(database: MlabDatabase): MlabDatabaseEndpoint | undefined {
    if (database.type !== "postgres") return undefined;
    const problem = checkMlabDatabase(database);
    if (problem) throw new Error(`MLab: ${describeMlabDatabaseProblem(problem)}`);
    const [host, port] = splitHostPort(database.host);
    const ip = net.isIPv4(host) ? host : database.address!;
    return { ip, port: port ?? POSTGRES_DEFAULT_PORT, ...(ip === host ? {} : { hostAlias: host }) };
}

function splitHostPort(hostPort: string): [string, number | undefined] {
    const m = /^(.*):(\d+)$/.exec(hostPort);
    return m ? [m[1], Number(m[2])] : [hostPort, undefined];
}
