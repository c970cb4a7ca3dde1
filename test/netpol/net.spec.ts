// The platform's network module (netpol/net.ts): strict parsing over ipaddr.js, canonical text, containment.
import * as assert from "assert";
import { canonicalCidr, exceptList, formatAddress, ipInCidr, parseAddress, parseCidr } from "@torchpod/netpol/net";

describe("net: the network module", () => {
    it("parses as strictly as Go's net.ParseIP: no octal, short, hex or zoned forms ipaddr.js alone accepts", () => {
        for (const bad of ["010.0.0.1", "1.2.3", "0x0a.0.0.1", "fe80::1%eth0", "::ffff:01.2.3.4", "::ffff:0x1.2.3.4", "1.2.3.4 "])
            assert.strictEqual(parseAddress(bad), undefined, bad);
        assert.strictEqual(parseAddress("::ffff:192.0.2.1")?.value, 0xffffc0000201n);
    });

    it("prints canonical text: dotted IPv4, RFC 5952 IPv6, host bits cleared", () => {
        assert.strictEqual(formatAddress(parseAddress("2001:DB8:0:0:1:0:0:1")!), "2001:db8::1:0:0:1");
        assert.strictEqual(canonicalCidr("64:ff9b::10.0.0.0/104"), "64:ff9b::a00:0/104");
        assert.strictEqual(canonicalCidr("10.1.2.3/8"), "10.0.0.0/8");
        assert.strictEqual(typeof parseCidr("10.0.0.0/08"), "string");
    });

    it("tells whether an address lies in a CIDR, never across families", () => {
        assert.strictEqual(ipInCidr("10.244.1.1", "10.244.0.0/16"), true);
        assert.strictEqual(ipInCidr("::ffff:10.244.1.1", "10.244.0.0/16"), false);
        assert.strictEqual(ipInCidr("not-an-ip", "0.0.0.0/0"), false);
    });

    it("builds except lists the API server accepts: strict subsets, no covered or duplicate entries, sorted", () => {
        assert.deepStrictEqual(exceptList("0.0.0.0/0", ["192.168.0.0/16", "10.0.0.0/8", "10.96.0.0/12", "fd00::/8", "0.0.0.0/0"]), [
            "10.0.0.0/8",
            "192.168.0.0/16",
        ]);
    });
});
