// torchpod:mlab.migrationAllowedHosts and torchpod:mlab.projects: the approved projects and where
// their upstreams may come from (the importer's only way out).
import { isGiteaReservedName } from "@torchpod/contract";
import { isAddress } from "@torchpod/netpol/net";
import { MlabProject } from "../../components/common/settings";
import { Checker, NAMESPACE, Obj } from "../checker";
import { UserConfig } from "../types";
import { isDnsSubdomain } from "../validate";
import { GITEA_RESERVED_EXPECTED } from "./giteaNames";

const GITEA_OWNER = /^[A-Za-z0-9](?:[A-Za-z0-9_.-]{0,38}[A-Za-z0-9])?$/;
const GITEA_REPO = /^[A-Za-z0-9_.-]{1,100}$/;

function hostAllowed(host: string, allowed: readonly string[]): boolean {
    return allowed.some((a) => (a.startsWith("*.") ? host.endsWith(a.slice(1)) : host === a));
}

/** `path` is `torchpod:mlab`; `obj` the MLab section. */
export function parseMigrationAllowedHosts(c: Checker, path: string, obj: Obj | undefined, defaults: readonly string[]): string[] {
    let allowedHosts: string[] = [...defaults];
    if (obj?.migrationAllowedHosts !== undefined) {
        const items = c.list(`${path}.migrationAllowedHosts`, obj.migrationAllowedHosts, '["github.com"]');
        if (items) {
            allowedHosts = [];
            items.forEach((h, i) => {
                const p = `${path}.migrationAllowedHosts[${i}]`;
                const ok = typeof h === "string" && isDnsSubdomain(h.startsWith("*.") ? h.slice(2) : h) && h.includes(".") && !isAddress(h);
                if (!ok)
                    c.problem(
                        p,
                        h,
                        'expected a public host name like "github.com" or "*.example.org" (no "*", no IP addresses: never local networks)',
                    );
                else if (/(^|\.)(local|localhost|internal|cluster\.local|svc)$/.test(h))
                    c.problem(p, h, "expected a public host name, not a local one");
                else allowedHosts.push(h);
            });
        }
    }

    return allowedHosts;
}

/** `path` is `torchpod:mlab`; `obj` the MLab section. */
export function parseProjects(
    c: Checker,
    path: string,
    obj: Obj | undefined,
    users: readonly UserConfig[],
    allowedHosts: readonly string[],
): MlabProject[] {
    const projects: MlabProject[] = [];
    const projectItems =
        c.list(`${path}.projects`, obj?.projects, '[{"name": "deepvac/deepvac", "upstream": "https://github.com/DeepVAC/deepvac"}]') ?? [];
    const seenProjects = new Map<string, number>();
    projectItems.forEach((item, i) => {
        const p = `${path}.projects[${i}]`;
        if (typeof item !== "object" || item === null || Array.isArray(item)) {
            c.problem(p, item, 'expected an object like {"name": "deepvac/deepvac", "upstream": "https://github.com/DeepVAC/deepvac"}');
            return;
        }
        const o = c.object(p, item, ["name", "upstream"])!;
        const name = c.string(`${p}.name`, o.name, "", (s) => {
            const parts = s.split("/");
            const ok =
                parts.length === 2 &&
                GITEA_OWNER.test(parts[0]) &&
                GITEA_REPO.test(parts[1]) &&
                parts[1] !== "." &&
                parts[1] !== ".." &&
                !parts[1].endsWith(".git") &&
                !/[._-]{2}/.test(parts[0]);
            return ok
                ? undefined
                : "expected \"owner/repo\" (owner: letters, digits, '-', '_', '.', starting and ending alphanumeric; repo: letters, digits, '-', '_', '.', not ending in .git)";
        });
        if (o.name === undefined) c.problem(`${p}.name`, undefined, 'expected "owner/repo" (required)');
        if (name) {
            const key = name.toLowerCase();
            const owner = key.split("/")[0];
            // Gitea users and organisations share one namespace of names, case-insensitively.
            const userIndex = users.findIndex((u) => u.name === owner);
            if (seenProjects.has(key))
                c.problem(`${p}.name`, name, `expected a unique project (already ${path}.projects[${seenProjects.get(key)}])`);
            else if (isGiteaReservedName(owner)) c.problem(`${p}.name`, name, GITEA_RESERVED_EXPECTED.replace("a name", "an owner"));
            else if (userIndex >= 0)
                c.problem(
                    `${p}.name`,
                    name,
                    `expected an owner that is not also a user (${NAMESPACE}:users[${userIndex}]): in Gitea an organisation cannot share a user's name`,
                );
            else seenProjects.set(key, i);
        }
        const upstream = c.optionalString(`${p}.upstream`, o.upstream, (s) => {
            let url: URL;
            try {
                url = new URL(s);
            } catch {
                return 'expected an https URL like "https://github.com/DeepVAC/deepvac"';
            }
            if (url.protocol !== "https:") return "expected an https URL (no http, ssh, git or file URLs)";
            if (url.username || url.password) return "expected a URL without credentials";
            if (url.port) return "expected a URL without a port";
            if (!hostAllowed(url.hostname, allowedHosts))
                return `expected a host in ${path}.migrationAllowedHosts (${allowedHosts.join(", ") || "empty"})`;
            if (url.pathname.split("/").filter(Boolean).length < 2) return 'expected a repository URL "https://<host>/<owner>/<repo>"';
            return undefined;
        });
        if (name) {
            const [owner, repo] = name.split("/");
            projects.push({ owner, repo, ...(upstream ? { upstream } : {}) });
        }
    });

    return projects;
}
