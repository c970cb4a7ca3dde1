// The label contract (docs/DESIGN.md, "Labels"): tools, NetworkPolicies and the policy pack select on these.

/** The workloads the platform runs; exactly the values of `app.kubernetes.io/component`. */
export type ComponentName =
    | "torchpod"
    | "airlock"
    | "mlab"
    | "enforcement-probe"
    | "mlab-reconciler"
    | "mlab-importer"
    /** The Airlock's audit writer: reads the share, writes the audit log; no network at all. */
    | "airlock-audit"
    /** The working-hours schedule: scales the TorchPod Deployments; its own namespace, API server only. */
    | "working-hours";

export const LABEL_NAME = "app.kubernetes.io/name";
export const LABEL_INSTANCE = "app.kubernetes.io/instance";
export const LABEL_COMPONENT = "app.kubernetes.io/component";
export const LABEL_PART_OF = "app.kubernetes.io/part-of";
export const LABEL_MANAGED_BY = "app.kubernetes.io/managed-by";
export const LABEL_VERSION = "app.kubernetes.io/version";
/** The label the API server sets on every namespace (its name); NetworkPolicy peers pin namespaces with it. */
export const NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name";

export const PART_OF = "torchpod";
export const MANAGED_BY = "pulumi";

/** Labels every object the program creates carries. */
export function platformLabels(): Record<string, string> {
    return { [LABEL_PART_OF]: PART_OF, [LABEL_MANAGED_BY]: MANAGED_BY };
}

/**
 * The labels of one workload's pod template (and of the objects around it).
 * `instance` names the user for TorchPods, the stack's instance otherwise.
 */
export function workloadLabels(component: ComponentName, instance: string, version?: string): Record<string, string> {
    return {
        [LABEL_NAME]: component,
        [LABEL_INSTANCE]: instance,
        [LABEL_COMPONENT]: component,
        ...platformLabels(),
        ...(version ? { [LABEL_VERSION]: sanitizeLabelValue(version) } : {}),
    };
}

/** A Deployment's selector: the labels that never change over the workload's life (selectors are immutable). */
export function selectorLabels(component: ComponentName, instance: string): Record<string, string> {
    return { [LABEL_COMPONENT]: component, [LABEL_INSTANCE]: instance };
}

/** Labels that select every pod of one component in a NetworkPolicy peer. */
export function componentSelector(component: ComponentName): Record<string, string> {
    return { [LABEL_COMPONENT]: component, [LABEL_PART_OF]: PART_OF };
}

/** A label value is at most 63 characters of [A-Za-z0-9_.-], starting and ending alphanumeric. */
export function sanitizeLabelValue(value: string): string {
    const cleaned = value.replace(/[^A-Za-z0-9_.-]/g, "_").slice(0, 63);
    return cleaned.replace(/^[^A-Za-z0-9]+/, "").replace(/[^A-Za-z0-9]+$/, "");
}
