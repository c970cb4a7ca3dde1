// torchpod:mlab: MLab's Gitea, its ports, projects, database and reconciler.
import { PLATFORM_DEFAULTS } from "../../components/common/defaults";
import { MlabConfig } from "../../components/common/settings";
import { Checker, NAMESPACE } from "../checker";
import { UserConfig } from "../types";
import { isDnsSubdomain } from "../validate";
import { parseDatabase } from "./mlabDatabase";
import { parseMigrationAllowedHosts, parseProjects } from "./mlabProjects";
import { RESOURCE_KEYS, parseResources } from "./computeResources";

export function parseMlab(c: Checker, raw: unknown, users: readonly UserConfig[]): MlabConfig {
    const path = `${NAMESPACE}:mlab`;
    const obj = c.object(path, raw, [
        "image",
        "host",
        "httpPort",
        "sshPort",
        "projects",
        "migrationAllowedHosts",
        "database",
        "reconcilerImage",
        ...RESOURCE_KEYS,
    ]);
    const d = PLATFORM_DEFAULTS.mlab;
    const allowedHosts = parseMigrationAllowedHosts(c, path, obj, d.migrationAllowedHosts);
    const projects = parseProjects(c, path, obj, users, allowedHosts);

    const httpPort = c.integer(`${path}.httpPort`, obj?.httpPort, d.httpPort, 1, 65535);
    const sshPort = c.integer(`${path}.sshPort`, obj?.sshPort, d.sshPort, 1, 65535);
    if (httpPort === sshPort) {
        // Name the key the stack set (the other one took its default).
        if (obj?.sshPort === undefined)
            c.problem(`${path}.httpPort`, obj?.httpPort, `expected a port other than sshPort (${sshPort}): MLab's Service serves both`);
        else c.problem(`${path}.sshPort`, obj.sshPort, `expected a port other than httpPort (${httpPort}): MLab's Service serves both`);
    }
    return {
        image: c.image(`${path}.image`, obj?.image, d.image),
        host: c.string(`${path}.host`, obj?.host, d.host, (s) =>
            isDnsSubdomain(s) && s.includes(".")
                ? undefined
                : 'expected a host name with a domain (DNS-1123 subdomain) like "mlab.example.internal"',
        ),
        httpPort,
        sshPort,
        projects,
        migrationAllowedHosts: allowedHosts,
        database: parseDatabase(c, `${path}.database`, obj?.database),
        reconcilerImage: c.image(`${path}.reconcilerImage`, obj?.reconcilerImage, d.reconcilerImage),
        resources: parseResources(c, path, obj, d),
    };
}
