// One style for the whole repository: eslint's and typescript-eslint's recommended rules; layout is prettier's.
import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
    { ignores: ["node_modules/", "**/node_modules/", "out/", "dist/", "policy/dist/", ".bench/", "test/redteam/cases/"] },
    js.configs.recommended,
    ...tseslint.configs.recommended,
    {
        languageOptions: {
            ecmaVersion: 2022,
            sourceType: "module",
            globals: {
                require: "readonly",
                module: "writable",
                process: "readonly",
                console: "readonly",
                __dirname: "readonly",
                Buffer: "readonly",
                setTimeout: "readonly",
                clearTimeout: "readonly",
                URL: "readonly",
                fetch: "readonly",
                AbortController: "readonly",
                AbortSignal: "readonly",
                TextDecoder: "readonly",
                TextEncoder: "readonly",
                setInterval: "readonly",
                clearInterval: "readonly",
                structuredClone: "readonly",
                queueMicrotask: "readonly",
                setImmediate: "readonly",
            },
        },
        rules: {
            "@typescript-eslint/no-explicit-any": "off",
            "@typescript-eslint/no-require-imports": "off",
            "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrors: "none" }],
            "@typescript-eslint/no-namespace": "off",
            "no-constant-condition": ["error", { checkLoops: false }],
        },
    },
    {
        files: ["**/*.js", "**/*.cjs"],
        rules: { "@typescript-eslint/no-var-requires": "off" },
    },
);
