import * as assert from "assert";
import { checkPinnedImage, imageVersion, parseImage } from "@torchpod/contract";

describe("contract/images", () => {
    it("parseImage splits repository, tag and digest", () => {
        assert.deepStrictEqual(parseImage("gitea/gitea:1.22.6-rootless"), { repository: "gitea/gitea", tag: "1.22.6-rootless" });
        assert.deepStrictEqual(parseImage("a@sha256:ff"), { repository: "a", digest: "sha256:ff" });
    });

    it("parseImage reads a registry's port as the registry, not as a tag", () => {
        assert.deepStrictEqual(parseImage("host:5000/a/b"), { registry: "host:5000", repository: "a/b" });
        assert.deepStrictEqual(parseImage("registry.example:5000/gitea/gitea:1.22"), {
            registry: "registry.example:5000",
            repository: "gitea/gitea",
            tag: "1.22",
        });
    });

    it("imageVersion is the tag, or the digest's first 12 hex digits (never the repository)", () => {
        const digest = "sha256:" + "ab".repeat(32);
        assert.strictEqual(imageVersion("gitea/gitea:1.22.6-rootless"), "1.22.6-rootless");
        assert.strictEqual(imageVersion(`gitea/gitea@${digest}`), "abababababab");
        assert.strictEqual(imageVersion(`registry.example:5000/gitea/gitea@${digest}`), "abababababab");
        assert.strictEqual(imageVersion("registry.example:5000/gitea/gitea"), "");
    });

    it("checkPinnedImage accepts tags and digests and refuses latest or no tag", () => {
        assert.strictEqual(checkPinnedImage("gemfield/torchpod:1.0"), undefined);
        assert.strictEqual(checkPinnedImage(`gemfield/torchpod@sha256:${"0".repeat(64)}`), undefined);
        assert.match(checkPinnedImage("gemfield/torchpod:latest") ?? "", /pinned/);
        assert.match(checkPinnedImage("gemfield/torchpod") ?? "", /pinned/);
        assert.match(checkPinnedImage("registry:5000/gemfield/torchpod") ?? "", /pinned/);
    });
});
