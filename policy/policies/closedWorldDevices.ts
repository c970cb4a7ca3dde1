// closed-world-devices: TorchPods (by label or by data), the Airlock and MLab get from the node only
// what the pack can prove keeps them on the pod network: compute, memory, the stack's GPU kinds, and
// the default container runtime (or a reviewed one).
import { StackValidationPolicy } from "@pulumi/policy";
import { Findings } from "../support/findings";
import { closedWorldRoles, identify, StackPod, stackPods } from "../support/identity";
import { PackConfig, resolveConfig, schemaFor } from "../support/packConfig";
import { notApplicable } from "../support/notApplicable";
import { Unknowns } from "../support/resources";
import { isUnknown } from "../support/unknowns";

/** Resources every pod may ask for: they carry no device. */
const BASE_RESOURCES = ["cpu", "memory", "ephemeral-storage"];

function isPlainObject(v: unknown): v is Record<string, any> {
    return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** The device problems of one pod of the closed set. */
export function deviceProblems(
    p: StackPod,
    cfg: Pick<PackConfig, "deviceResources" | "reviewedRuntimeClasses">,
    unknowns: Unknowns,
): string[] {
    const out: string[] = [];
    const spec = p.t.spec;
    if (!isPlainObject(spec)) return out;
    const rc = spec.runtimeClassName;
    if (isUnknown(rc)) unknowns.push({ sentinel: rc, path: [...p.t.specPath, "runtimeClassName"] });
    else if (rc !== undefined && rc !== null && rc !== "" && !cfg.reviewedRuntimeClasses.includes(String(rc)))
        out.push(
            `runs under RuntimeClass ${JSON.stringify(rc)}: its handler is the node's to choose (a VM with a network of its own, a sandbox on the host's network), where no NetworkPolicy applies. ` +
                `Allowed after review of the handler: config reviewedRuntimeClasses: ["${String(rc)}"]`,
        );
    if (
        spec.resourceClaims !== undefined &&
        spec.resourceClaims !== null &&
        !(Array.isArray(spec.resourceClaims) && spec.resourceClaims.length === 0)
    )
        out.push(
            "claims devices through dynamic resource allocation (resourceClaims): the driver chooses what the pod gets, a host network interface among them, past every NetworkPolicy " +
                "(no switch: request GPUs as extended resources, config deviceResources)",
        );
    const judgeResources = (where: string, resources: unknown, path: string[]) => {
        if (!isPlainObject(resources)) return;
        if (resources.claims !== undefined && !(Array.isArray(resources.claims) && resources.claims.length === 0))
            out.push(`${where} uses resource claims (resources.claims): devices the driver chooses (no switch)`);
        for (const part of ["limits", "requests"]) {
            const m = resources[part];
            if (isUnknown(m)) {
                unknowns.push({ sentinel: m, path: [...path, part] });
                continue;
            }
            if (!isPlainObject(m)) continue;
            for (const name of Object.keys(m)) {
                if (BASE_RESOURCES.includes(name) || name.startsWith("hugepages-") || cfg.deviceResources.includes(name)) continue;
                out.push(
                    `${where} requests ${name}, a device the pack does not know: a device plugin can hand a pod a network function (SR-IOV, DPDK) that bypasses the pod network. ` +
                        `Allowed after review (a GPU kind of the stack): config deviceResources: ["${name}"]`,
                );
            }
        }
    };
    judgeResources("the pod", spec.resources, [...p.t.specPath, "resources"]);
    for (const c of p.t.containers) judgeResources(`container ${c.name}`, c.container.resources, [...c.path, "resources"]);
    return [...new Set(out)];
}

export const closedWorldDevices: StackValidationPolicy = {
    name: "closed-world-devices",
    description:
        "TorchPods (by label, or judged so by the data they mount), the Airlock and MLab request only cpu, memory, ephemeral-storage, hugepages and the stack's GPU kinds (`deviceResources`), " +
        "claim no devices through dynamic resource allocation, and run under the default runtime or a reviewed RuntimeClass (`reviewedRuntimeClasses`): a device or runtime can give a pod a network the NetworkPolicies never see.",
    enforcementLevel: "mandatory",
    severity: "critical",
    configSchema: schemaFor([
        "torchpodSelector",
        "airlockSelector",
        "mlabSelector",
        "homeClaimPattern",
        "deviceResources",
        "reviewedRuntimeClasses",
    ]),
    remediationSteps:
        "Request GPUs by the stack's extended resource names; leave runtimeClassName unset, or review the handler and list the RuntimeClass in `reviewedRuntimeClasses`.",
    validateStack: (args, report) => {
        const cfg: PackConfig = resolveConfig(args.getConfig<Record<string, unknown>>());
        const f = new Findings(report);
        const pods = stackPods(args.resources);
        if (pods.length === 0) notApplicable(args, "no pod template in this stack");
        const id = identify(pods, cfg);
        const role = closedWorldRoles(id);
        const unknowns: Unknowns = [];
        for (const p of pods) {
            const who = role.get(p.key);
            if (!who) continue;
            for (const problem of deviceProblems(p, cfg, unknowns)) f.violation(`${p.t.display} (${who}) ${problem}`, p.urn);
        }
        f.unknown(unknowns);
        f.finish();
    },
};
