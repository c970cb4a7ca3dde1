// Value checks of the stack config: each returns undefined when the value is fine, or the
// expected form (for the error message) when it is not. No Pulumi imports: pure functions.

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

// ---- Kubernetes quantities -------------------------------------------------------------------

const QUANTITY = /^([+-]?(?:\d+(?:\.\d*)?|\.\d+))(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E|[eE][+-]?\d+)?$/;
const SUFFIX: Record<string, number> = {
    Ki: 2 ** 10,
    Mi: 2 ** 20,
    Gi: 2 ** 30,
    Ti: 2 ** 40,
    Pi: 2 ** 50,
    Ei: 2 ** 60,
    n: 1e-9,
    u: 1e-6,
    m: 1e-3,
    "": 1,
    k: 1e3,
    M: 1e6,
    G: 1e9,
    T: 1e12,
    P: 1e15,
    E: 1e18,
};

/** The numeric value of a Kubernetes quantity ("8Gi", "500m", "1e3"), or undefined when malformed. */
export function parseQuantity(s: string): number | undefined {
    const m = QUANTITY.exec(s);
    if (!m) return undefined;
    const suffix = m[2] ?? "";
    const factor = /^[eE]/.test(suffix) ? 10 ** Number(suffix.slice(1)) : SUFFIX[suffix];
    return Number(m[1]) * factor;
}

// ---- IP addresses and CIDRs ------------------------------------------------------------------

export interface IpAddress {
    readonly version: 4 | 6;
    readonly value: bigint;
    readonly bits: 32 | 128;
}

export function parseIPv4(s: string): bigint | undefined {
    const parts = s.split(".");
    if (parts.length !== 4) return undefined;
    let v = 0n;
    for (const p of parts) {
        if (!/^(0|[1-9]\d{0,2})$/.test(p) || Number(p) > 255) return undefined;
        v = (v << 8n) | BigInt(p);
    }
    return v;
}

export function parseIPv6(s: string): bigint | undefined {
    if (!/^[0-9A-Fa-f:.]+$/.test(s)) return undefined;
    let text = s;
    // An embedded IPv4 address in the last 32 bits (::ffff:192.0.2.1) becomes two hex groups.
    const lastColon = text.lastIndexOf(":");
    if (text.slice(lastColon + 1).includes(".")) {
        const v4 = parseIPv4(text.slice(lastColon + 1));
        if (v4 === undefined) return undefined;
        text = `${text.slice(0, lastColon + 1)}${(v4 >> 16n).toString(16)}:${(v4 & 0xffffn).toString(16)}`;
    }
    const halves = text.split("::");
    if (halves.length > 2) return undefined;
    const group = (g: string) => (/^[0-9A-Fa-f]{1,4}$/.test(g) ? BigInt(parseInt(g, 16)) : undefined);
    const parse = (h: string): bigint[] | undefined => {
        if (h === "") return [];
        const out: bigint[] = [];
        for (const g of h.split(":")) {
            const v = group(g);
            if (v === undefined) return undefined;
            out.push(v);
        }
        return out;
    };
    const head = parse(halves[0]);
    const rest = halves.length === 2 ? parse(halves[1]) : [];
    if (!head || !rest) return undefined;
    const explicit = head.length + rest.length;
    let groups: bigint[];
    if (halves.length === 2) {
        if (explicit > 7) return undefined;
        groups = [...head, ...Array(8 - explicit).fill(0n), ...rest];
    } else {
        if (explicit !== 8) return undefined;
        groups = head;
    }
    return groups.reduce((acc, g) => (acc << 16n) | g, 0n);
}

export function parseIp(s: string): IpAddress | undefined {
    const v4 = parseIPv4(s);
    if (v4 !== undefined) return { version: 4, value: v4, bits: 32 };
    if (s.includes(":")) {
        const v6 = parseIPv6(s);
        if (v6 !== undefined) return { version: 6, value: v6, bits: 128 };
    }
    return undefined;
}

export interface Cidr extends IpAddress {
    readonly prefix: number;
}

function formatIp(ip: IpAddress): string {
    if (ip.version === 4) {
        return [24n, 16n, 8n, 0n].map((s) => String((ip.value >> s) & 0xffn)).join(".");
    }
    const groups: string[] = [];
    for (let i = 7; i >= 0; i--) groups.push(((ip.value >> BigInt(i * 16)) & 0xffffn).toString(16));
    // Compress the longest run of zero groups.
    let best = -1,
        bestLen = 0;
    for (let i = 0; i < 8;) {
        if (groups[i] !== "0") {
            i++;
            continue;
        }
        let j = i;
        while (j < 8 && groups[j] === "0") j++;
        if (j - i > bestLen && j - i > 1) {
            best = i;
            bestLen = j - i;
        }
        i = j;
    }
    if (best < 0) return groups.join(":");
    return `${groups.slice(0, best).join(":")}::${groups.slice(best + bestLen).join(":")}`;
}

/** Parses a CIDR; `problem` says what is wrong when it is not a valid network address. */
export function parseCidr(s: string): { cidr?: Cidr; problem?: string } {
    const m = /^([^/]+)\/(\d{1,3})$/.exec(s);
    if (!m) return { problem: 'expected a CIDR like "192.0.2.0/24" or "2001:db8::/32"' };
    const ip = parseIp(m[1]);
    if (!ip) return { problem: "expected a CIDR whose address is a valid IPv4 or IPv6 address" };
    const prefix = Number(m[2]);
    if (prefix > ip.bits) return { problem: `expected a prefix length between 0 and ${ip.bits} for IPv${ip.version}` };
    const hostMask = (1n << BigInt(ip.bits - prefix)) - 1n;
    if ((ip.value & hostMask) !== 0n) {
        const network = { ...ip, value: ip.value & ~hostMask };
        return { problem: `expected a network address with zero host bits ("${formatIp(network)}/${prefix}")` };
    }
    return { cidr: { ...ip, prefix } };
}

export function cidrContains(cidr: Cidr, ip: IpAddress): boolean {
    if (cidr.version !== ip.version) return false;
    const shift = BigInt(cidr.bits - cidr.prefix);
    return ip.value >> shift === cidr.value >> shift;
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
