// The closed world of resource types: every type the pack understands, and how it is judged.
//
// A stack may hold resources of any provider. The pack can prove a stack safe only where it knows what
// each resource does, so this table lists every type it understands; `known-resource-types` refuses
// every other type (from any provider), and every type whose judging policy is not part of the pack.
// A Kubernetes kind is keyed `group/Kind` (core group: `core`), any version; any other resource by its
// Pulumi type token (a trailing `*` matches a prefix). Keep the entries sorted by category.

/** How the pack judges a type. */
export type TypeCategory =
    /** Runs pods; every pod policy reads its pod template. */
    | "pod-holder"
    /** Changes who may talk to whom; the network model reads it. */
    | "network"
    /** A way in from outside the cluster (a way in is a way out). */
    | "exposure"
    /** API rights (RBAC); the RBAC model reads it. */
    | "rbac"
    /** Holds or copies data; followed as user data where its source is. */
    | "storage"
    /** Changes or sees objects as the API server admits them. */
    | "admission"
    /** Ships pods' output (logs, traces) somewhere. */
    | "telemetry"
    /** Harmless by construction: it runs nothing, reaches nothing, grants nothing. */
    | "harmless"
    /** A component: it only groups children, which are registered (and judged) one by one. */
    | "component"
    /** Pulumi's own resources (the stack, provider instances). */
    | "pulumi"
    /** Does what the pack cannot see (installs charts, runs commands, syncs repositories): refused unless reviewed per object. */
    | "opaque";

export interface ResourceTypeEntry {
    /** `group/Kind` for a Kubernetes kind (any version), else a Pulumi type token (`*` at the end: a prefix). */
    readonly type: string;
    readonly category: TypeCategory;
    /**
     * The policies that judge objects of this type. Empty: nothing needs judging (harmless, component,
     * pulumi). A type whose judging policy is missing from the pack is refused like an unknown one.
     */
    readonly judgedBy: readonly string[];
    /** Why it is safe to let this type through to those policies, or why it is refused; one sentence. */
    readonly why: string;
    /** Cluster-scoped kind (names a per-object review `TYPE name` rather than `TYPE namespace/name`). */
    readonly clusterScoped?: boolean;
    /**
     * The narrower switch that records a reviewer's decision for this type. Listing such a type in
     * `reviewedResourceTypes` does not let it through: a per-type review would be too wide.
     */
    readonly reviewSwitch?: string;
}

// Policy names the table refers to. A type whose judging policies are all missing from the pack is
// refused as unjudged (see `unjudged` below).
export const POD_POLICIES = [
    "no-host-namespaces",
    "no-privileged-or-dangerous-capabilities",
    "no-hostpath-volumes",
    "torchpod-egress-only-to-mlab",
    "closed-world-volumes",
] as const;
export const KNOWN_RESOURCE_TYPES_POLICY = "known-resource-types";
export const CUSTOM_RESOURCE_WORKLOADS_POLICY = "custom-resource-workloads";
export const API_RIGHTS_POLICY = "api-rights-reviewed";
export const POD_TOKENS_POLICY = "pod-tokens-carry-no-api-rights";
export const ADMISSION_POLICY = "admission-changes-reviewed";
export const TELEMETRY_POLICY = "telemetry-reviewed";
export const EXPOSURE_POLICY = "routes-by-traffic-table";
export const STORAGE_COPIES_POLICY = "user-data-copies-followed";

const pods = (why: string, type: string): ResourceTypeEntry => ({ type, category: "pod-holder", judgedBy: POD_POLICIES, why });
const harmless = (type: string, why: string, clusterScoped = false): ResourceTypeEntry => ({
    type,
    category: "harmless",
    judgedBy: [],
    why,
    ...(clusterScoped ? { clusterScoped } : {}),
});

const POD_WHY = "its pod template is judged by every pod policy, as a TorchPod by labels or by the data it mounts";

/** Kinds (by API group) that add to, override or bypass NetworkPolicy (judged by only-core-network-policy). */
export const POLICY_LIKE_KINDS: Record<string, string[]> = {
    "policy.networking.k8s.io": ["AdminNetworkPolicy", "BaselineAdminNetworkPolicy", "ClusterNetworkPolicy"],
    "crd.projectcalico.org": [
        "NetworkPolicy",
        "GlobalNetworkPolicy",
        "StagedNetworkPolicy",
        "StagedGlobalNetworkPolicy",
        "GlobalNetworkSet",
        "NetworkSet",
    ],
    "projectcalico.org": [
        "NetworkPolicy",
        "GlobalNetworkPolicy",
        "StagedNetworkPolicy",
        "StagedGlobalNetworkPolicy",
        "GlobalNetworkSet",
        "NetworkSet",
    ],
    "cilium.io": ["CiliumNetworkPolicy", "CiliumClusterwideNetworkPolicy", "CiliumEgressGatewayPolicy", "CiliumLocalRedirectPolicy"],
    "k8s.cni.cncf.io": ["NetworkAttachmentDefinition"],
};

/** Whether `group/Kind` changes what pods may reach: listed above, or any non-core kind named like a network policy. */
export function isPolicyLikeKind(group: string, kind: string): boolean {
    if (group === "networking.k8s.io" && kind === "NetworkPolicy") return false;
    if (group === "extensions" && kind === "NetworkPolicy") return false;
    return (POLICY_LIKE_KINDS[group] ?? []).includes(kind) || /NetworkPolic(y|ies)$|NetworkAttachment/.test(kind);
}

/** Log shippers and collectors, by API group: each reads pods' output and sends it somewhere. */
export const TELEMETRY_KINDS: Record<string, string[]> = {
    "logging.banzaicloud.io": [
        "Logging",
        "Flow",
        "ClusterFlow",
        "Output",
        "ClusterOutput",
        "FluentbitAgent",
        "SyslogNGFlow",
        "SyslogNGClusterFlow",
        "SyslogNGOutput",
        "SyslogNGClusterOutput",
        "LoggingRoute",
        "NodeAgent",
    ],
    "logging-extensions.banzaicloud.io": ["HostTailer", "EventTailer"],
    "fluentbit.fluent.io": [
        "FluentBit",
        "FluentBitConfig",
        "ClusterFluentBitConfig",
        "ClusterInput",
        "ClusterFilter",
        "ClusterOutput",
        "ClusterParser",
        "Filter",
        "Output",
        "Parser",
        "Collector",
        "ClusterMultilineParser",
        "MultilineParser",
    ],
    "fluentd.fluent.io": [
        "Fluentd",
        "FluentdConfig",
        "ClusterFluentdConfig",
        "Input",
        "ClusterInput",
        "Filter",
        "ClusterFilter",
        "Output",
        "ClusterOutput",
    ],
    "opentelemetry.io": ["OpenTelemetryCollector", "Instrumentation", "OpAMPBridge", "TargetAllocator"],
    "monitoring.grafana.com": ["GrafanaAgent", "LogsInstance", "PodLogs", "MetricsInstance", "Integration"],
    "datadoghq.com": ["DatadogAgent", "DatadogAgentProfile"],
    "agent.k8s.elastic.co": ["Agent"],
    "beat.k8s.elastic.co": ["Beat"],
    "observability.kaasops.io": ["Vector", "VectorPipeline", "ClusterVectorPipeline"],
    "vector.dev": ["Vector", "VectorAgent", "VectorAggregator", "VectorPipeline"],
};

/** Which telemetry kinds are cluster-scoped (the Logging operator keeps its ClusterFlows in a namespace). */
function telemetryClusterScoped(group: string, kind: string): boolean {
    if (group === "logging.banzaicloud.io") return ["Logging", "FluentbitAgent", "NodeAgent", "LoggingRoute"].includes(kind);
    if (group === "fluentbit.fluent.io" || group === "fluentd.fluent.io" || group === "observability.kaasops.io")
        return kind.startsWith("Cluster");
    return false;
}

const telemetryEntries: ResourceTypeEntry[] = Object.entries(TELEMETRY_KINDS).flatMap(([group, kinds]) =>
    kinds.map((kind) => ({
        type: `${group}/${kind}`,
        category: "telemetry" as const,
        judgedBy: [TELEMETRY_POLICY],
        why: "it ships pods' output (logs, traces) to wherever it is configured to; a user can print any file to their container's output",
        clusterScoped: telemetryClusterScoped(group, kind),
        reviewSwitch: "reviewedTelemetry",
    })),
);

const policyLikeEntries: ResourceTypeEntry[] = Object.entries(POLICY_LIKE_KINDS).flatMap(([group, kinds]) =>
    kinds.map((kind) => ({
        type: `${group}/${kind}`,
        category: "network" as const,
        judgedBy: ["only-core-network-policy"],
        why: "it can allow what the NetworkPolicies deny (or attach a second network); refused unless reviewed",
        reviewSwitch: "reviewedPolicyKinds",
    })),
);

const OPAQUE_WHY = "the pack is shown its inputs, never what it does or installs";

/** The table. */
export const RESOURCE_TYPES: readonly ResourceTypeEntry[] = [
    // ---- pod holders
    pods(POD_WHY, "core/Pod"),
    pods(POD_WHY, "core/ReplicationController"),
    pods("a pod template nothing runs by itself; judged like one where it stands", "core/PodTemplate"),
    pods(POD_WHY, "apps/Deployment"),
    pods(POD_WHY, "apps/StatefulSet"),
    pods(POD_WHY, "apps/DaemonSet"),
    pods(POD_WHY, "apps/ReplicaSet"),
    pods(POD_WHY, "extensions/Deployment"),
    pods(POD_WHY, "extensions/DaemonSet"),
    pods(POD_WHY, "extensions/ReplicaSet"),
    pods(POD_WHY, "batch/Job"),
    pods(POD_WHY, "batch/CronJob"),

    // ---- network
    {
        type: "networking.k8s.io/NetworkPolicy",
        category: "network",
        judgedBy: ["torchpod-egress-only-to-mlab", "torchpod-ingress-only-from-office", "mlab-no-egress"],
        why: "the network model evaluates it",
    },
    {
        type: "extensions/NetworkPolicy",
        category: "network",
        judgedBy: ["torchpod-egress-only-to-mlab", "torchpod-ingress-only-from-office", "mlab-no-egress"],
        why: "the network model evaluates it",
    },
    {
        type: "core/Namespace",
        category: "network",
        judgedBy: ["torchpod-namespace-pod-security", "torchpod-egress-only-to-mlab"],
        why: "its labels are what namespace selectors match, its Pod Security level is judged",
        clusterScoped: true,
    },
    {
        type: "core/Service",
        category: "network",
        judgedBy: ["torchpod-no-nodeport-services", "torchpod-ingress-only-from-office"],
        why: "its type, node ports, source ranges and target ports are judged against the TorchPods it selects",
    },
    harmless("core/Endpoints", "traffic to the addresses it lists still passes the NetworkPolicies of the pods behind them"),
    harmless(
        "discovery.k8s.io/EndpointSlice",
        "traffic to the addresses it lists still passes the NetworkPolicies of the pods behind them",
    ),
    ...policyLikeEntries,

    // ---- exposure (judged by the exposure policy)
    { type: "networking.k8s.io/Ingress", category: "exposure", judgedBy: [EXPOSURE_POLICY], why: "a route from outside to a Service" },
    { type: "extensions/Ingress", category: "exposure", judgedBy: [EXPOSURE_POLICY], why: "a route from outside to a Service" },
    {
        type: "networking.k8s.io/IngressClass",
        category: "exposure",
        judgedBy: [EXPOSURE_POLICY],
        why: "names the controller that serves Ingresses",
        clusterScoped: true,
    },
    ...["Gateway", "HTTPRoute", "GRPCRoute", "TLSRoute", "TCPRoute", "UDPRoute", "ReferenceGrant", "BackendTLSPolicy", "ListenerSet"].map(
        (kind): ResourceTypeEntry => ({
            type: `gateway.networking.k8s.io/${kind}`,
            category: "exposure",
            judgedBy: [EXPOSURE_POLICY],
            why: "Gateway API: a way in from outside to the Services it routes to",
        }),
    ),
    {
        type: "gateway.networking.k8s.io/GatewayClass",
        category: "exposure",
        judgedBy: [EXPOSURE_POLICY],
        why: "names the controller that serves Gateways",
        clusterScoped: true,
    },

    // ---- API rights
    { type: "rbac.authorization.k8s.io/Role", category: "rbac", judgedBy: [API_RIGHTS_POLICY], why: "the RBAC model reads its rules" },
    {
        type: "rbac.authorization.k8s.io/ClusterRole",
        category: "rbac",
        judgedBy: [API_RIGHTS_POLICY],
        why: "the RBAC model reads its rules and aggregation",
        clusterScoped: true,
    },
    {
        type: "rbac.authorization.k8s.io/RoleBinding",
        category: "rbac",
        judgedBy: [API_RIGHTS_POLICY, POD_TOKENS_POLICY],
        why: "the RBAC model judges whom it grants what",
    },
    {
        type: "rbac.authorization.k8s.io/ClusterRoleBinding",
        category: "rbac",
        judgedBy: [API_RIGHTS_POLICY, POD_TOKENS_POLICY],
        why: "the RBAC model judges whom it grants what",
        clusterScoped: true,
    },
    {
        type: "core/ServiceAccount",
        category: "rbac",
        judgedBy: [API_RIGHTS_POLICY, POD_TOKENS_POLICY],
        why: "an identity without rights of its own: the bindings that name it are judged, and so are the pods that mount its token",
    },

    // ---- storage
    {
        type: "core/PersistentVolumeClaim",
        category: "storage",
        judgedBy: ["user-data-volumes-reviewed", "torchpod-identity-by-data", STORAGE_COPIES_POLICY],
        why: "a claim of user data is followed by name, by what binds it and by what it was cloned from",
    },
    {
        type: "core/PersistentVolume",
        category: "storage",
        judgedBy: ["user-data-volumes-reviewed", "no-hostpath-volumes"],
        why: "its backend is judged (network and node backends only when reviewed)",
        clusterScoped: true,
    },
    {
        type: "storage.k8s.io/StorageClass",
        category: "storage",
        judgedBy: ["user-data-volumes-reviewed"],
        why: "its provisioner is judged",
        clusterScoped: true,
        reviewSwitch: "reviewedStorageProvisioners",
    },
    ...["VolumeSnapshot", "VolumeSnapshotContent", "VolumeSnapshotClass"].map((kind): ResourceTypeEntry => ({
        type: `snapshot.storage.k8s.io/${kind}`,
        category: "storage",
        judgedBy: [STORAGE_COPIES_POLICY],
        why: "a copy of a volume: user data where its source is",
        clusterScoped: kind !== "VolumeSnapshot",
    })),
    ...[
        "Backup",
        "Schedule",
        "Restore",
        "BackupStorageLocation",
        "VolumeSnapshotLocation",
        "PodVolumeBackup",
        "PodVolumeRestore",
        "DataUpload",
        "DataDownload",
    ].map((kind): ResourceTypeEntry => ({
        type: `velero.io/${kind}`,
        category: "storage",
        judgedBy: [STORAGE_COPIES_POLICY],
        why: "a namespace backup tool: copies claims and objects to where its storage location points",
    })),

    // ---- storage copies: namespace backup tools beyond velero (closed-world-seen's block)
    ...["Backup", "Schedule", "Archive", "Restore"].map((kind): ResourceTypeEntry => ({
        type: `k8up.io/${kind}`,
        category: "storage",
        judgedBy: [STORAGE_COPIES_POLICY],
        why: "a namespace backup tool: copies every claim of its namespace to its backend",
        reviewSwitch: "reviewedBackups",
    })),
    // ---- end of closed-world-seen's block

    // ---- admission-time changes
    {
        type: "admissionregistration.k8s.io/MutatingWebhookConfiguration",
        category: "admission",
        judgedBy: [ADMISSION_POLICY],
        why: "changes objects (a TorchPod's pod) after the pack judged them, and sees them whole",
        clusterScoped: true,
        reviewSwitch: "reviewedMutations",
    },
    {
        type: "admissionregistration.k8s.io/ValidatingWebhookConfiguration",
        category: "admission",
        judgedBy: [ADMISSION_POLICY],
        why: "sends every object it matches (Secrets included) to its webhook",
        clusterScoped: true,
        reviewSwitch: "reviewedMutations",
    },
    {
        type: "admissionregistration.k8s.io/MutatingAdmissionPolicy",
        category: "admission",
        judgedBy: [ADMISSION_POLICY],
        why: "changes objects after the pack judged them",
        clusterScoped: true,
        reviewSwitch: "reviewedMutations",
    },
    {
        type: "admissionregistration.k8s.io/MutatingAdmissionPolicyBinding",
        category: "admission",
        judgedBy: [ADMISSION_POLICY],
        why: "turns a MutatingAdmissionPolicy on for what it matches",
        clusterScoped: true,
        reviewSwitch: "reviewedMutations",
    },
    harmless(
        "admissionregistration.k8s.io/ValidatingAdmissionPolicy",
        "CEL rules run inside the API server: they can refuse an object, never change it or send it anywhere",
        true,
    ),
    harmless(
        "admissionregistration.k8s.io/ValidatingAdmissionPolicyBinding",
        "turns a ValidatingAdmissionPolicy on (which can only refuse)",
        true,
    ),

    // ---- telemetry
    ...telemetryEntries,

    // ---- harmless by construction
    harmless("core/ConfigMap", "data only (the Caddyfile in one is judged by browser-proxy-basic-auth)"),
    harmless(
        "core/Secret",
        "data only; a token Secret carries the rights of its ServiceAccount, which the RBAC model judges, and mounting one is refused",
    ),
    harmless("core/ResourceQuota", "limits what a namespace may use"),
    harmless("core/LimitRange", "limits what a pod may use"),
    harmless("core/Event", "a record, read by people"),
    harmless("scheduling.k8s.io/PriorityClass", "orders pods for scheduling and preemption", true),
    harmless("policy/PodDisruptionBudget", "limits voluntary evictions"),
    harmless("autoscaling/HorizontalPodAutoscaler", "changes a workload's replica count only"),
    harmless("coordination.k8s.io/Lease", "a lock record"),
    harmless(
        "node.k8s.io/RuntimeClass",
        "names a runtime handler the nodes already have; a TorchPod, the Airlock or MLab naming one is judged by closed-world-devices",
        true,
    ),
    harmless("flowcontrol.apiserver.k8s.io/FlowSchema", "API server request fairness", true),
    harmless("flowcontrol.apiserver.k8s.io/PriorityLevelConfiguration", "API server request fairness", true),

    // ---- components: only group children, which the engine registers and the pack judges one by one
    ...[
        "kubernetes:yaml:ConfigFile",
        "kubernetes:yaml:ConfigGroup",
        "kubernetes:yaml/v2:ConfigFile",
        "kubernetes:yaml/v2:ConfigGroup",
        "kubernetes:helm.sh/v3:Chart",
        "kubernetes:helm.sh/v4:Chart",
        "kubernetes:kustomize:Directory",
        "kubernetes:kustomize/v2:Directory",
    ].map((type): ResourceTypeEntry => ({
        type,
        category: "component",
        judgedBy: [],
        why: "a component whose objects are registered as its children (the engine expands it; each child is judged by its own type)",
    })),
    {
        type: "torchpod:index:*",
        category: "component",
        judgedBy: [],
        why: "this program's own components (TorchPod, Airlock, Mlab, ...): no provider implements the package, so they can only group children",
    },

    // ---- Pulumi's own and harmless non-Kubernetes types
    { type: "pulumi:pulumi:Stack", category: "pulumi", judgedBy: [], why: "the stack itself" },
    {
        type: "pulumi:providers:kubernetes",
        category: "pulumi",
        judgedBy: [KNOWN_RESOURCE_TYPES_POLICY],
        why: "a provider instance; its default namespace must be known, since the pack places unnamespaced objects by it",
    },
    {
        type: "pulumi:providers:*",
        category: "pulumi",
        judgedBy: [],
        why: "a provider instance acts only through its resources, each judged by its own type",
    },
    {
        type: "random:index/*",
        category: "harmless",
        judgedBy: [],
        why: "random values (passwords, bytes, names) held in state, never deployed",
    },

    // ---- opaque: refused unless the object itself is reviewed
    ...[
        ["kubernetes:helm.sh/v3:Release", "installs a chart server-side; use helm.sh/v4 Chart, whose objects the engine shows"],
        ["command:local:Command", "runs a command on the deploying machine (kubectl apply, curl, ...)"],
        ["command:remote:Command", "runs a command on another machine"],
        ["command:remote:CopyToRemote", "copies files to another machine"],
        ["pulumi-nodejs:dynamic:Resource", "a dynamic provider runs arbitrary code at deploy time"],
        ["pulumi-python:dynamic:Resource", "a dynamic provider runs arbitrary code at deploy time"],
    ].map(([type, what]): ResourceTypeEntry => ({
        type,
        category: "opaque",
        judgedBy: [KNOWN_RESOURCE_TYPES_POLICY],
        why: `${what}: ${OPAQUE_WHY}`,
        reviewSwitch: "reviewedOpaqueResources",
    })),
    ...[
        ["argoproj.io/Application", "a GitOps application: applies whatever its repository holds", false],
        ["argoproj.io/ApplicationSet", "generates GitOps applications", false],
        ["helm.cattle.io/HelmChart", "k3s installs the chart it names", false],
        ["helm.cattle.io/HelmChartConfig", "k3s overrides a chart's values", false],
        ["helm.toolkit.fluxcd.io/HelmRelease", "Flux installs the chart it names", false],
        ["kustomize.toolkit.fluxcd.io/Kustomization", "Flux applies whatever its source holds", false],
        ["source.toolkit.fluxcd.io/GitRepository", "a source Flux applies from", false],
        ["karpenter.k8s.aws/EC2NodeClass", "its userData boot script runs as root on the nodes (the GPU nodes TorchPods run on)", true],
        [
            "apiextensions.k8s.io/CustomResourceDefinition",
            "defines a type (its conversion webhook receives every object of the type); instances are judged as unknown types",
            true,
        ],
        [
            "apiregistration.k8s.io/APIService",
            "routes an API group to a Service of its choice, which then receives every request to it",
            true,
        ],
    ].map(([type, what, clusterScoped]): ResourceTypeEntry => ({
        type: type as string,
        category: "opaque",
        judgedBy: [KNOWN_RESOURCE_TYPES_POLICY],
        why: `${what}: ${OPAQUE_WHY}`,
        reviewSwitch: "reviewedOpaqueResources",
        ...(clusterScoped ? { clusterScoped: true } : {}),
    })),
];

/** `group/Kind` of a Kubernetes apiVersion and kind (`v1` → `core`). */
export function groupKind(apiVersion: string, kind: string): string {
    const slash = apiVersion.indexOf("/");
    return `${slash < 0 ? "core" : apiVersion.slice(0, slash)}/${kind}`;
}

const byKind = new Map<string, ResourceTypeEntry>();
const byToken = new Map<string, ResourceTypeEntry>();
const byPrefix: ResourceTypeEntry[] = [];
for (const e of RESOURCE_TYPES) {
    if (e.type.includes(":")) {
        if (e.type.endsWith("*")) byPrefix.push(e);
        else byToken.set(e.type, e);
    } else byKind.set(e.type, e);
}
// Longest prefix first, so `pulumi:providers:kubernetes` (exact) and longer prefixes win.
byPrefix.sort((a, b) => b.type.length - a.type.length);

/** The entry of a Kubernetes object's kind (`apiVersion`, `Kind`), or undefined. */
export function kindEntry(apiVersion: string, kind: string): ResourceTypeEntry | undefined {
    const gk = groupKind(apiVersion, kind);
    const e = byKind.get(gk);
    if (e) return e;
    const group = gk.slice(0, gk.indexOf("/"));
    // Any kind named like a network policy is judged (and refused) by only-core-network-policy.
    if (isPolicyLikeKind(group, kind))
        return {
            type: gk,
            category: "network",
            judgedBy: ["only-core-network-policy"],
            why: "named like a network policy: it can allow what the NetworkPolicies deny",
            reviewSwitch: "reviewedPolicyKinds",
        };
    return undefined;
}

/** The entry of a Pulumi type token that is not a Kubernetes object (providers, components, other packages). */
export function tokenEntry(type: string): ResourceTypeEntry | undefined {
    const e = byToken.get(type);
    if (e) return e;
    return byPrefix.find((p) => type.startsWith(p.type.slice(0, -1)));
}

/** Every Pulumi `...Patch` resource (`kubernetes:apps/v1:DeploymentPatch`): a server-side-apply patch of an object. */
export const PATCH_ENTRY: ResourceTypeEntry = {
    type: "kubernetes:*Patch",
    category: "admission",
    judgedBy: [ADMISSION_POLICY],
    why: "a server-side-apply patch changes an object, possibly one the pack judged, after the fact",
    reviewSwitch: "reviewedMutations",
};

/** Whether a kind of the table is cluster-scoped. */
export function isClusterScopedKind(apiVersion: string, kind: string): boolean {
    return kindEntry(apiVersion, kind)?.clusterScoped === true;
}
