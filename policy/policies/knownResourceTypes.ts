// known-resource-types: every resource of the stack is of a type the pack understands, or reviewed.
import { StackValidationPolicy } from "@pulumi/policy";
import { Findings } from "../support/findings";
import { resolveConfig, schemaFor } from "../support/packConfig";
import { metaOf, parseKubeType, providerNamespace } from "../support/resources";
import { kindEntry, KNOWN_RESOURCE_TYPES_POLICY, PATCH_ENTRY, ResourceTypeEntry, tokenEntry } from "../support/resourceTypes";
import { kubeTypeNames, objectReviewed } from "../support/reviews";
import { isUnknown, unproxy } from "../support/unknowns";

function isPlainObject(v: unknown): v is Record<string, any> {
    return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** One Kubernetes object of a resource (List items unpacked), or why its type cannot be told. */
interface TypedObject {
    apiVersion?: string;
    kind?: string;
    patch: boolean;
    obj: any;
    path: string[];
    /** Why the object's type cannot be told (a computed kind, a List item without kind, a kind the token contradicts). */
    untold?: string;
}

/** The objects of a Kubernetes resource, keeping those whose type cannot be told (objectsOf drops them). */
function typedObjects(type: string, props: any): TypedObject[] {
    const t = parseKubeType(type)!;
    if (!isPlainObject(props)) return [{ apiVersion: t.apiVersion, kind: t.kind, patch: t.patch, obj: {}, path: [] }];
    const out: TypedObject[] = [];
    const visit = (o: any, apiVersion: string, kind: string, path: string[], fromToken: boolean) => {
        const ownKind = o.kind;
        const ownApi = o.apiVersion;
        if (isUnknown(ownKind) || isUnknown(ownApi)) {
            out.push({
                patch: t.patch,
                obj: o,
                path,
                untold: `its ${isUnknown(ownKind) ? "kind" : "apiVersion"} is computed (unknown until deployed)`,
            });
            return;
        }
        // A typed resource's kind comes from its token; an object that says otherwise is refused, not guessed.
        if (fromToken && !t.patch && typeof ownKind === "string" && ownKind !== kind && !(kind === "List" || kind.endsWith("List"))) {
            out.push({ patch: t.patch, obj: o, path, untold: `it says kind ${ownKind} but its type is ${type}` });
            return;
        }
        if (fromToken && typeof ownApi === "string" && ownApi !== apiVersion && !t.patch) {
            out.push({ patch: t.patch, obj: o, path, untold: `it says apiVersion ${ownApi} but its type is ${type}` });
            return;
        }
        const k = typeof ownKind === "string" && ownKind !== "" ? ownKind : kind;
        const av = typeof ownApi === "string" && ownApi !== "" ? ownApi : apiVersion;
        if (k.endsWith("List") && !t.patch) {
            if (isUnknown(o.items)) {
                out.push({ patch: false, obj: o, path, untold: "its items are computed (unknown until deployed)" });
                return;
            }
            if (Array.isArray(o.items)) {
                const itemKind = k === "List" ? undefined : k.slice(0, -"List".length);
                o.items.forEach((it: unknown, i: number) => {
                    const p = [...path, "items", String(i)];
                    if (!isPlainObject(it)) {
                        out.push({ patch: false, obj: it, path: p, untold: "a List item that is not an object" });
                        return;
                    }
                    const ik = it.kind ?? itemKind;
                    if (ik === undefined || ik === "") {
                        out.push({ patch: false, obj: it, path: p, untold: "a List item without a kind" });
                        return;
                    }
                    if (!isUnknown(ik) && typeof ik !== "string") {
                        out.push({ patch: false, obj: it, path: p, untold: "a List item whose kind is not a string" });
                        return;
                    }
                    visit(it, typeof it.apiVersion === "string" ? it.apiVersion : av, isUnknown(ik) ? "" : (ik as string), p, false);
                });
                return;
            }
        }
        out.push({ apiVersion: av, kind: k, patch: t.patch, obj: o, path });
    };
    visit(props, t.apiVersion, t.kind, [], true);
    return out;
}

/** The provider inputs that decide which cluster (or none) a Kubernetes provider's objects reach. */
const TARGET_FIELDS = ["kubeconfig", "context", "cluster", "renderYamlToDirectory"] as const;

interface ProviderTarget {
    what: string;
    urn: string;
    /** The target fields set, as written (a key for comparison), or undefined when one cannot be compared. */
    key?: string;
    shown: string;
    unknowns: { sentinel: string; path: string[] }[];
}

/**
 * The Kubernetes providers of the stack (declared, or named as a resource's provider) and where each
 * sends its objects. The pack judges every Kubernetes object as part of one cluster: a NetworkPolicy
 * sent to another cluster, or only written to a directory, isolates nothing here.
 */
function kubernetesProviderTargets(resources: readonly { type: string; name: string; urn: string; props: any; provider?: any }[]) {
    const byUrn = new Map<string, ProviderTarget>();
    const add = (urn: string, name: string, rawProps: unknown) => {
        if (byUrn.has(urn)) return;
        const props = unproxy(rawProps);
        const keys: string[] = [];
        const shown: string[] = [];
        const unknowns: { sentinel: string; path: string[] }[] = [];
        let comparable = true;
        for (const k of TARGET_FIELDS) {
            const v = isPlainObject(props) ? props[k] : undefined;
            if (v === undefined || v === null || v === "") continue;
            if (isUnknown(v)) unknowns.push({ sentinel: v as string, path: [k] });
            // A redacted or structured value cannot be shown to be the same as another's.
            else if (typeof v !== "string" || v === "[secret]") comparable = false;
            keys.push(`${k}=${JSON.stringify(v)}`);
            // A kubeconfig may hold credentials: say that it is set, never what it says.
            shown.push(k === "kubeconfig" || typeof v !== "string" ? `${k} set` : `${k} ${JSON.stringify(v)}`);
        }
        byUrn.set(urn, {
            what: `pulumi:providers:kubernetes ${name}`,
            urn,
            ...(comparable ? { key: keys.join("\n") } : {}),
            shown: shown.length ? shown.join(", ") : "the ambient kubeconfig",
            unknowns,
        });
    };
    for (const r of resources) {
        if (r.type === "pulumi:providers:kubernetes") add(r.urn, r.name, r.props);
        const p = r.provider;
        if (p && typeof p === "object" && p.type === "pulumi:providers:kubernetes" && typeof p.urn === "string" && p.urn !== "")
            add(p.urn, typeof p.name === "string" ? p.name : p.urn, p.props);
    }
    return [...byUrn.values()];
}

/**
 * The known-resource-types policy. `packPolicies` lists the names of the pack's policies (read when the
 * policy runs): a table entry whose judging policy is missing is refused like an unknown type.
 */
export function knownResourceTypesPolicy(packPolicies: () => readonly string[]): StackValidationPolicy {
    return {
        name: KNOWN_RESOURCE_TYPES_POLICY,
        description:
            "Every resource of the stack, from any provider, is of a type in the pack's table of resource types (pod holders, network and exposure objects, RBAC, storage, admission, telemetry, " +
            "harmless types, components, Pulumi's own), judged by the policies the table names; any other type is refused: the pack cannot see what it does. Review a type once in `reviewedResourceTypes`; " +
            "objects whose effect depends on their content (Helm v3 Releases, commands, GitOps applications, node classes, CustomResourceDefinitions) only one by one in `reviewedOpaqueResources`.",
        enforcementLevel: "mandatory",
        severity: "critical",
        configSchema: schemaFor(["reviewedResourceTypes", "reviewedOpaqueResources"]),
        remediationSteps:
            "Express the change with types the pack judges (a Helm v4 Chart or yaml/v2 ConfigGroup instead of a Helm v3 Release or a command), or review the type and list it in `reviewedResourceTypes`.",
        validateStack: (args, report) => {
            const cfg = resolveConfig(args.getConfig<Record<string, unknown>>());
            const f = new Findings(report);
            const present = new Set(packPolicies());
            const judgedHere = (e: ResourceTypeEntry) => e.judgedBy.filter((p) => p !== KNOWN_RESOURCE_TYPES_POLICY);
            // Judged when at least one policy the table names is in the pack (a type several policies read
            // keeps the judgement of those present); none present: nothing judges it.
            const reportMissing = (what: string, e: ResourceTypeEntry, urn: string) => {
                const judges = judgedHere(e);
                if (judges.length === 0 || judges.some((p) => present.has(p))) return;
                f.violation(
                    `${what}: the table of resource types says ${e.type} is judged by ${judges.join(", ")}, which ${judges.length > 1 ? "are" : "is"} not part of this pack: nothing judges it (no switch: add the policy)`,
                    urn,
                );
            };
            // Namespaces the stack declares: data objects elsewhere may be what the cluster's own parts read.
            const declaredNamespaces = new Set<string>();
            for (const r of args.resources) {
                if (!parseKubeType(r.type)) continue;
                for (const o of typedObjects(r.type, unproxy(r.props)))
                    if (o.kind === "Namespace" && o.apiVersion === "v1" && typeof o.obj?.metadata?.name === "string")
                        declaredNamespaces.add(o.obj.metadata.name);
            }
            for (const r of args.resources) {
                const props = unproxy(r.props);
                const exact = tokenEntry(r.type);
                if (exact) {
                    const what = `${r.type} ${r.name}`;
                    if (exact.category === "opaque") {
                        // Kubernetes opaque kinds (CRDs, GitOps applications) are matched below by group/Kind.
                        if (!objectReviewed(cfg.reviewedOpaqueResources, [r.type], r.name))
                            f.violation(
                                `${what}: the pack cannot see what it does (${exact.why}). Allow this one object after review: config reviewedOpaqueResources: ["${r.type} ${r.name}"] (reviewedResourceTypes does not cover it: what one object does says nothing of another)`,
                                r.urn,
                            );
                        continue;
                    }
                    if (r.type === "pulumi:providers:kubernetes") {
                        const ns = isPlainObject(props) ? props.namespace : undefined;
                        if (isUnknown(ns)) f.unknown([{ sentinel: ns, path: ["namespace"] }]);
                        else if (ns !== undefined && ns !== null && typeof ns !== "string")
                            f.violation(
                                `${what}: its default namespace is ${JSON.stringify(ns)}, not a name: the pack cannot place the objects it creates (no switch)`,
                                r.urn,
                            );
                    }
                    reportMissing(what, exact, r.urn);
                    continue;
                }
                const kt = parseKubeType(r.type);
                if (!kt) {
                    if (cfg.reviewedResourceTypes.includes(r.type)) continue;
                    f.violation(
                        `${r.type} ${r.name}: the pack cannot see what it does: ${r.type} is not in its table of resource types (provider ${r.type.split(":")[0] || "(none)"}). ` +
                            `Allow it after review, once per type: config reviewedResourceTypes: [${r.type}]`,
                        r.urn,
                    );
                    continue;
                }
                const id = { name: r.name, defaultNamespace: providerNamespace(r.provider) };
                for (const o of typedObjects(r.type, props)) {
                    const at = o.path.length ? ` (${o.path.join(".")})` : "";
                    if (o.untold !== undefined || !o.kind || !o.apiVersion) {
                        f.violation(
                            `${r.type} ${r.name}${at}: the pack cannot tell what this object is: ${o.untold ?? "no kind"}; an object it cannot name is refused (no switch: give it a literal apiVersion and kind)`,
                            r.urn,
                        );
                        continue;
                    }
                    const entry = o.patch ? PATCH_ENTRY : kindEntry(o.apiVersion, o.kind);
                    const m = metaOf({ kind: o.kind, apiVersion: o.apiVersion, obj: o.obj, path: o.path, patch: o.patch }, id);
                    const names = kubeTypeNames(o.apiVersion, o.kind, o.patch);
                    const what = `${o.kind}${o.patch ? "Patch" : ""} ${entry?.clusterScoped ? m.name : `${m.namespace}/${m.name}`} (${o.apiVersion})`;
                    if (entry?.category === "opaque") {
                        const name = entry.clusterScoped ? m.name : `${m.namespace}/${m.name}`;
                        if (!objectReviewed(cfg.reviewedOpaqueResources, names, name))
                            f.violation(
                                `${what}: the pack cannot see what it does (${entry.why}). Allow this one object after review: config reviewedOpaqueResources: ["${names[0]} ${name}"] (reviewedResourceTypes does not cover it: what one object does says nothing of another)`,
                                r.urn,
                            );
                        continue;
                    }
                    if (
                        entry &&
                        (entry.type === "core/ConfigMap" || entry.type === "core/Secret") &&
                        !declaredNamespaces.has(m.namespace)
                    ) {
                        // Data is harmless only as data of the stack's own pods: in a namespace the stack does not
                        // declare it may be a cluster component's configuration (the network plugin's policy switch in
                        // kube-system, kube-proxy's, CoreDNS's) or a credential (a bootstrap token joins a node).
                        const name = `${m.namespace}/${m.name}`;
                        if (!objectReviewed(cfg.reviewedOpaqueResources, names, name))
                            f.violation(
                                `${what}: a ${o.kind} in namespace ${m.namespace}, which the stack does not declare: it may be what a part of the cluster the pack cannot see reads (a network plugin's or kube-proxy's configuration, a bootstrap token), turning NetworkPolicy enforcement off or letting a node in. ` +
                                    `Declare its namespace in the stack, or allow this one object after review: config reviewedOpaqueResources: ["${names[0]} ${name}"]`,
                                r.urn,
                            );
                        continue;
                    }
                    if (entry) {
                        reportMissing(what, entry, r.urn);
                        continue;
                    }
                    if (names.some((n) => cfg.reviewedResourceTypes.includes(n))) continue;
                    f.violation(
                        `${what}: the pack cannot see what it does: ${o.apiVersion}/${o.kind} is not in its table of resource types (a custom resource, or a kind it does not model). ` +
                            `Allow it after review, once per type (pods it embeds are still judged): config reviewedResourceTypes: [${names[0]}]`,
                        r.urn,
                    );
                }
            }
            // Every Kubernetes object is judged as part of one cluster, so every Kubernetes provider must
            // provably send its objects to the same place.
            const targets = kubernetesProviderTargets(args.resources as never);
            if (targets.length > 1) {
                const unknowns = targets.flatMap((t) => t.unknowns);
                if (unknowns.length) f.unknown(unknowns);
                else if (targets.some((t) => t.key === undefined) || new Set(targets.map((t) => t.key)).size > 1)
                    f.violation(
                        `the stack's Kubernetes providers do not provably reach one cluster: ${targets.map((t) => `${t.what} (${t.shown})`).join("; ")}. ` +
                            "The pack judges every object as part of one cluster; a NetworkPolicy sent to another cluster (or only written to a directory) isolates nothing where the TorchPods run " +
                            "(no switch: give every Kubernetes provider the same kubeconfig, context, cluster and renderYamlToDirectory, as literal values, or split the clusters into stacks of their own)",
                        targets[0].urn,
                    );
            }
            f.finish();
        },
    };
}
