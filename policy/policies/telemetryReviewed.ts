// telemetry-reviewed: nothing ships the TorchPod or MLab namespaces' output (logs) off-site unless reviewed.
import { StackValidationPolicy } from "@pulumi/policy";
import { Findings } from "../support/findings";
import { identify, stackPods } from "../support/identity";
import { resolveConfig, schemaFor } from "../support/packConfig";
import { list } from "../support/podPolicy";
import { PROTECTED_NAMESPACE_KEYS, protectedNamespaces } from "../support/protectedNamespaces";
import { metaOf, objectsOf, parseKubeType, providerNamespace } from "../support/resources";
import { groupKind, isClusterScopedKind, TELEMETRY_KINDS, TELEMETRY_POLICY } from "../support/resourceTypes";
import { kubeTypeNames, objectReviewed } from "../support/reviews";
import { unproxy } from "../support/unknowns";

/** Telemetry kinds that only ever read their own namespace's output (a Logging operator Flow, a namespaced fluent-bit Filter). */
const OWN_NAMESPACE_KINDS = new Set([
    "logging.banzaicloud.io/Flow",
    "logging.banzaicloud.io/Output",
    "logging.banzaicloud.io/SyslogNGFlow",
    "logging.banzaicloud.io/SyslogNGOutput",
    "fluentbit.fluent.io/Filter",
    "fluentbit.fluent.io/Output",
    "fluentbit.fluent.io/Parser",
    "fluentbit.fluent.io/MultilineParser",
    "fluentd.fluent.io/FluentdConfig",
    "fluentd.fluent.io/Filter",
    "fluentd.fluent.io/Output",
]);

/** Where the node keeps every container's output: a hostPath at, inside or above one of these reads it. */
const LOG_DIRS = ["/var/log", "/var/lib/docker/containers", "/var/lib/containerd", "/var/lib/kubelet/pods"];

function normalise(p: string): string {
    const s = p.replace(/\/+/g, "/").replace(/\/$/, "");
    return s === "" ? "/" : s;
}

/** Whether a hostPath reaches the node's container logs. */
export function readsContainerLogs(path: string): boolean {
    const p = normalise(path);
    return LOG_DIRS.some((d) => p === d || d.startsWith(p === "/" ? "/" : `${p}/`) || p.startsWith(`${d}/`));
}

export const telemetryReviewed: StackValidationPolicy = {
    name: TELEMETRY_POLICY,
    description:
        "A user can print any file to their container's output, so whatever ships the TorchPod or MLab namespaces' logs carries their data out. Log-shipping and collector objects " +
        "(Logging operator, fluent-bit and fluentd operators, OpenTelemetry collectors, Grafana agents, Datadog, Elastic agents, Vector) and every pod that mounts the node's container logs (a hostPath at or above /var/log, " +
        "/var/lib/docker/containers, /var/lib/containerd or /var/lib/kubelet/pods) are refused unless `reviewedTelemetry` lists them; a namespaced Flow, Filter or Output outside those namespaces reads only its own and passes.",
    enforcementLevel: "mandatory",
    severity: "critical",
    configSchema: schemaFor([...PROTECTED_NAMESPACE_KEYS, "reviewedTelemetry"]),
    remediationSteps:
        "Exclude the TorchPod and MLab namespaces from log shipping, or review where the pipeline sends them and list the object in `reviewedTelemetry`.",
    validateStack: (args, report) => {
        const cfg = resolveConfig(args.getConfig<Record<string, unknown>>());
        const f = new Findings(report);
        const pods = stackPods(args.resources);
        const ns = protectedNamespaces(identify(pods, cfg), cfg);
        const where = ns.all.size ? [...ns.all].map((n) => ns.describe(n)).join(", ") : "the TorchPod and MLab namespaces";
        const reviewed = (apiVersion: string, kind: string, name: string) =>
            objectReviewed(cfg.reviewedTelemetry, kubeTypeNames(apiVersion, kind), name);
        for (const r of args.resources) {
            if (!parseKubeType(r.type)) continue;
            const id = { name: r.name, defaultNamespace: providerNamespace(r.provider) };
            for (const o of objectsOf(r.type, unproxy(r.props))) {
                if (o.patch) continue;
                const gk = groupKind(o.apiVersion, o.kind);
                const [group, kind] = [gk.slice(0, gk.indexOf("/")), o.kind];
                if (!(TELEMETRY_KINDS[group] ?? []).includes(kind)) continue;
                const m = metaOf(o, id);
                const clusterScoped = isClusterScopedKind(o.apiVersion, o.kind);
                const name = clusterScoped ? m.name : `${m.namespace}/${m.name}`;
                if (OWN_NAMESPACE_KINDS.has(gk) && !ns.all.has(m.namespace)) continue;
                if (reviewed(o.apiVersion, o.kind, name)) continue;
                const reach = OWN_NAMESPACE_KINDS.has(gk)
                    ? `it reads the output of ${ns.describe(m.namespace)}`
                    : `it can read the output of every namespace, ${where} included`;
                f.violation(
                    `${o.kind} ${name} (${o.apiVersion}) ships pods' logs to wherever it is configured to, and ${reach}: a user can print any file to their output. Allow it after review: config reviewedTelemetry: ["${kubeTypeNames(o.apiVersion, o.kind)[0]} ${name}"]`,
                    r.urn,
                );
            }
        }
        const apiVersionOf = new Map(args.resources.map((r) => [r.urn, parseKubeType(r.type)?.apiVersion]));
        for (const p of pods) {
            const logs = list(p.t.spec?.volumes)
                .map((v: any) => (typeof v?.hostPath?.path === "string" ? v.hostPath.path : undefined))
                .filter((x): x is string => x !== undefined && readsContainerLogs(x));
            if (logs.length === 0) continue;
            const apiVersion = apiVersionOf.get(p.urn) ?? "v1";
            const name = `${p.t.namespace}/${p.t.name}`;
            if (reviewed(apiVersion, p.t.kind, name)) continue;
            f.violation(
                `${p.t.display} mounts the node's container logs (hostPath ${logs.join(", ")}): it reads the output of every pod on the node, those in ${where} included, and a user can print any file to their output. Allow it after review: config reviewedTelemetry: ["${kubeTypeNames(apiVersion, p.t.kind)[0]} ${name}"]`,
                p.urn,
            );
        }
        f.finish();
    },
};
