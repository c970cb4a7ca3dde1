// Whether an admission-time change (a webhook, a mutating admission policy, its binding) can reach
// objects in the TorchPod or MLab namespaces, judged on its selectors alone.
//
// Only `kubernetes.io/metadata.name` proves where a namespace selector cannot reach: the API server
// sets it and nobody can forge it, while any other namespace label can be added later. An object
// selector proves it only if it matches none of the stack's objects (and pod templates) there: the
// api-rights policy keeps anyone else from creating objects in those namespaces.
import { LabelSelector, matchesSelector } from "@torchpod/netpol";
import { NAMESPACE_NAME_LABEL } from "@torchpod/contract";

/** Whether the namespace selector provably excludes the namespace `ns` (by its name label). */
export function nameExcludes(sel: any, ns: string): boolean {
    if (!sel || typeof sel !== "object") return false;
    const ml = sel.matchLabels;
    if (ml && typeof ml === "object" && NAMESPACE_NAME_LABEL in ml && ml[NAMESPACE_NAME_LABEL] !== ns) return true;
    for (const e of Array.isArray(sel.matchExpressions) ? sel.matchExpressions : []) {
        if (!e || e.key !== NAMESPACE_NAME_LABEL) continue;
        const values: unknown[] = Array.isArray(e.values) ? e.values : [];
        if (e.operator === "In" && !values.includes(ns)) return true;
        if (e.operator === "NotIn" && values.includes(ns)) return true;
        if (e.operator === "DoesNotExist") return true;
    }
    return false;
}

/** Whether a namespace selector could only ever match the namespaces it names (an In list, or matchLabels on the name). */
export function namesOnly(sel: any): boolean {
    if (!sel || typeof sel !== "object") return false;
    if (sel.matchLabels && typeof sel.matchLabels === "object" && NAMESPACE_NAME_LABEL in sel.matchLabels) return true;
    return (Array.isArray(sel.matchExpressions) ? sel.matchExpressions : []).some(
        (e: any) => e && e.key === NAMESPACE_NAME_LABEL && (e.operator === "In" || e.operator === "DoesNotExist"),
    );
}

export interface ScopeInput {
    /** The TorchPod and MLab namespaces of the stack. */
    protectedNamespaces: ReadonlySet<string>;
    /** Label sets of every stack object (pod templates included) in those namespaces, and of those Namespaces. */
    protectedLabels: readonly Record<string, string>[];
}

export interface Scoped {
    away: boolean;
    /** Why it can reach them (for messages). */
    why: string;
}

function isSelector(v: unknown): v is LabelSelector {
    return !!v && typeof v === "object" && !Array.isArray(v);
}

/**
 * Judges one matcher: `namespaceSelector`, `objectSelector` and the scope of its rules (`rules[].scope`,
 * `resourceRules[].scope`). Away when the namespace selector excludes every protected namespace by name
 * (and no rule reaches cluster-scoped objects, which the namespace selector does not filter), or the object
 * selector matches none of the stack's objects there.
 */
export function judgeScope(m: { namespaceSelector?: unknown; objectSelector?: unknown; rules?: unknown }, input: ScopeInput): Scoped {
    const ns = [...input.protectedNamespaces];
    const rules: any[] = Array.isArray(m.rules) ? m.rules : [];
    const namespacedOnly = rules.length > 0 && rules.every((r) => r && r.scope === "Namespaced");
    // Without TorchPod or MLab namespaces in the stack, only a selector that names its namespaces stays away from them.
    const nsAway = ns.length === 0 ? namesOnly(m.namespaceSelector) : ns.every((n) => nameExcludes(m.namespaceSelector, n));
    if (nsAway && namespacedOnly) return { away: true, why: "" };
    const os = m.objectSelector;
    const osNonEmpty =
        isSelector(os) && (Object.keys((os as any).matchLabels ?? {}).length > 0 || ((os as any).matchExpressions ?? []).length > 0);
    if (osNonEmpty && ns.length > 0 && input.protectedLabels.every((l) => !matchesSelector(os as LabelSelector, l)))
        return { away: true, why: "" };
    const reasons: string[] = [];
    if (!nsAway)
        reasons.push(
            `its namespaceSelector does not exclude ${ns.length ? ns.join(", ") : "the TorchPod and MLab namespaces"} by ${NAMESPACE_NAME_LABEL}`,
        );
    else if (!namespacedOnly)
        reasons.push("its rules also reach cluster-scoped objects (scope is not Namespaced), which no namespace selector filters");
    if (osNonEmpty) reasons.push("its objectSelector matches objects there");
    return { away: false, why: reasons.join("; ") };
}
