// npm run --silent policy-check -- <manifest files or folders...> [--config FILE] [--json] [--sarif FILE] [--require-torchpods]
//
// Runs the torchpod-lockdown CrossGuard pack over Kubernetes manifests as Pulumi would: each object
// becomes a resource (`kubernetes:<group>/<version>:<Kind>`, props = the object), and the pack, started
// as its own process, judges them over the Analyzer gRPC protocol (Analyze per resource, AnalyzeStack).
// Prints what it identified (TorchPods, Airlocks, MLabs and the selectors), the policies that did not
// apply and why, and each violation. Exit 1 when a mandatory policy is violated (or no TorchPod was
// found with --require-torchpods), 0 otherwise, 2 on unreadable input or bad usage, 3 when the pack
// fails. A component render could not see into is a refusal (exit 1): the contract's codes are fixed, and
// the closed world refuses what it has not judged.
import * as fs from "fs";
import * as path from "path";
import { parseArgs } from "node:util";
import { K8sObject, loadManifests, ManifestError, POLICY_CONFIG_FILE, PULUMI_RESOURCES_FILE } from "@torchpod/netpol";
import { policies } from "../../policy/policies";
import { expandPackConfig, packConfigProblems, RawPackConfig } from "../../policy/support/configFile";
import { identify, inventoryText, stackPods } from "../../policy/support/identity";
import { PolicyConfigError, resolveConfig } from "../../policy/support/packConfig";
import { manifestsToResources, objectLocations, ObjectLocation } from "../pack/manifestResources";
import { formatViolation, PackResource, PolicyPackConfig, runPack, Violation } from "../pack/runner";
import { PulumiResourcesError, readPulumiResources, unexpandedReport } from "../pack/pulumiResources";
import type { UnexpandedComponent } from "../offline/recorded";

/** The pack config `render` writes beside the manifests of a stack; picked up from a folder given. */

export const USAGE = `usage: npm run --silent policy-check -- <manifest files or folders...> [options]

Runs the torchpod-lockdown policy pack over Kubernetes manifests, as \`pulumi preview --policy-pack\` would.

options:
  --config FILE          policy config JSON (as --policy-pack-config takes it; "all" sets a property for every
                         policy that has it). Default: ${POLICY_CONFIG_FILE} in a manifest folder given, if there is one.
                         Without office networks (officeCidrs) the pack refuses every way into TorchPods and MLab.

A folder render wrote also holds ${PULUMI_RESOURCES_FILE}: the stack's other registered resources
(components, other providers' resources), judged with the manifests, and the components render could
not see into (each one refused: exit 1). Naming that file reads it the same way.
  --json                 print the violations as JSON
  --sarif FILE           also write the violations as SARIF 2.1.0 (file and line of each object)
  --require-torchpods    exit 1 when no TorchPod is identified (for CI)
  -h, --help             show this help

exit codes: 0 no mandatory violation, 1 a mandatory violation, a component render could not see into
            (never a pass), or no TorchPod with --require-torchpods; 2 unreadable input or bad usage,
            3 the policy pack failed`;

class UsageError extends Error {}

function readConfig(file: string): RawPackConfig {
    let text: string;
    try {
        text = fs.readFileSync(file, "utf8");
    } catch (e: any) {
        throw new UsageError(`${file}: cannot read policy config (${e?.code ?? e?.message ?? e})`);
    }
    let raw: unknown;
    try {
        raw = JSON.parse(text);
    } catch (e: any) {
        throw new UsageError(`${file}: invalid JSON: ${e?.message ?? e}`);
    }
    const problems = packConfigProblems(raw, policies);
    if (problems.length) throw new UsageError(`${file}: invalid policy config:\n  ${problems.join("\n  ")}`);
    return raw as RawPackConfig;
}

/** The policy config: --config, else policy-config.json in a folder given. */
export function configFileFor(explicit: string | undefined, paths: string[]): string | undefined {
    if (explicit) return explicit;
    for (const p of paths) {
        const f = path.join(p, POLICY_CONFIG_FILE);
        try {
            if (fs.statSync(p).isDirectory() && fs.existsSync(f)) return f;
        } catch {
            // reported when the manifests are loaded
        }
    }
    return undefined;
}

/** The pulumi-resources.json files to read: those named, and the one in each folder given. */
export function resourceFilesFor(paths: string[]): { files: string[]; manifests: string[] } {
    const files: string[] = [];
    const manifests: string[] = [];
    for (const p of paths) {
        if (path.basename(p) === PULUMI_RESOURCES_FILE) {
            files.push(p);
            continue;
        }
        manifests.push(p);
        const f = path.join(p, PULUMI_RESOURCES_FILE);
        try {
            if (fs.statSync(p).isDirectory() && fs.existsSync(f)) files.push(f);
        } catch {
            // reported when the manifests are loaded
        }
    }
    return { files, manifests };
}

const SARIF_LEVEL: Record<string, string> = { mandatory: "error", remediate: "error", advisory: "warning", disabled: "none" };

/** SARIF 2.1.0 for code-scanning tools: one result per violation, located at its object's file and line. */
export function toSarif(violations: Violation[], where: (v: Violation) => ObjectLocation | undefined, version: string): object {
    const rules = policies.map((p) => ({ id: p.name, shortDescription: { text: p.name }, fullDescription: { text: p.description } }));
    return {
        $schema: "https://json.schemastore.org/sarif-2.1.0.json",
        version: "2.1.0",
        runs: [
            {
                tool: {
                    driver: {
                        name: "torchpod-policy-check",
                        version,
                        informationUri: "https://www.pulumi.com/docs/using-pulumi/crossguard/",
                        rules,
                    },
                },
                results: violations.map((v) => {
                    const loc = where(v);
                    return {
                        ruleId: v.policyName,
                        level: SARIF_LEVEL[v.enforcementLevel] ?? "warning",
                        message: { text: formatViolation(v) },
                        locations: loc
                            ? [
                                  {
                                      physicalLocation: {
                                          artifactLocation: { uri: path.relative(process.cwd(), loc.file).split(path.sep).join("/") },
                                          region: { startLine: loc.line },
                                      },
                                  },
                              ]
                            : [],
                    };
                }),
            },
        ],
    };
}

export async function main(argv: string[]): Promise<number> {
    let parsed;
    try {
        parsed = parseArgs({
            args: argv,
            allowPositionals: true,
            options: {
                config: { type: "string" },
                json: { type: "boolean" },
                sarif: { type: "string" },
                "require-torchpods": { type: "boolean" },
                help: { type: "boolean", short: "h" },
            },
        });
    } catch (e: any) {
        console.error(`policy-check: ${e?.message ?? e}\n${USAGE}`);
        return 2;
    }
    const { values: opts, positionals: paths } = parsed;
    if (opts.help) {
        console.log(USAGE);
        return 0;
    }
    if (paths.length === 0) {
        console.error(`policy-check: no manifest files or folders given\n${USAGE}`);
        return 2;
    }
    let config: RawPackConfig = {};
    const configFile = configFileFor(opts.config, paths);
    let objects: K8sObject[];
    let resources: PackResource[];
    const unexpanded: UnexpandedComponent[] = [];
    const { files: resourceFiles, manifests: manifestPaths } = resourceFilesFor(paths);
    try {
        if (configFile) config = expandPackConfig(readConfig(configFile), policies);
        objects = manifestPaths.length ? loadManifests(manifestPaths) : [];
        resources = manifestsToResources(objects);
        for (const f of resourceFiles) {
            const read = readPulumiResources(f);
            resources.push(...read.resources);
            unexpanded.push(...read.unexpanded);
        }
    } catch (e) {
        if (e instanceof ManifestError || e instanceof UsageError || e instanceof PulumiResourcesError) {
            console.error(`policy-check: ${e.message}`);
            return 2;
        }
        throw e;
    }
    // What the pack identifies, with the selectors it uses (the inventory policy's config, pack-wide).
    let cfg;
    try {
        const inv = config["torchpod-inventory"];
        cfg = resolveConfig(typeof inv === "object" && inv !== null ? (inv as Record<string, unknown>) : {});
    } catch (e) {
        if (e instanceof PolicyConfigError) {
            console.error(`policy-check: ${configFile}: ${e.message}`);
            return 2;
        }
        throw e;
    }
    const identity = identify(stackPods(resources as never), cfg);
    const log = opts.json ? console.error : console.log;
    if (configFile) log(`policy-check: policy config ${configFile}`);
    log(`policy-check: identified ${inventoryText(identity, cfg)} among ${identity.pods.length} pod templates`);
    const none = identity.torchpods.length === 0;
    if (none)
        console.error(
            `policy-check: WARNING: no TorchPod identified (selector app.kubernetes.io/component=torchpod unless configured; no pod mounts a home claim): ` +
                `every TorchPod policy had nothing to judge. Set torchpodSelector under "all" in the policy config if these manifests label TorchPods otherwise.`,
        );
    let run;
    try {
        run = await runPack(resources, { config: config as PolicyPackConfig });
    } catch (e: any) {
        console.error(`policy-check: the policy pack failed: ${e?.message ?? e}`);
        return 3;
    }
    const { violations, info } = run;
    for (const n of run.notApplicable ?? []) log(`policy-check: not applicable: ${n.policyName}: ${n.reason}`);
    const mandatory = violations.filter((v) => v.enforcementLevel === "mandatory");
    if (opts.sarif) {
        const locations = objectLocations(objects);
        const byUrn = new Map<string, ObjectLocation>();
        resources.forEach((r, i) => {
            const l = locations.get(objects[i]);
            if (l) byUrn.set(r.urn, l);
        });
        try {
            fs.writeFileSync(
                opts.sarif,
                JSON.stringify(
                    toSarif(violations, (v) => (v.urn ? byUrn.get(v.urn) : undefined), info.version),
                    null,
                    2,
                ),
            );
        } catch (e: any) {
            console.error(`policy-check: ${opts.sarif}: cannot write SARIF (${e?.code ?? e?.message ?? e})`);
            return 2;
        }
    }
    if (opts.json) {
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
    if (unexpanded.length > 0) for (const line of unexpandedReport(unexpanded, configFile)) console.error(`policy-check: ${line}`);
    if (none && opts["require-torchpods"]) {
        console.error("policy-check: error: no TorchPod identified and --require-torchpods is set");
        return 1;
    }
    // Unseen is refused like a mandatory violation: exit 1 is the contract's "not a pass".
    return mandatory.length > 0 || unexpanded.length > 0 ? 1 : 0;
}

if (require.main === module) {
    main(process.argv.slice(2)).then(
        (code) => process.exit(code),
        (e) => {
            console.error(`policy-check: ${e?.message ?? e}`);
            process.exit(3);
        },
    );
}
