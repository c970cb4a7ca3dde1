import { strict as assert } from "assert";

const { tsNodeOptions } = require("../../../tools/typescript/tsNodeOptions.cjs");

describe("ts-node options for our tools", () => {
    it("falls back to ts-node's own transpiler where esbuild cannot run", () => {
        assert.match(tsNodeOptions().transpiler, /esbuildTranspiler\.cjs$/);
        const cached = require.cache[require.resolve("esbuild")]!;
        const real = cached.exports;
        cached.exports = {
            transformSync: () => {
                throw new Error('The package "@esbuild/linux-x64" could not be found');
            },
        };
        try {
            assert.deepEqual(tsNodeOptions(), { transpileOnly: true });
        } finally {
            cached.exports = real;
        }
    });
});
