// How wide an address range is, for ranges that must name an office or an approved host. The address
// arithmetic is the platform's network module (@torchpod/netpol's net.ts).
import { Cidr, cidrContainsCidr, mustParseCidr, parseCidr } from "@torchpod/netpol";

/** IPv6 prefixes that embed the whole IPv4 space (IPv4-mapped, IPv4-compatible, NAT64 well-known). */
const EMBEDDED_V4 = ["::ffff:0:0/96", "::/96", "64:ff9b::/96"].map(mustParseCidr);

/**
 * The IPv4 prefix length a range amounts to, or the IPv6 one: IPv6 ranges inside an IPv4-embedding
 * prefix count as the IPv4 range they carry (`::ffff:0:0/96` is all of IPv4).
 */
export function effectivePrefix(c: Cidr): { family: 4 | 6; prefix: number } {
    if (c.family === 6) for (const e of EMBEDDED_V4) if (cidrContainsCidr(e, c)) return { family: 4, prefix: c.prefix - 96 };
    if (c.family === 6) for (const e of EMBEDDED_V4) if (cidrContainsCidr(c, e)) return { family: 4, prefix: 0 };
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
        return typeof x !== "string" && cidrContainsCidr(x, c);
    });
}

/**
 * Why a source range is no office network, or undefined when it lies inside one. With no office
 * networks configured every range is refused: the pack cannot tell an office from the internet.
 */
export function officeProblem(cidr: string, officeCidrs: readonly string[]): string | undefined {
    if (officeCidrs.length === 0)
        return "and no office networks are configured (officeCidrs), so the pack cannot tell an office from the internet (render writes the stack's torchpod:officeCidrs to policy-config.json)";
    if (!withinAny(cidr, [...officeCidrs])) return `not inside the office networks (${officeCidrs.join(", ")})`;
    return undefined;
}
