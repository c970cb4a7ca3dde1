// Reading Gitea's settings the way Gitea does: GITEA__section__KEY env values, Go booleans, host lists.
import { isWideCidr } from "./cidrs";
import { list } from "./podPolicy";
import { ContainerRef } from "./resources";
import { isUnknown } from "./unknowns";

export type EnvValue = { kind: "literal"; value: string } | { kind: "ref" } | { kind: "unknown"; sentinel: string; path: string[] };

export function envMap(c: ContainerRef): Map<string, EnvValue> {
    const out = new Map<string, EnvValue>();
    list(c.container.env).forEach((e: any, i) => {
        if (!e || typeof e !== "object" || typeof e.name !== "string") return;
        if (isUnknown(e.value)) out.set(e.name, { kind: "unknown", sentinel: e.value, path: [...c.path, "env", String(i), "value"] });
        else if (e.value !== undefined && e.value !== null) out.set(e.name, { kind: "literal", value: String(e.value) });
        else if (e.valueFrom) out.set(e.name, { kind: "ref" });
        else out.set(e.name, { kind: "literal", value: "" });
    });
    return out;
}

/** Gitea reads booleans with Go's strconv.ParseBool; anything else falls back to the setting's default. */
export function giteaBool(v: string | undefined): boolean | undefined {
    if (v === undefined) return undefined;
    if (["1", "t", "T", "TRUE", "true", "True"].includes(v.trim())) return true;
    if (["0", "f", "F", "FALSE", "false", "False"].includes(v.trim())) return false;
    return undefined;
}

/**
 * Entries of a Gitea host-match list (webhook ALLOWED_HOST_LIST, migrations ALLOWED_DOMAINS) that
 * let in arbitrary hosts: `*`, `all`, `external` (every public address), a CIDR wider than /8 (/32
 * for IPv6), and globs other than `*.<domain>.<tld>` (`*.com`, `*hub.com`, `git?ub.com`, `[a-z]*`).
 */
export function arbitraryHostEntries(list: string): string[] {
    return tokens(list).filter((x) => {
        if (x === "*" || x === "all" || x === "external") return true;
        if (x.includes("/")) return isWideCidr(x);
        if (!/[*?[\]{}]/.test(x)) return false;
        // One leading `*.` before a domain of at least two labels (no further glob characters).
        return !/^\*\.[^*?[\]{}]+\.[^*?[\]{}.]+$/.test(x);
    });
}

export function tokens(v: string): string[] {
    return v
        .split(",")
        .map((s) => s.trim().toLowerCase())
        .filter((s) => s !== "");
}
