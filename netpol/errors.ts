// Errors with enough context for one clear CLI line.

/** A NetworkPolicy the API server would reject (or that we cannot interpret). */
export class NetpolError extends Error {
    constructor(
        readonly policy: string, // ns/name
        readonly field: string, // e.g. spec.ingress[0].ports[1].port
        readonly problem: string,
    ) {
        super(`NetworkPolicy ${policy}: ${field}: ${problem}`);
        this.name = "NetpolError";
    }
}
