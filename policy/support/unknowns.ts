// Values unknown during `pulumi preview`.
//
// The Pulumi engine sends an unknown value as one of seven sentinel strings; @pulumi/policy wraps
// `props` in a proxy that throws its `UnknownValueError` on the first read of such a value, and its
// server turns that error into an *advisory* "can't run policy ... during preview" diagnostic.
// Our policies never let that happen mid-check: they read the raw (unproxied) properties, record
// every unknown value they needed, report the violations they could prove from the known values,
// and only then (see `Findings.finish`) throw the same `UnknownValueError` for the first unknown,
// so the pack reports "cannot verify during preview" at advisory level exactly as CrossGuard does.
// During `pulumi up` the inputs are known and the policy judges everything.
import { UnknownValueError } from "@pulumi/policy";

/** The sentinels of @pulumi/policy's proxy.js (unknownBooleanValue ... unknownObjectValue). */
const SENTINELS: Record<string, string> = {
    "1c4a061d-8072-4f0a-a4cb-0ff528b18fe7": "boolean",
    "3eeb2bf0-c639-47a8-9e75-3b44932eb421": "number",
    "04da6b54-80e4-46f7-96ec-b56ff0331ba9": "string",
    "6a19a0b0-7e62-4c92-b797-7f8e31da9cc2": "Array",
    "030794c1-ac77-496b-92df-f27374a8bd58": "asset",
    "e48ece36-62e2-4504-bad9-02848725956a": "archive",
    "dd056dcd-154b-4c76-9bd3-c8f88648b5ff": "Object",
};

/** The sentinel the engine sends for an unknown string (handy for tests). */
export const UNKNOWN_STRING = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
export const UNKNOWN_BOOLEAN = "1c4a061d-8072-4f0a-a4cb-0ff528b18fe7";
export const UNKNOWN_ARRAY = "6a19a0b0-7e62-4c92-b797-7f8e31da9cc2";
export const UNKNOWN_OBJECT = "dd056dcd-154b-4c76-9bd3-c8f88648b5ff";

export function isUnknown(v: unknown): boolean {
    return typeof v === "string" && Object.prototype.hasOwnProperty.call(SENTINELS, v);
}

/** The object behind @pulumi/policy's unknown-checking proxy (or the value itself when not proxied). */
export function unproxy<T>(v: T): T {
    if (v === null || typeof v !== "object") return v;
    const target = (v as any)["__getSpecialProxyTarget"];
    return (target ?? v) as T;
}

/** The error to throw for an unknown value: @pulumi/policy's own class, which its server turns into the advisory diagnostic. */
export function unknownValueError(sentinel: string, path: string[]): Error {
    return new UnknownValueError(sentinel, path);
}

/** True when `e` is @pulumi/policy's "unknown during preview" error. */
export function isUnknownValueError(e: unknown): e is UnknownValueError {
    return e instanceof UnknownValueError;
}

/** Every path under `v` that holds an unknown sentinel (depth-first, in property order). */
export function unknownPaths(
    v: unknown,
    base: string[] = [],
    out: { sentinel: string; path: string[] }[] = [],
): { sentinel: string; path: string[] }[] {
    if (isUnknown(v)) {
        out.push({ sentinel: v as string, path: base });
    } else if (Array.isArray(v)) {
        v.forEach((x, i) => unknownPaths(x, [...base, String(i)], out));
    } else if (v !== null && typeof v === "object") {
        for (const [k, x] of Object.entries(v)) unknownPaths(x, [...base, k], out);
    }
    return out;
}

/**
 * Reads a path from raw properties; an unknown value on the way is recorded in `unknowns` and
 * reads as `undefined`.
 */
export function read(
    o: unknown,
    path: readonly (string | number)[],
    unknowns?: { sentinel: string; path: string[] }[],
    base: readonly string[] = [],
): any {
    let cur: any = o;
    const walked = [...base];
    for (const p of path) {
        if (isUnknown(cur)) {
            unknowns?.push({ sentinel: cur, path: walked });
            return undefined;
        }
        if (cur === null || typeof cur !== "object") return undefined;
        cur = cur[p as any];
        walked.push(String(p));
    }
    if (isUnknown(cur)) {
        unknowns?.push({ sentinel: cur, path: walked });
        return undefined;
    }
    return cur;
}
