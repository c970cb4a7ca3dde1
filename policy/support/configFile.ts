// The pack's config file (the JSON `pulumi preview --policy-pack-config` takes), checked against the
// policies' schemas before anything runs, and its pack-wide section expanded into every policy.
//
// `{"all": {"torchpodSelector": {...}}}` sets a property once for every policy that has it (one
// selector for the whole pack instead of a copy per policy); a policy's own entry wins.
import { Policies } from "@pulumi/policy";
import { reviewProblems } from "./reviews";

export const LEVELS = ["advisory", "mandatory", "remediate", "disabled"];
export type RawPackConfig = Record<string, unknown>;

type Schema = {
    type?: string;
    enum?: unknown[];
    items?: Schema;
    minimum?: number;
    maximum?: number;
    minLength?: number;
    minItems?: number;
    properties?: Record<string, Schema>;
    additionalProperties?: boolean | Schema;
    required?: string[];
};

function describe(v: unknown): string {
    const s = JSON.stringify(v);
    return s === undefined ? String(v) : s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

/** Problems of `v` against a JSON schema (the subset the pack's schemas use). */
export function schemaProblems(v: unknown, s: Schema, at: string): string[] {
    const out: string[] = [];
    const t = s.type;
    const isObj = typeof v === "object" && v !== null && !Array.isArray(v);
    if (t === "string" && typeof v !== "string") return [`${at}: expected a string, got ${describe(v)}`];
    if (t === "boolean" && typeof v !== "boolean") return [`${at}: expected true or false, got ${describe(v)}`];
    if (t === "integer" && !Number.isInteger(v)) return [`${at}: expected an integer, got ${describe(v)}`];
    if (t === "number" && typeof v !== "number") return [`${at}: expected a number, got ${describe(v)}`];
    if (t === "array" && !Array.isArray(v)) return [`${at}: expected a list, got ${describe(v)}`];
    if (t === "object" && !isObj) return [`${at}: expected an object, got ${describe(v)}`];
    if (s.enum && !s.enum.includes(v))
        out.push(`${at}: expected one of ${s.enum.map((x) => JSON.stringify(x)).join(", ")}, got ${describe(v)}`);
    if (typeof v === "string" && s.minLength !== undefined && v.length < s.minLength) out.push(`${at}: must not be empty`);
    if (typeof v === "number" && s.minimum !== undefined && v < s.minimum) out.push(`${at}: must be at least ${s.minimum}, got ${v}`);
    if (typeof v === "number" && s.maximum !== undefined && v > s.maximum) out.push(`${at}: must be at most ${s.maximum}, got ${v}`);
    if (Array.isArray(v)) {
        if (s.minItems !== undefined && v.length < s.minItems) out.push(`${at}: needs at least ${s.minItems} item(s)`);
        if (s.items) v.forEach((x, i) => out.push(...schemaProblems(x, s.items!, `${at}[${i}]`)));
    }
    if (isObj) {
        const o = v as Record<string, unknown>;
        for (const r of s.required ?? []) if (!(r in o)) out.push(`${at}.${r}: required`);
        for (const [k, x] of Object.entries(o)) {
            const p = s.properties?.[k];
            if (p) out.push(...schemaProblems(x, p, `${at}.${k}`));
            else if (s.additionalProperties === false)
                out.push(`${at}.${k}: unknown property (expected one of ${Object.keys(s.properties ?? {}).join(", ")})`);
            else if (typeof s.additionalProperties === "object") out.push(...schemaProblems(x, s.additionalProperties, `${at}.${k}`));
        }
    }
    return out;
}

function schemaOf(p: Policies[number]): Record<string, Schema> {
    return ((p.configSchema?.properties ?? {}) as Record<string, Schema>) ?? {};
}

/** Every problem of a pack config file against the policies' schemas (empty when it is sound). */
export function packConfigProblems(raw: unknown, policies: Policies): string[] {
    if (typeof raw !== "object" || raw === null || Array.isArray(raw)) return [`expected an object of policy names, got ${describe(raw)}`];
    const byName = new Map(policies.map((p) => [p.name, p]));
    const allProps = new Set(policies.flatMap((p) => Object.keys(schemaOf(p))));
    const out: string[] = [];
    for (const [name, v] of Object.entries(raw)) {
        const p = byName.get(name);
        if (name !== "all" && !p) {
            out.push(`unknown policy "${name}" (expected "all" or one of: ${[...byName.keys()].join(", ")})`);
            continue;
        }
        if (typeof v === "string") {
            if (!LEVELS.includes(v)) out.push(`${name}: expected an enforcement level (${LEVELS.join(", ")}), got ${describe(v)}`);
            continue;
        }
        if (typeof v !== "object" || v === null || Array.isArray(v)) {
            out.push(`${name}: expected an enforcement level or an object of properties, got ${describe(v)}`);
            continue;
        }
        for (const [k, x] of Object.entries(v)) {
            if (k === "enforcementLevel") {
                if (!LEVELS.includes(x as string))
                    out.push(`${name}.enforcementLevel: expected one of ${LEVELS.join(", ")}, got ${describe(x)}`);
                continue;
            }
            if (name === "all") {
                const owner = policies.find((q) => k in schemaOf(q));
                if (!owner)
                    out.push(`all.${k}: no policy of the pack has this property (expected one of ${[...allProps].sort().join(", ")})`);
                else out.push(...schemaProblems(x, schemaOf(owner)[k], `all.${k}`), ...reviewProblems({ [k]: x }).map((m) => `all.${m}`));
                continue;
            }
            const s = schemaOf(p!)[k];
            if (!s) {
                const props = Object.keys(schemaOf(p!));
                out.push(
                    `${name}.${k}: unknown property (${props.length ? `expected one of ${props.join(", ")}` : "the policy takes no properties"})`,
                );
            } else out.push(...schemaProblems(x, s, `${name}.${k}`), ...reviewProblems({ [k]: x }).map((m) => `${name}.${m}`));
        }
    }
    return out;
}

/** The config with the pack-wide `all` properties copied into every policy that has them (a policy's own value wins). */
export function expandPackConfig(raw: RawPackConfig, policies: Policies): RawPackConfig {
    const all = raw.all;
    if (typeof all !== "object" || all === null) return raw;
    const { enforcementLevel, ...props } = all as Record<string, unknown>;
    const out: RawPackConfig = {};
    if (enforcementLevel !== undefined) out.all = enforcementLevel;
    for (const p of policies) {
        const own = raw[p.name];
        const ownObj = typeof own === "string" ? { enforcementLevel: own } : ((own as Record<string, unknown> | undefined) ?? {});
        const shared: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(props)) if (k in schemaOf(p)) shared[k] = v;
        if (Object.keys(shared).length === 0 && own === undefined) continue;
        out[p.name] = { ...(enforcementLevel !== undefined ? { enforcementLevel } : {}), ...shared, ...ownObj };
    }
    for (const [k, v] of Object.entries(raw)) if (k !== "all" && !(k in out)) out[k] = v;
    return out;
}
