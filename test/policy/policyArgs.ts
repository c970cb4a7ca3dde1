// Builds argument objects shaped exactly like @pulumi/policy 1.21's server builds them
// (server.js: makeAnalyzeRpcFun / makeAnalyzeStackRpcFun), and runs policies in-process.
import {
    Policies,
    PolicyResource,
    PolicyResourceOptions,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
} from "@pulumi/policy";
import { PackResource, PolicyPackProcess } from "../../tools/pack/runner";
import { isUnknownValueError } from "../../policy/support/unknowns";

const { unknownCheckingProxy } = require("@pulumi/policy/proxy") as { unknownCheckingProxy: <T>(v: T) => T };

export class NotApplicableError extends Error {
    constructor(readonly reason?: string) {
        super(reason ?? "Policy does not apply");
    }
}

const throwNotApplicable = (reason?: string): never => {
    throw new NotApplicableError(reason);
};

function freezeMap(m: Map<string, string>): ReadonlyMap<string, string> {
    return Object.freeze({
        entries: m.entries.bind(m),
        forEach: m.forEach.bind(m),
        get: m.get.bind(m),
        has: m.has.bind(m),
        keys: m.keys.bind(m),
        size: m.size,
        values: m.values.bind(m),
        [Symbol.iterator]: m[Symbol.iterator].bind(m),
    }) as ReadonlyMap<string, string>;
}

function isTypeOf(type: string, resourceClass: any): boolean {
    const t = resourceClass?.__pulumiType;
    if (typeof t === "string") return t === type;
    return typeof resourceClass?.isInstance === "function" && resourceClass.isInstance({ __pulumiType: type }) === true;
}

const OPTIONS: PolicyResourceOptions = {
    protect: false,
    ignoreChanges: [],
    aliases: [],
    customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
    additionalSecretOutputs: [],
};

export interface TestResource {
    type: string;
    props: Record<string, any>;
    name?: string;
    urn?: string;
    provider?: { type: string; name: string; urn: string; props: Record<string, any> };
}

export interface ArgsOptions {
    config?: Record<string, unknown>;
    stackTags?: Record<string, string>;
}

function urnOf(r: TestResource): string {
    return r.urn ?? `urn:pulumi:test::test::${r.type}::${r.name ?? "r"}`;
}

/** ResourceValidationArgs as the server builds them (props behind the unknown-checking proxy). */
export function resourceArgs(r: TestResource, opts: ArgsOptions = {}): ResourceValidationArgs {
    const props = unknownCheckingProxy(JSON.parse(JSON.stringify(r.props)));
    const args: ResourceValidationArgs = {
        type: r.type,
        props,
        urn: urnOf(r),
        name: r.name ?? "r",
        opts: { ...OPTIONS },
        stackTags: freezeMap(new Map(Object.entries(opts.stackTags ?? {}))),
        isType: (cls) => isTypeOf(r.type, cls),
        asType: ((cls: any) => (isTypeOf(r.type, cls) ? props : undefined)) as ResourceValidationArgs["asType"],
        getConfig: <T extends object>() => ({ ...(opts.config ?? {}) }) as T,
        notApplicable: throwNotApplicable,
    };
    if (r.provider) args.provider = { ...r.provider, props: unknownCheckingProxy(r.provider.props) };
    return args;
}

/** StackValidationArgs as the server builds them. */
export function stackArgs(resources: TestResource[], opts: ArgsOptions = {}): StackValidationArgs {
    const rs: PolicyResource[] = resources.map((r) => {
        const props = unknownCheckingProxy(JSON.parse(JSON.stringify(r.props)));
        const pr: PolicyResource = {
            type: r.type,
            props,
            urn: urnOf(r),
            name: r.name ?? "r",
            opts: { ...OPTIONS },
            dependencies: [],
            propertyDependencies: {},
            isType: (cls) => isTypeOf(r.type, cls),
            asType: ((cls: any) => (isTypeOf(r.type, cls) ? props : undefined)) as PolicyResource["asType"],
        };
        if (r.provider) pr.provider = { ...r.provider, props: unknownCheckingProxy(r.provider.props) };
        return pr;
    });
    return {
        resources: rs,
        stackTags: freezeMap(new Map(Object.entries(opts.stackTags ?? {}))),
        getConfig: <T extends object>() => ({ ...(opts.config ?? {}) }) as T,
        notApplicable: throwNotApplicable,
    };
}

export interface Outcome {
    violations: { message: string; urn?: string }[];
    notApplicable?: string;
    /** The "unknown during preview" error the server turns into an advisory diagnostic. */
    unknown?: Error;
}

function reporter(out: Outcome): ReportViolation {
    return (message: string, urn?: string) => {
        out.violations.push(urn === undefined ? { message } : { message, urn });
    };
}

async function settle(out: Outcome, run: () => void | Promise<void>): Promise<Outcome> {
    try {
        await run();
    } catch (e) {
        if (e instanceof NotApplicableError) out.notApplicable = e.reason ?? "";
        else if (isUnknownValueError(e)) out.unknown = e as Error;
        else throw e;
    }
    return out;
}

export function runResourcePolicy(policy: ResourceValidationPolicy, r: TestResource, opts: ArgsOptions = {}): Promise<Outcome> {
    const out: Outcome = { violations: [] };
    const v = policy.validateResource;
    const fns = Array.isArray(v) ? v : v ? [v] : [];
    return settle(out, async () => {
        for (const fn of fns) await fn(resourceArgs(r, opts), reporter(out));
    });
}

export function runStackPolicy(policy: StackValidationPolicy, resources: TestResource[], opts: ArgsOptions = {}): Promise<Outcome> {
    const out: Outcome = { violations: [] };
    return settle(out, () => policy.validateStack(stackArgs(resources, opts), reporter(out)));
}

export interface PackViolation {
    policyName: string;
    enforcementLevel: string;
    message: string;
    urn?: string;
}

/**
 * Every policy of a pack over resources, in-process, as the server does: resource policies on each
 * resource (Analyze), stack policies on all (AnalyzeStack); unknown values give advisory diagnostics.
 */
export async function runPackInProcess(
    policies: Policies,
    resources: (TestResource | PackResource)[],
    config: Record<string, Record<string, unknown>> = {},
): Promise<PackViolation[]> {
    const out: PackViolation[] = [];
    for (const p of policies) {
        const level = (config[p.name]?.enforcementLevel as string | undefined) ?? p.enforcementLevel ?? "mandatory";
        if (level === "disabled") continue;
        const opts = { config: config[p.name] };
        const outcomes: { o: Outcome; urn?: string }[] = [];
        if ("validateStack" in p) outcomes.push({ o: await runStackPolicy(p as StackValidationPolicy, resources, opts) });
        else
            for (const r of resources) outcomes.push({ o: await runResourcePolicy(p as ResourceValidationPolicy, r, opts), urn: urnOf(r) });
        for (const { o, urn } of outcomes) {
            for (const v of o.violations) out.push({ policyName: p.name, enforcementLevel: level, message: v.message, urn: v.urn ?? urn });
            if (o.unknown)
                out.push({
                    policyName: p.name,
                    enforcementLevel: "advisory",
                    message: `can't run policy '${p.name}' during preview: ${o.unknown.message}`,
                    urn,
                });
        }
    }
    return out;
}

const COMPONENT_LABEL = "app.kubernetes.io/component";

/**
 * A Deployment as Pulumi shows it to the pack, with the label contract on its pod template, no
 * service-account token and NET_RAW dropped (a sound TorchPod); `spec` adds to the pod spec.
 */
export function deployment(
    name: string,
    namespace: string,
    component: string,
    opts: { spec?: Record<string, any>; ownerLabels?: Record<string, string> } = {},
): TestResource {
    const labels = { [COMPONENT_LABEL]: component, "app.kubernetes.io/instance": name };
    return {
        type: "kubernetes:apps/v1:Deployment",
        name,
        urn: `urn:pulumi:dev::torchpod::kubernetes:apps/v1:Deployment::${name}`,
        props: {
            apiVersion: "apps/v1",
            kind: "Deployment",
            metadata: { name, namespace, ...(opts.ownerLabels ? { labels: opts.ownerLabels } : {}) },
            spec: {
                selector: { matchLabels: labels },
                template: {
                    metadata: { labels },
                    spec: {
                        automountServiceAccountToken: false,
                        containers: [
                            { name: component, image: "gemfield/torchpod:1.3.0", securityContext: { capabilities: { drop: ["NET_RAW"] } } },
                        ],
                        ...opts.spec,
                    },
                },
            },
        },
    };
}

/**
 * One pack process for the enclosing describe block: started before its tests, stopped after.
 * Read `.pack` inside the tests (it exists once `before` has run).
 */
export function sharedPackProcess(): { readonly pack: PolicyPackProcess } {
    const holder: { pack?: PolicyPackProcess } = {};
    before(async () => {
        // As the Pulumi engine starts it (run-policy-pack, package.json "main": the bundle built from the sources).
        holder.pack = await PolicyPackProcess.start({ launcher: "pulumi-host" });
    });
    after(async () => {
        await holder.pack?.stop();
    });
    return {
        get pack(): PolicyPackProcess {
            if (!holder.pack) throw new Error("the pack process has not started (use .pack inside a test)");
            return holder.pack;
        },
    };
}
