// The Namespaces component's rules on its arguments, as a pure check (no Pulumi): the stack config
// calls it before any resource exists, and Namespaces refuses what it reports.
import { ArgProblem } from "./argProblems";
import { NamespacesConfig } from "./settings";

/**
 * Every problem of the namespace names: each a DNS-1123 label of the platform's own (not `default`, not
 * `kube-*`), and two different namespaces (they enforce different Pod Security levels).
 */
export function validateNamespacesArgs(args: { readonly names: NamespacesConfig }): ArgProblem[] {
    const out: ArgProblem[] = [];
    for (const key of ["torchpods", "mlab"] as const) {
        const name = args.names[key];
        const expected =
            name.length > 63 || !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(name)
                ? "expected a namespace name (DNS-1123 label)"
                : name.startsWith("kube-") || name === "default"
                  ? "expected a namespace of its own, not default or kube-*"
                  : undefined;
        if (expected)
            out.push({ field: `names.${key}`, got: name, expected, message: `names.${key} ${JSON.stringify(name)}: ${expected}` });
    }
    if (args.names.torchpods === args.names.mlab)
        out.push({
            field: "names.mlab",
            got: args.names.mlab,
            expected: "expected a namespace different from torchpods (the two enforce different Pod Security levels)",
            message: `names.mlab equals names.torchpods (${args.names.mlab}): the two enforce different Pod Security levels`,
        });
    return out;
}
