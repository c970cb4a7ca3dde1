// Label selectors (metav1.LabelSelector): validation with a precise reason, matching, canonical keys.
import { LabelSelector, LabelSelectorRequirement, SelectorOperator } from "./types";

export type Labels = Record<string, string>;

const OPERATORS: readonly SelectorOperator[] = ["In", "NotIn", "Exists", "DoesNotExist"];

export interface SelectorProblem {
    field: string; // relative to the selector, e.g. ".matchExpressions[0].operator"
    problem: string;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
    return typeof v === "object" && v !== null && !Array.isArray(v);
}

/**
 * Validates a raw selector and returns a normalized copy (only matchLabels/matchExpressions,
 * values sorted) or the first problem found. `null`/`undefined` is handled by the caller.
 */
export function parseSelector(raw: unknown): LabelSelector | SelectorProblem {
    if (!isPlainObject(raw)) return { field: "", problem: `expected a label selector object, got ${describe(raw)}` };
    for (const k of Object.keys(raw)) {
        if (k !== "matchLabels" && k !== "matchExpressions") {
            return { field: "", problem: `unknown field "${k}" (expected matchLabels and/or matchExpressions)` };
        }
    }
    const out: LabelSelector = {};
    const ml = raw.matchLabels;
    if (ml !== undefined && ml !== null) {
        if (!isPlainObject(ml)) return { field: ".matchLabels", problem: `expected a map of string to string, got ${describe(ml)}` };
        const labels: Labels = {};
        for (const [k, v] of Object.entries(ml)) {
            if (typeof v !== "string") {
                return { field: `.matchLabels.${k}`, problem: `label values must be strings, got ${describe(v)} (quote it in YAML)` };
            }
            labels[k] = v;
        }
        out.matchLabels = labels;
    }
    const me = raw.matchExpressions;
    if (me !== undefined && me !== null) {
        if (!Array.isArray(me)) return { field: ".matchExpressions", problem: `expected a list, got ${describe(me)}` };
        const reqs: LabelSelectorRequirement[] = [];
        for (let i = 0; i < me.length; i++) {
            const r = me[i];
            const f = `.matchExpressions[${i}]`;
            if (!isPlainObject(r)) return { field: f, problem: `expected {key, operator, values}, got ${describe(r)}` };
            if (typeof r.key !== "string" || r.key === "")
                return { field: `${f}.key`, problem: `expected a non-empty label key, got ${describe(r.key)}` };
            if (!OPERATORS.includes(r.operator as SelectorOperator)) {
                return {
                    field: `${f}.operator`,
                    problem: `unknown operator ${describe(r.operator)} (expected In, NotIn, Exists or DoesNotExist)`,
                };
            }
            const op = r.operator as SelectorOperator;
            const values = r.values === null ? undefined : r.values;
            if (values !== undefined && (!Array.isArray(values) || values.some((v) => typeof v !== "string"))) {
                return { field: `${f}.values`, problem: `expected a list of strings, got ${describe(values)}` };
            }
            const vals = (values as string[] | undefined) ?? [];
            if ((op === "In" || op === "NotIn") && vals.length === 0) {
                return { field: `${f}.values`, problem: `must be non-empty when operator is ${op}` };
            }
            if ((op === "Exists" || op === "DoesNotExist") && vals.length > 0) {
                return { field: `${f}.values`, problem: `must be empty when operator is ${op}` };
            }
            reqs.push(
                op === "In" || op === "NotIn" ? { key: r.key, operator: op, values: [...vals].sort() } : { key: r.key, operator: op },
            );
        }
        out.matchExpressions = reqs;
    }
    return out;
}

export function isSelectorProblem(x: LabelSelector | SelectorProblem): x is SelectorProblem {
    return (x as SelectorProblem).problem !== undefined;
}

/** matchLabels AND every expression; `{}` matches everything. NotIn/DoesNotExist match absent keys. */
export function matchesSelector(sel: LabelSelector, labels: Labels): boolean {
    if (sel.matchLabels) {
        for (const k in sel.matchLabels) {
            if (labels[k] !== sel.matchLabels[k]) return false;
        }
    }
    if (sel.matchExpressions) {
        for (const r of sel.matchExpressions) {
            const has = Object.prototype.hasOwnProperty.call(labels, r.key);
            switch (r.operator) {
                case "In":
                    if (!has || !r.values!.includes(labels[r.key])) return false;
                    break;
                case "NotIn":
                    if (has && r.values!.includes(labels[r.key])) return false;
                    break;
                case "Exists":
                    if (!has) return false;
                    break;
                case "DoesNotExist":
                    if (has) return false;
                    break;
            }
        }
    }
    return true;
}

/** A canonical string for caching selector results: equal selectors give equal keys. */
export function selectorKey(sel: LabelSelector | undefined): string {
    if (!sel) return "-";
    const ml = sel.matchLabels
        ? Object.keys(sel.matchLabels)
              .sort()
              .map((k) => [k, sel.matchLabels![k]])
        : [];
    const me = (sel.matchExpressions ?? [])
        .map((r) => [r.key, r.operator, r.values ?? []])
        .sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));
    return JSON.stringify([ml, me]);
}

export function describe(v: unknown): string {
    if (v === undefined) return "nothing";
    if (v === null) return "null";
    if (Array.isArray(v)) return "a list";
    if (typeof v === "object") return "an object";
    if (typeof v === "string") return JSON.stringify(v);
    return `${typeof v} ${JSON.stringify(v)}`;
}
