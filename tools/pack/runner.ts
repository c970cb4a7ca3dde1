// Runs the policy pack as the Pulumi engine does: its own process serving the Analyzer gRPC
// protocol (it prints its port on stdout), called with the generated clients of @pulumi/pulumi.
// Used by `npm run policy-check`, `npm run render` and the end-to-end tests.
import { ChildProcess, spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import * as grpc from "@grpc/grpc-js";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import * as analyzerGrpc from "@pulumi/pulumi/proto/analyzer_grpc_pb";
import * as analyzerPb from "@pulumi/pulumi/proto/analyzer_pb";

export type EnforcementLevel = "advisory" | "mandatory" | "remediate" | "disabled";

/** A resource as the engine shows it to an analyzer. */
export interface PackResource {
    type: string; // kubernetes:apps/v1:Deployment
    name: string;
    urn: string;
    props: Record<string, unknown>;
    parent?: string;
    dependencies?: string[];
    provider?: { type: string; name: string; urn: string; props: Record<string, unknown> };
}

export interface Violation {
    policyName: string;
    policyPackName: string;
    policyPackVersion: string;
    enforcementLevel: EnforcementLevel;
    severity?: "low" | "medium" | "high" | "critical";
    /** The policy's message (the pack's description prefix removed). */
    message: string;
    description: string;
    /** The resource the violation is about (Analyze: the analyzed one; AnalyzeStack: the one the policy named). */
    urn?: string;
    resource?: PackResource;
    stage: "analyze" | "analyzeStack";
}

export interface PolicyInfo {
    name: string;
    description: string;
    enforcementLevel: EnforcementLevel;
    type: "resource" | "stack" | "unknown";
    configSchema?: { properties: Record<string, any>; required: string[] };
}

export interface AnalyzerInfo {
    name: string;
    version: string;
    displayName: string;
    supportsConfig: boolean;
    policies: PolicyInfo[];
}

/** Per-policy config as in a Pulumi policy config file: a level, or properties with an optional level. */
export type PolicyPackConfig = Record<string, EnforcementLevel | ({ enforcementLevel?: EnforcementLevel } & Record<string, unknown>)>;

export interface StartOptions {
    /** The pack's folder (where PulumiPolicy.yaml and package.json are). Default: this repository's policy/. */
    packDir?: string;
    /**
     * Milliseconds to wait for the port. Default 180000: render starts the pack while the program
     * runs, and on a loaded two-core machine the pack's start-up (ts-node compiling it) was seen to
     * need more than a minute at 1,000 users.
     */
    startTimeoutMs?: number;
    /**
     * How to start it: "ts-node" (default: node -r tools/typescript/register.cjs index.ts in packDir: the
     * sources) or "pulumi-host" (the way the Pulumi nodejs policy host does: @pulumi/pulumi/cmd/run-policy-pack,
     * which loads the pack's package.json "main": for torchpod-lockdown, compiledPack.cjs and the bundle built
     * from the sources).
     */
    launcher?: "ts-node" | "pulumi-host";
    /** Extra node options for the pack's process, e.g. ["--cpu-prof", "--cpu-prof-dir=/tmp/prof"] to profile it. */
    nodeArgs?: string[];
}

export const DEFAULT_PACK_DIR = path.resolve(__dirname, "../../policy");
/** The preload that loads the pack's TypeScript (ts-node over esbuild); the same path from tools/pack and dist/cli. */
const TYPESCRIPT_REGISTER = path.resolve(__dirname, "../../tools/typescript/register.cjs");

const LEVELS: Record<number, EnforcementLevel> = {
    [analyzerPb.EnforcementLevel.ADVISORY]: "advisory",
    [analyzerPb.EnforcementLevel.MANDATORY]: "mandatory",
    [analyzerPb.EnforcementLevel.DISABLED]: "disabled",
    [analyzerPb.EnforcementLevel.REMEDIATE]: "remediate",
};
const LEVEL_CODES: Record<EnforcementLevel, analyzerPb.EnforcementLevel> = {
    advisory: analyzerPb.EnforcementLevel.ADVISORY,
    mandatory: analyzerPb.EnforcementLevel.MANDATORY,
    disabled: analyzerPb.EnforcementLevel.DISABLED,
    remediate: analyzerPb.EnforcementLevel.REMEDIATE,
};
const SEVERITIES: Record<number, Violation["severity"]> = {
    [analyzerPb.PolicySeverity.POLICY_SEVERITY_LOW]: "low",
    [analyzerPb.PolicySeverity.POLICY_SEVERITY_MEDIUM]: "medium",
    [analyzerPb.PolicySeverity.POLICY_SEVERITY_HIGH]: "high",
    [analyzerPb.PolicySeverity.POLICY_SEVERITY_CRITICAL]: "critical",
};

function unary<Req, Res>(fn: (req: Req, cb: (err: grpc.ServiceError | null, res: Res) => void) => unknown, req: Req): Promise<Res> {
    return new Promise((resolve, reject) => fn(req, (err, res) => (err ? reject(err) : resolve(res))));
}

/** JSON-clean (no undefined, no functions) so google.protobuf.Struct accepts it. */
function toStruct(v: Record<string, unknown>): Struct {
    return Struct.fromJavaScript(JSON.parse(JSON.stringify(v ?? {})));
}

// ---- Protocol-buffer encoding straight from JavaScript values ----
// Analyze and AnalyzeStack carry every object as a google.protobuf.Struct. Building google-protobuf's
// object tree for each (after a JSON round trip), then serializing it, was most of this process's
// share of the pack's cost, and the trees of every object stayed alive until AnalyzeStack. Here the
// bytes are written directly, exactly as google-protobuf writes them (map keys sorted, oneof fields
// always written, values as JSON.stringify would keep them); each object's bytes are kept for
// AnalyzeStack instead of its tree.

/** A value as JSON.stringify sees it: toJSON applied; functions, symbols and undefined dropped (undefined). */
function jsonValue(v: unknown): unknown {
    if (v !== null && typeof v === "object" && typeof (v as { toJSON?: unknown }).toJSON === "function")
        v = (v as { toJSON(): unknown }).toJSON();
    if (v === undefined || typeof v === "function" || typeof v === "symbol") return undefined;
    if (typeof v === "bigint") throw new TypeError("Do not know how to serialize a BigInt");
    return v;
}

const varintSize = (n: number) => (n < 0x80 ? 1 : n < 0x4000 ? 2 : n < 0x200000 ? 3 : n < 0x10000000 ? 4 : 5);

/**
 * Two passes over a value: the first records the size of every nested message (in visiting order),
 * the second writes into one buffer of the exact size. Strings' UTF-8 lengths are measured once.
 */
class StructWriter {
    private readonly sizes: number[] = [];
    private readonly strings: number[] = [];
    private buf!: Buffer;
    private pos = 0;
    private si = 0;
    private ti = 0;

    private strSize(s: string): number {
        const n = Buffer.byteLength(s, "utf8");
        this.strings.push(n);
        return varintSize(n) + n;
    }

    /** Size of a Value message's body; undefined when JSON would drop the value. */
    private sizeValue(raw: unknown): number {
        const v = jsonValue(raw);
        if (v === null || v === undefined || (typeof v === "number" && !Number.isFinite(v))) return 2;
        if (typeof v === "number") return 9;
        if (typeof v === "boolean") return 2;
        if (typeof v === "string") return 1 + this.strSize(v);
        const slot = this.sizes.length;
        this.sizes.push(0);
        const body = Array.isArray(v) ? this.sizeList(v) : this.sizeStructBody(v as Record<string, unknown>);
        this.sizes[slot] = body;
        return 1 + varintSize(body) + body;
    }

    private sizeList(list: unknown[]): number {
        let n = 0;
        for (const item of list) {
            const s = this.sizeValue(item); // undefined in a list is null, as in JSON
            n += 1 + varintSize(s) + s;
        }
        return n;
    }

    private sizeStructBody(obj: Record<string, unknown>): number {
        let n = 0;
        for (const key of Object.keys(obj).sort()) {
            if (jsonValue(obj[key]) === undefined) continue;
            const k = this.strSize(key);
            const slot = this.sizes.length;
            this.sizes.push(0);
            const v = this.sizeValue(obj[key]);
            this.sizes[slot] = v;
            const entry = 1 + k + 1 + varintSize(v) + v;
            n += 1 + varintSize(entry) + entry;
        }
        return n;
    }

    private varint(n: number): void {
        while (n >= 0x80) {
            this.buf[this.pos++] = (n & 0x7f) | 0x80;
            n >>>= 7;
        }
        this.buf[this.pos++] = n;
    }

    private str(s: string): void {
        const n = this.strings[this.ti++];
        this.varint(n);
        this.pos += this.buf.write(s, this.pos, n, "utf8");
    }

    private writeValue(raw: unknown): void {
        const v = jsonValue(raw);
        if (v === null || v === undefined || (typeof v === "number" && !Number.isFinite(v))) {
            this.buf[this.pos++] = 0x08; // null_value = NULL_VALUE
            this.buf[this.pos++] = 0;
        } else if (typeof v === "number") {
            this.buf[this.pos++] = 0x11;
            this.pos = this.buf.writeDoubleLE(v === 0 ? 0 : v, this.pos); // JSON has no -0
        } else if (typeof v === "boolean") {
            this.buf[this.pos++] = 0x20;
            this.buf[this.pos++] = v ? 1 : 0;
        } else if (typeof v === "string") {
            this.buf[this.pos++] = 0x1a;
            this.str(v);
        } else if (Array.isArray(v)) {
            this.buf[this.pos++] = 0x32;
            this.varint(this.sizes[this.si++]);
            for (const item of v) {
                this.buf[this.pos++] = 0x0a;
                this.varint(this.sizeOfNext(item));
                this.writeValue(item);
            }
        } else {
            this.buf[this.pos++] = 0x2a;
            this.varint(this.sizes[this.si++]);
            this.writeStructBody(v as Record<string, unknown>);
        }
    }

    /** The body size of the Value about to be written (recomputed for scalars, looked up for messages). */
    private sizeOfNext(raw: unknown): number {
        const v = jsonValue(raw);
        if (v === null || v === undefined || typeof v === "number" || typeof v === "boolean")
            return typeof v === "number" && Number.isFinite(v) ? 9 : 2;
        if (typeof v === "string") return 1 + varintSize(this.strings[this.ti]) + this.strings[this.ti];
        const body = this.sizes[this.si];
        return 1 + varintSize(body) + body;
    }

    private writeStructBody(obj: Record<string, unknown>): void {
        for (const key of Object.keys(obj).sort()) {
            if (jsonValue(obj[key]) === undefined) continue;
            const klen = this.strings[this.ti];
            const v = this.sizes[this.si++];
            const entry = 1 + varintSize(klen) + klen + 1 + varintSize(v) + v;
            this.buf[this.pos++] = 0x0a; // fields: map entry
            this.varint(entry);
            this.buf[this.pos++] = 0x0a; // key
            this.str(key);
            this.buf[this.pos++] = 0x12; // value
            this.varint(v);
            this.writeValue(obj[key]);
        }
    }

    /** The bytes of google.protobuf.Struct for `obj`, as Struct.fromJavaScript(JSON round trip).serializeBinary() gives them. */
    static encode(obj: Record<string, unknown>): Buffer {
        const w = new StructWriter();
        const size = w.sizeStructBody(obj ?? {});
        w.buf = Buffer.allocUnsafe(size);
        w.writeStructBody(obj ?? {});
        if (w.pos !== size) throw new Error(`struct encoding: wrote ${w.pos} bytes, expected ${size}`);
        return w.buf;
    }
}

/** Encodes a google.protobuf.Struct from a plain object (exported for the specs that compare it with google-protobuf). */
export function encodeStruct(obj: Record<string, unknown>): Buffer {
    return StructWriter.encode(obj);
}

/** Small message builder: fields appended in order, nested messages as finished byte blocks. */
class Fields {
    private readonly parts: Buffer[] = [];
    private size = 0;
    private push(b: Buffer): void {
        this.parts.push(b);
        this.size += b.length;
    }
    private key(field: number, wire: number, len?: number): void {
        const head = [];
        let n = (field << 3) | wire;
        for (const x of len === undefined ? [n] : [n, len]) {
            n = x;
            while (n >= 0x80) {
                head.push((n & 0x7f) | 0x80);
                n >>>= 7;
            }
            head.push(n);
        }
        this.push(Buffer.from(head));
    }
    /** A string field, left out when empty (proto3). */
    string(field: number, s: string | undefined): this {
        if (!s) return this;
        const b = Buffer.from(s, "utf8");
        this.key(field, 2, b.length);
        this.push(b);
        return this;
    }
    /** A message field (written even when empty). */
    message(field: number, body: Buffer): this {
        this.key(field, 2, body.length);
        this.push(body);
        return this;
    }
    bytes(): Buffer {
        return Buffer.concat(this.parts, this.size);
    }
}

// Analyze and AnalyzeStack send the same properties: encode each resource's once.
const structCache = new WeakMap<object, Buffer>();
function propsBytes(r: PackResource): Buffer {
    const key = r.props ?? {};
    let b = structCache.get(key);
    if (!b) {
        b = encodeStruct(key);
        structCache.set(key, b);
    }
    return b;
}

/** AnalyzerResourceOptions as the engine fills them for these resources: empty custom timeouts, the parent. */
function optionsBytes(r: PackResource): Buffer {
    return new Fields().message(7, Buffer.alloc(0)).string(8, r.parent).bytes();
}

function providerBytes(p: NonNullable<PackResource["provider"]>): Buffer {
    return new Fields().string(1, p.type).message(2, encodeStruct(p.props)).string(3, p.urn).string(4, p.name).bytes();
}

/** The fields AnalyzeRequest and AnalyzerResource share (1-6); AnalyzerResource adds parent (7) and dependencies (8). */
function describeResource(r: PackResource, stack: boolean): Buffer {
    const f = new Fields().string(1, r.type).message(2, propsBytes(r)).string(3, r.urn).string(4, r.name).message(5, optionsBytes(r));
    if (r.provider) f.message(6, providerBytes(r.provider));
    if (stack) {
        f.string(7, r.parent);
        for (const d of r.dependencies ?? []) f.message(8, Buffer.from(d, "utf8"));
    }
    return f.bytes();
}

/** The bytes of pulumirpc.AnalyzeRequest for one resource. */
export function encodeAnalyzeRequest(r: PackResource): Buffer {
    return describeResource(r, false);
}

/** The bytes of pulumirpc.AnalyzeStackRequest for the whole stack. */
export function encodeAnalyzeStackRequest(resources: readonly PackResource[]): Buffer {
    const req = new Fields();
    for (const r of resources) req.message(1, describeResource(r, true));
    return req.bytes();
}

/** The policy pack running in its own process, and a gRPC client to it. */
export class PolicyPackProcess {
    private exited = false;
    private readonly exitPromise: Promise<void>;

    private constructor(
        readonly child: ChildProcess,
        readonly port: number,
        readonly client: analyzerGrpc.AnalyzerClient,
        private stderrText: () => string,
    ) {
        this.exitPromise = new Promise((resolve) => child.once("exit", () => resolve()));
        child.once("exit", () => (this.exited = true));
    }

    /** Starts the pack and waits for the port it prints. */
    static start(opts: StartOptions = {}): Promise<PolicyPackProcess> {
        const packDir = path.resolve(opts.packDir ?? DEFAULT_PACK_DIR);
        const timeout = opts.startTimeoutMs ?? 180000;
        let args: string[];
        if (opts.launcher === "pulumi-host") {
            const runPolicyPack = path.dirname(require.resolve("@pulumi/pulumi/cmd/run-policy-pack/index.js"));
            // run-policy-pack <engine-address> <program>: the address is not used by policy packs.
            args = [runPolicyPack, "127.0.0.1:0", "."];
        } else {
            args = ["-r", TYPESCRIPT_REGISTER, "index.ts"];
        }
        // PolicyPack reads ${cwd}/package.json for its version: run in the pack's folder, as Pulumi does.
        const env: NodeJS.ProcessEnv = { ...process.env };
        // The Pulumi host registers ts-node itself (type-checked, with the pack's tsconfig.json; unused when the
        // pack's main is JavaScript): no overrides.
        if (opts.launcher === "pulumi-host") for (const k of Object.keys(env)) if (k.startsWith("TS_NODE_")) delete env[k];
        const child = spawn(process.execPath, [...(opts.nodeArgs ?? []), ...args], {
            cwd: packDir,
            stdio: ["ignore", "pipe", "pipe"],
            env,
        });
        let stdout = "";
        let stderr = "";
        child.stderr!.on("data", (d) => (stderr += d.toString()));
        return new Promise((resolve, reject) => {
            let done = false;
            const fail = (why: string) => {
                if (done) return;
                done = true;
                clearTimeout(timer);
                child.kill("SIGKILL");
                reject(new Error(`policy pack ${packDir}: ${why}${stderr.trim() ? `\n${stderr.trim()}` : ""}`));
            };
            const timer = setTimeout(() => fail(`no port printed within ${timeout} ms`), timeout);
            child.once("error", (e) => fail(`cannot start node: ${e.message}`));
            child.once("exit", (code, signal) => fail(`exited (${signal ?? code}) before printing its port`));
            child.stdout!.on("data", (d) => {
                if (done) return;
                stdout += d.toString();
                const m = /^\s*(\d+)\s*$/m.exec(stdout);
                if (!m) return;
                done = true;
                clearTimeout(timer);
                const port = Number(m[1]);
                const client = new analyzerGrpc.AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure(), {
                    "grpc.max_receive_message_length": 400 * 1024 * 1024,
                    "grpc.max_send_message_length": 400 * 1024 * 1024,
                });
                resolve(new PolicyPackProcess(child, port, client, () => stderr));
            });
        });
    }

    get stderr(): string {
        return this.stderrText();
    }

    /** Peak resident memory of the pack's process so far, in MB (Linux /proc; NaN elsewhere or once it exited). */
    peakRssMb(): number {
        try {
            const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${this.child.pid}/status`, "utf8"));
            return m ? Number(m[1]) / 1024 : NaN;
        } catch {
            return NaN;
        }
    }

    async getPluginInfo(): Promise<{ version: string }> {
        const r = await unary<Empty, any>(this.client.getPluginInfo.bind(this.client), new Empty());
        return { version: r.getVersion() };
    }

    async getAnalyzerInfo(): Promise<AnalyzerInfo> {
        const r: analyzerPb.AnalyzerInfo = await unary<Empty, analyzerPb.AnalyzerInfo>(
            this.client.getAnalyzerInfo.bind(this.client),
            new Empty(),
        );
        return {
            name: r.getName(),
            version: r.getVersion(),
            displayName: r.getDisplayname(),
            supportsConfig: r.getSupportsconfig(),
            policies: r.getPoliciesList().map((p) => {
                const schema = p.getConfigschema();
                const info: PolicyInfo = {
                    name: p.getName(),
                    description: p.getDescription(),
                    enforcementLevel: LEVELS[p.getEnforcementlevel()],
                    type:
                        p.getPolicyType() === analyzerPb.PolicyType.POLICY_TYPE_RESOURCE
                            ? "resource"
                            : p.getPolicyType() === analyzerPb.PolicyType.POLICY_TYPE_STACK
                              ? "stack"
                              : "unknown",
                };
                if (schema)
                    info.configSchema = {
                        properties: (schema.getProperties()?.toJavaScript() as Record<string, any>) ?? {},
                        required: schema.getRequiredList(),
                    };
                return info;
            }),
        };
    }

    async configureStack(s: {
        stack: string;
        project: string;
        organization?: string;
        dryRun?: boolean;
        tags?: Record<string, string>;
    }): Promise<void> {
        const req = new analyzerPb.AnalyzerStackConfigureRequest();
        req.setStack(s.stack);
        req.setProject(s.project);
        req.setOrganization(s.organization ?? "organization");
        req.setDryRun(s.dryRun ?? true);
        const tags = req.getTagsMap();
        for (const [k, v] of Object.entries(s.tags ?? {})) tags.set(k, v);
        await unary(this.client.configureStack.bind(this.client), req);
    }

    /**
     * Sends the policy config as the engine does: one entry per policy with its enforcement level
     * (the user's, else the policy's) and its properties (schema defaults, then the user's values).
     */
    async configure(info: AnalyzerInfo, user: PolicyPackConfig = {}): Promise<void> {
        const req = new analyzerPb.ConfigureAnalyzerRequest();
        const map = req.getPolicyconfigMap();
        for (const p of info.policies) {
            const u = user[p.name] ?? user["all"];
            const uObj = typeof u === "string" ? { enforcementLevel: u } : (u ?? {});
            const { enforcementLevel, ...props } = uObj as { enforcementLevel?: EnforcementLevel } & Record<string, unknown>;
            const properties: Record<string, unknown> = {};
            for (const [k, s] of Object.entries(p.configSchema?.properties ?? {}))
                if (s && typeof s === "object" && "default" in s) properties[k] = s.default;
            Object.assign(properties, user[p.name] === undefined ? {} : props);
            const c = new analyzerPb.PolicyConfig();
            c.setEnforcementlevel(LEVEL_CODES[enforcementLevel ?? p.enforcementLevel]);
            c.setProperties(toStruct(properties));
            map.set(p.name, c);
        }
        await unary(this.client.configure.bind(this.client), req);
    }

    private violations(
        resp: analyzerPb.AnalyzeResponse,
        stage: Violation["stage"],
        byUrn: Map<string, PackResource>,
        analyzed?: PackResource,
    ): Violation[] {
        return resp.getDiagnosticsList().map((d) => {
            const description = d.getDescription();
            let message = d.getMessage();
            if (message.startsWith(`${description}\n`)) message = message.slice(description.length + 1);
            const urn = d.getUrn() || analyzed?.urn;
            const v: Violation = {
                policyName: d.getPolicyname(),
                policyPackName: d.getPolicypackname(),
                policyPackVersion: d.getPolicypackversion(),
                enforcementLevel: LEVELS[d.getEnforcementlevel()],
                message,
                description,
                stage,
            };
            const sev = SEVERITIES[d.getSeverity()];
            if (sev) v.severity = sev;
            if (urn) v.urn = urn;
            const res = urn ? byUrn.get(urn) : undefined;
            if (res) v.resource = res;
            return v;
        });
    }

    /** A unary call with a request already in wire form (the generated client would build the message first). */
    private rawUnary(method: string, request: Buffer): Promise<analyzerPb.AnalyzeResponse> {
        return new Promise((resolve, reject) =>
            this.client.makeUnaryRequest(
                `/pulumirpc.Analyzer/${method}`,
                (b: Buffer) => b,
                (b: Buffer) => analyzerPb.AnalyzeResponse.deserializeBinary(new Uint8Array(b)),
                request,
                (err, res) => (err ? reject(err) : resolve(res!)),
            ),
        );
    }

    async analyze(r: PackResource): Promise<Violation[]> {
        const resp = await this.rawUnary("Analyze", encodeAnalyzeRequest(r));
        return this.violations(resp, "analyze", new Map([[r.urn, r]]), r);
    }

    /** The not-applicable reasons of the last AnalyzeStack. */
    lastNotApplicable: { policyName: string; reason: string }[] = [];

    async analyzeStack(resources: PackResource[]): Promise<Violation[]> {
        const resp = await this.rawUnary("AnalyzeStack", encodeAnalyzeStackRequest(resources));
        this.lastNotApplicable = resp.getNotApplicableList().map((n) => ({ policyName: n.getPolicyName(), reason: n.getReason() }));
        return this.violations(resp, "analyzeStack", new Map(resources.map((r) => [r.urn, r])));
    }

    /** Stops the pack process (SIGTERM, then SIGKILL after 3 s) and closes the client. */
    async stop(): Promise<void> {
        this.client.close();
        if (this.exited) return;
        this.child.kill("SIGTERM");
        const timer = setTimeout(() => !this.exited && this.child.kill("SIGKILL"), 3000);
        await this.exitPromise;
        clearTimeout(timer);
    }
}

/** Analyze calls in flight at once (the engine's default parallelism is of this order). */
const ANALYZE_CONCURRENCY = 32;

export interface RunOptions extends StartOptions {
    /** Policy config (as in `pulumi preview --policy-pack-config`). */
    config?: PolicyPackConfig;
    stack?: string;
    project?: string;
    dryRun?: boolean;
    tags?: Record<string, string>;
    /** Reuse a running pack (it is configured again and left running). */
    pack?: PolicyPackProcess;
}

export interface PackRun {
    info: AnalyzerInfo;
    violations: Violation[];
    /** Why stack policies did not apply (AnalyzeStack's not-applicable list). */
    notApplicable?: { policyName: string; reason: string }[];
}

/**
 * One judgement of a stack, as the engine runs it: the pack is configured once, each resource is
 * analyzed as soon as it exists (the engine calls Analyze as its steps run, many at once), and
 * AnalyzeStack sees them all at the end. Feeding resources while a program still runs overlaps the
 * pack's work with the program's.
 */
export class PackSession {
    private readonly perResource: Promise<Violation[]>[] = [];
    private inFlight = 0;
    private readonly waiting: (() => void)[] = [];

    private constructor(
        private readonly pack: PolicyPackProcess,
        readonly info: AnalyzerInfo,
        private readonly ownsPack: boolean,
    ) {}

    /** Starts (or reuses) the pack: GetPluginInfo, ConfigureStack, GetAnalyzerInfo, Configure. */
    static async open(opts: RunOptions = {}): Promise<PackSession> {
        const pack = opts.pack ?? (await PolicyPackProcess.start(opts));
        try {
            await pack.getPluginInfo();
            await pack.configureStack({
                stack: opts.stack ?? "policy-check",
                project: opts.project ?? "manifests",
                dryRun: opts.dryRun ?? true,
                tags: opts.tags,
            });
            const info = await pack.getAnalyzerInfo();
            await pack.configure(info, opts.config ?? {});
            return new PackSession(pack, info, !opts.pack);
        } catch (e) {
            if (!opts.pack) await pack.stop();
            throw e;
        }
    }

    /** Queues Analyze for one resource; at most ANALYZE_CONCURRENCY calls are in flight. */
    analyze(resource: PackResource): void {
        const result = this.throttled(() => this.pack.analyze(resource));
        result.catch(() => undefined); // reported by finish(); not an unhandled rejection meanwhile
        this.perResource.push(result);
    }

    private async throttled<T>(call: () => Promise<T>): Promise<T> {
        if (this.inFlight >= ANALYZE_CONCURRENCY) await new Promise<void>((resolve) => this.waiting.push(resolve));
        this.inFlight++;
        try {
            return await call();
        } finally {
            this.inFlight--;
            this.waiting.shift()?.();
        }
    }

    /** Wall time the last finish() spent waiting for the Analyze calls, and in AnalyzeStack (for the benchmark). */
    readonly timings = { analyzeMs: 0, analyzeStackMs: 0 };
    /** Peak resident memory of the pack's process in MB, read as the session closes (Linux; NaN elsewhere). */
    packPeakRssMb = NaN;

    /** Waits for every Analyze, runs AnalyzeStack over `resources`, stops a pack it started. */
    async finish(resources: PackResource[]): Promise<PackRun> {
        try {
            const started = process.hrtime.bigint();
            const violations = (await Promise.all(this.perResource)).flat();
            const analyzed = process.hrtime.bigint();
            violations.push(...(await this.pack.analyzeStack(resources)));
            this.timings.analyzeMs = Number(analyzed - started) / 1e6;
            this.timings.analyzeStackMs = Number(process.hrtime.bigint() - analyzed) / 1e6;
            return { info: this.info, violations, notApplicable: this.pack.lastNotApplicable };
        } finally {
            await this.close();
        }
    }

    /** Stops the pack if this session started it (idempotent). */
    async close(): Promise<void> {
        if (Number.isNaN(this.packPeakRssMb)) this.packPeakRssMb = this.pack.peakRssMb();
        if (this.ownsPack) await this.pack.stop();
    }
}

/**
 * Judges resources end to end: starts the pack, GetPluginInfo, ConfigureStack, GetAnalyzerInfo,
 * Configure, Analyze for each resource, AnalyzeStack with all of them, stops the pack.
 */
export async function runPack(resources: PackResource[], opts: RunOptions = {}): Promise<PackRun> {
    const session = await PackSession.open(opts);
    for (const r of resources) session.analyze(r);
    return session.finish(resources);
}

/** The violations of `resources` judged by the pack over gRPC (see runPack). */
export async function runPackOverResources(resources: PackResource[], opts: RunOptions = {}): Promise<Violation[]> {
    return (await runPack(resources, opts)).violations;
}

/** `<Kind> ns/name` of a Kubernetes resource (or its URN's last part). */
export function resourceLabel(r: PackResource | undefined, urn?: string): string {
    if (r) {
        const kind = r.type.split(":").pop() ?? r.type;
        const md = (r.props as any)?.metadata;
        const name = md?.name ?? r.name;
        return md?.namespace ? `${kind} ${md.namespace}/${name}` : `${kind} ${name}`;
    }
    return urn ? (urn.split("::").pop() ?? urn) : "(stack)";
}

/** One line per violation: `<policy> [<level>] <Kind> ns/name: <message>`. */
export function formatViolation(v: Violation): string {
    return `${v.policyName} [${v.enforcementLevel}] ${resourceLabel(v.resource, v.urn)}: ${v.message.replace(/\n/g, " ")}`;
}
