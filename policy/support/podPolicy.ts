// The frame every pod-template policy shares: it finds the pod templates of one resource (Pods,
// workloads, their Patch and List forms, templates embedded in custom resources), decides whether each
// is a TorchPod (by labels, or by the home claim it mounts), and handles values unknown during preview.
import { EnforcementLevel, PolicyConfigSchema, ResourceValidationArgs, ResourceValidationPolicy, ReportViolation } from "@pulumi/policy";
import { isTorchPodTemplate, PackConfig, resolveConfig, SCHEMA } from "./packConfig";
import { Findings } from "./findings";
import { ContainerRef, parseKubeType, PodTemplate, podTemplatesOf, providerNamespace } from "./resources";
import { unproxy } from "./unknowns";
import { notApplicable } from "./notApplicable";

export const UNKNOWN_NOTE =
    "Values unknown during preview never fail this policy: what can be proved from known values is reported, " +
    'and if a needed value is unknown the pack reports an advisory "can\'t run policy during preview"; ' +
    "`pulumi up` judges the known values and enforces the policy's level.";

export interface PodCheck {
    t: PodTemplate;
    cfg: PackConfig;
    isTorchPod: boolean;
    f: Findings;
    /** `Kind ns/name: ` when the resource holds several objects (a List), else "". */
    prefix: string;
}

export interface PodPolicyDef {
    name: string;
    description: string;
    enforcementLevel: EnforcementLevel;
    severity: "low" | "medium" | "high" | "critical";
    config: (keyof typeof SCHEMA)[];
    /** Which pods the check runs on. */
    scope: (cfg: PackConfig) => "all-workloads" | "torchpods";
    check: (c: PodCheck) => void;
    remediationSteps?: string;
    /** The config switch that would allow what the policy refuses (or "No switch ..."), added to each message. */
    switches?: string;
}

function configSchema(keys: (keyof typeof SCHEMA)[]): PolicyConfigSchema | undefined {
    if (keys.length === 0) return undefined;
    const properties: PolicyConfigSchema["properties"] = {};
    for (const k of keys) properties[k] = SCHEMA[k];
    // A TorchPod is also a pod that mounts a home claim.
    if (keys.includes("torchpodSelector")) properties.homeClaimPattern = SCHEMA.homeClaimPattern;
    return { properties };
}

function idOf(args: ResourceValidationArgs) {
    return { name: args.name, defaultNamespace: providerNamespace(args.provider) };
}

/** Runs `def.check` on each pod template of the resource; see UNKNOWN_NOTE for unknown values. */
export function runPodCheck(
    def: PodPolicyDef,
    args: ResourceValidationArgs,
    report: ReportViolation,
    extra?: (f: Findings, cfg: PackConfig) => boolean,
): void {
    if (!parseKubeType(args.type)) notApplicable(args, "not a Kubernetes resource");
    const props = unproxy(args.props);
    const templates = podTemplatesOf(args.type, props, idOf(args));
    const cfg = resolveConfig(args.getConfig<Record<string, unknown>>());
    const f = new Findings(report, def.switches);
    const handled = extra ? extra(f, cfg) : false;
    if (templates.length === 0 && !handled) notApplicable(args, "no pod template in this resource");
    const scope = def.scope(cfg);
    const prefixed = templates.length > 1;
    for (const t of templates) {
        const prefix = prefixed ? `${t.display}: ` : "";
        const isTorchPod = isTorchPodTemplate(cfg, t);
        // Known when it matched on known labels, or when no label it could match on is unknown.
        const labelUnknowns = [...t.labelUnknowns, ...t.ownerLabelUnknowns];
        const labelsKnown = isTorchPod || labelUnknowns.length === 0;
        if (labelsKnown) {
            if (scope === "torchpods" && !isTorchPod) continue;
            f.unknown(t.specUnknowns);
            def.check({ t, cfg, isTorchPod, f, prefix });
            continue;
        }
        // Whether this is a TorchPod is unknown: report what holds either way; if it would be a
        // violation only as a TorchPod, say it cannot be verified during preview.
        if (scope === "all-workloads") {
            f.unknown(t.specUnknowns);
            def.check({ t, cfg, isTorchPod: false, f, prefix });
        }
        const probe = new Findings(() => undefined);
        def.check({ t, cfg, isTorchPod: true, f: probe, prefix });
        const asNonTorchPod = new Findings(() => undefined);
        if (scope === "all-workloads") def.check({ t, cfg, isTorchPod: false, f: asNonTorchPod, prefix });
        if (probe.count > asNonTorchPod.count || (scope === "torchpods" && (probe.unknowns.length > 0 || t.specUnknowns.length > 0)))
            f.unknown(labelUnknowns);
    }
    f.finish();
}

export function podPolicy(
    def: PodPolicyDef,
    extra?: (args: ResourceValidationArgs, f: Findings, cfg: PackConfig) => boolean,
): ResourceValidationPolicy & { def: PodPolicyDef } {
    return {
        def,
        name: def.name,
        description: def.description,
        enforcementLevel: def.enforcementLevel,
        severity: def.severity,
        configSchema: configSchema(def.config),
        remediationSteps: def.remediationSteps,
        validateResource: (args, report) => runPodCheck(def, args, report, extra ? (f, cfg) => extra(args, f, cfg) : undefined),
    };
}

// ---- helpers ----------------------------------------------------------------------------------

export function isTrue(v: unknown): boolean {
    return v === true || v === "true";
}

export function containerLabel(c: ContainerRef): string {
    return c.field === "containers" ? `container ${c.name}` : `${c.field.replace(/s$/, "")} ${c.name}`;
}

export function normalizeCap(c: unknown): string {
    return String(c).toUpperCase().replace(/^CAP_/, "");
}

export function list(v: unknown): unknown[] {
    return Array.isArray(v) ? v : [];
}
