// `npm run render [-- --stack NAME]`: runs the real program offline for one stack, writes its
// manifests to out/<stack>/, prints a summary and the who-may-talk-to-whom matrix, and runs the
// policy pack over the result. Exit 0 when the pack passes, 1 on a mandatory violation, 2 on
// unusable input (bad stack config, unknown stack).
import * as fs from "fs";
import * as path from "path";
import { readStackConfigFile, runProgram, RecordedResource } from "../offline/engine";
import { toManifests, toYaml, MANIFEST_FILES, RenderedManifests, isKubernetesObject } from "./manifestFiles";
import { trafficMatrix, formatMatrix } from "./matrix";
import { parseStackConfig } from "../../stacks/parse";
import { StackConfig } from "../../stacks/types";
import { formatViolation, PolicyPackConfig, Violation } from "../pack/runner";
import { startPackCheck } from "../pack/packCheck";

const repoRoot = path.resolve(__dirname, "../..");

export class UsageError extends Error {}

export interface RenderOptions {
    readonly stack: string;
    /** Where out/<stack>/ goes; default <repo>/out. */
    readonly outRoot?: string;
    /** Where Pulumi.<stack>.yaml is read from; default the repository root. */
    readonly configDir?: string;
    /** Run the policy pack over the result; default true. */
    readonly checkPolicies?: boolean;
    readonly log?: (line: string) => void;
}

export interface RenderResult {
    readonly outDir: string;
    readonly config: StackConfig;
    readonly resources: readonly RecordedResource[];
    readonly manifests: RenderedManifests;
    readonly exports: Record<string, unknown>;
    readonly violations: readonly Violation[];
    readonly mandatoryViolations: number;
}

export function parseArgs(argv: readonly string[]): { stack: string } {
    let stack = "dev";
    for (let i = 0; i < argv.length; i++) {
        const arg = argv[i];
        if (arg === "--stack") {
            const value = argv[++i];
            if (!value || value.startsWith("-")) throw new UsageError("--stack: expected a stack name, e.g. --stack dev");
            stack = value;
        } else if (arg.startsWith("--stack=")) {
            stack = arg.slice("--stack=".length);
        } else {
            throw new UsageError(`unknown argument '${arg}': usage: npm run render [-- --stack NAME]`);
        }
    }
    if (!/^[A-Za-z0-9_.-]+$/.test(stack))
        throw new UsageError(`--stack: got '${stack}', expected a stack name of letters, digits, '.', '_' or '-'`);
    return { stack };
}

/**
 * The program is TypeScript: the compiled render (dist/render/render.js) loads it through ts-node, as
 * `pulumi up` does; under ts-node or mocha the hook is already there.
 */
function registerTypeScript(): void {
    if (require.extensions[".ts"]) return;
    require("ts-node").register({ transpileOnly: true, project: path.join(repoRoot, "tsconfig.json") });
}

/** Renders one stack. Throws UsageError (and writes nothing) when the stack or its config is unusable. */
export async function render(options: RenderOptions): Promise<RenderResult> {
    const log = options.log ?? ((line: string) => console.log(line));
    const stackFile = path.join(options.configDir ?? repoRoot, `Pulumi.${options.stack}.yaml`);
    if (!fs.existsSync(stackFile))
        throw new UsageError(`${stackFile}: no such stack config (expected Pulumi.<stack>.yaml beside Pulumi.yaml)`);
    let raw: Record<string, string>;
    let config: StackConfig;
    try {
        raw = readStackConfigFile(stackFile);
        // The same validation `pulumi up` runs first; failing here means nothing is written.
        config = parseStackConfig(raw, options.stack);
    } catch (e) {
        throw new UsageError((e as Error).message);
    }

    const check = (options.checkPolicies ?? true) ? startPackCheck(packConfigFor(config)) : undefined;
    registerTypeScript();
    const entry = require.resolve(path.join(repoRoot, "index.ts"));
    const run = await runProgram(
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
    const outDir = path.join(options.outRoot ?? path.join(repoRoot, "out"), options.stack);
    writeManifests(outDir, manifests);

    log(summary(config, run.exports, manifests, outDir));
    log("\nWho may talk to whom (from the rendered NetworkPolicies):");
    log(formatMatrix(trafficMatrix(manifests.objects, config)));

    let violations: RenderResult["violations"] = [];
    if (check) {
        violations = (await check.finish(run.resources)).violations;
        const judged = run.resources.filter(isKubernetesObject).length;
        log(`\nPolicy pack over ${judged} resources: ${violations.length === 0 ? "no violations" : `${violations.length} violation(s)`}`);
        for (const v of violations) log(`  ${formatViolation(v)}`);
    }
    const mandatoryViolations = violations.filter((v) => v.enforcementLevel === "mandatory").length;
    return { outDir, config, resources: run.resources, manifests, exports: run.exports, violations, mandatoryViolations };
}

/**
 * The pack's config for one stack, as its CI would pass with `--policy-pack-config`: raw VNC has no
 * password, so the pack refuses it unless the stack opted in explicitly (`torchpod:gui.vnc: true`).
 */
export function packConfigFor(config: StackConfig): PolicyPackConfig {
    return config.gui.vnc ? { "torchpod-ingress-only-from-office": { allowRawVnc: true } } : {};
}

/** Replaces out/<stack>/ whole, so a removed object never lingers in a stale file. */
function writeManifests(outDir: string, manifests: RenderedManifests): void {
    fs.rmSync(outDir, { recursive: true, force: true });
    fs.mkdirSync(outDir, { recursive: true });
    for (const file of MANIFEST_FILES) {
        fs.writeFileSync(path.join(outDir, file), toYaml(manifests.files.get(file) ?? []));
    }
    fs.writeFileSync(path.join(outDir, "SECRETS.md"), secretsGuide(manifests));
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
    [/^user\.(.+)$/, "that user's MLab password (random), the same one their `mlab-git-<user>` Secret carries"],
    [
        /^git-credentials$/,
        "one line `http://<user>:<url-encoded MLab password>@<mlab host>` (the password of the reconciler's `user.<user>`)",
    ],
    [/^gitconfig$/, "the system git config that points git at `git-credentials` (see `gitSystemConfig` in components/mlab.ts)"],
];

function secretsGuide(manifests: RenderedManifests): string {
    const recipe = (key: string) => KEY_RECIPES.find(([re]) => re.test(key))?.[1] ?? "a value of your choosing";
    const keys = [...new Set(manifests.secrets.flatMap((s) => s.keys.map((k) => k.replace(/^user\..+$/, "user.<name>"))))].sort();
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

function summary(config: StackConfig, exports: Record<string, unknown>, manifests: RenderedManifests, outDir: string): string {
    const gpus = config.users.reduce((sum, u) => sum + u.gpus, 0);
    const lines = [
        `Stack ${config.stack}: ${config.users.length} user(s), ${gpus} GPU(s), image ${config.image}`,
        ...config.users.map(
            (u) => `  ${u.name}: ${u.gpus} GPU, ${u.resources.cpuLimit} CPU, ${u.resources.memoryLimit} memory, home ${u.homeSize}`,
        ),
        `Endpoints:`,
        ...Object.entries(exports).map(([k, v]) => `  ${k}: ${JSON.stringify(redactSecrets(v))}`),
        `Wrote ${manifests.objects.length - manifests.secrets.length} objects to ${path.relative(process.cwd(), outDir) || outDir}/ (${MANIFEST_FILES.join(", ")});`,
        `  ${manifests.secrets.length} Secret(s) withheld: see ${path.join(path.relative(process.cwd(), outDir) || outDir, "SECRETS.md")}`,
    ];
    return lines.join("\n");
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

async function main(): Promise<number> {
    try {
        const { stack } = parseArgs(process.argv.slice(2));
        const result = await render({ stack });
        if (result.mandatoryViolations > 0) {
            console.error(`\nrender: ${result.mandatoryViolations} mandatory policy violation(s): this stack must not be deployed.`);
            return 1;
        }
        return 0;
    } catch (e) {
        if (e instanceof UsageError) {
            console.error(`render: ${e.message}`);
            return 2;
        }
        throw e;
    }
}

if (require.main === module) {
    main().then(
        (code) => process.exit(code),
        (e) => {
            console.error(e);
            process.exit(1);
        },
    );
}
