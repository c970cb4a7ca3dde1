// The platform's one network module: IPv4/IPv6 addresses and CIDR blocks, parsed by ipaddr.js and
// held as bigints for exact, fast containment. Everything that reads an address or a CIDR (the stack
// config, the network lock-down, the enforcement probe, the NetworkPolicy analyzer and the policy
// pack) uses this module; no Pulumi imports.
//
// Parsing is as strict as Go's net.ParseIP/ParseCIDR (what the API server validates with), which is
// stricter than ipaddr.js alone: IPv4 only in four-part decimal without leading zeros (ipaddr.js would
// read "010.0.0.1" as octal and "1.2.3" as a three-part address), no IPv6 zones ("fe80::1%eth0"), and
// an embedded IPv4 tail ("::ffff:192.0.2.1", "64:ff9b::10.0.0.1") held to the same IPv4 rules.
import * as ipaddr from "ipaddr.js";

export type Family = 4 | 6;

export interface Address {
    readonly family: Family;
    readonly value: bigint;
}

export interface Cidr {
    readonly family: Family;
    /** The network address: host bits cleared. */
    readonly base: bigint;
    readonly prefix: number;
    /** The CIDR as written (a manifest's or the config's text). */
    readonly text: string;
}

/** Address width of a family. */
export const FAMILY_BITS: Readonly<Record<Family, 32 | 128>> = { 4: 32, 6: 128 };

/** The whole address space of each family. */
export const ANY_V4 = "0.0.0.0/0";
export const ANY_V6 = "::/0";

const FOUR_PART_DECIMAL = /^(0|[1-9][0-9]{0,2})(\.(0|[1-9][0-9]{0,2})){3}$/;
const PREFIX = /^(0|[1-9][0-9]{0,2})$/;

function toBigint(bytes: number[]): bigint {
    return bytes.reduce((acc, b) => (acc << 8n) | BigInt(b), 0n);
}

/** Parses an IPv4 or IPv6 address (no CIDR suffix); undefined when it is not one. */
export function parseAddress(s: unknown): Address | undefined {
    if (typeof s !== "string") return undefined;
    if (s.includes(":")) {
        if (s.includes("%") || !ipaddr.IPv6.isValid(s)) return undefined;
        const tail = s.slice(s.lastIndexOf(":") + 1);
        if (tail.includes(".") && !FOUR_PART_DECIMAL.test(tail)) return undefined;
        return { family: 6, value: toBigint(ipaddr.IPv6.parse(s).toByteArray()) };
    }
    if (!FOUR_PART_DECIMAL.test(s) || !ipaddr.IPv4.isValid(s)) return undefined;
    return { family: 4, value: toBigint(ipaddr.IPv4.parse(s).toByteArray()) };
}

/** True when `s` is an IPv4 or IPv6 address. */
export function isAddress(s: unknown): boolean {
    return parseAddress(s) !== undefined;
}

function mask(value: bigint, family: Family, prefix: number): bigint {
    const hostBits = BigInt(FAMILY_BITS[family] - prefix);
    return (value >> hostBits) << hostBits;
}

/**
 * Parses `address/prefix` as Go's ParseCIDR does (host bits are masked off); returns a reason when
 * it is not a CIDR.
 */
export function parseCidr(s: unknown): Cidr | string {
    if (typeof s !== "string") return `expected a CIDR string like 10.0.0.0/8 or fd00::/8, got ${JSON.stringify(s)}`;
    const slash = s.indexOf("/");
    if (slash < 0) return `"${s}" is not a CIDR (missing /prefix)`;
    const addr = parseAddress(s.slice(0, slash));
    if (!addr) return `"${s}" is not a CIDR (bad address)`;
    const pfx = s.slice(slash + 1);
    if (!PREFIX.test(pfx) || Number(pfx) > FAMILY_BITS[addr.family])
        return `"${s}" is not a CIDR (prefix must be 0-${FAMILY_BITS[addr.family]})`;
    const prefix = Number(pfx);
    return { family: addr.family, base: mask(addr.value, addr.family, prefix), prefix, text: s };
}

/** Parses a CIDR that must be valid (a platform constant or an already validated value). */
export function mustParseCidr(s: string): Cidr {
    const c = parseCidr(s);
    if (typeof c === "string") throw new Error(c);
    return c;
}

/** The address as text: dotted decimal, or RFC 5952 for IPv6 (lower case, longest zero run compressed). */
export function formatAddress(a: Address): string {
    const bytes: number[] = [];
    for (let i = FAMILY_BITS[a.family] / 8 - 1; i >= 0; i--) bytes.push(Number((a.value >> BigInt(i * 8)) & 0xffn));
    const ip = ipaddr.fromByteArray(bytes);
    return ip.kind() === "ipv6" ? (ip as ipaddr.IPv6).toRFC5952String() : ip.toString();
}

/** The canonical text of a CIDR: its network address (host bits cleared) and prefix. */
export function formatCidr(c: Cidr): string {
    return `${formatAddress({ family: c.family, value: c.base })}/${c.prefix}`;
}

/** The canonical text of a valid CIDR written any way ("10.1.2.3/8" → "10.0.0.0/8"). */
export function canonicalCidr(s: string): string {
    return formatCidr(mustParseCidr(s));
}

/** A one-address CIDR (`/32` or `/128`). */
export function hostCidr(a: Address): Cidr {
    const prefix = FAMILY_BITS[a.family];
    return { family: a.family, base: a.value, prefix, text: `${formatAddress(a)}/${prefix}` };
}

export function cidrContainsAddress(c: Cidr, a: Address): boolean {
    return c.family === a.family && mask(a.value, a.family, c.prefix) === c.base;
}

/** True when `inner` lies entirely within `outer` (equal counts). */
export function cidrContainsCidr(outer: Cidr, inner: Cidr): boolean {
    return outer.family === inner.family && inner.prefix >= outer.prefix && mask(inner.base, inner.family, outer.prefix) === outer.base;
}

/** An ipBlock: inside `cidr` and outside every `except`. */
export function ipBlockContains(cidr: Cidr, except: readonly Cidr[], a: Address): boolean {
    return cidrContainsAddress(cidr, a) && !except.some((e) => cidrContainsAddress(e, a));
}

/** True when the address `ip` falls inside `cidr`; false when either is malformed. */
export function ipInCidr(ip: string, cidr: string): boolean {
    const a = parseAddress(ip);
    const c = parseCidr(cidr);
    return a !== undefined && typeof c !== "string" && cidrContainsAddress(c, a);
}

/** The first of `cidrs` (texts) that holds the address `ip`, or undefined. */
export function cidrHolding(ip: string, cidrs: readonly string[]): string | undefined {
    return cidrs.find((c) => ipInCidr(ip, c));
}

/**
 * The `except` list the API server accepts for the ipBlock `block`: canonical CIDRs, each a strict
 * subset of the block (anything else is rejected: "must be a strict subset of `cidr`"), no duplicates
 * and none that a wider entry already covers; sorted by address for a stable diff.
 */
export function exceptList(block: string, candidates: readonly string[]): string[] {
    const outer = mustParseCidr(block);
    const inside = candidates
        .map(mustParseCidr)
        .filter((c) => c.family === outer.family && c.prefix > outer.prefix && cidrContainsCidr(outer, c));
    const kept = inside.filter(
        (c, i) => !inside.some((o, j) => (o.prefix < c.prefix || (o.prefix === c.prefix && j < i)) && cidrContainsCidr(o, c)),
    );
    return kept.sort((a, b) => (a.base < b.base ? -1 : a.base > b.base ? 1 : a.prefix - b.prefix)).map(formatCidr);
}
