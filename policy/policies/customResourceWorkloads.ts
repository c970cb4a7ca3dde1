// custom-resource-workloads: a custom resource's pods are judged like pods; what of them the pack
// cannot read is refused.
import { ResourceValidationPolicy } from "@pulumi/policy";
import { scanEmbedded } from "../support/embeddedPods";
import { Findings } from "../support/findings";
import { notApplicable } from "../support/notApplicable";
import { resolveConfig, schemaFor } from "../support/packConfig";
import { mayEmbedPodTemplates, metaOf, objectsOf, parseKubeType, providerNamespace } from "../support/resources";
import { CUSTOM_RESOURCE_WORKLOADS_POLICY, isClusterScopedKind, tokenEntry } from "../support/resourceTypes";
import { kubeTypeNames, objectReviewed } from "../support/reviews";
import { unproxy } from "../support/unknowns";

export const customResourceWorkloads: ResourceValidationPolicy = {
    name: CUSTOM_RESOURCE_WORKLOADS_POLICY,
    description:
        "A custom resource's pod specs, in any shape (PodTemplateSpecs, bare pod specs, workflow templates' container or script, task steps and sidecars, with the volumes and claim templates in reach), " +
        "are judged by every pod policy like a Deployment's; this policy refuses what of them the pack cannot read: container lists of another shape, and Kubernetes manifests inside strings (a workflow's resource template). " +
        "Every hostPath field of a custom resource outside a pod spec's volumes is refused unless `reviewedHostPaths` lists the object (inside them, no-hostpath-volumes refuses it). Pods of a type reviewed in `reviewedResourceTypes` are still judged.",
    enforcementLevel: "mandatory",
    severity: "critical",
    configSchema: schemaFor(["reviewedHostPaths"]),
    remediationSteps:
        "Give the pod spec the Kubernetes shape (containers, volumes), declare manifests as their own resources, and use claims instead of the node's filesystem.",
    validateResource: (args, report) => {
        const kt = parseKubeType(args.type);
        if (!kt) notApplicable(args, "not a Kubernetes resource");
        // Components (yaml/v2 ConfigGroup, Chart v4) carry their children's manifests as strings: the children are judged one by one.
        if (tokenEntry(args.type)?.category === "component") notApplicable(args, "a component: its children are judged one by one");
        const cfg = resolveConfig(args.getConfig<Record<string, unknown>>());
        const f = new Findings(report);
        const id = { name: args.name, defaultNamespace: providerNamespace(args.provider) };
        let seen = false;
        for (const o of objectsOf(args.type, unproxy(args.props))) {
            if (o.patch || !mayEmbedPodTemplates(o.kind)) continue;
            seen = true;
            const m = metaOf(o, id);
            const clusterScoped = isClusterScopedKind(o.apiVersion, o.kind);
            const name = clusterScoped ? m.name : `${m.namespace}/${m.name}`;
            const display = `${o.kind} ${name} (${o.apiVersion})`;
            const scan = scanEmbedded(o.obj);
            const at = (p: string[]) => [...o.path, ...p].join(".") || "(the object)";
            for (const u of scan.unparsable)
                f.violation(
                    `${display}: ${at(u.path)}: ${u.why}: a pod spec the pack cannot read is refused (no switch: give it the Kubernetes shape)`,
                );
            for (const x of scan.manifests)
                f.violation(
                    `${display}: ${at(x.path)} holds a Kubernetes manifest in a string, which its controller applies and the pack never judges (no switch: declare the object as a resource of its own)`,
                );
            if (scan.hostPaths.length) {
                const names = kubeTypeNames(o.apiVersion, o.kind);
                const bare = o.obj?.metadata?.namespace === undefined && objectReviewed(cfg.reviewedHostPaths, names, m.name);
                if (!bare && !objectReviewed(cfg.reviewedHostPaths, names, name))
                    for (const h of scan.hostPaths) {
                        const p = h.value && typeof h.value === "object" ? (h.value as any).path : h.value;
                        f.violation(
                            `${display}: ${at(h.path)} is a hostPath (${typeof p === "string" ? p : JSON.stringify(p)}): its controller reads or writes the node's filesystem, which holds every pod's output and data. Allow it after review: config reviewedHostPaths: ["${names[0]} ${name}"]`,
                        );
                    }
            }
        }
        if (!seen) notApplicable(args, "no custom resource in this resource");
        f.finish();
    },
};
