// Policy configuration: JSON schemas (with defaults the Pulumi engine applies) and the same
// defaults applied here, so a policy called without config (tests, older engines) behaves alike.
import { PolicyConfigJSONSchema } from "@pulumi/policy/schema";
import { LabelSelector, LabelSelectorRequirement, matchesSelector, parseCidr } from "@torchpod/netpol";
import { isSelectorProblem, parseSelector } from "@torchpod/netpol/selector";
import { homeClaimsOf } from "./claims";
import type { PodTemplate } from "./resources";
import { reviewProblems } from "./reviews";

import {
    AIRLOCK_AUDIT_NAMES,
    AIRLOCK_CLAIM_NAME,
    AIRLOCK_MOUNT_PATH,
    GITEA_HTTP_CONTAINER_PORT,
    GITEA_SSH_CONTAINER_PORT,
    HOME_CLAIM_PREFIX,
    LABEL_COMPONENT,
    MLAB_DATA_CLAIM_NAME,
} from "@torchpod/contract";

export { LABEL_COMPONENT };

export const DEFAULT_TORCHPOD_SELECTOR: LabelSelector = { matchLabels: { [LABEL_COMPONENT]: "torchpod" } };
export const DEFAULT_MLAB_SELECTOR: LabelSelector = { matchLabels: { [LABEL_COMPONENT]: "mlab" } };
export const DEFAULT_MLAB_PORTS = [GITEA_HTTP_CONTAINER_PORT, GITEA_SSH_CONTAINER_PORT];
export const DEFAULT_AIRLOCK_MOUNT_PATH = AIRLOCK_MOUNT_PATH;
export const DEFAULT_AIRLOCK_SELECTOR: LabelSelector = { matchLabels: { [LABEL_COMPONENT]: "airlock" } };
export const DEFAULT_RECONCILER_SELECTOR: LabelSelector = { matchLabels: { [LABEL_COMPONENT]: "mlab-reconciler" } };
export const DEFAULT_IMPORTER_SELECTOR: LabelSelector = { matchLabels: { [LABEL_COMPONENT]: "mlab-importer" } };
export const DEFAULT_AUDIT_WRITER_SELECTOR: LabelSelector = { matchLabels: { [LABEL_COMPONENT]: "airlock-audit" } };
export const DEFAULT_AUDIT_CLAIM_PATTERN = `^${AIRLOCK_AUDIT_NAMES.claim}$`;
/** Anchored: a user named `airlock` owns `home-airlock`, which is a home, not the share. */
export const DEFAULT_AIRLOCK_CLAIM_PATTERN = `^${AIRLOCK_CLAIM_NAME}$`;
export const DEFAULT_HOME_CLAIM_PATTERN = `^${HOME_CLAIM_PREFIX}`;
export const DEFAULT_MLAB_DATA_CLAIM_PATTERN = `^${MLAB_DATA_CLAIM_NAME}$`;
export const DEFAULT_DANGEROUS_CAPABILITIES = [
    "ALL",
    "NET_ADMIN",
    "NET_RAW",
    "SYS_ADMIN",
    "SYS_MODULE",
    "SYS_PTRACE",
    "SYS_RAWIO",
    "BPF",
    "DAC_READ_SEARCH",
];
export const DEFAULT_TORCHPOD_REQUIRED_DROPS = ["NET_RAW"];
export const DEFAULT_SECRET_ENV_PATTERN = "PASSWORD|PASSWD|SECRET|TOKEN|KEY";
export const DEFAULT_GITEA_IMAGE_PATTERN = "gitea";
export const DEFAULT_MLAB_IMAGE_PATTERN = "(^|/)gitea/gitea(:|@|$)";

function selectorSchema(description: string, def: LabelSelector): PolicyConfigJSONSchema {
    return {
        type: "object",
        description,
        properties: {
            matchLabels: { type: "object", additionalProperties: { type: "string" } },
            matchExpressions: {
                type: "array",
                items: {
                    type: "object",
                    properties: {
                        key: { type: "string", minLength: 1 },
                        operator: { type: "string", enum: ["In", "NotIn", "Exists", "DoesNotExist"] },
                        values: { type: "array", items: { type: "string" } },
                    },
                    required: ["key", "operator"],
                    additionalProperties: false,
                },
            },
        },
        additionalProperties: false,
        default: def,
    };
}

export const SCHEMA = {
    torchpodSelector: selectorSchema(
        "Label selector on pod-template labels that identifies TorchPods (the label contract: app.kubernetes.io/component=torchpod).",
        DEFAULT_TORCHPOD_SELECTOR,
    ),
    mlabSelector: selectorSchema(
        "Label selector on pod-template labels that identifies MLab (the Gitea code service).",
        DEFAULT_MLAB_SELECTOR,
    ),
    airlockSelector: selectorSchema(
        "Label selector on pod-template labels that identifies the Airlock (the one machine with internet).",
        DEFAULT_AIRLOCK_SELECTOR,
    ),
    reconcilerSelector: selectorSchema(
        "Label selector on pod-template labels that identifies MLab's reconciler Job (holds the admin credential; reaches only Gitea http).",
        DEFAULT_RECONCILER_SELECTOR,
    ),
    importerSelector: selectorSchema(
        "Label selector on pod-template labels that identifies MLab's importer (cluster DNS, TCP 443 to the internet, Gitea http).",
        DEFAULT_IMPORTER_SELECTOR,
    ),
    auditWriterSelector: selectorSchema(
        "Label selector on pod-template labels that identifies the Airlock's audit writer (reads the airlock share, writes the audit log; no network at all).",
        DEFAULT_AUDIT_WRITER_SELECTOR,
    ),
    auditClaimPattern: {
        type: "string",
        description:
            "Regular expression (case-sensitive; anchor it) matching the PersistentVolumeClaim name(s) of the audit log. Only the audit writer may mount it writable; no TorchPod, Airlock or MLab pod may mount it at all.",
        minLength: 1,
        default: DEFAULT_AUDIT_CLAIM_PATTERN,
    } as PolicyConfigJSONSchema,
    homeClaimPattern: {
        type: "string",
        description:
            "Regular expression (case-sensitive) matching users' home PersistentVolumeClaims. A pod that mounts one is judged as a TorchPod by every TorchPod policy, whatever its labels.",
        minLength: 1,
        default: DEFAULT_HOME_CLAIM_PATTERN,
    } as PolicyConfigJSONSchema,
    mlabDataClaimPattern: {
        type: "string",
        description:
            "Regular expression (case-sensitive) matching MLab's data PersistentVolumeClaim (user data: it must be dynamically provisioned or bound to a reviewed volume).",
        minLength: 1,
        default: DEFAULT_MLAB_DATA_CLAIM_PATTERN,
    } as PolicyConfigJSONSchema,
    reviewedVolumes: {
        type: "array",
        description:
            "Names of PersistentVolumes reviewed for user data: a claim of user data (home, airlock share, MLab data, any claim a TorchPod writes) may bind only these (or be dynamically provisioned), " +
            "and a PersistentVolume the stack declares with a network or node backend (nfs, iscsi, cephfs, csi, rbd, glusterfs, local, hostPath, ...) is allowed only when named here.",
        items: { type: "string", minLength: 1 },
        default: [],
    } as PolicyConfigJSONSchema,
    reviewedStorageProvisioners: {
        type: "array",
        description:
            "StorageClass provisioners reviewed for this stack. A StorageClass the stack declares with any other provisioner is refused: the pack cannot prove where its volumes' data goes.",
        items: { type: "string", minLength: 1 },
        default: [],
    } as PolicyConfigJSONSchema,
    reviewedPolicyKinds: {
        type: "array",
        description:
            "Network-policy-like kinds (`Kind` or `group/Kind`, e.g. `cilium.io/CiliumNetworkPolicy`) reviewed for this stack. Any other kind than networking.k8s.io/v1 NetworkPolicy that can change " +
            "what a pod may reach (AdminNetworkPolicy, Calico, Cilium, NetworkAttachmentDefinition) and any Multus network annotation on a TorchPod is refused: the pack cannot prove isolation under it.",
        items: { type: "string", minLength: 1 },
        default: [],
    } as PolicyConfigJSONSchema,
    reviewedResourceTypes: {
        type: "array",
        description:
            "Resource types reviewed for this stack, once per type: a Pulumi type token (`mycorp:index:Thing`, `kubernetes:argoproj.io/v1alpha1:Workflow`) or a Kubernetes `apiVersion/Kind` " +
            "(`argoproj.io/v1alpha1/Workflow`). Every resource of a type the pack's table of resource types does not know is refused unless listed here; pods embedded in a reviewed custom resource are still judged. " +
            "Types with a narrower switch (opaque installers, admission, telemetry, network-policy kinds, storage) are not relaxed by this list.",
        items: { type: "string", minLength: 1 },
        default: [],
    } as PolicyConfigJSONSchema,
    reviewedOpaqueResources: {
        type: "array",
        description:
            "Objects whose effect the pack cannot see, reviewed one by one: `TYPE NAME`, TYPE as in reviewedResourceTypes, NAME `namespace/name` (a cluster-scoped Kubernetes object: `name`; " +
            "another provider's resource: its Pulumi name). For Helm v3 Releases, commands, GitOps applications, k3s HelmCharts, node classes with boot scripts, CustomResourceDefinitions, APIServices.",
        items: { type: "string", minLength: 1 },
        default: [],
    } as PolicyConfigJSONSchema,
    reviewedMutations: {
        type: "array",
        description:
            "Admission-time changes reviewed one by one (`TYPE NAME` as in reviewedOpaqueResources): mutating and validating webhook configurations, mutating admission policies and their bindings, " +
            "and Pulumi `...Patch` resources, that can reach objects in the TorchPod or MLab namespaces. A patch of an object the stack itself declares is refused even when listed.",
        items: { type: "string", minLength: 1 },
        default: [],
    } as PolicyConfigJSONSchema,
    reviewedTelemetry: {
        type: "array",
        description:
            "Log-shipping and collector objects reviewed one by one (`TYPE NAME` as in reviewedOpaqueResources; a workload: `apps/v1/DaemonSet namespace/name`) that read the TorchPod or MLab namespaces' output.",
        items: { type: "string", minLength: 1 },
        default: [],
    } as PolicyConfigJSONSchema,
    reviewedHostPaths: {
        type: "array",
        description:
            "Custom resources (`TYPE NAME` as in reviewedOpaqueResources) reviewed for the hostPath fields they carry outside a pod spec. A hostPath volume inside a pod spec is refused by no-hostpath-volumes whatever this says.",
        items: { type: "string", minLength: 1 },
        default: [],
    } as PolicyConfigJSONSchema,
    reviewedAdminSubjects: {
        type: "array",
        description:
            "RBAC subjects (`User:name` or `Group:name`) reviewed as administrators: only these may be granted exec, attach, port-forward, proxy, pod or claim creation, workload changes or Secret reads " +
            "in the TorchPod or MLab namespaces. Service accounts, system:anonymous, system:unauthenticated, system:authenticated and system:serviceaccounts groups are never admissible.",
        items: { type: "string", minLength: 1 },
        default: [],
    } as PolicyConfigJSONSchema,
    mlabExternalHosts: {
        type: "array",
        description:
            "Hosts outside the cluster MLab's Gitea may use (`host` or `host:port`; an IP for NetworkPolicy): the database, object storage or mailer that stack config names. " +
            "Gitea settings naming any other host are refused, and MLab's egress may reach only these addresses (as /32 or /128 ipBlocks) on their ports.",
        items: { type: "string", minLength: 1 },
        default: [],
    } as PolicyConfigJSONSchema,
    mlabPorts: {
        type: "array",
        description: "MLab's container ports (TCP) that TorchPods may reach: Gitea http and ssh.",
        items: { type: "integer", minimum: 1, maximum: 65535 },
        minItems: 1,
        default: DEFAULT_MLAB_PORTS,
    } as PolicyConfigJSONSchema,
    mlabNamespaces: {
        type: "array",
        description:
            "Namespaces MLab runs in. Empty (default): the namespaces of the workloads that match mlabSelector in the stack. " +
            "A NetworkPolicy peer must pin these namespaces (kubernetes.io/metadata.name) or live in one of them.",
        items: { type: "string", minLength: 1 },
        default: [],
    } as PolicyConfigJSONSchema,
    scope: {
        type: "string",
        enum: ["all-workloads", "torchpods"],
        description: "Which workloads the policy checks: every pod-owning resource of the stack (default) or TorchPods only.",
        default: "all-workloads",
    } as PolicyConfigJSONSchema,
    dangerousCapabilities: {
        type: "array",
        description: "Linux capabilities no container may add (ALL stands for every capability).",
        items: { type: "string", minLength: 1 },
        default: DEFAULT_DANGEROUS_CAPABILITIES,
    } as PolicyConfigJSONSchema,
    torchpodRequiredDrops: {
        type: "array",
        description:
            "Capabilities every TorchPod container must drop (dropping ALL satisfies every entry). The container runtime grants NET_RAW by default.",
        items: { type: "string", minLength: 1 },
        default: DEFAULT_TORCHPOD_REQUIRED_DROPS,
    } as PolicyConfigJSONSchema,
    airlockMountPath: {
        type: "string",
        description: "Where TorchPods mount the shared airlock folder (read-only).",
        minLength: 1,
        default: DEFAULT_AIRLOCK_MOUNT_PATH,
    } as PolicyConfigJSONSchema,
    airlockClaimPattern: {
        type: "string",
        description: "Regular expression (case-sensitive; anchor it) matching the PersistentVolumeClaim name(s) of the airlock share.",
        minLength: 1,
        default: DEFAULT_AIRLOCK_CLAIM_PATTERN,
    } as PolicyConfigJSONSchema,
    secretEnvPattern: {
        type: "string",
        description:
            "Regular expression (case-insensitive) on env var names that hold credentials; those must come from valueFrom, never a literal value.",
        minLength: 1,
        default: DEFAULT_SECRET_ENV_PATTERN,
    } as PolicyConfigJSONSchema,
    giteaImagePattern: {
        type: "string",
        description: "Regular expression (case-insensitive) on image names that are Gitea (besides any container with GITEA__ settings).",
        minLength: 1,
        default: DEFAULT_GITEA_IMAGE_PATTERN,
    } as PolicyConfigJSONSchema,
    mlabImagePattern: {
        type: "string",
        description:
            "Regular expression (case-insensitive) every long-running container of an MLab pod must match (default: the official gitea/gitea image, from any registry mirror). " +
            "Anything else in MLab's pod could listen on MLab's ports and relay TorchPod traffic out.",
        minLength: 1,
        default: DEFAULT_MLAB_IMAGE_PATTERN,
    } as PolicyConfigJSONSchema,
    officeCidrs: {
        type: "array",
        description:
            "The office networks (the stack's torchpod:officeCidrs; render writes them to policy-config.json): the only sources that may reach TorchPods and MLab. Ingress ipBlocks into them and the " +
            "loadBalancerSourceRanges of their Services must lie inside these. Empty (default): the pack refuses every such exposure instead of guessing what an office is.",
        items: { type: "string", minLength: 1 },
        default: [],
    } as PolicyConfigJSONSchema,
    apiServerCidrs: {
        type: "array",
        description:
            "The cluster's API server as the known actors' NetworkPolicies name it: its Service IP (as a /32 or /128) and the control plane's addresses (render writes them from " +
            "torchpod:cluster.apiServerIp and controlPlaneCidrs). A known actor's pods may reach only ipBlocks inside these, on TCP 443 and 6443. Empty (default): every ipBlock from a known actor is refused.",
        items: { type: "string", minLength: 1 },
        default: [],
    } as PolicyConfigJSONSchema,
    reviewedBackups: {
        type: "array",
        description:
            "Backups and restores (`Kind ns/name`, e.g. `Schedule velero/nightly`) reviewed for this stack: velero Backup, Schedule and Restore, k8up Backup, Schedule and Archive. " +
            "Any other backup of a namespace holding user data (home claims, the airlock share, MLab's data), restore of one into another namespace, or restore of a backup the stack does not declare is refused.",
        items: { type: "string", minLength: 1 },
        default: [],
    } as PolicyConfigJSONSchema,
    reviewedRoutes: {
        type: "array",
        description:
            "Ingresses, Gateways and Gateway API routes (`Kind ns/name`, e.g. `HTTPRoute mlab/gitea`) reviewed to admit only office networks into MLab (or a Gateway reviewed in MLab's namespace). " +
            "Any other route to MLab is refused; no route may reach a TorchPod.",
        items: { type: "string", minLength: 1 },
        default: [],
    } as PolicyConfigJSONSchema,
    deviceResources: {
        type: "array",
        description:
            "Extended resources (device plugins) a TorchPod, the Airlock or MLab may request besides cpu, memory, ephemeral-storage and hugepages: the stack's GPU kinds (render writes them " +
            "from torchpod:gpu and the users' gpuResource). Any other device is refused: a device plugin can hand a pod a network device (an SR-IOV or DPDK function) outside its NetworkPolicies.",
        items: { type: "string", minLength: 1 },
        default: ["nvidia.com/gpu"],
    } as PolicyConfigJSONSchema,
    reviewedRuntimeClasses: {
        type: "array",
        description:
            "RuntimeClass names a TorchPod, the Airlock or MLab may run under (e.g. `nvidia`), after review of the handler each names on the nodes. Any other runtimeClassName is refused: " +
            "a handler may run the pod in a VM with a network of its own or in a sandbox on the host's network, where no NetworkPolicy applies.",
        items: { type: "string", minLength: 1 },
        default: [],
    } as PolicyConfigJSONSchema,
    allowRawVnc: {
        type: "boolean",
        description:
            "Whether office networks may reach a TorchPod's raw VNC port 5900 (the image starts Xvnc with `-SecurityTypes none`: no password). Default false: any ingress rule or Service " +
            "that opens 5900 to a TorchPod is reported. noVNC's 7030 (no password either) is always reported; the browser desktop belongs behind the authenticating proxy on 7031.",
        default: false,
    } as PolicyConfigJSONSchema,
    torchpodPodSecurityLevels: {
        type: "array",
        description: "Pod Security `enforce` levels a namespace holding TorchPods may have (the design: baseline, never privileged).",
        items: { type: "string", enum: ["baseline", "restricted"] },
        minItems: 1,
        default: ["baseline", "restricted"],
    } as PolicyConfigJSONSchema,
};

/** The config schema of a policy that reads `keys` (every key keeps its description and default). */
export function schemaFor(keys: (keyof typeof SCHEMA)[]): { properties: Record<string, PolicyConfigJSONSchema> } {
    const properties: Record<string, PolicyConfigJSONSchema> = {};
    for (const k of keys) properties[k] = SCHEMA[k];
    return { properties };
}

export interface PackConfig {
    torchpodSelector: LabelSelector;
    mlabSelector: LabelSelector;
    airlockSelector: LabelSelector;
    reconcilerSelector: LabelSelector;
    importerSelector: LabelSelector;
    auditWriterSelector: LabelSelector;
    auditClaimPattern: string;
    homeClaimPattern: string;
    mlabDataClaimPattern: string;
    reviewedVolumes: string[];
    reviewedStorageProvisioners: string[];
    reviewedPolicyKinds: string[];
    reviewedResourceTypes: string[];
    reviewedOpaqueResources: string[];
    reviewedMutations: string[];
    reviewedTelemetry: string[];
    reviewedHostPaths: string[];
    reviewedAdminSubjects: string[];
    mlabExternalHosts: string[];
    mlabPorts: number[];
    mlabNamespaces: string[];
    scope: "all-workloads" | "torchpods";
    dangerousCapabilities: string[];
    torchpodRequiredDrops: string[];
    airlockMountPath: string;
    airlockClaimPattern: string;
    secretEnvPattern: string;
    giteaImagePattern: string;
    mlabImagePattern: string;
    officeCidrs: string[];
    apiServerCidrs: string[];
    reviewedRoutes: string[];
    reviewedBackups: string[];
    deviceResources: string[];
    reviewedRuntimeClasses: string[];
    allowRawVnc: boolean;
    torchpodPodSecurityLevels: string[];
}

export const PACK_DEFAULTS: PackConfig = {
    torchpodSelector: DEFAULT_TORCHPOD_SELECTOR,
    mlabSelector: DEFAULT_MLAB_SELECTOR,
    airlockSelector: DEFAULT_AIRLOCK_SELECTOR,
    reconcilerSelector: DEFAULT_RECONCILER_SELECTOR,
    importerSelector: DEFAULT_IMPORTER_SELECTOR,
    auditWriterSelector: DEFAULT_AUDIT_WRITER_SELECTOR,
    auditClaimPattern: DEFAULT_AUDIT_CLAIM_PATTERN,
    homeClaimPattern: DEFAULT_HOME_CLAIM_PATTERN,
    mlabDataClaimPattern: DEFAULT_MLAB_DATA_CLAIM_PATTERN,
    reviewedVolumes: [],
    reviewedStorageProvisioners: [],
    reviewedPolicyKinds: [],
    reviewedResourceTypes: [],
    reviewedOpaqueResources: [],
    reviewedMutations: [],
    reviewedTelemetry: [],
    reviewedHostPaths: [],
    reviewedAdminSubjects: [],
    mlabExternalHosts: [],
    mlabPorts: DEFAULT_MLAB_PORTS,
    mlabNamespaces: [],
    scope: "all-workloads",
    dangerousCapabilities: DEFAULT_DANGEROUS_CAPABILITIES,
    torchpodRequiredDrops: DEFAULT_TORCHPOD_REQUIRED_DROPS,
    airlockMountPath: DEFAULT_AIRLOCK_MOUNT_PATH,
    airlockClaimPattern: DEFAULT_AIRLOCK_CLAIM_PATTERN,
    secretEnvPattern: DEFAULT_SECRET_ENV_PATTERN,
    giteaImagePattern: DEFAULT_GITEA_IMAGE_PATTERN,
    mlabImagePattern: DEFAULT_MLAB_IMAGE_PATTERN,
    officeCidrs: [],
    apiServerCidrs: [],
    reviewedRoutes: [],
    reviewedBackups: [],
    deviceResources: ["nvidia.com/gpu"],
    reviewedRuntimeClasses: [],
    allowRawVnc: false,
    torchpodPodSecurityLevels: ["baseline", "restricted"],
};

export class PolicyConfigError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "PolicyConfigError";
    }
}

/** The policy's config with defaults; a malformed selector or regex is a clear error. */
export function resolveConfig(raw: Record<string, unknown> | undefined): PackConfig {
    const c: any = { ...PACK_DEFAULTS };
    for (const [k, v] of Object.entries(raw ?? {})) if (v !== undefined && v !== null && k in PACK_DEFAULTS) c[k] = v;
    for (const k of [
        "torchpodSelector",
        "mlabSelector",
        "airlockSelector",
        "reconcilerSelector",
        "importerSelector",
        "auditWriterSelector",
    ] as const) {
        const parsed = parseSelector(c[k]);
        if (isSelectorProblem(parsed)) throw new PolicyConfigError(`policy config ${k}${parsed.field}: ${parsed.problem}`);
        c[k] = parsed;
    }
    for (const k of [
        "airlockClaimPattern",
        "auditClaimPattern",
        "homeClaimPattern",
        "mlabDataClaimPattern",
        "secretEnvPattern",
        "giteaImagePattern",
        "mlabImagePattern",
    ] as const) {
        try {
            new RegExp(c[k], "i");
        } catch (e: any) {
            throw new PolicyConfigError(`policy config ${k}: invalid regular expression: ${e?.message ?? e}`);
        }
    }
    for (const p of reviewProblems(c)) throw new PolicyConfigError(`policy config ${p}`);
    for (const cidr of Array.isArray(c.apiServerCidrs) ? c.apiServerCidrs : [])
        if (typeof parseCidr(String(cidr).trim()) === "string")
            throw new PolicyConfigError(`policy config apiServerCidrs: got ${JSON.stringify(cidr)}, expected a CIDR such as 10.96.0.1/32`);
    if (typeof c.allowRawVnc !== "boolean") throw new PolicyConfigError("policy config allowRawVnc: expected true or false");
    if (!Array.isArray(c.mlabPorts) || c.mlabPorts.some((p: unknown) => !Number.isInteger(p)))
        throw new PolicyConfigError("policy config mlabPorts: expected a list of port numbers");
    return c as PackConfig;
}

export function selects(sel: LabelSelector, labels: Record<string, string>): boolean {
    return matchesSelector(sel, labels);
}

/**
 * Whether a pod template is a TorchPod: its own labels (what NetworkPolicies select) or the labels of
 * the object that owns it match `torchpodSelector`, or it mounts a user's home claim (`homeClaimPattern`):
 * a pod is judged by the data it can touch, not only by its labels. A Deployment labelled a TorchPod whose
 * pods lack the label is still a TorchPod, whose pods the TorchPod NetworkPolicies do not select.
 */
export function isTorchPodTemplate(
    cfg: Pick<PackConfig, "torchpodSelector"> & Partial<Pick<PackConfig, "homeClaimPattern">>,
    t: { labels: Record<string, string>; ownerLabels?: Record<string, string>; spec?: any; containers?: PodTemplate["containers"] },
): boolean {
    if (selects(cfg.torchpodSelector, t.labels) || (t.ownerLabels !== undefined && selects(cfg.torchpodSelector, t.ownerLabels)))
        return true;
    return (
        cfg.homeClaimPattern !== undefined &&
        t.containers !== undefined &&
        homeClaimsOf({ spec: t.spec, containers: t.containers }, cfg.homeClaimPattern).length > 0
    );
}

// ---- structural reasoning on selectors --------------------------------------------------------

function requirements(sel: LabelSelector): LabelSelectorRequirement[] {
    const out: LabelSelectorRequirement[] = [];
    for (const [k, v] of Object.entries(sel.matchLabels ?? {})) out.push({ key: k, operator: "In", values: [v] });
    out.push(...(sel.matchExpressions ?? []));
    return out;
}

function reqImplies(a: LabelSelectorRequirement, b: LabelSelectorRequirement): boolean {
    if (a.key !== b.key) return false;
    const av = a.values ?? [];
    const bv = b.values ?? [];
    switch (b.operator) {
        case "In":
            return a.operator === "In" && av.every((x) => bv.includes(x));
        case "NotIn":
            return (
                (a.operator === "In" && av.every((x) => !bv.includes(x))) ||
                (a.operator === "NotIn" && bv.every((x) => av.includes(x))) ||
                a.operator === "DoesNotExist"
            );
        case "Exists":
            return a.operator === "In" || a.operator === "Exists";
        case "DoesNotExist":
            return a.operator === "DoesNotExist";
    }
    return false;
}

/**
 * True when every label set matched by `a` is matched by `b`, judged on the selectors alone
 * (conservative: false when it cannot be shown requirement by requirement).
 */
export function selectorImplies(a: LabelSelector, b: LabelSelector): boolean {
    const ra = requirements(a);
    return requirements(b).every((rb) => ra.some((x) => reqImplies(x, rb)));
}

export function describeSelector(sel: LabelSelector | undefined): string {
    if (!sel) return "(none)";
    const parts: string[] = [];
    for (const [k, v] of Object.entries(sel.matchLabels ?? {})) parts.push(`${k}=${v}`);
    for (const r of sel.matchExpressions ?? []) {
        if (r.operator === "Exists") parts.push(r.key);
        else if (r.operator === "DoesNotExist") parts.push(`!${r.key}`);
        else parts.push(`${r.key} ${r.operator === "In" ? "in" : "notin"} (${(r.values ?? []).join(",")})`);
    }
    return parts.length ? `{${parts.join(", ")}}` : "{} (everything)";
}
