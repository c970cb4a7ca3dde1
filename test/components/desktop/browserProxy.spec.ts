// The browser proxy's Caddyfile: basic auth in front of noVNC, and the user's credentials stop there.
import { strict as assert } from "assert";
import { PROXY_CADDYFILE } from "../../../components/desktop/browserProxy";
import { DESKTOP_PORTS } from "@torchpod/contract";

/** The Caddyfile's blocks as a tree: each directive line with the lines of its `{ ... }` block. */
interface Directive {
    readonly line: string;
    readonly block: Directive[];
}
function parseCaddyfile(text: string): Directive[] {
    const root: Directive[] = [];
    const stack: Directive[][] = [root];
    for (const raw of text.split("\n")) {
        const line = raw.trim();
        if (line === "" || line.startsWith("#")) continue;
        if (line === "}") {
            stack.pop();
            assert.ok(stack.length > 0, "unbalanced }");
            continue;
        }
        const opens = line.endsWith("{");
        const d: Directive = { line: opens ? line.slice(0, -1).trim() : line, block: [] };
        stack[stack.length - 1].push(d);
        if (opens) stack.push(d.block);
    }
    assert.equal(stack.length, 1, "unbalanced {");
    return root;
}

describe("browser proxy Caddyfile", () => {
    const site = parseCaddyfile(PROXY_CADDYFILE).find((d) => d.line === `:${DESKTOP_PORTS.browser}`)!;

    it("serves the proxy port with basic auth from the environment (user and bcrypt hash)", () => {
        assert.ok(site, "a site block on the proxy port");
        const auth = site.block.find((d) => d.line === "basic_auth")!;
        assert.deepEqual(
            auth.block.map((d) => d.line),
            ["{$PROXY_USER} {$PROXY_PASSWORD_HASH}"],
        );
    });

    it("strips the user's Authorization header before noVNC's nginx (header_up -Authorization)", () => {
        const proxies = site.block.filter((d) => d.line.startsWith("reverse_proxy"));
        assert.equal(proxies.length, 1);
        assert.equal(proxies[0].line, `reverse_proxy 127.0.0.1:${DESKTOP_PORTS.novnc}`, "noVNC over loopback only");
        assert.deepEqual(
            proxies[0].block.map((d) => d.line),
            ["header_up -Authorization"],
        );
        const order = site.block.map((d) => d.line.split(" ")[0]);
        assert.ok(order.indexOf("basic_auth") < order.indexOf("reverse_proxy"), "authentication comes first");
    });

    it("runs without Caddy's admin API and without automatic HTTPS", () => {
        const global = parseCaddyfile(PROXY_CADDYFILE).find((d) => d.line === "")!;
        assert.deepEqual(
            global.block.map((d) => d.line),
            ["admin off", "auto_https off", "persist_config off"],
        );
    });
});
