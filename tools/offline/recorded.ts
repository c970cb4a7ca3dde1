// What the offline engine records of one registration, and which of those are Kubernetes objects.
// Kept apart from the engine, which loads the Pulumi SDK: render's --help and file writing need only this.

/** One resource as the program registered it, with the options the engine would act on. */
export interface RecordedResource {
    readonly urn: string;
    readonly type: string;
    readonly name: string;
    /** URN of the parent resource; undefined for top-level resources. */
    readonly parent?: string;
    readonly custom: boolean;
    /**
     * A component the provider builds (a multi-language component such as yaml/v2 ConfigGroup or
     * helm v4 Chart): the engine asks the provider for its children; offline nobody does.
     */
    readonly remote: boolean;
    /** Inputs as the provider would receive them (secrets unwrapped). */
    readonly inputs: any;
    /** Where `inputs` held secret values (property paths), so nothing written from them shows one. */
    readonly secretPaths: readonly (readonly string[])[];
    /** The mocked provider's outputs (inputs plus computed fields such as a Service's clusterIP). */
    readonly state: any;
    readonly retainOnDelete: boolean;
    readonly protect: boolean;
    readonly deleteBeforeReplace: boolean;
    /** URNs this resource explicitly depends on (dependsOn and inputs from other resources). */
    readonly dependencies: readonly string[];
    readonly ignoreChanges: readonly string[];
    readonly replaceOnChanges: readonly string[];
}

/** True for resources that are Kubernetes objects (not providers, components or random values). */
export function isKubernetesObject(r: RecordedResource): boolean {
    return (
        r.custom &&
        r.type.startsWith("kubernetes:") &&
        !r.type.startsWith("kubernetes:index:") &&
        typeof r.inputs?.kind === "string" &&
        typeof r.inputs?.apiVersion === "string"
    );
}

/**
 * A component whose contents the offline engine could not see: its children come from the provider
 * (a remote component) or from a provider function render cannot run (`helm template`). Judging the
 * stack without them would judge a stack nobody has seen.
 */
export interface UnexpandedComponent {
    readonly type: string;
    /** The component's resource name; undefined for a provider function no component could be tied to. */
    readonly name?: string;
    readonly urn?: string;
    readonly why: string;
}

/** Provider functions components call to learn their children, and the component types that call them. */
const EXPANDING_FUNCTIONS: Readonly<Record<string, { types: readonly string[]; what: string }>> = {
    "kubernetes:helm:template": {
        types: ["kubernetes:helm.sh/v3:Chart", "kubernetes:helm.sh/v2:Chart"],
        what: "its objects come from `helm template`, which the provider runs and render does not",
    },
    "kubernetes:kustomize:directory": {
        types: ["kubernetes:kustomize:Directory"],
        what: "its objects come from kustomize, which the provider runs and render does not",
    },
};

/**
 * Which components of a run render could not see into: every remote component (the provider
 * constructs it at deploy time), and every component that learns its children from a provider
 * function the offline engine could not answer. A provider function no known component calls is
 * listed by its token: what the program built from a made-up answer is not what it will build.
 */
export function unexpandedComponents(
    resources: readonly RecordedResource[],
    unansweredFunctions: readonly string[],
): UnexpandedComponent[] {
    const out: UnexpandedComponent[] = [];
    for (const r of resources)
        if (r.remote)
            out.push({
                type: r.type,
                name: r.name,
                urn: r.urn,
                why: "a component the provider builds at deploy time (its children are registered by the provider, never by the program)",
            });
    for (const token of [...new Set(unansweredFunctions)].sort()) {
        const known = EXPANDING_FUNCTIONS[token];
        const callers = known ? resources.filter((r) => !r.custom && known.types.includes(r.type)) : [];
        if (callers.length === 0)
            out.push({
                type: token,
                why: known
                    ? `provider function ${token}: ${known.what}`
                    : `provider function ${token}, which the offline engine cannot answer: what the program built from it is not what it will build`,
            });
        for (const c of callers) out.push({ type: c.type, name: c.name, urn: c.urn, why: known!.what });
    }
    return out;
}

/** One line per component: `kubernetes:yaml/v2:ConfigGroup extra: <why>`. */
export function formatUnexpanded(u: UnexpandedComponent): string {
    return `${u.type}${u.name !== undefined ? ` ${u.name}` : ""}: ${u.why}`;
}
