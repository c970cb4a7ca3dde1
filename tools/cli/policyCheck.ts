// npm run --silent policy-check -- <manifest files or folders...> [--config <policy-config.json>] [--json]
//
// Runs the torchpod-lockdown CrossGuard pack over Kubernetes manifests as Pulumi would: each object
// becomes a resource (`kubernetes:<group>/<version>:<Kind>`, props = the object), and the pack, started
// as its own process, judges them over the Analyzer gRPC protocol (Analyze per resource, AnalyzeStack).
// Prints each violation; exit 1 when a mandatory policy is violated, 0 otherwise, 2 on unreadable
// input or bad usage, 3 when the pack itself fails.
import * as fs from "fs";
import { loadManifests, ManifestError } from "@torchpod/netpol";
import { manifestsToResources } from "../pack/manifestResources";
import { formatViolation, PolicyPackConfig, runPack } from "../pack/runner";

const USAGE = "usage: npm run --silent policy-check -- <manifest files or folders...> [--config <policy-config.json>] [--json]";

export async function main(argv: string[]): Promise<number> {
    const paths: string[] = [];
    let configFile: string | undefined;
    let json = false;
    for (let i = 0; i < argv.length; i++) {
        const a = argv[i];
        if (a === "--json") json = true;
        else if (a === "--config") {
            configFile = argv[++i];
            if (!configFile) {
                console.error(`policy-check: --config needs a file\n${USAGE}`);
                return 2;
            }
        } else if (a === "-h" || a === "--help") {
            console.log(USAGE);
            return 0;
        } else if (a.startsWith("--")) {
            console.error(`policy-check: unknown option ${a}\n${USAGE}`);
            return 2;
        } else paths.push(a);
    }
    if (paths.length === 0) {
        console.error(`policy-check: no manifest files or folders given\n${USAGE}`);
        return 2;
    }
    let config: PolicyPackConfig = {};
    if (configFile) {
        try {
            config = JSON.parse(fs.readFileSync(configFile, "utf8"));
        } catch (e: any) {
            console.error(`policy-check: ${configFile}: cannot read policy config (${e?.code ?? e?.message ?? e})`);
            return 2;
        }
    }
    let resources;
    try {
        resources = manifestsToResources(loadManifests(paths));
    } catch (e) {
        if (e instanceof ManifestError) {
            console.error(`policy-check: ${e.message}`);
            return 2;
        }
        throw e;
    }
    let run;
    try {
        run = await runPack(resources, { config });
    } catch (e: any) {
        console.error(`policy-check: the policy pack failed: ${e?.message ?? e}`);
        return 3;
    }
    const { violations, info } = run;
    const mandatory = violations.filter((v) => v.enforcementLevel === "mandatory");
    if (json) {
        console.log(
            JSON.stringify(
                violations.map(({ resource, ...v }) => ({
                    ...v,
                    resource: resource ? { type: resource.type, name: resource.name, urn: resource.urn } : undefined,
                })),
                null,
                2,
            ),
        );
    } else {
        for (const v of violations) console.log(formatViolation(v));
        console.log(
            `${info.name}@v${info.version}: ${resources.length} resource${resources.length === 1 ? "" : "s"}, ` +
                `${violations.length} violation${violations.length === 1 ? "" : "s"} (${mandatory.length} mandatory)`,
        );
    }
    return mandatory.length > 0 ? 1 : 0;
}

if (require.main === module) {
    main(process.argv.slice(2)).then(
        (code) => process.exit(code),
        (e) => {
            console.error(`policy-check: ${e?.stack ?? e}`);
            process.exit(3);
        },
    );
}
