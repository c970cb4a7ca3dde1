// mlab-credential-holders: only Gitea, the reconciler and the importer hold MLab's Secrets.
import { StackValidationPolicy } from "@pulumi/policy";
import { Findings } from "../support/findings";
import { identify, stackPods } from "../support/identity";
import { describeSelector, resolveConfig, schemaFor, selects } from "../support/packConfig";
import { list } from "../support/podPolicy";
import { PodTemplate } from "../support/resources";
import { notApplicable } from "../support/notApplicable";

/** The Secrets a pod template reads: volumes, projected sources, env valueFrom and envFrom. */
export function secretsOf(t: PodTemplate): string[] {
    const out = new Set<string>();
    list(t.spec?.volumes).forEach((v: any) => {
        if (typeof v?.secret?.secretName === "string") out.add(v.secret.secretName);
        list(v?.projected?.sources).forEach((s: any) => typeof s?.secret?.name === "string" && out.add(s.secret.name));
    });
    for (const c of t.containers) {
        list(c.container.env).forEach(
            (e: any) => typeof e?.valueFrom?.secretKeyRef?.name === "string" && out.add(e.valueFrom.secretKeyRef.name),
        );
        list(c.container.envFrom).forEach((e: any) => typeof e?.secretRef?.name === "string" && out.add(e.secretRef.name));
    }
    return [...out].sort();
}

export const mlabCredentialHolders: StackValidationPolicy = {
    name: "mlab-credential-holders",
    description:
        "No workload but MLab's Gitea, its reconciler (`reconcilerSelector`) and its importer (`importerSelector`) may read a Secret of MLab's namespaces (the admin credential, Gitea's keys, the importer's token): " +
        "anything else holding them could read every repository and carry it out.",
    enforcementLevel: "mandatory",
    severity: "critical",
    configSchema: schemaFor(["mlabSelector", "reconcilerSelector", "importerSelector"]),
    remediationSteps: "Run whatever needs MLab's API as the reconciler or the importer, or give it a user's own credential.",
    validateStack: (args, report) => {
        const cfg = resolveConfig(args.getConfig<Record<string, unknown>>());
        const f = new Findings(report);
        const id = identify(stackPods(args.resources), cfg);
        // MLab's namespaces: those of MLab's pods, except namespaces holding TorchPods (an "MLab" beside them is not MLab).
        const torchpodNs = new Set(id.torchpods.map((t) => t.pod.t.namespace));
        const mlabNs = new Set(id.mlabs.map((p) => p.t.namespace).filter((ns) => !torchpodNs.has(ns)));
        if (mlabNs.size === 0) notApplicable(args, `no MLab in this stack (selector ${describeSelector(cfg.mlabSelector)})`);
        for (const p of id.pods) {
            if (!mlabNs.has(p.t.namespace)) continue;
            if ([cfg.mlabSelector, cfg.reconcilerSelector, cfg.importerSelector].some((s) => selects(s, p.t.labels))) continue;
            const secrets = secretsOf(p.t);
            if (secrets.length)
                f.violation(
                    `${p.t.display} reads Secret${secrets.length > 1 ? "s" : ""} ${secrets.map((s) => `${p.t.namespace}/${s}`).join(", ")} in MLab's namespace but is neither Gitea, the reconciler nor the importer (labels ${describeSelector({ matchLabels: p.t.labels })}): MLab's credentials reach every repository (no switch)`,
                    p.urn,
                );
        }
        f.finish();
    },
};
