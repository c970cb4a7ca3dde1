// The stack's API rights: Roles, ClusterRoles (aggregation included), their bindings and subjects,
// and which rights reach past the NetworkPolicies (exec, attach, port-forward, proxies, pod and claim
// creation, workload changes, Secret and log reads). exec and its kin go through the API server and
// the kubelet, where no NetworkPolicy applies, so a right to them is a way out.
import { StackResource } from "./network";
import { metaOf, objectsOf, parseKubeType, providerNamespace } from "./resources";
import { isUnknown, unknownPaths, unproxy } from "./unknowns";
import type { Unknowns } from "./resources";

export interface Rule {
    apiGroups: string[];
    resources: string[];
    verbs: string[];
    nonResourceURLs?: string[];
    /** The objects the rule is limited to by name (none: every object of its resources). */
    resourceNames?: string[];
}

export interface RoleDef {
    kind: "Role" | "ClusterRole";
    /** Role only. */
    namespace?: string;
    name: string;
    rules: Rule[];
    /** ClusterRole with an aggregationRule: its rules are whatever matching ClusterRoles hold, in the stack or not. */
    aggregated: boolean;
    /** `aggregate-to-*` labels: its rules flow into the cluster's built-in roles of that name (bound outside the stack). */
    aggregatesTo: string[];
    urn: string;
}

export interface Subject {
    kind: string; // User, Group, ServiceAccount (anything else is kept, and never admissible)
    name: string;
    namespace?: string;
}

export interface BindingDef {
    kind: "RoleBinding" | "ClusterRoleBinding";
    namespace?: string;
    name: string;
    roleRef: { kind: string; name: string };
    subjects: Subject[];
    urn: string;
}

export interface RbacModel {
    roles: RoleDef[];
    bindings: BindingDef[];
    /** ServiceAccounts the stack declares: `ns/name` → automountServiceAccountToken (undefined: not set). */
    serviceAccounts: Map<string, boolean | undefined>;
    unknowns: Unknowns;
}

const RBAC_GROUP = "rbac.authorization.k8s.io";

function strings(v: unknown): string[] {
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : [];
}

function rulesOf(v: unknown): Rule[] {
    if (!Array.isArray(v)) return [];
    return v
        .filter((r) => r && typeof r === "object")
        .map((r: any) => ({
            apiGroups: strings(r.apiGroups),
            resources: strings(r.resources),
            verbs: strings(r.verbs),
            ...(Array.isArray(r.nonResourceURLs) ? { nonResourceURLs: strings(r.nonResourceURLs) } : {}),
            ...(Array.isArray(r.resourceNames) && r.resourceNames.length > 0 ? { resourceNames: strings(r.resourceNames) } : {}),
        }));
}

/** Reads the RBAC objects and ServiceAccounts of the stack (values unknown during preview recorded). */
export function rbacModelOf(resources: readonly StackResource[]): RbacModel {
    const m: RbacModel = { roles: [], bindings: [], serviceAccounts: new Map(), unknowns: [] };
    for (const r of resources) {
        if (!parseKubeType(r.type)) continue;
        const id = { name: r.name, defaultNamespace: providerNamespace(r.provider) };
        for (const f of objectsOf(r.type, unproxy(r.props))) {
            if (f.patch) continue;
            const group = f.apiVersion.includes("/") ? f.apiVersion.slice(0, f.apiVersion.indexOf("/")) : "core";
            const meta = metaOf(f, id, m.unknowns);
            if (group === "core" && f.kind === "ServiceAccount") {
                const a = f.obj?.automountServiceAccountToken;
                if (isUnknown(a)) m.unknowns.push({ sentinel: a, path: [...f.path, "automountServiceAccountToken"] });
                m.serviceAccounts.set(
                    `${meta.namespace}/${meta.name}`,
                    a === false || a === "false" ? false : a === undefined ? undefined : true,
                );
                continue;
            }
            if (group !== RBAC_GROUP) continue;
            if (f.kind === "Role" || f.kind === "ClusterRole") {
                m.unknowns.push(
                    ...unknownPaths(f.obj?.rules, [...f.path, "rules"]),
                    ...unknownPaths(f.obj?.aggregationRule, [...f.path, "aggregationRule"]),
                );
                const labels = f.obj?.metadata?.labels ?? {};
                m.roles.push({
                    kind: f.kind,
                    ...(f.kind === "Role" ? { namespace: meta.namespace } : {}),
                    name: meta.name,
                    rules: rulesOf(f.obj?.rules),
                    aggregated: f.kind === "ClusterRole" && f.obj?.aggregationRule !== undefined && f.obj?.aggregationRule !== null,
                    aggregatesTo: Object.entries(labels)
                        .filter(([k, v]) => /^rbac\.authorization\.k8s\.io\/aggregate-to-/.test(k) && (v === "true" || v === true))
                        .map(([k]) => k.slice("rbac.authorization.k8s.io/aggregate-to-".length)),
                    urn: r.urn,
                });
            } else if (f.kind === "RoleBinding" || f.kind === "ClusterRoleBinding") {
                m.unknowns.push(
                    ...unknownPaths(f.obj?.roleRef, [...f.path, "roleRef"]),
                    ...unknownPaths(f.obj?.subjects, [...f.path, "subjects"]),
                );
                const subjects: Subject[] = (Array.isArray(f.obj?.subjects) ? f.obj.subjects : [])
                    .filter((s: any) => s && typeof s === "object")
                    .map((s: any) => ({
                        kind: String(s.kind),
                        name: String(s.name),
                        // A ServiceAccount subject without a namespace is the binding's (RoleBinding) namespace.
                        ...(s.kind === "ServiceAccount"
                            ? { namespace: typeof s.namespace === "string" && s.namespace ? s.namespace : meta.namespace }
                            : {}),
                    }));
                m.bindings.push({
                    kind: f.kind,
                    ...(f.kind === "RoleBinding" ? { namespace: meta.namespace } : {}),
                    name: meta.name,
                    roleRef: { kind: String(f.obj?.roleRef?.kind ?? ""), name: String(f.obj?.roleRef?.name ?? "") },
                    subjects,
                    urn: r.urn,
                });
            }
        }
    }
    return m;
}

// ---- the rules of a role ------------------------------------------------------------------------

const ALL: Rule = { apiGroups: ["*"], resources: ["*"], verbs: ["*"] };
const READ = ["get", "list", "watch"];

/** The cluster's default ClusterRoles a binding may name without the stack declaring them. */
const BUILT_IN_CLUSTER_ROLES: Record<string, Rule[]> = {
    "cluster-admin": [ALL],
    // admin and edit include exec, attach, port-forward, pod creation and Secret reads.
    admin: [ALL],
    edit: [ALL],
    // view reads pods' logs (a TorchPod's output), not Secrets.
    view: [
        {
            apiGroups: [""],
            resources: [
                "pods",
                "pods/log",
                "pods/status",
                "services",
                "endpoints",
                "configmaps",
                "persistentvolumeclaims",
                "events",
                "namespaces",
            ],
            verbs: READ,
        },
        { apiGroups: ["apps", "batch", "networking.k8s.io", "policy", "autoscaling"], resources: ["*"], verbs: READ },
    ],
};

export interface ResolvedRole {
    rules: Rule[];
    /** Why the rules are not exactly known (treated as every right), or undefined. */
    opaque?: string;
    /** The role as found in the stack. */
    def?: RoleDef;
}

/** The rules a binding grants: the stack's role, a known built-in ClusterRole, or every right when the pack cannot see them. */
export function resolveRole(m: RbacModel, b: BindingDef): ResolvedRole {
    const ref = b.roleRef;
    if (ref.kind === "Role") {
        const def = m.roles.find((r) => r.kind === "Role" && r.namespace === b.namespace && r.name === ref.name);
        return def
            ? { rules: def.rules, def }
            : { rules: [ALL], opaque: `Role ${b.namespace}/${ref.name} is not in the stack: the pack cannot see its rules` };
    }
    if (ref.kind === "ClusterRole") {
        const def = m.roles.find((r) => r.kind === "ClusterRole" && r.name === ref.name);
        if (def?.aggregated)
            return {
                rules: [ALL],
                opaque: `ClusterRole ${ref.name} aggregates the rules of other ClusterRoles (aggregationRule), in the stack or not`,
                def,
            };
        if (def) return { rules: def.rules, def };
        const builtIn = BUILT_IN_CLUSTER_ROLES[ref.name];
        if (builtIn) return { rules: builtIn };
        return { rules: [ALL], opaque: `ClusterRole ${ref.name} is not in the stack: the pack cannot see its rules` };
    }
    return { rules: [ALL], opaque: `roleRef kind ${JSON.stringify(ref.kind)} is neither Role nor ClusterRole` };
}

// ---- which rights reach past the NetworkPolicies ---------------------------------------------

/** Subresources that reach into a pod or a node past the NetworkPolicies, whatever the verb. */
const INTO_POD = ["pods/exec", "pods/attach", "pods/portforward", "pods/proxy", "services/proxy", "nodes/proxy", "serviceaccounts/token"];
/**
 * Read of these carries data out: credentials, and a pod's output (`nodes/log` is the kubelet's
 * `/logs/`, the node's /var/log, where every container's output lands under /var/log/pods).
 */
const SENSITIVE_READS = ["secrets", "pods/log", "nodes/log"];
/**
 * Writes that change nothing a user's data could leave through: scaling, events, leases, disruption
 * budgets, autoscalers. Every other write in a TorchPod or MLab namespace can run a pod beside the data
 * (pods, workloads, custom resources that run pods), copy it (claims, snapshots), open a way
 * (NetworkPolicies, Services, the proxy's Caddyfile) or grant more (roles, bindings, webhooks).
 */
const HARMLESS_WRITES: [group: string, resource: string][] = [
    ["", "events"],
    ["events.k8s.io", "events"],
    ["coordination.k8s.io", "leases"],
    ["apps", "deployments/scale"],
    ["apps", "statefulsets/scale"],
    ["apps", "replicasets/scale"],
    ["", "replicationcontrollers/scale"],
    ["policy", "poddisruptionbudgets"],
    ["autoscaling", "horizontalpodautoscalers"],
];
const ESCALATING_VERBS = ["escalate", "bind", "impersonate"];

function resourceMatches(pattern: string, resource: string): boolean {
    if (pattern === "*" || pattern === resource) return true;
    const [pr, ps] = pattern.split("/");
    const [rr, rs] = resource.split("/");
    if (ps === undefined || rs === undefined) return false;
    return (pr === "*" || pr === rr) && (ps === "*" || ps === rs);
}

function groupMatches(groups: string[], group: string): boolean {
    return groups.includes("*") || groups.includes(group);
}

function grants(rule: Rule, group: string, resource: string, verb: string): boolean {
    return (
        groupMatches(rule.apiGroups, group) &&
        rule.resources.some((p) => resourceMatches(p, resource)) &&
        (rule.verbs.includes("*") || rule.verbs.includes(verb))
    );
}

/**
 * Non-resource URLs anyone may be granted: health, version, API discovery and the service-account
 * issuer's public keys. Everything else (`/logs/*`: the control plane host's /var/log; `/debug/pprof/*`:
 * the API server's memory; `/metrics`, `/configz`, `*`) is a dangerous right. A trailing `*` is a prefix
 * glob, as the API server reads it; resource requests (`/api/v1/namespaces/...`) never match a
 * non-resource URL, so the discovery globs reach nothing else.
 */
const HARMLESS_NON_RESOURCE_URLS = ["/.well-known/openid-configuration", "/openid/v1/jwks"];
const HARMLESS_NON_RESOURCE_PREFIXES = ["/healthz", "/livez", "/readyz", "/version", "/api", "/openapi"];

/** Whether a rule's non-resource URL entry reaches only health, version and discovery endpoints. */
export function harmlessNonResourceURL(entry: string): boolean {
    const glob = entry.endsWith("*");
    const prefix = glob ? entry.slice(0, -1) : entry;
    if (prefix.includes("*")) return false;
    if (!glob && HARMLESS_NON_RESOURCE_URLS.includes(prefix)) return true;
    return HARMLESS_NON_RESOURCE_PREFIXES.some((p) => prefix.startsWith(p));
}

/** The scale subresource of each pod-holder kind. */
const SCALE_OF: Record<string, string> = {
    Deployment: "deployments/scale",
    StatefulSet: "statefulsets/scale",
    ReplicaSet: "replicasets/scale",
    ReplicationController: "replicationcontrollers/scale",
};

/** A workload whose scale is guarded: scaling it to zero is not a harmless write. */
export interface GuardedWorkload {
    kind: string;
    namespace: string;
    name: string;
    /** Why, for messages (`the audit writer Deployment torchpod/airlock-audit: at zero replicas nothing records what enters`). */
    why: string;
}

/** Where a binding's rules apply, as far as the rights of a rule depend on it. */
export interface RightsContext {
    /** A ClusterRoleBinding: non-resource URLs apply (a RoleBinding grants none). */
    clusterWide?: boolean;
    /** Workloads within the binding's reach whose scale is no harmless write (the audit writer's). */
    guardedScale?: readonly GuardedWorkload[];
}

/** The context of a binding: cluster-wide or its namespace, and the guarded workloads there. */
export function rightsContextOf(b: BindingDef, guarded: readonly GuardedWorkload[]): RightsContext {
    const clusterWide = b.kind === "ClusterRoleBinding";
    return { clusterWide, guardedScale: guarded.filter((w) => clusterWide || w.namespace === b.namespace) };
}

/** The rights of one rule that reach past the NetworkPolicies, as `verb resource` phrases (empty: none). */
export function dangerousRights(rule: Rule, ctx: RightsContext = {}): string[] {
    const out = new Set<string>();
    if (ctx.clusterWide && rule.verbs.length > 0) {
        const urls = (rule.nonResourceURLs ?? []).filter((u) => !harmlessNonResourceURL(u));
        if (urls.length)
            out.add(
                `${rule.verbs.join(",")} ${urls.join(",")} (non-resource URLs beyond health, version and discovery: the control plane's logs, profiles and metrics)`,
            );
    }
    if (rule.resources.length === 0) return [...out];
    const groups = rule.apiGroups;
    for (const sub of INTO_POD) {
        const group = "";
        if (groupMatches(groups, group) && rule.resources.some((p) => resourceMatches(p, sub)) && rule.verbs.length > 0)
            out.add(`${rule.verbs.join(",")} ${sub}`);
    }
    for (const res of SENSITIVE_READS) for (const v of READ) if (grants(rule, "", res, v)) out.add(`${v} ${res}`);
    for (const v of rule.verbs) {
        if (ESCALATING_VERBS.includes(v) || v === "*") {
            out.add(`${v} ${rule.resources.join(",")}`);
            continue;
        }
        if (READ.includes(v)) continue;
        // A write: dangerous unless every resource it names is a harmless write in every group it names
        // (the subresources into a pod are reported above, whatever the verb).
        const resources = rule.resources.filter((res) => !INTO_POD.includes(res));
        if (resources.length === 0) continue;
        const harmless =
            !groups.includes("*") &&
            resources.every((res) => !res.includes("*") && groups.every((g) => HARMLESS_WRITES.some(([hg, hr]) => hg === g && hr === res)));
        if (!harmless) {
            out.add(
                `${v} ${resources.join(",")}${groups.length && !(groups.length === 1 && groups[0] === "") ? ` (${groups.map((g) => g || "core").join(",")})` : ""}`,
            );
            continue;
        }
        // Scaling is harmless but for a guarded workload the rule reaches (by resourceNames, or all of them).
        for (const w of ctx.guardedScale ?? []) {
            const sub = SCALE_OF[w.kind];
            if (!sub || !resources.includes(sub)) continue;
            if (rule.resourceNames && !rule.resourceNames.includes(w.name)) continue;
            out.add(`${v} ${sub} of ${w.why}`);
        }
    }
    return [...out];
}

/** The rights reaching past the NetworkPolicies that a binding grants (every right when the pack cannot see its role). */
export function bindingRights(role: ResolvedRole, ctx: RightsContext): string[] {
    return role.opaque ? [`every right (${role.opaque})`] : [...new Set(role.rules.flatMap((r) => dangerousRights(r, ctx)))];
}

/** A rule as people read it: `get,patch deployments/scale (apps) [torchpod-alice]`. */
export function ruleText(r: Rule): string {
    return `${r.verbs.join(",")} ${r.resources.join(",") || (r.nonResourceURLs ?? []).join(",")}${r.apiGroups.length ? ` (${r.apiGroups.map((g) => g || "core").join(",")})` : ""}${r.resourceNames ? ` [${r.resourceNames.join(",")}]` : ""}`;
}

/** Whether `rule` fits inside `allowed` (every group, resource and verb it names is allowed by one rule there). */
export function ruleWithin(rule: Rule, allowed: readonly Rule[]): boolean {
    if (rule.nonResourceURLs?.length) return false;
    return rule.apiGroups.every((g) =>
        rule.resources.every((res) =>
            rule.verbs.every((v) => allowed.some((a) => a.apiGroups.includes(g) && a.resources.includes(res) && a.verbs.includes(v))),
        ),
    );
}

/** `Kind name` of a subject (`ServiceAccount ns/name`). */
export function subjectText(s: Subject): string {
    return s.kind === "ServiceAccount" ? `ServiceAccount ${s.namespace}/${s.name}` : `${s.kind} ${s.name}`;
}

/** Whether a binding's subject covers a pod's service account `ns/name` (directly or through a group every token is in). */
export function subjectCoversServiceAccount(s: Subject, namespace: string, name: string): boolean {
    if (s.kind === "ServiceAccount") return s.namespace === namespace && s.name === name;
    if (s.kind === "User") return s.name === `system:serviceaccount:${namespace}:${name}`;
    if (s.kind === "Group")
        return ["system:serviceaccounts", `system:serviceaccounts:${namespace}`, "system:authenticated"].includes(s.name);
    return false;
}
