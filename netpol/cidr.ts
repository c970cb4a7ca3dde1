// IPv4/IPv6 addresses and CIDR blocks as bigints: exact containment for ipBlock peers.
// Parsing follows Go's net.ParseIP/ParseCIDR (what the API server validates with):
// no leading zeros in IPv4 octets, no zones, host bits in a CIDR are masked off.

export type Family = 4 | 6;

export interface Address {
    family: Family;
    value: bigint;
}

export interface Cidr {
    family: Family;
    base: bigint; // network address, host bits cleared
    prefix: number;
    text: string; // as written in the manifest
}

const BITS: Record<Family, number> = { 4: 32, 6: 128 };

function parseIPv4(s: string): bigint | undefined {
    const parts = s.split(".");
    if (parts.length !== 4) return undefined;
    let v = 0n;
    for (const p of parts) {
        if (!/^(0|[1-9][0-9]{0,2})$/.test(p)) return undefined;
        const n = Number(p);
        if (n > 255) return undefined;
        v = (v << 8n) | BigInt(n);
    }
    return v;
}

function parseIPv6(s: string): bigint | undefined {
    if (s.includes("%")) return undefined; // zones are not addresses of a network policy
    let head = s;
    let tailV4: bigint | undefined;
    // An embedded dotted IPv4 tail counts for two groups.
    const lastColon = s.lastIndexOf(":");
    if (lastColon >= 0 && s.slice(lastColon + 1).includes(".")) {
        tailV4 = parseIPv4(s.slice(lastColon + 1));
        if (tailV4 === undefined) return undefined;
        head = s.slice(0, lastColon + 1) + "0:0";
    }
    const halves = head.split("::");
    if (halves.length > 2) return undefined;
    const groupsOf = (h: string): string[] | undefined => (h === "" ? [] : h.split(":"));
    const left = groupsOf(halves[0]);
    const right = halves.length === 2 ? groupsOf(halves[1]) : [];
    if (!left || !right) return undefined;
    const total = left.length + right.length;
    if (halves.length === 1 && total !== 8) return undefined;
    if (halves.length === 2 && total > 7) return undefined;
    const groups = [...left, ...Array(8 - total).fill("0"), ...right];
    let v = 0n;
    for (const g of groups) {
        if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
        v = (v << 16n) | BigInt(parseInt(g, 16));
    }
    if (tailV4 !== undefined) v = (v & ~0xffffffffn) | tailV4;
    return v;
}

/** Parses an IPv4 or IPv6 address; undefined when it is not one. */
export function parseAddress(s: string): Address | undefined {
    if (typeof s !== "string") return undefined;
    if (s.includes(":")) {
        const v = parseIPv6(s);
        return v === undefined ? undefined : { family: 6, value: v };
    }
    const v = parseIPv4(s);
    return v === undefined ? undefined : { family: 4, value: v };
}

/** Parses `addr/prefix`; returns a reason string when invalid. */
export function parseCidr(s: unknown): Cidr | string {
    if (typeof s !== "string") return `expected a CIDR string like 10.0.0.0/8 or fd00::/8, got ${JSON.stringify(s)}`;
    const slash = s.indexOf("/");
    if (slash < 0) return `"${s}" is not a CIDR (missing /prefix)`;
    const addr = parseAddress(s.slice(0, slash));
    const pfx = s.slice(slash + 1);
    if (!addr) return `"${s}" is not a CIDR (bad address)`;
    if (!/^(0|[1-9][0-9]{0,2})$/.test(pfx) || Number(pfx) > BITS[addr.family]) {
        return `"${s}" is not a CIDR (prefix must be 0-${BITS[addr.family]})`;
    }
    const prefix = Number(pfx);
    return { family: addr.family, base: mask(addr.value, addr.family, prefix), prefix, text: s };
}

function mask(v: bigint, family: Family, prefix: number): bigint {
    const hostBits = BigInt(BITS[family] - prefix);
    return (v >> hostBits) << hostBits;
}

export function cidrContainsAddress(c: Cidr, a: Address): boolean {
    return c.family === a.family && mask(a.value, a.family, c.prefix) === c.base;
}

/** True when `inner` lies entirely within `outer`. */
export function cidrContainsCidr(outer: Cidr, inner: Cidr): boolean {
    return outer.family === inner.family && inner.prefix >= outer.prefix && mask(inner.base, inner.family, outer.prefix) === outer.base;
}

/** An ipBlock: inside `cidr` and outside every `except`. */
export function ipBlockContains(cidr: Cidr, except: Cidr[], a: Address): boolean {
    return cidrContainsAddress(cidr, a) && !except.some((e) => cidrContainsAddress(e, a));
}
