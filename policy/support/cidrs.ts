// How wide an address range is, for ranges that must name an office or an approved host.
import { Cidr, parseCidr } from "@torchpod/netpol";

/** IPv6 prefixes that embed the whole IPv4 space (IPv4-mapped, IPv4-compatible, NAT64 well-known). */
const EMBEDDED_V4 = ["::ffff:0:0/96", "::/96", "64:ff9b::/96"].map((c) => parseCidr(c) as Cidr);

function within(outer: Cidr, inner: Cidr): boolean {
    if (outer.family !== inner.family || inner.prefix < outer.prefix) return false;
    const shift = BigInt((inner.family === 4 ? 32 : 128) - outer.prefix);
    return inner.base >> shift === outer.base >> shift;
}

/**
 * The IPv4 prefix length a range amounts to, or the IPv6 one: IPv6 ranges inside an IPv4-embedding
 * prefix count as the IPv4 range they carry (`::ffff:0:0/96` is all of IPv4).
 */
export function effectivePrefix(c: Cidr): { family: 4 | 6; prefix: number } {
    if (c.family === 6) for (const e of EMBEDDED_V4) if (within(e, c)) return { family: 4, prefix: c.prefix - 96 };
    if (c.family === 6) for (const e of EMBEDDED_V4) if (within(c, e)) return { family: 4, prefix: 0 };
    return { family: c.family, prefix: c.prefix };
}

/**
 * A CIDR wider than an office or an approved host could be: IPv4 shorter than /8, IPv6 shorter than
 * /32 (`0.0.0.0/0`, `0.0.0.0/1` + `128.0.0.0/1`, `::/0`, `::ffff:0:0/96`). Not a CIDR: false.
 */
export function isWideCidr(text: string): boolean {
    const c = parseCidr(text.trim());
    if (typeof c === "string") return false;
    const e = effectivePrefix(c);
    return e.family === 4 ? e.prefix < 8 : e.prefix < 32;
}

/** Whether `inner` lies within one of `outer`. */
export function withinAny(inner: string, outer: string[]): boolean {
    const c = parseCidr(inner.trim());
    if (typeof c === "string") return false;
    return outer.some((o) => {
        const x = parseCidr(o.trim());
        return typeof x !== "string" && within(x, c);
    });
}
