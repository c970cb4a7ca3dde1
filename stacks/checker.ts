// What every section of the stack config parser shares: the Checker that collects problems (each as
// `<key path>: got <value>, expected <form>`) and returns a usable value (the default) when it reports
// one, so later sections and every component's check still run and all problems come out at once.
//
// Why not a schema library (zod, ajv): the contract is that a malformed value is reported AND replaced
// by its default, so cross-key rules and the components' own checks still run over a whole config and
// report their problems in the same run. zod's `.catch()` returns the fallback but drops the issue,
// and its refinements are skipped after an earlier failure (or, with `when`, run over unvalidated
// input); ajv validates without fallbacks. Keeping the messages would mean a custom transform for every
// leaf, which is this checker again inside another library.
import { ArgProblem } from "../components/common/argProblems";
import { checkPinnedImage } from "@torchpod/contract";
import { Cidr, isAddress } from "@torchpod/netpol/net";
import { closestKey, isLabelValue, isQualifiedName, parseConfigCidr, parseQuantity } from "./validate";

/** The config namespace of every key. */
export const NAMESPACE = "torchpod";

export const show = (v: unknown): string => (v === undefined ? "nothing" : JSON.stringify(v));

export type Obj = Record<string, unknown>;

/** Collects problems; helpers return a usable value (the default) even when reporting one. */
export class Checker {
    readonly problems: string[] = [];

    problem(path: string, got: unknown, expected: string): void {
        this.problems.push(`${path}: got ${show(got)}, ${expected}`);
    }

    /** True when a problem was already reported at `path` (or inside it): one message per bad value. */
    reported(path: string): boolean {
        return this.problems.some((p) => p.startsWith(`${path}:`) || p.startsWith(`${path}.`) || p.startsWith(`${path}[`));
    }

    /** A required value is missing, unless its value was already reported as malformed (then it is not "nothing"). */
    required(path: string, expected: string): void {
        if (!this.reported(path)) this.problem(path, undefined, `${expected} (required)`);
    }

    /** An object whose keys are all known; `undefined` stays undefined (use the defaults). */
    object(path: string, value: unknown, known: readonly string[]): Obj | undefined {
        if (value === undefined || value === null) return undefined;
        if (typeof value !== "object" || Array.isArray(value)) {
            this.problem(path, value, `expected an object with keys ${known.join(", ")}`);
            return undefined;
        }
        const obj = value as Obj;
        for (const key of Object.keys(obj)) {
            if (!known.includes(key)) this.unknownKey(`${path}.${key}`, key, obj[key], known);
        }
        return obj;
    }

    unknownKey(path: string, key: string, value: unknown, known: readonly string[]): void {
        const suggestion = closestKey(key, known);
        this.problems.push(
            `${path}: got unknown key "${key}" (value ${show(value)}), expected one of ${known.join(", ")}` +
                (suggestion ? `; did you mean "${suggestion}"?` : ""),
        );
    }

    list(path: string, value: unknown, example: string): unknown[] | undefined {
        if (value === undefined || value === null) return undefined;
        if (!Array.isArray(value)) {
            this.problem(path, value, `expected a list like ${example}`);
            return undefined;
        }
        return value;
    }

    string(path: string, value: unknown, fallback: string, check?: (s: string) => string | undefined): string {
        if (value === undefined || value === null) return fallback;
        if (typeof value !== "string" && typeof value !== "number") {
            this.problem(path, value, "expected a string");
            return fallback;
        }
        const s = String(value);
        const expected = check?.(s);
        if (expected) {
            this.problem(path, value, expected);
            return fallback;
        }
        return s;
    }

    optionalString(path: string, value: unknown, check?: (s: string) => string | undefined): string | undefined {
        if (value === undefined || value === null) return undefined;
        const s = this.string(path, value, "", check);
        return s === "" ? undefined : s;
    }

    integer(path: string, value: unknown, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
        if (value === undefined || value === null) return fallback;
        const n = typeof value === "number" ? value : typeof value === "string" && /^-?\d+$/.test(value.trim()) ? Number(value) : NaN;
        if (!Number.isInteger(n) || n < min || n > max) {
            const range = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `between ${min} and ${max}`;
            this.problem(path, value, `expected an integer ${range}`);
            return fallback;
        }
        return n;
    }

    boolean(path: string, value: unknown, fallback: boolean): boolean {
        if (value === undefined || value === null) return fallback;
        if (typeof value === "boolean") return value;
        if (value === "true" || value === "false") return value === "true";
        this.problem(path, value, "expected true or false");
        return fallback;
    }

    /** A positive Kubernetes quantity ("8Gi", "500m", "2"). */
    quantity(path: string, value: unknown, fallback: string): string {
        return this.string(path, value, fallback, (s) => {
            const q = parseQuantity(s);
            return q === undefined || q <= 0
                ? 'expected a positive Kubernetes quantity such as "16Gi", "512Mi", "500m" or "2" (no space, binary suffixes Ki/Mi/Gi/Ti)'
                : undefined;
        });
    }

    cidrs(
        path: string,
        value: unknown,
        fallback: readonly string[],
        opts: { required?: boolean; nonEmpty?: boolean; forbidAll?: boolean } = {},
    ): { texts: string[]; parsed: Cidr[] } {
        if (value === undefined || value === null) {
            if (opts.required) this.required(path, 'expected a list of CIDRs like ["192.0.2.0/24"]');
            return { texts: [...fallback], parsed: fallback.map((c) => parseConfigCidr(c).cidr!).filter(Boolean) };
        }
        const items = this.list(path, value, '["192.0.2.0/24", "2001:db8::/48"]');
        if (!items) return { texts: [...fallback], parsed: [] };
        if (opts.nonEmpty && items.length === 0) this.problem(path, value, "expected at least one CIDR");
        const texts: string[] = [];
        const parsed: Cidr[] = [];
        items.forEach((item, i) => {
            const p = `${path}[${i}]`;
            if (typeof item !== "string") {
                this.problem(p, item, 'expected a CIDR string like "192.0.2.0/24"');
                return;
            }
            const { cidr, problem } = parseConfigCidr(item);
            if (!cidr) return this.problem(p, item, problem!);
            if (opts.forbidAll && cidr.prefix === 0) {
                return this.problem(
                    p,
                    item,
                    "expected a specific network, not the whole address space (that would open the platform to the internet)",
                );
            }
            texts.push(item);
            parsed.push(cidr);
        });
        return { texts, parsed };
    }

    ip(path: string, value: unknown, fallback: string): string {
        return this.string(path, value, fallback, (s) => (isAddress(s) ? undefined : "expected an IPv4 or IPv6 address"));
    }

    labelMap(path: string, value: unknown, fallback: Readonly<Record<string, string>>): Record<string, string> {
        if (value === undefined || value === null) return { ...fallback };
        if (typeof value !== "object" || Array.isArray(value)) {
            this.problem(path, value, "expected a map of label keys to values");
            return { ...fallback };
        }
        const out: Record<string, string> = {};
        for (const [k, v] of Object.entries(value as Obj)) {
            if (!isQualifiedName(k))
                this.problem(`${path}.${k}`, k, "expected a label key (optional DNS prefix, then a name of at most 63 characters)");
            else if (typeof v !== "string" || !isLabelValue(v))
                this.problem(`${path}.${k}`, v, "expected a label value (a string of at most 63 characters [A-Za-z0-9_.-])");
            else out[k] = v;
        }
        return out;
    }

    image(path: string, value: unknown, fallback: string): string {
        return this.string(path, value, fallback, checkPinnedImage);
    }

    /**
     * Reports a component's problems against the config keys its arguments came from (`keys` maps an
     * argument path, or its first segment, to a key without the `torchpod:` prefix). A problem whose key
     * the parser already reported is left out: one message per bad value.
     */
    componentProblems(problems: readonly ArgProblem[], keys: Readonly<Record<string, string>>): void {
        for (const p of problems) {
            const head = p.field.split(/[.[]/)[0];
            const mapped = keys[p.field] ?? (keys[head] !== undefined ? keys[head] + p.field.slice(head.length) : p.field);
            const key = `${NAMESPACE}:${mapped}`;
            if (this.reported(key)) continue;
            this.problem(key, p.got, p.expected);
        }
    }
}

/** Decodes one raw config value: JSON when it looks like JSON, the plain string otherwise. */
export function decode(c: Checker, key: string, raw: string | undefined, kind: "object" | "list" | "scalar"): unknown {
    if (raw === undefined) return undefined;
    const trimmed = raw.trim();
    if (kind === "scalar" && !/^[[{"]/.test(trimmed)) return raw;
    try {
        return JSON.parse(trimmed);
    } catch {
        if (kind === "scalar") return raw;
        c.problem(
            key,
            raw,
            kind === "list"
                ? "expected a list (YAML list in Pulumi.<stack>.yaml, JSON when set on the command line)"
                : "expected an object (YAML map in Pulumi.<stack>.yaml)",
        );
        return undefined;
    }
}
