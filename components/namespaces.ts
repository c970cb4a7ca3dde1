// The platform's namespaces, with the label contract and Pod Security by label. Retained on delete:
// deleting a namespace deletes its PVCs (home volumes, the airlock share, MLab's data).
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { ComponentName, LABEL_COMPONENT, LABEL_INSTANCE, LABEL_NAME, platformLabels } from "@torchpod/contract";
import { NamespacesConfig } from "./settings";
import { refuseInvalidArgs } from "./argProblems";
import { validateNamespacesArgs } from "./namespaces.validate";

export { validateNamespacesArgs } from "./namespaces.validate";

export type PodSecurityLevel = "privileged" | "baseline" | "restricted";

/**
 * Pod Security labels. `enforce` rejects pods; `audit` and `warn` report. TorchPods (root inside,
 * sudo) need baseline; MLab runs restricted.
 */
export function podSecurityLabels(enforce: PodSecurityLevel, report: PodSecurityLevel): Record<string, string> {
    return {
        "pod-security.kubernetes.io/enforce": enforce,
        "pod-security.kubernetes.io/enforce-version": "latest",
        "pod-security.kubernetes.io/warn": enforce,
        "pod-security.kubernetes.io/warn-version": "latest",
        "pod-security.kubernetes.io/audit": report,
        "pod-security.kubernetes.io/audit-version": "latest",
    };
}

export function namespaceLabels(
    component: ComponentName,
    instance: string,
    enforce: PodSecurityLevel,
    report: PodSecurityLevel,
): Record<string, string> {
    return {
        [LABEL_NAME]: component,
        [LABEL_INSTANCE]: instance,
        [LABEL_COMPONENT]: component,
        ...platformLabels(),
        ...podSecurityLabels(enforce, report),
    };
}

export interface NamespacesArgs {
    /** Names of the TorchPod/Airlock namespace and the MLab namespace (two different ones of the platform's own). */
    readonly names: NamespacesConfig;
    /** `app.kubernetes.io/instance` (the stack's name). @default "torchpod" */
    readonly instance?: string;
}

export class Namespaces extends pulumi.ComponentResource {
    /** TorchPods and the Airlock: Pod Security baseline enforced, restricted audited. */
    readonly torchpods: k8s.core.v1.Namespace;
    /** MLab and its reconciler: Pod Security restricted. */
    readonly mlab: k8s.core.v1.Namespace;
    readonly torchpodsName: pulumi.Output<string>;
    readonly mlabName: pulumi.Output<string>;

    constructor(name: string, args: NamespacesArgs, opts?: pulumi.ComponentResourceOptions) {
        // The rules first: bad names register nothing, not even the component.
        refuseInvalidArgs("Namespaces", validateNamespacesArgs(args));
        super("torchpod:index:Namespaces", name, {}, opts);
        const instance = args.instance ?? "torchpod";
        const keep = { parent: this, retainOnDelete: true };
        this.torchpods = new k8s.core.v1.Namespace(
            `${name}-torchpods`,
            {
                metadata: { name: args.names.torchpods, labels: namespaceLabels("torchpod", instance, "baseline", "restricted") },
            },
            keep,
        );
        this.mlab = new k8s.core.v1.Namespace(
            `${name}-mlab`,
            {
                metadata: { name: args.names.mlab, labels: namespaceLabels("mlab", instance, "restricted", "restricted") },
            },
            keep,
        );
        this.torchpodsName = this.torchpods.metadata.name;
        this.mlabName = this.mlab.metadata.name;
        this.registerOutputs({ torchpods: this.torchpodsName, mlab: this.mlabName });
    }
}
