// The e2e harness: runs the real `pulumi` CLI (built by e2e/toolchain.sh) against the loopback
// cluster that e2e/run.sh started (e2e/cluster.sh), and reads objects back through the API server.
// Everything lives in one temp dir per run; nothing here ships in the program.
import * as child from "child_process";
import * as fs from "fs";
import * as https from "https";
import * as os from "os";
import * as path from "path";

export const REPO = path.resolve(__dirname, "..", "..");
/** The program under test: this repository, or another checkout of it (TORCHPOD_E2E_PROGRAM) using REPO's node_modules. */
export const PROGRAM = path.resolve(process.env.TORCHPOD_E2E_PROGRAM ?? REPO);

export function env(name: string): string {
    const v = process.env[name];
    if (!v) throw new Error(`${name} is not set: run the e2e tier with \`npm run test:e2e\` (e2e/run.sh)`);
    return v;
}

export interface Run {
    code: number;
    stdout: string;
    stderr: string;
}

/** Runs `pulumi ARGS...` in DIR; returns its exit code and output (never throws on a non-zero exit). */
export function pulumi(dir: string, args: string[], extraEnv: Record<string, string> = {}): Run {
    const r = child.spawnSync(path.join(env("TORCHPOD_E2E_PULUMI_BIN_DIR"), "pulumi"), args, {
        cwd: dir,
        env: { ...process.env, ...extraEnv },
        encoding: "utf8",
        maxBuffer: 256 * 1024 * 1024,
    });
    if (r.error) throw r.error;
    return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** Like pulumi(), but fails with the command's output when it exits non-zero. */
export function pulumiOk(dir: string, args: string[], extraEnv: Record<string, string> = {}): string {
    const r = pulumi(dir, args, extraEnv);
    if (r.code !== 0) {
        throw new Error(
            `pulumi ${args.join(" ")} exited ${r.code}\n--- stdout\n${r.stdout.slice(-20000)}\n--- stderr\n${r.stderr.slice(-8000)}`,
        );
    }
    return r.stdout;
}

export interface ProjectOptions {
    /** The checkout whose Pulumi.yaml config declarations and tsconfig.json the project takes. Default: PROGRAM. */
    program?: string;
    /** The node_modules the project links to. Default: REPO's. */
    nodeModules?: string;
    /** Copy the program's config declarations into Pulumi.yaml (default true; a program without torchpod keys says false). */
    declareConfig?: boolean;
}

/**
 * A project dir: Pulumi.yaml named torchpod, node_modules linked to the repository's, ENTRY as index.ts, and a
 * tsconfig.json extending the program's, so the Pulumi CLI loads TypeScript as it does in the repository's root.
 */
export function makeProject(root: string, name: string, entry: string, opts: ProjectOptions = {}): string {
    const program = opts.program ?? PROGRAM;
    const dir = path.join(root, name);
    fs.mkdirSync(dir, { recursive: true });
    fs.symlinkSync(opts.nodeModules ?? path.join(REPO, "node_modules"), path.join(dir, "node_modules"));
    fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name: `torchpod-e2e-${name}`, private: true, main: "index.ts" }));
    fs.writeFileSync(
        path.join(dir, "tsconfig.json"),
        JSON.stringify({ extends: path.join(program, "tsconfig.json"), include: ["index.ts"] }),
    );
    fs.writeFileSync(path.join(dir, "Pulumi.yaml"), "name: torchpod\nruntime:\n  name: nodejs\n  options:\n    typescript: true\n");
    if (opts.declareConfig ?? true) {
        // The project's config keys are declared in the real Pulumi.yaml: copy that declaration block.
        const real = fs.readFileSync(path.join(program, "Pulumi.yaml"), "utf8");
        const config = real.slice(real.indexOf("\nconfig:\n"));
        fs.appendFileSync(path.join(dir, "Pulumi.yaml"), config);
    }
    fs.writeFileSync(path.join(dir, "index.ts"), entry);
    return dir;
}

/**
 * The e2e-only preamble of every program: a stack transform that adds `pulumi.com/skipAwait: "true"` to every
 * Kubernetes object (no kubelet or controllers run, so nothing would ever become ready) and pins the explicit
 * Kubernetes provider to the provider version the toolchain could build. It never ships in the program.
 */
export const TRANSFORM = `
import * as pulumi from "@pulumi/pulumi";
pulumi.runtime.registerResourceTransform((args) => {
    if (args.type === "pulumi:providers:kubernetes") {
        return { props: args.props, opts: { ...args.opts, version: process.env.TORCHPOD_E2E_KUBERNETES_PROVIDER_VERSION } };
    }
    if (args.type.startsWith("kubernetes:") && args.props.metadata !== undefined) {
        const metadata = args.props.metadata ?? {};
        const annotations = { ...(metadata.annotations ?? {}), "pulumi.com/skipAwait": "true" };
        return { props: { ...args.props, metadata: { ...metadata, annotations } }, opts: args.opts };
    }
    return undefined;
});
`;

export function platformEntry(program = PROGRAM): string {
    return `${TRANSFORM}\nmodule.exports = require(${JSON.stringify(path.join(program, "index.ts"))});\n`;
}

/** The Pulumi environment of one run: PULUMI_HOME, a file:// backend, a passphrase, no network. */
export function pulumiEnv(root: string): void {
    process.env.PULUMI_HOME = path.join(root, "pulumi-home");
    process.env.PULUMI_BACKEND_URL = `file://${path.join(root, "state")}`;
    process.env.PULUMI_CONFIG_PASSPHRASE = "torchpod-e2e";
    process.env.PULUMI_SKIP_UPDATE_CHECK = "true";
    process.env.PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION = "true";
    process.env.PATH = `${env("TORCHPOD_E2E_PULUMI_BIN_DIR")}:${process.env.PATH}`;
    fs.mkdirSync(process.env.PULUMI_HOME, { recursive: true });
    fs.mkdirSync(path.join(root, "state"), { recursive: true });
}

/**
 * Writes the pack config render would write for a stack file (its office networks, its opt-ins) to
 * OUT, as `pulumi preview --policy-pack-config` takes it, and returns OUT.
 */
export function writeStackPackConfig(stackFile: string, out: string): string {
    const { readStackConfigFile } = require(path.join(PROGRAM, "tools/offline/engine"));
    const { parseStackConfig } = require(path.join(PROGRAM, "stacks/parse"));
    const { packConfigFor } = require(path.join(PROGRAM, "tools/render/render"));
    const config = parseStackConfig(readStackConfigFile(stackFile), "dev");
    fs.writeFileSync(out, JSON.stringify(packConfigFor(config), null, 2));
    return out;
}

export function tempRoot(): string {
    return fs.mkdtempSync(path.join(os.tmpdir(), "torchpod-e2e-run."));
}

// ---------------------------------------------------------------------------------------------------------------
// The API server, with the cluster's token and serving certificate.

export interface ApiResponse {
    status: number;
    body: any;
}

/** Where an API server is and how to talk to it: its URL, a bearer token and the CA its certificate chains to. */
export interface ApiEndpoint {
    readonly server: string;
    readonly token: string;
    readonly ca: Buffer;
}

/** One request to an API server; the body is parsed as JSON when it is JSON, else kept as text. */
export function apiRequest(
    endpoint: ApiEndpoint,
    method: string,
    urlPath: string,
    body?: unknown,
    contentType = "application/json",
): Promise<ApiResponse> {
    const data = body === undefined ? undefined : JSON.stringify(body);
    return new Promise((resolve, reject) => {
        const req = https.request(
            new URL(urlPath, endpoint.server),
            {
                method,
                ca: endpoint.ca,
                headers: {
                    Authorization: `Bearer ${endpoint.token}`,
                    Accept: "application/json",
                    ...(data ? { "Content-Type": contentType, "Content-Length": Buffer.byteLength(data) } : {}),
                },
            },
            (res) => {
                let s = "";
                res.setEncoding("utf8");
                res.on("data", (d) => (s += d));
                res.on("end", () => {
                    let parsed: unknown = s;
                    try {
                        parsed = JSON.parse(s);
                    } catch {
                        /* not JSON: keep the text */
                    }
                    resolve({ status: res.statusCode ?? 0, body: parsed });
                });
            },
        );
        req.on("error", reject);
        if (data) req.write(data);
        req.end();
    });
}

/** The loopback cluster's API server (e2e/cluster.sh), with its static token and serving certificate. */
export function api(method: string, urlPath: string, body?: unknown): Promise<ApiResponse> {
    const dir = env("TORCHPOD_E2E_CLUSTER_DIR");
    return apiRequest(
        {
            server: env("TORCHPOD_E2E_APISERVER"),
            token: fs.readFileSync(path.join(dir, "tokens.csv"), "utf8").split(",")[0],
            ca: fs.readFileSync(path.join(dir, "certs", "apiserver.crt")),
        },
        method,
        urlPath,
        body,
    );
}

export interface ApiKind {
    plural: string;
    namespaced: boolean;
}

const discovery = new Map<string, Map<string, ApiKind>>();

/** The REST path of an object (apiVersion, kind, namespace, name), from the API server's discovery. */
export async function objectPath(apiVersion: string, kind: string, namespace: string | undefined, name: string): Promise<string> {
    const base = apiVersion.includes("/") ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
    let kinds = discovery.get(base);
    if (!kinds) {
        const r = await api("GET", base);
        if (r.status !== 200) throw new Error(`discovery of ${base}: HTTP ${r.status}`);
        kinds = new Map();
        for (const res of r.body.resources as { name: string; kind: string; namespaced: boolean }[]) {
            if (!res.name.includes("/")) kinds.set(res.kind, { plural: res.name, namespaced: res.namespaced });
        }
        discovery.set(base, kinds);
    }
    const k = kinds.get(kind);
    if (!k) throw new Error(`the API server serves no ${kind} in ${apiVersion}`);
    return k.namespaced ? `${base}/namespaces/${namespace ?? "default"}/${k.plural}/${name}` : `${base}/${k.plural}/${name}`;
}

export async function pvcUids(): Promise<Map<string, string>> {
    const r = await api("GET", "/api/v1/persistentvolumeclaims");
    if (r.status !== 200) throw new Error(`list PVCs: HTTP ${r.status}`);
    return new Map(
        (r.body.items as { metadata: { namespace: string; name: string; uid: string } }[]).map((p) => [
            `${p.metadata.namespace}/${p.metadata.name}`,
            p.metadata.uid,
        ]),
    );
}

export interface StateResource {
    urn: string;
    type: string;
    outputs?: Record<string, any>;
}

export function stackResources(dir: string, stack: string): StateResource[] {
    const exported = JSON.parse(pulumiOk(dir, ["stack", "export", "--stack", stack]));
    return exported.deployment.resources ?? [];
}
