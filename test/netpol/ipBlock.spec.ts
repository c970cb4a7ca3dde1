// ipBlock peers: CIDR math for IPv4 and IPv6, `except`, IP endpoints, and pods by status.podIP.
import * as assert from "assert";
import { ipBlockContains, K8sObject, parseAddress, parseCidr } from "@torchpod/netpol";
import { allowed, netpol, pod } from "./builders";

const cidr = (s: string) => {
    const c = parseCidr(s);
    if (typeof c === "string") throw new Error(c);
    return c;
};
const inBlock = (block: string, except: string[], ip: string) => ipBlockContains(cidr(block), except.map(cidr), parseAddress(ip)!);

describe("netpol: ipBlock and CIDR math", () => {
    it("contains IPv4 addresses by prefix, masking host bits of the CIDR", () => {
        assert.strictEqual(inBlock("10.0.0.0/8", [], "10.255.1.2"), true);
        assert.strictEqual(inBlock("10.0.0.0/8", [], "11.0.0.1"), false);
        assert.strictEqual(inBlock("10.1.2.3/16", [], "10.1.200.1"), true, "host bits ignored like Go's ParseCIDR");
        assert.strictEqual(inBlock("0.0.0.0/0", [], "203.0.113.1"), true);
        assert.strictEqual(inBlock("192.168.1.7/32", [], "192.168.1.7"), true);
        assert.strictEqual(inBlock("192.168.1.7/32", [], "192.168.1.8"), false);
    });

    it("contains IPv6 addresses, with :: compression and embedded IPv4 tails", () => {
        assert.strictEqual(inBlock("fd00::/8", [], "fd12:3456::1"), true);
        assert.strictEqual(inBlock("fd00::/8", [], "fe80::1"), false);
        assert.strictEqual(inBlock("2001:db8::/32", [], "2001:0db8:0000:0000:0000:0000:0000:0001"), true);
        assert.strictEqual(inBlock("::/0", [], "::1"), true);
        assert.strictEqual(inBlock("64:ff9b::/96", [], "64:ff9b::192.0.2.33"), true);
        assert.strictEqual(inBlock("2001:db8::1/128", [], "2001:db8::2"), false);
    });

    it("never mixes families", () => {
        assert.strictEqual(inBlock("0.0.0.0/0", [], "::1"), false);
        assert.strictEqual(inBlock("::/0", [], "10.0.0.1"), false);
    });

    it("subtracts every except block", () => {
        const except = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"];
        assert.strictEqual(inBlock("0.0.0.0/0", except, "172.20.1.1"), false);
        assert.strictEqual(inBlock("0.0.0.0/0", except, "172.32.0.1"), true);
        assert.strictEqual(inBlock("0.0.0.0/0", except, "8.8.8.8"), true);
        assert.strictEqual(inBlock("fd00::/8", ["fd00:1::/32"], "fd00:1::5"), false);
        assert.strictEqual(inBlock("fd00::/8", ["fd00:1::/32"], "fd00:2::5"), true);
    });

    it("rejects malformed addresses and CIDRs", () => {
        for (const bad of ["10.0.0.256", "010.0.0.1", "1.2.3", "1:2:3:4:5:6:7:8:9", "fe80::1%eth0", "1::2::3", "abc"])
            assert.strictEqual(parseAddress(bad), undefined, bad);
        for (const bad of ["10.0.0.0", "10.0.0.0/33", "fd00::/129", "10.0.0.0/-1", "10.0.0.0/08", 42])
            assert.strictEqual(typeof parseCidr(bad), "string", String(bad));
    });

    const world: K8sObject[] = [
        pod("x/a", { ip: "10.0.0.5" }),
        pod("x/b", { ip: "10.0.1.5" }),
        pod("x/noip"),
        pod("y/v6", { ip: "fd00::5" }),
    ];
    const egress = (to: unknown[]) => [
        ...world,
        netpol("x/p", { podSelector: { matchLabels: { app: "a" } }, policyTypes: ["Egress"], egress: [{ to }] }),
    ];

    it("matches IP endpoints of the outside world", () => {
        const objs = egress([{ ipBlock: { cidr: "0.0.0.0/0", except: ["10.0.0.0/8"] } }]);
        assert.strictEqual(allowed(objs, "x/a", "8.8.8.8"), true);
        assert.strictEqual(allowed(objs, "x/a", "10.9.9.9"), false);
        assert.strictEqual(allowed(objs, "x/a", "2001:db8::1"), false, "IPv4 block, IPv6 destination");
    });

    it("matches pods whose status.podIP is inside the block (our documented choice), never pods without an IP", () => {
        const objs = egress([{ ipBlock: { cidr: "10.0.0.0/16", except: ["10.0.0.0/24"] } }, { ipBlock: { cidr: "fd00::/64" } }]);
        assert.strictEqual(allowed(objs, "x/a", "x/b"), true);
        assert.strictEqual(allowed(objs, "x/a", "x/noip"), false);
        assert.strictEqual(allowed(objs, "x/a", "y/v6"), true);
        const self = egress([{ ipBlock: { cidr: "10.0.0.0/16", except: ["10.0.1.0/24"] } }]);
        assert.strictEqual(allowed(self, "x/a", "x/b"), false, "x/b is in the except");
    });

    it("matches IP sources in ingress rules", () => {
        const objs = [
            ...world,
            netpol("x/p", { podSelector: {}, ingress: [{ from: [{ ipBlock: { cidr: "192.168.10.0/24" } }], ports: [{ port: 22 }] }] }),
        ];
        assert.strictEqual(allowed(objs, "192.168.10.20", "x/a", 22), true);
        assert.strictEqual(allowed(objs, "192.168.11.20", "x/a", 22), false);
        assert.strictEqual(allowed(objs, "192.168.10.20", "x/a", 80), false);
    });
});
