// Saying a policy does not apply to a resource, without paying for a stack trace.
//
// @pulumi/policy's `args.notApplicable` throws an Error subclass that the policy server catches at
// once, reading only its reason. Most policies do not apply to most resources (a pod policy to a
// Service or a Secret), so a 1,000-user stack makes tens of thousands of these throws, and capturing
// each one's stack was about 9 % of the pack's process time. Nothing ever prints those stacks.

/** Throws `args.notApplicable(reason)` with no stack frames; Error.stackTraceLimit is restored before it propagates. */
export function notApplicable(args: { notApplicable(reason?: string): never }, reason: string): never {
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    try {
        return args.notApplicable(reason);
    } finally {
        Error.stackTraceLimit = limit;
    }
}
