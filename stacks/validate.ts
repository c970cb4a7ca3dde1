// Value checks of the stack config: each returns undefined when the value is fine, or the
// expected form (for the error message) when it is not. No Pulumi imports: pure functions.
import { Cidr, FAMILY_BITS, formatCidr, mustParseCidr, parseAddress } from "@torchpod/netpol/net";

/** DNS-1123 label: lowercase alphanumerics and '-', starting and ending alphanumeric, at most `max` characters. */
export function isDnsLabel(s: string, max = 63): boolean {
    return s.length <= max && /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(s);
}

/** DNS-1123 subdomain: dot-separated labels, at most 253 characters. */
export function isDnsSubdomain(s: string): boolean {
    return s.length <= 253 && s.split(".").every((l) => isDnsLabel(l));
}

/** A label or annotation key: optional DNS subdomain prefix, a name of at most 63 characters. */
export function isQualifiedName(s: string): boolean {
    const parts = s.split("/");
    if (parts.length > 2) return false;
    const name = parts[parts.length - 1];
    if (parts.length === 2 && (parts[0] === "" || !isDnsSubdomain(parts[0]))) return false;
    return name.length >= 1 && name.length <= 63 && /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/.test(name);
}

export function isLabelValue(s: string): boolean {
    return s === "" || (s.length <= 63 && /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/.test(s));
}

/** Why `s` is not a Kubernetes extended resource name (`domain/name`), or undefined when it is one. */
export { extendedResourceProblem } from "../components/common/extendedResources";

// Kubernetes quantities: the components' own parser (their rules compare quantities).
export { parseQuantity } from "../components/quantity";

// ---- CIDRs as the stack config writes them ------------------------------------------------------

/**
 * A CIDR of the stack config: a network address with zero host bits (the form `kubectl` and the API
 * server print). `problem` says what is wrong when it is not one. The address arithmetic is the
 * platform's network module.
 */
export function parseConfigCidr(s: string): { cidr?: Cidr; problem?: string } {
    const m = /^([^/]+)\/(\d{1,3})$/.exec(s);
    if (!m) return { problem: 'expected a CIDR like "192.0.2.0/24" or "2001:db8::/32"' };
    const ip = parseAddress(m[1]);
    if (!ip) return { problem: "expected a CIDR whose address is a valid IPv4 or IPv6 address" };
    const bits = FAMILY_BITS[ip.family];
    if (Number(m[2]) > bits) return { problem: `expected a prefix length between 0 and ${bits} for IPv${ip.family}` };
    const cidr = mustParseCidr(s);
    if (cidr.base !== ip.value) return { problem: `expected a network address with zero host bits ("${formatCidr(cidr)}")` };
    return { cidr };
}

// ---- Suggestions for typos ---------------------------------------------------------------------

function distance(a: string, b: string): number {
    const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array(b.length).fill(0)]);
    for (let j = 1; j <= b.length; j++) d[0][j] = j;
    for (let i = 1; i <= a.length; i++) {
        for (let j = 1; j <= b.length; j++) {
            d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
            if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
        }
    }
    return d[a.length][b.length];
}

/** The known key closest to `key` when it is plausibly a typo of it. */
export function closestKey(key: string, known: readonly string[]): string | undefined {
    let best: string | undefined;
    let bestDistance = Infinity;
    for (const k of known) {
        const dist = distance(key.toLowerCase(), k.toLowerCase());
        if (dist < bestDistance) {
            best = k;
            bestDistance = dist;
        }
    }
    if (best === undefined) return undefined;
    const limit = Math.max(2, Math.floor(best.length / 3));
    if (bestDistance <= limit) return best;
    const lower = key.toLowerCase();
    return known.find((k) => k.toLowerCase().startsWith(lower) || lower.startsWith(k.toLowerCase()));
}
