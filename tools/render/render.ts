// `npm run render [-- --stack NAME]`: runs the real program offline for one stack, writes its
// manifests to out/<stack>/ (with the policy pack config it used and a picture of the allowed flows),
// prints a summary and the who-may-talk-to-whom flows, and runs the policy pack over the result.
// Exit 0 when the pack passes, 1 on a mandatory violation, 2 on unusable input (bad stack config,
// unknown stack, bad arguments), 3 when render itself fails, 4 when it could not see into a component
// (never a pass: `pulumi preview --policy-pack` judges what such components create).
import * as fs from "fs";
import * as path from "path";
import { parseArgs as parseArgv } from "node:util";
import { POLICY_CONFIG_FILE, PULUMI_RESOURCES_FILE } from "@torchpod/netpol";
import { toManifests, toYaml, MANIFEST_FILES, RenderedManifests } from "./manifestFiles";
import { RecordedResource, UnexpandedComponent, isKubernetesObject } from "../offline/recorded";
import { FlowGraph, flowsMarkdown, formatFlows, stackFlows } from "./flows";
import type { StackConfig } from "../../stacks/types";
import { gpuKindLines, gpusByKind, suspendedUsers } from "../../stacks/gpuSummary";
import type { PolicyPackConfig, Violation } from "../pack/runner";
import { mlabDatabaseEndpoint } from "../../components/mlab/database";

// The engine, the config layer and the pack client load Pulumi and gRPC (seconds): only a render
// needs them, so `--help` and bad arguments answer at once.
const engine = () => require("../offline/engine") as typeof import("../offline/engine");
const stackParser = () => require("../../stacks/parse") as typeof import("../../stacks/parse");
const packCheck = () => require("../pack/packCheck") as typeof import("../pack/packCheck");
const packRunner = () => require("../pack/runner") as typeof import("../pack/runner");
const pulumiResources = () => require("../pack/pulumiResources") as typeof import("../pack/pulumiResources");
const packPolicies = () => require("../../policy/policies") as typeof import("../../policy/policies");

const repoRoot = path.resolve(__dirname, "../..");

/** The pack config render used, beside the manifests: `policy-check` and `pulumi preview --policy-pack-config` read it. */
export { POLICY_CONFIG_FILE, PULUMI_RESOURCES_FILE };
export const FLOWS_FILE = "flows.md";

/** render's exit codes (README "Command-line contracts"). */
export const EXIT = { pass: 0, violation: 1, usage: 2, failed: 3, unseen: 4 } as const;

export class UsageError extends Error {}

export interface RenderOptions {
    readonly stack: string;
    /** Where out/<stack>/ goes; default <repo>/out. */
    readonly outRoot?: string;
    /** Where Pulumi.<stack>.yaml is read from; default the repository root. */
    readonly configDir?: string;
    /** Run the policy pack over the result; default true. */
    readonly checkPolicies?: boolean;
    /** The program's entry (default: the repository's index.ts), e.g. a team's program that adds to the platform. */
    readonly program?: string;
    readonly log?: (line: string) => void;
}

export interface RenderResult {
    readonly outDir: string;
    readonly config: StackConfig;
    readonly resources: readonly RecordedResource[];
    readonly manifests: RenderedManifests;
    readonly exports: Record<string, unknown>;
    readonly packConfig: PolicyPackConfig;
    readonly flows: FlowGraph;
    /** Cluster IPs the offline engine made up (a cluster assigns the real ones). */
    readonly placeholderIps: readonly string[];
    readonly violations: readonly Violation[];
    readonly mandatoryViolations: number;
    /** Components render could not see into: the pack did not judge what they create, so never a pass. */
    readonly unexpanded: readonly UnexpandedComponent[];
}

export interface RenderArgs {
    readonly stack: string;
    readonly json: boolean;
    readonly help: boolean;
    readonly outRoot?: string;
    readonly configDir?: string;
    readonly program?: string;
}

export const USAGE = `usage: torchpod-render [--stack NAME] [--out DIR] [--config-dir DIR] [--program FILE] [--json]
       npm run render [-- --stack NAME] [-- --json]

Runs the TorchPod program offline for one stack (no cluster, no Pulumi CLI) and writes to
<out>/<stack>/: the Kubernetes manifests (namespaces.yaml, network.yaml, mlab.yaml, airlock.yaml,
torchpod.yaml; Secrets are withheld and described in SECRETS.md), ${POLICY_CONFIG_FILE} (the policy
pack config it used, as \`pulumi preview --policy-pack-config\` takes it: the stack's office networks
among it), ${PULUMI_RESOURCES_FILE} (every other registered resource: components, other providers'
resources, secrets redacted) and ${FLOWS_FILE} (a Mermaid picture of the allowed flows). Prints a
summary and the allowed flows, then runs the policy pack over every registered resource.

options:
  --stack NAME        the stack: reads Pulumi.NAME.yaml (default: dev)
  --out DIR           where <stack>/ is written (default: the repository's out/)
  --config-dir DIR    where Pulumi.NAME.yaml is read from (default: the repository root)
  --program FILE      the program's entry (default: the repository's index.ts), e.g. a team's program
                      that adds objects to the platform
  --json              print the summary as one JSON object instead of text
  -h, --help          this help

Paths are resolved from the directory the command was typed in. A failed render leaves no
manifests behind: the output is written to a temporary folder and swapped in, and an earlier
render of the same stack is removed when this one fails.

Components whose children the provider creates at deploy time (kubernetes:yaml/v2 ConfigGroup and
ConfigFile, helm.sh/v4 Chart, kustomize/v2 Directory, any multi-language component) or learns from a
tool the provider runs (helm.sh/v3 Chart's \`helm template\`, kustomize/v1 Directory) register no
children offline: render names them and does not report a pass; judge such a stack with
\`pulumi preview --policy-pack policy --policy-pack-config <out>/<stack>/${POLICY_CONFIG_FILE}\`.

Exit status: 0 the pack passes, 1 a mandatory policy violation, 2 unusable input, 3 render itself failed,
4 no mandatory violation, but render could not see into a component (not a pass).`;

export function parseArgs(argv: readonly string[]): RenderArgs {
    let parsed;
    try {
        parsed = parseArgv({
            args: [...argv],
            allowPositionals: false,
            strict: true,
            options: {
                stack: { type: "string" },
                out: { type: "string" },
                "config-dir": { type: "string" },
                program: { type: "string" },
                json: { type: "boolean" },
                help: { type: "boolean", short: "h" },
            },
        });
    } catch (e: any) {
        const message: string = e?.message ?? String(e);
        const missing = /Option '--([\w-]+)(?: <value>)?' argument missing/.exec(message);
        if (missing?.[1] === "stack") throw new UsageError("--stack: expected a stack name, e.g. --stack dev");
        if (missing?.[1] === "program")
            throw new UsageError("--program: expected the program's entry file, e.g. --program my-stack/index.ts");
        if (missing) throw new UsageError(`--${missing[1]}: expected a folder`);
        const unknown = /Unknown option '([^']+)'/.exec(message) ?? /Unexpected argument '([^']+)'/.exec(message);
        if (unknown) throw new UsageError(`unknown argument '${unknown[1]}': usage: npm run render [-- --stack NAME] (see --help)`);
        throw new UsageError(`${message} (see --help)`);
    }
    const v = parsed.values;
    const stack = v.stack ?? "dev";
    if (stack === "" || stack.startsWith("-")) throw new UsageError("--stack: expected a stack name, e.g. --stack dev");
    if (!/^[A-Za-z0-9_.-]+$/.test(stack))
        throw new UsageError(`--stack: got '${stack}', expected a stack name of letters, digits, '.', '_' or '-'`);
    const out: RenderArgs = { stack, json: v.json === true, help: v.help === true };
    return {
        ...out,
        ...(v.out !== undefined ? { outRoot: path.resolve(v.out) } : {}),
        ...(v["config-dir"] !== undefined ? { configDir: path.resolve(v["config-dir"]) } : {}),
        ...(v.program !== undefined ? { program: path.resolve(v.program) } : {}),
    };
}

/**
 * The program is TypeScript: the compiled render (dist/render/render.js) loads it through ts-node, as
 * `pulumi up` does (with esbuild as ts-node's transpiler: types are checked by `npm run build`); under
 * ts-node or mocha the hook is already there.
 */
function registerTypeScript(): void {
    if (require.extensions[".ts"]) return;
    const { tsNodeOptions } = require(path.join(repoRoot, "tools/typescript/tsNodeOptions.cjs"));
    require("ts-node").register(tsNodeOptions(path.join(repoRoot, "tsconfig.json")));
}

/**
 * Renders one stack. Throws UsageError when the stack or its config is unusable; then nothing is
 * written, and an earlier render of that stack is removed (its manifests no longer match the config).
 */
export async function render(options: RenderOptions): Promise<RenderResult> {
    const log = options.log ?? ((line: string) => console.log(line));
    const outDir = path.join(options.outRoot ?? path.join(repoRoot, "out"), options.stack);
    const progress = { written: false };
    try {
        return await renderInto(outDir, options, log, progress);
    } catch (e) {
        // Output written by this render is current; anything older no longer matches the config.
        if (!progress.written && fs.existsSync(outDir)) {
            fs.rmSync(outDir, { recursive: true, force: true });
            const shown = path.relative(process.cwd(), outDir) || outDir;
            const note = `removed ${shown}/ from an earlier render: it no longer matches the stack config`;
            if (e instanceof Error) e.message += ` (${note})`;
        }
        throw e;
    }
}

async function renderInto(
    outDir: string,
    options: RenderOptions,
    log: (line: string) => void,
    progress: { written: boolean },
): Promise<RenderResult> {
    const stackFile = path.join(options.configDir ?? repoRoot, `Pulumi.${options.stack}.yaml`);
    if (!fs.existsSync(stackFile))
        throw new UsageError(`${stackFile}: no such stack config (expected Pulumi.<stack>.yaml beside Pulumi.yaml)`);
    let raw: Record<string, string>;
    let config: StackConfig;
    try {
        raw = engine().readStackConfigFile(stackFile);
        // The same validation `pulumi up` runs first; failing here means nothing is written.
        config = stackParser().parseStackConfig(raw, options.stack);
    } catch (e) {
        throw new UsageError((e as Error).message);
    }

    const packConfig = packConfigFor(config);
    const check = (options.checkPolicies ?? true) ? packCheck().startPackCheck(packConfig) : undefined;
    registerTypeScript();
    let entry: string;
    try {
        entry = require.resolve(options.program ?? path.join(repoRoot, "index.ts"));
    } catch {
        throw new UsageError(`--program: ${options.program}: no such program (expected a TypeScript or JavaScript entry file)`);
    }
    const run = await engine().runProgram(
        () => {
            delete require.cache[entry];
            return require(entry);
        },
        { stack: options.stack, config: raw, onResource: check?.onResource },
    );
    if (run.error) {
        await check?.close();
        throw new UsageError(run.error.message);
    }

    const manifests = toManifests(run.resources);
    let flows: FlowGraph;
    try {
        flows = stackFlows(manifests.objects, config);
    } catch (e) {
        await check?.close();
        throw e;
    }
    const placeholderIps = placeholderClusterIps(run.resources);
    const others = pulumiResources().pulumiResourcesFile(
        config.stack,
        run.resources.filter((r) => !isKubernetesObject(r)),
        run.unexpanded,
    );
    writeOutput(outDir, manifests, packConfig, others, flowsMarkdown(flows, config.stack));
    progress.written = true;

    log(summary(config, run.exports, manifests, outDir, placeholderIps));
    log("\nWho may talk to whom (from the rendered NetworkPolicies; one line per allowed flow):");
    log(formatFlows(flows));
    for (const w of flows.warnings) log(`  warning: ${w}`);

    let violations: RenderResult["violations"] = [];
    if (check) {
        violations = (await check.finish(run.resources)).violations;
        log(
            `\nPolicy pack over ${run.resources.length} resources: ${violations.length === 0 ? "no violations" : `${violations.length} violation(s)`}` +
                (run.unexpanded.length ? " in what render could see" : ""),
        );
        for (const v of violations) log(`  ${packRunner().formatViolation(v)}`);
    }
    if (run.unexpanded.length > 0) {
        const rel = path.relative(process.cwd(), outDir);
        const shown = path.join(rel && !rel.startsWith("..") ? rel : outDir, POLICY_CONFIG_FILE);
        log("");
        for (const line of pulumiResources().unexpandedReport(run.unexpanded, shown)) log(`render: ${line}`);
    }
    const mandatoryViolations = violations.filter((v) => v.enforcementLevel === "mandatory").length;
    return {
        outDir,
        config,
        resources: run.resources,
        manifests,
        exports: run.exports,
        packConfig,
        flows,
        placeholderIps,
        violations,
        mandatoryViolations,
        unexpanded: run.unexpanded,
    };
}

/**
 * The pack's config for one stack, as its CI would pass with `--policy-pack-config` (per policy, so
 * the real engine takes it as is). The stack's office networks go to every policy that judges
 * exposure (a pack without them refuses every way in rather than guess what an office is). Raw VNC
 * has no password, so the pack refuses it unless the stack opted in explicitly
 * (`torchpod:gui.vnc: true`); an outside Postgres is MLab's one reviewed host.
 */
export function packConfigFor(config: StackConfig): PolicyPackConfig {
    const out: Record<string, Record<string, unknown>> = {};
    const set = (policy: string, values: Record<string, unknown>) => (out[policy] = { ...out[policy], ...values });
    for (const p of packPolicies().policies)
        if ((p.configSchema?.properties as Record<string, unknown> | undefined)?.officeCidrs !== undefined)
            set(p.name, { officeCidrs: [...config.officeCidrs] });
    if (config.gui.vnc) set("torchpod-ingress-only-from-office", { allowRawVnc: true });
    // The stack's GPU kinds are the only devices its TorchPods may request.
    const gpuKinds = [
        ...new Set([config.gpu.resourceName, ...config.users.map((u) => u.gpuResource), ...Object.keys(config.gpu.quota ?? {})]),
    ].sort();
    for (const p of packPolicies().policies)
        if ((p.configSchema?.properties as Record<string, unknown> | undefined)?.deviceResources !== undefined)
            set(p.name, { deviceResources: gpuKinds });
    // The API server as the working-hours actor's NetworkPolicy names it (components/workingHours.ts's apiServerEgress).
    const apiServerCidrs = [
        config.cluster.apiServerIp.includes(":") ? `${config.cluster.apiServerIp}/128` : `${config.cluster.apiServerIp}/32`,
        ...config.cluster.controlPlaneCidrs,
    ];
    for (const p of packPolicies().policies)
        if ((p.configSchema?.properties as Record<string, unknown> | undefined)?.apiServerCidrs !== undefined)
            set(p.name, { apiServerCidrs });
    const db = mlabDatabaseEndpoint(config.mlab.database);
    if (db) {
        const hosts = [...new Set([db.hostAlias ?? db.ip, `${db.ip}:${db.port}`, ...(db.hostAlias ? [`${db.hostAlias}:${db.port}`] : [])])];
        for (const policy of ["mlab-closed-world", "mlab-no-egress"]) set(policy, { mlabExternalHosts: hosts });
    }
    return out;
}

/** Service cluster IPs the offline engine made up: the program did not set them, a cluster would assign them. */
function placeholderClusterIps(resources: readonly RecordedResource[]): string[] {
    const ips = new Set<string>();
    for (const r of resources) {
        if (r.type !== "kubernetes:core/v1:Service" || r.inputs?.spec?.clusterIP) continue;
        const ip = r.state?.spec?.clusterIP;
        if (typeof ip === "string" && ip !== "" && ip !== "None") ips.add(ip);
    }
    return [...ips].sort();
}

/**
 * Writes out/<stack>/ whole into a temporary sibling folder, then swaps it in: a removed object never
 * lingers in a stale file, and a render that fails half-way never leaves half a folder.
 */
function writeOutput(
    outDir: string,
    manifests: RenderedManifests,
    packConfig: PolicyPackConfig,
    others: import("../pack/pulumiResources").PulumiResourcesFile,
    flows: string,
): void {
    const parent = path.dirname(outDir);
    fs.mkdirSync(parent, { recursive: true });
    const tmp = fs.mkdtempSync(path.join(parent, `.${path.basename(outDir)}.rendering-`));
    try {
        for (const file of MANIFEST_FILES) fs.writeFileSync(path.join(tmp, file), toYaml(manifests.files.get(file) ?? []));
        fs.writeFileSync(path.join(tmp, "SECRETS.md"), secretsGuide(manifests));
        fs.writeFileSync(path.join(tmp, POLICY_CONFIG_FILE), JSON.stringify(packConfig, null, 2) + "\n");
        fs.writeFileSync(path.join(tmp, PULUMI_RESOURCES_FILE), JSON.stringify(others, null, 2) + "\n");
        fs.writeFileSync(path.join(tmp, FLOWS_FILE), flows);
        const old = fs.existsSync(outDir) ? `${tmp}.old` : undefined;
        if (old) fs.renameSync(outDir, old);
        fs.renameSync(tmp, outDir);
        if (old) fs.rmSync(old, { recursive: true, force: true });
    } catch (e) {
        fs.rmSync(tmp, { recursive: true, force: true });
        throw e;
    }
}

/** How a kubectl-only team makes each kind of key the program would generate. */
const KEY_RECIPES: [RegExp, string][] = [
    [/^password$/, "a random password: `openssl rand -hex 12` (letters and digits: the image feeds it to chpasswd)"],
    [/^password-bcrypt$/, "the bcrypt hash of the same Secret's `password`: `htpasswd -nbBC 10 '' \"$password\" | cut -d: -f2`"],
    [/^username$/, "MLab's admin login: `mlab-admin`"],
    [
        /^(secret-key|internal-token)$/,
        "a Gitea key: `gitea generate secret SECRET_KEY` / `gitea generate secret INTERNAL_TOKEN` (or 64 random hex characters)",
    ],
    [/^admin-password$/, "the same value as `mlab-admin`'s `password`"],
    [
        /^jwt-secret$/,
        "Gitea's JWT secret: 32 random bytes in unpadded base64url: `openssl rand 32 | basenc --base64url | tr -d '='` (or `gitea generate secret JWT_SECRET`)",
    ],
    [/^import\.(.+)$/, "that import account's password (random), the same one its `mlab-import-<id>` Secret carries as `password`"],
    [/^user\.(.+)$/, "that user's MLab password (random), the same one their `mlab-git-<user>` Secret carries"],
    [
        /^git-credentials$/,
        "one line `http://<user>:<url-encoded MLab password>@<mlab host>` (the password of the reconciler's `user.<user>`)",
    ],
    [/^gitconfig$/, "the system git config that points git at `git-credentials` (see `gitSystemConfig` in components/mlab.ts)"],
];

function secretsGuide(manifests: RenderedManifests): string {
    const recipe = (key: string) => KEY_RECIPES.find(([re]) => re.test(key))?.[1] ?? "a value of your choosing";
    const keys = [
        ...new Set(
            manifests.secrets.flatMap((s) =>
                s.keys.map((k) => k.replace(/^user\..+$/, "user.<name>").replace(/^import\..+$/, "import.<account>")),
            ),
        ),
    ].sort();
    const lines = [
        "# Secrets this stack needs (values are never rendered)",
        "",
        "`pulumi up` generates every password with @pulumi/random and stores it only in these Secrets.",
        "A team applying these manifests with kubectl creates them itself, before the workloads, e.g.:",
        "",
        "```sh",
        "kubectl -n <namespace> create secret generic <name> --from-literal=<key>=<value> [...]",
        "```",
        "",
        "| namespace | secret | keys |",
        "|---|---|---|",
        ...manifests.secrets.map((s) => `| ${s.namespace} | ${s.name} | ${s.keys.join(", ")} |`),
        "",
        "What each key holds:",
        "",
        ...keys.map((k) => `- \`${k}\`: ${recipe(k.replace("<name>", "x"))}`),
        "",
    ];
    return lines.join("\n");
}

/** Marks every made-up cluster IP in an exported value: `10.96.3.4:3389 (placeholder IP)`. */
function markPlaceholders(value: unknown, ips: readonly string[]): unknown {
    if (ips.length === 0) return value;
    if (typeof value === "string") {
        return ips.some((ip) => value.includes(ip)) ? `${value} (placeholder IP)` : value;
    }
    if (Array.isArray(value)) return value.map((v) => markPlaceholders(v, ips));
    if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, markPlaceholders(v, ips)]));
    return value;
}

/** Beyond this many users (or entries of an export), the text summary shows the first ones and a count. */
const SUMMARY_MAX_ITEMS = 12;

function exportText(value: unknown): string {
    if (value && typeof value === "object" && !Array.isArray(value)) {
        const entries = Object.entries(value);
        if (entries.length > SUMMARY_MAX_ITEMS) {
            const shown = Object.fromEntries(entries.slice(0, SUMMARY_MAX_ITEMS));
            return `${JSON.stringify(shown).slice(0, -1)}, … ${entries.length - SUMMARY_MAX_ITEMS} more (render --json lists them all)}`;
        }
    }
    return JSON.stringify(value);
}

function summary(
    config: StackConfig,
    stackExports: Record<string, unknown>,
    manifests: RenderedManifests,
    outDir: string,
    placeholderIps: readonly string[],
): string {
    const gpus = config.users.reduce((sum, u) => sum + u.gpus, 0);
    const shownDir = path.relative(process.cwd(), outDir) || outDir;
    const suspended = suspendedUsers(config);
    const lines = [
        `Stack ${config.stack}: ${config.users.length} user(s)${suspended.length > 0 ? ` (${suspended.length} suspended)` : ""}, ${gpus} GPU(s), image ${config.image}`,
        ...gpuKindLines(config).map((line) => `  GPUs ${line}`),
        ...config.users
            .slice(0, SUMMARY_MAX_ITEMS)
            .map(
                (u) =>
                    `  ${u.name}: ${u.gpus} ${u.gpuResource}, ${u.resources.cpuLimit} CPU, ${u.resources.memoryLimit} memory, home ${u.homeSize}` +
                    (u.suspended ? " (suspended: scaled to zero, home and password kept)" : ""),
            ),
        ...(config.users.length > SUMMARY_MAX_ITEMS
            ? [`  … and ${config.users.length - SUMMARY_MAX_ITEMS} more (render --json lists every user)`]
            : []),
        `Endpoints:`,
        ...Object.entries(stackExports).map(([k, v]) => `  ${k}: ${exportText(markPlaceholders(redactSecrets(v), placeholderIps))}`),
        ...(placeholderIps.length > 0
            ? ["  (placeholder IP: a cluster IP the offline engine made up; the cluster assigns the real one at `pulumi up`)"]
            : []),
        `Wrote ${manifests.objects.length - manifests.secrets.length} objects to ${shownDir}/ (${MANIFEST_FILES.join(", ")});`,
        `  ${manifests.secrets.length} Secret(s) withheld: see ${path.join(shownDir, "SECRETS.md")}`,
        `  the policy pack config used: ${path.join(shownDir, POLICY_CONFIG_FILE)}; the allowed flows as a picture: ${path.join(shownDir, FLOWS_FILE)}`,
        `  the other registered resources (components, other providers): ${path.join(shownDir, PULUMI_RESOURCES_FILE)}`,
    ];
    return lines.join("\n");
}

/** `render --json`: the summary as one object (secrets redacted, placeholder IPs listed). */
export function jsonSummary(result: RenderResult): Record<string, unknown> {
    const { config } = result;
    return {
        stack: config.stack,
        image: config.image,
        users: config.users.map((u) => ({
            name: u.name,
            gpus: u.gpus,
            gpuResource: u.gpuResource,
            suspended: u.suspended,
            cpuLimit: u.resources.cpuLimit,
            memoryLimit: u.resources.memoryLimit,
            home: u.homeSize,
        })),
        gpus: config.users.reduce((sum, u) => sum + u.gpus, 0),
        gpusByKind: gpusByKind(config),
        suspended: suspendedUsers(config),
        exports: redactSecrets(result.exports),
        placeholderIps: result.placeholderIps,
        outDir: result.outDir,
        files: [...MANIFEST_FILES, "SECRETS.md", POLICY_CONFIG_FILE, PULUMI_RESOURCES_FILE, FLOWS_FILE],
        objects: result.manifests.objects.length - result.manifests.secrets.length,
        withheldSecrets: result.manifests.secrets,
        policyConfig: result.packConfig,
        flows: result.flows,
        violations: result.violations.map(({ resource, ...v }) => ({
            ...v,
            resource: resource ? { type: resource.type, name: resource.name, urn: resource.urn } : undefined,
        })),
        mandatoryViolations: result.mandatoryViolations,
        unexpanded: result.unexpanded,
    };
}

/** Exports wrap secrets as `{ secret: value }` (see offline/engine.ts); never print their values. */
function redactSecrets(value: unknown): unknown {
    if (Array.isArray(value)) return value.map(redactSecrets);
    if (value && typeof value === "object") {
        const entries = Object.entries(value);
        if (entries.length === 1 && entries[0][0] === "secret") return "[secret]";
        return Object.fromEntries(entries.map(([k, v]) => [k, redactSecrets(v)]));
    }
    return value;
}

export async function main(argv: readonly string[]): Promise<number> {
    try {
        const args = parseArgs(argv);
        if (args.help) {
            console.log(USAGE);
            return EXIT.pass;
        }
        const result = await render({
            stack: args.stack,
            outRoot: args.outRoot,
            configDir: args.configDir,
            program: args.program,
            log: args.json ? () => undefined : undefined,
        });
        if (args.json) process.stdout.write(JSON.stringify(jsonSummary(result), null, 2) + "\n");
        if (result.mandatoryViolations > 0) {
            console.error(
                `${args.json ? "" : "\n"}render: ${result.mandatoryViolations} mandatory policy violation(s): this stack must not be deployed.`,
            );
            return EXIT.violation;
        }
        if (result.unexpanded.length > 0) {
            console.error(
                `${args.json ? "" : "\n"}render: not a pass: ${result.unexpanded.length} component(s) render could not see into (exit ${EXIT.unseen}); run pulumi preview --policy-pack policy.`,
            );
            return EXIT.unseen;
        }
        return EXIT.pass;
    } catch (e) {
        if (e instanceof UsageError) {
            console.error(`render: ${e.message}`);
            return EXIT.usage;
        }
        throw e;
    }
}

if (require.main === module) {
    main(process.argv.slice(2)).then(
        (code) => process.exit(code),
        (e) => {
            // Not a verdict on the stack (1 is): a fault of render itself.
            console.error(`render: ${e?.stack ?? e}`);
            process.exit(EXIT.failed);
        },
    );
}
