// The SDK's serialization of a resource's inputs, with the plain-data parts done synchronously.
//
// `serializeProperty` in @pulumi/pulumi is an async function called once per node of every input
// (each string, number, object and array element): a Deployment with a full pod spec costs hundreds
// of promises and microtask turns before it can be registered, and at 1,000 users that was most of an
// offline run after the garbage collector. Under the offline engine, a resource's inputs are walked
// here: plain data (primitives, arrays, plain objects) is copied as the SDK would copy it, and only
// what needs awaiting (Outputs, promises, resources, assets, unknowns) is handed to the SDK's own
// `serializeProperty`, with the same dependency set. The result, and the dependencies recorded per
// property, are what the SDK's `serializeResourceProperties` gives.
const rpc: any = require("@pulumi/pulumi/runtime/rpc");

type Serialized = unknown;

/** True for a value the SDK serializes by copying its parts: an array or an object of no class. */
function isPlainContainer(v: object): boolean {
    if (Array.isArray(v)) return true;
    const proto = Object.getPrototypeOf(v);
    return proto === Object.prototype || proto === null;
}

/** Fills in one part the SDK serializes asynchronously. */
type Pending = () => Promise<void>;

/**
 * Serializes `value` like the SDK's `serializeProperty`, synchronously where the value is plain data.
 * Where it is not, a placeholder stands in and `pending` records how to fill it; the caller runs them
 * in order (depth first, keys in order, as the SDK visits them, so dependencies are recorded in the
 * SDK's order too).
 */
function serializeInto(ctx: string, value: unknown, deps: Set<unknown>, opts: unknown, pending: Pending[]): Serialized {
    if (value === undefined || value === null || typeof value === "boolean" || typeof value === "number" || typeof value === "string") {
        return value;
    }
    if (typeof value === "function") return undefined;
    if (typeof value !== "object" || !isPlainContainer(value)) return new Deferred(() => rpc.serializeProperty(ctx, value, deps, opts));
    if (Array.isArray(value)) {
        const out: Serialized[] = [];
        for (let i = 0; i < value.length; i++) {
            const element = serializeInto(`${ctx}[${i}]`, value[i], deps, opts, pending);
            // The SDK writes an undefined element as null (JSON's rule).
            out.push(element === undefined ? null : element);
            if (element instanceof Deferred) pending.push(element.fill(out, i, null));
        }
        return out;
    }
    const out: Record<string, Serialized> = {};
    for (const key of Object.keys(value)) {
        const v = serializeInto(`${ctx}.${key}`, (value as Record<string, unknown>)[key], deps, opts, pending);
        if (v === undefined) continue;
        out[key] = v;
        if (v instanceof Deferred) pending.push(v.fill(out, key, undefined));
    }
    return out;
}

/** A part the SDK serializes asynchronously: its result replaces the placeholder. */
class Deferred {
    constructor(private readonly serialize: () => Promise<Serialized>) {}

    /** How to put the result at `container[key]`; an undefined result becomes `ifUndefined` (dropped when that is undefined). */
    fill(container: any, key: string | number, ifUndefined: null | undefined): Pending {
        return async () => {
            const v = await this.serialize();
            if (v !== undefined) container[key] = v;
            else if (ifUndefined === null) container[key] = null;
            else delete container[key];
        };
    }
}

/**
 * A drop-in for the SDK's `serializeResourceProperties(label, props, opts)`: the serialized inputs
 * (without `id` and `urn`) and, per input, the resources it depends on.
 */
export async function serializeResourceProperties(
    label: string,
    props: Record<string, unknown>,
    opts?: unknown,
): Promise<[Record<string, Serialized>, Map<string, Set<unknown>>]> {
    const result: Record<string, Serialized> = {};
    const dependencies = new Map<string, Set<unknown>>();
    for (const key of Object.keys(props)) {
        if (key === "id" || key === "urn") continue;
        const deps = new Set<unknown>();
        const pending: Pending[] = [];
        const holder: Record<string, Serialized> = {};
        let v = serializeInto(`${label}.${key}`, props[key], deps, opts, pending);
        if (v instanceof Deferred) {
            pending.push(v.fill(holder, "value", undefined));
            v = undefined;
        }
        try {
            for (const fill of pending) await fill();
        } catch (err) {
            // As the SDK reports it: the same error, naming the input.
            if (err instanceof Error) {
                err.message = `error serializing property "${key}": ${err.message}`;
                throw err;
            }
            throw new Error(`error serializing property "${key}": ${String(err)}`, { cause: err });
        }
        if ("value" in holder) v = holder.value;
        if (v !== undefined) {
            result[key] = v;
            dependencies.set(key, deps);
        }
    }
    return [result, dependencies];
}
