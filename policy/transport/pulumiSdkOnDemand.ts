// Stands in for the `@pulumi/pulumi` root module where @pulumi/policy imports it, inside the pack's bundle
// (tools/build.mjs). @pulumi/policy reads two names from it, `asset` and `Output`, and only for asset
// values and remediations, which this pack never meets; but importing the root loads the whole SDK
// (the automation API, npm's arborist, sigstore: about 800 modules), 0.5-0.9 s of every pack start on
// this machine. Here the SDK loads on the first property read, and every read is the SDK's own value.
type Sdk = Record<PropertyKey, unknown>;
const sdk = (): Sdk => require("@pulumi/pulumi");

export = new Proxy({} as Sdk, {
    get: (_target, key) => sdk()[key],
    has: (_target, key) => key in sdk(),
    ownKeys: () => Reflect.ownKeys(sdk()),
    getOwnPropertyDescriptor: (_target, key) => {
        const d = Object.getOwnPropertyDescriptor(sdk(), key);
        // A proxy may not report a property its (empty) target lacks as non-configurable.
        return d && { ...d, configurable: true };
    },
});
