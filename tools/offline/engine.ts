// An offline Pulumi engine: runs the real program against a recording resource monitor (Pulumi's own
// mock monitor), so render, the benchmark and the tests see exactly what `pulumi up` would register,
// without a cluster or the Pulumi CLI.
import * as crypto from "crypto";
import * as fs from "fs";
import * as yaml from "js-yaml";
import * as pulumi from "@pulumi/pulumi";
import { RecordedResource, UnexpandedComponent, unexpandedComponents } from "./recorded";
import { serializeResourceProperties } from "./serialize";

export type { RecordedResource, UnexpandedComponent } from "./recorded";

export interface ProgramRun {
    readonly resources: RecordedResource[];
    /** The program's stack exports, resolved; secret values stay wrapped as `{ secret: value }`. */
    readonly exports: Record<string, unknown>;
    /** What the program threw, if anything. */
    readonly error?: Error;
    /** Components whose children the offline engine could not see (see unexpandedComponents). */
    readonly unexpanded: readonly UnexpandedComponent[];
}

export interface RunOptions {
    readonly stack: string;
    /** Raw config map, keys like `torchpod:users`, values as strings (objects JSON-encoded). */
    readonly config: Record<string, string>;
    readonly project?: string;
    readonly preview?: boolean;
    /** Called with each resource as soon as it is registered (as the engine's analyzers see it). */
    readonly onResource?: (resource: RecordedResource) => void;
}

const hash = (s: string) => crypto.createHash("sha256").update(s).digest();

/** A stable fake cluster IP in 10.96.0.0/12, away from the API server (.1) and DNS (.10). */
export function fakeClusterIp(namespace: string, name: string): string {
    const h = hash(`${namespace}/${name}`);
    return `10.${96 + (h[0] % 16)}.${h[1]}.${20 + (h[2] % 230)}`;
}

function computedState(type: string, name: string, inputs: any): any {
    const state = { ...inputs };
    if (type.startsWith("kubernetes:") && !type.startsWith("kubernetes:index:") && inputs.metadata) {
        const metadata = { ...inputs.metadata };
        // Pulumi auto-names objects without an explicit name; mirror that so missing names are visible.
        metadata.name = metadata.name ?? `${name}-${hash(name).toString("hex").slice(0, 8)}`;
        state.metadata = metadata;
    }
    if (type === "kubernetes:core/v1:Service") {
        const spec = { ...(inputs.spec ?? {}) };
        if (spec.clusterIP === undefined && spec.type !== "ExternalName") {
            spec.clusterIP = fakeClusterIp(state.metadata?.namespace ?? "default", state.metadata?.name ?? name);
        }
        state.spec = spec;
    }
    if (type === "random:index/randomBytes:RandomBytes") {
        // `length` bytes, derived from the name (offline only), in the provider's two encodings.
        const length = Number(inputs.length ?? 32);
        let bytes = Buffer.alloc(0);
        for (let i = 0; bytes.length < length; i++) bytes = Buffer.concat([bytes, hash(`offline-bytes/${name}/${i}`)]);
        bytes = bytes.subarray(0, length);
        state.base64 = bytes.toString("base64");
        state.hex = bytes.toString("hex");
    }
    if (type === "random:index/randomPassword:RandomPassword" || type === "random:index/randomString:RandomString") {
        const length = Number(inputs.length ?? 16);
        const alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
        const bytes = hash(`offline-random/${name}`);
        let result = "";
        for (let i = 0; i < length; i++) result += alphabet[bytes[i % bytes.length] % alphabet.length];
        state.result = result;
        if (type === "random:index/randomPassword:RandomPassword") {
            // Shaped like the provider's bcrypt output ($2a$10$ + 53 characters); offline only.
            const salt = hash(`offline-bcrypt/${name}`)
                .toString("base64")
                .replace(/[^A-Za-z0-9]/g, "")
                .padEnd(53, "x")
                .slice(0, 53);
            state.bcryptHash = `$2a$10$${salt}`;
        }
    }
    return state;
}

/** Provider functions that hand a component its objects, answered with none: the component then registers no children. */
const NO_OBJECTS_FUNCTIONS = new Set(["kubernetes:helm:template", "kubernetes:kustomize:directory"]);

/**
 * The Kubernetes provider's `yaml:decode` as the provider answers it: every non-empty document of a
 * multi-document YAML (or JSON) text, in order. yaml/v1 ConfigFile and ConfigGroup build their
 * children from it, so render sees those children as `pulumi up` would.
 */
export function decodeYaml(text: string): unknown[] {
    return yaml.loadAll(text).filter((d) => d !== null && d !== undefined);
}

class OfflineMocks implements pulumi.runtime.Mocks {
    /** Provider functions called that the offline engine could not answer truthfully, in call order. */
    readonly unanswered: string[] = [];

    newResource(args: pulumi.runtime.MockResourceArgs): { id: string | undefined; state: Record<string, any> } {
        const state = computedState(args.type, args.name, args.inputs);
        return { id: args.id || `${args.name}-id`, state };
    }
    call(args: pulumi.runtime.MockCallArgs): Record<string, any> {
        if (args.token === "kubernetes:yaml:decode") return { result: decodeYaml(String(args.inputs?.text ?? "")) };
        this.unanswered.push(args.token);
        // An empty object list lets the component finish; render then reports it as unseen.
        if (NO_OBJECTS_FUNCTIONS.has(args.token)) return { result: [] };
        return args.inputs;
    }
}

const rpc: any = require("@pulumi/pulumi/runtime/rpc");
const settings: any = require("@pulumi/pulumi/runtime/settings");
const { MockMonitor } = require("@pulumi/pulumi/runtime/mocks");

/**
 * Pulumi's mock monitor answering registrations the way OfflineMocks does, without the copies it
 * would keep: the stock monitor deserializes each request, re-serializes the mocks' state into a new
 * protobuf Struct that the SDK at once converts back, and keeps that state (and every component's
 * outputs) in a map for the whole run. Here each request's properties arrive as the SDK serialized
 * them (a DeferredStruct, no protobuf tree), the state is computed from that wire form (so it needs no
 * second serialization) and handed back as it is (the shape the SDK itself fakes a response with when
 * it runs without a monitor), and what is kept is the recorded resource alone. Registrations may
 * complete in a different order than under the stock monitor; render sorts what it writes.
 */
class OfflineMonitor extends MockMonitor {
    private readonly byUrn = new Map<string, RecordedResource>();

    constructor(
        private readonly onRegistered: (r: RecordedResource) => void,
        readonly offlineMocks = new OfflineMocks(),
    ) {
        super(offlineMocks);
    }

    async registerResource(req: any, callback: (err: any, resp: any) => void): Promise<void> {
        let resp: any;
        let resource: RecordedResource;
        try {
            const described = describe(req);
            const { type, name } = described;
            // The SDK's properties in wire form (unknowns and secrets marked): held as they are by a
            // DeferredStruct during a run, so no protobuf tree is built or read back.
            const wire = req.getObject().toJavaScript();
            const wireInputs = rpc.deserializeProperties({ toJavaScript: () => wire });
            // The state is computed from the wire form itself, so it is already in wire form: no
            // second asynchronous serialization of every property.
            const stateWire = computedState(type, name, wire);
            const mocked = { id: described.importId || `${name}-id` };
            const secretPaths: string[][] = [];
            const inputs = unwrapSecrets(wireInputs, [], secretPaths);
            resource = recordedResource(this.newUrn(described.parent, type, name), described, inputs, secretPaths);
            const urn = resource.urn;
            // The shape the SDK itself fakes a response with when it runs without a monitor: the
            // state goes to the SDK as it is, not through a protobuf Struct it converts straight back.
            resp = {
                getUrn: () => urn,
                getId: () => mocked.id || "",
                getObject: () => ({ toJavaScript: () => stateWire }),
                getPropertydependenciesMap: () => undefined,
                getResult: () => 0, // Result.SUCCESS
            };
            this.byUrn.set(urn, resource);
        } catch (err) {
            callback(err, undefined);
            return;
        }
        this.onRegistered(resource);
        callback(null, resp);
    }

    registerResourceOutputs(req: any, callback: (err: any, resp: any) => void): void {
        // Component outputs are read through the component's own Outputs; nothing needs a copy.
        if (!this.byUrn.has(req.getUrn())) callback(new Error(`unknown resource ${req.getUrn()}`), undefined);
        else callback(null, {});
    }

    async invoke(req: any, callback: (err: any, resp: any) => void): Promise<void> {
        if (req.getTok() === "pulumi:pulumi:getResource") {
            // Resource references resolve against what was recorded (where the stock monitor keeps its map).
            const { urn } = rpc.deserializeProperties(req.getArgs());
            const r = this.byUrn.get(urn);
            if (r) {
                const mocked = await this.mocks.newResource({ type: r.type, name: r.name, inputs: r.inputs, custom: r.custom, id: "" });
                this.resources.set(urn, { urn, id: mocked.id ?? null, state: await rpc.serializeProperties("", mocked.state) });
            }
        }
        return super.invoke(req, callback);
    }
}

const { Struct, Value } = require("google-protobuf/google/protobuf/struct_pb");

/**
 * A google.protobuf.Struct that holds the JavaScript object it was made from and builds its protobuf
 * tree only if something reads it as protobuf. During an offline run the SDK turns every resource's
 * properties into a Struct that nothing but this process's monitor reads, and the monitor wants them
 * back as JavaScript: building the tree and converting it back was most of the protobuf cost of a run.
 */
class DeferredStruct extends Struct {
    private pending: Record<string, unknown> | undefined;

    constructor(source: Record<string, unknown>) {
        super();
        this.pending = source;
    }

    /** What google-protobuf's Struct would give back: a fresh copy, object keys in sorted order (as its maps iterate). */
    toJavaScript(): Record<string, unknown> {
        return this.pending ? (sortedCopy(this.pending) as Record<string, unknown>) : super.toJavaScript();
    }

    /** The protobuf tree, built on first use; every protobuf reader (serializeBinary, toObject) goes through it. */
    getFieldsMap(noLazyCreate?: boolean) {
        const pending = this.pending;
        if (pending !== undefined) {
            this.pending = undefined;
            const map = super.getFieldsMap();
            for (const key in pending) map.set(key, fromJavaScriptValue(pending[key]));
        }
        return super.getFieldsMap(noLazyCreate);
    }
}

function sortedCopy(value: unknown): unknown {
    if (Array.isArray(value)) return value.map(sortedCopy);
    if (value !== null && typeof value === "object") {
        const out: Record<string, unknown> = {};
        for (const key of Object.keys(value).sort()) out[key] = sortedCopy((value as Record<string, unknown>)[key]);
        return out;
    }
    return value;
}

const fromJavaScriptStruct: (obj: Record<string, unknown>) => unknown = Struct.fromJavaScript;
const fromJavaScriptValue: (v: unknown) => unknown = Value.fromJavaScript;

/** A registration request's fields, read out so that nothing keeps the request (and its protobuf Struct) alive. */
function describe(req: any) {
    return {
        type: req.getType() as string,
        name: req.getName() as string,
        custom: req.getCustom() as boolean,
        remote: Boolean(req.getRemote()),
        importId: req.getImportid() as string,
        parent: (req.getParent() as string) || undefined,
        retainOnDelete: Boolean(req.getRetainondelete()),
        protect: Boolean(req.getProtect()),
        deleteBeforeReplace: Boolean(req.getDeletebeforereplace()),
        // A set: the SDK lists it in the order its awaits happened to complete.
        dependencies: (req.getDependenciesList() as string[]).slice().sort(),
        ignoreChanges: req.getIgnorechangesList() as string[],
        replaceOnChanges: req.getReplaceonchangesList() as string[],
    };
}

function recordedResource(urn: string, d: ReturnType<typeof describe>, inputs: any, secretPaths: string[][]): RecordedResource {
    const { type, name, custom } = d;
    let state: any;
    return {
        urn,
        type,
        name,
        parent: d.parent,
        custom,
        remote: d.remote,
        inputs,
        secretPaths,
        // The mocks' state is a pure function of the inputs: computed when asked, so a
        // large stack does not hold a second copy of every object.
        get state() {
            return (state ??= custom ? computedState(type, name, inputs) : {});
        },
        retainOnDelete: d.retainOnDelete,
        protect: d.protect,
        deleteBeforeReplace: d.deleteBeforeReplace,
        dependencies: d.dependencies,
        ignoreChanges: d.ignoreChanges,
        replaceOnChanges: d.replaceOnChanges,
    };
}

/**
 * Runs `program` (which registers resources, e.g. by requiring index.ts) under the offline engine
 * with the given stack config, waits for every registration, and returns what was registered.
 */
export async function runProgram(program: () => unknown, options: RunOptions): Promise<ProgramRun> {
    await pulumi.runtime.setMocks(new OfflineMocks(), options.project ?? "torchpod", options.stack, options.preview ?? false);
    // setMocks turns on the features mocks support (secrets, resource references, ...); installing
    // this monitor resets them, so they are carried over.
    const store = require("@pulumi/pulumi/runtime/state").getStore();
    const features = Object.fromEntries(Object.entries(store).filter(([k]) => k.startsWith("supports")));
    const recorded: RecordedResource[] = [];
    const monitor = new OfflineMonitor((resource) => {
        recorded.push(resource);
        options.onResource?.(resource);
    });
    settings.setMockOptions(monitor, options.project ?? "torchpod", options.stack, options.preview ?? false);
    Object.assign(store, features);
    pulumi.runtime.setAllConfig(options.config);

    // Pulumi captures a stack trace per resource (its source position: Resource.callsites raises
    // Error.stackTraceLimit to infinity, formats every frame and parses it back) and ts-node maps every
    // frame through source maps: that was most of an offline run's time, and nobody reads those
    // positions here. TORCHPOD_OFFLINE_STACKS=1 keeps full stacks when debugging a component.
    const resourceClass = pulumi.Resource as unknown as { callsites: () => unknown[] };
    const saved = { prepare: Error.prepareStackTrace, limit: Error.stackTraceLimit, callsites: resourceClass.callsites };
    if (!process.env.TORCHPOD_OFFLINE_STACKS) {
        delete (Error as { prepareStackTrace?: unknown }).prepareStackTrace;
        Error.stackTraceLimit = 0;
        resourceClass.callsites = () => [];
    }
    Struct.fromJavaScript = (obj: Record<string, unknown>) => new DeferredStruct(obj);
    const sdkSerialize = rpc.serializeResourceProperties;
    rpc.serializeResourceProperties = serializeResourceProperties;
    let exportsValue: any = {};
    let error: Error | undefined;
    try {
        try {
            exportsValue = (await program()) ?? {};
            if (typeof exportsValue === "function") exportsValue = (await exportsValue()) ?? {};
        } catch (e) {
            error = e instanceof Error ? e : new Error(String(e));
        }
        const exports = error ? {} : await resolveExports(exportsValue);
        await waitForRegistrations();
        return { resources: recorded, exports, error, unexpanded: unexpandedComponents(recorded, monitor.offlineMocks.unanswered) };
    } finally {
        Error.prepareStackTrace = saved.prepare;
        Error.stackTraceLimit = saved.limit;
        resourceClass.callsites = saved.callsites;
        Struct.fromJavaScript = fromJavaScriptStruct;
        rpc.serializeResourceProperties = sdkSerialize;
    }
}

// The wire form of a secret value; recorded properties show the value itself.
const SIG_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

/**
 * The value with secrets unwrapped; the path of each secret found is added to `found`. `path` is one
 * array pushed and popped on the way (copied only for a secret): every registration passes here.
 */
function unwrapSecrets(value: any, path: string[], found: string[][]): any {
    if (Array.isArray(value)) {
        const out = new Array(value.length);
        for (let i = 0; i < value.length; i++) {
            path.push(String(i));
            out[i] = unwrapSecrets(value[i], path, found);
            path.pop();
        }
        return out;
    }
    if (value && typeof value === "object") {
        if (value[SIG_KEY] === SECRET_SIG) {
            found.push([...path]);
            return unwrapSecrets(value.value, path, []);
        }
        const out: Record<string, unknown> = {};
        for (const k of Object.keys(value)) {
            path.push(k);
            out[k] = unwrapSecrets(value[k], path, found);
            path.pop();
        }
        return out;
    }
    return value;
}

/**
 * Lets go of a finished program: its module (and through it every resource and Output) and the
 * mock monitor's copy of every resource. What was recorded stays; a large stack's heap shrinks
 * before the policy pack runs, which the garbage collector feels.
 */
export function releaseProgram(entry: string): void {
    delete require.cache[entry];
    settings.setMockOptions(new MockMonitor(new OfflineMocks()), "released", "released", false);
}

async function waitForRegistrations(): Promise<void> {
    // Registrations chain further registrations (children of components); drain until quiet.
    for (let i = 0; i < 3; i++) {
        await settings.waitForRPCs();
        await new Promise((resolve) => setImmediate(resolve));
    }
}

/** Resolves an Output (or a structure of them) to plain values; secrets become `{ secret: value }`. */
export async function resolveOutput(value: unknown): Promise<unknown> {
    if (pulumi.Output.isInstance(value)) {
        const output = value as pulumi.Output<unknown>;
        const [plain, isSecret] = await Promise.all([
            new Promise<unknown>((resolve) => output.apply((v) => resolve(v))),
            (output as any).isSecret as Promise<boolean>,
        ]);
        const inner = await resolveOutput(plain);
        return isSecret ? { secret: inner } : inner;
    }
    if (Array.isArray(value)) return Promise.all(value.map(resolveOutput));
    if (value && typeof value === "object" && !(value instanceof pulumi.Resource)) {
        const out: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(value)) out[k] = await resolveOutput(v);
        return out;
    }
    return value;
}

async function resolveExports(moduleExports: Record<string, unknown>): Promise<Record<string, unknown>> {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(moduleExports)) {
        if (k === "__esModule" || typeof v === "function") continue;
        out[k] = await resolveOutput(v);
    }
    return out;
}

/**
 * Reads `Pulumi.<stack>.yaml` into the raw config map the Pulumi CLI would hand the program:
 * object values JSON-encoded, scalars as strings. Secure values cannot be decrypted offline and
 * are reported as an error naming the key.
 */
export function readStackConfigFile(file: string): Record<string, string> {
    let doc: any;
    try {
        doc = yaml.load(fs.readFileSync(file, "utf8"));
    } catch (e) {
        throw new Error(`${file}: cannot read stack config: ${(e as Error).message}`, { cause: e });
    }
    const config = doc?.config ?? {};
    if (typeof config !== "object" || Array.isArray(config)) {
        throw new Error(`${file}: 'config' must be a map of keys to values, got ${JSON.stringify(config)}`);
    }
    const out: Record<string, string> = {};
    for (const [key, value] of Object.entries(config)) {
        if (value && typeof value === "object" && "secure" in (value as object)) {
            throw new Error(
                `${file}: '${key}' is an encrypted secret; offline runs cannot decrypt it (generate secrets with @pulumi/random instead)`,
            );
        }
        out[key] = typeof value === "string" ? value : JSON.stringify(value);
    }
    return out;
}
