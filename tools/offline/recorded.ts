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
    /** Inputs as the provider would receive them (secrets unwrapped). */
    readonly inputs: any;
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
