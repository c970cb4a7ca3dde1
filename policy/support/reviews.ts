// A reviewer's decisions in the pack config: which types and which objects were reviewed, in what
// form an entry names them, and which entries can never be admitted.
import { kindEntry, tokenEntry } from "./resourceTypes";

/** A Pulumi type token: `package:module:Type`. */
const TOKEN = /^[A-Za-z][A-Za-z0-9_.-]*:[^\s:]+:[A-Za-z0-9_]+$/;
/** A Kubernetes `apiVersion/Kind`: `v1/Kind` or `group/version/Kind`. */
const API_KIND = /^(?:[a-z0-9]([a-z0-9.-]*[a-z0-9])?\/)?v[0-9]+[a-z0-9]*\/[A-Za-z][A-Za-z0-9]*$/;

/** Whether `s` names one resource type (no wildcard). */
export function isTypeName(s: string): boolean {
    return TOKEN.test(s) || API_KIND.test(s);
}

/** The names a reviewer may use for a Kubernetes object's type: `apiVersion/Kind` and its type token. */
export function kubeTypeNames(apiVersion: string, kind: string, patch = false): string[] {
    const slash = apiVersion.indexOf("/");
    const group = slash < 0 ? "core" : apiVersion.slice(0, slash);
    const version = slash < 0 ? apiVersion : apiVersion.slice(slash + 1);
    const k = patch ? `${kind}Patch` : kind;
    return [`${apiVersion}/${k}`, `kubernetes:${group}/${version}:${k}`];
}

/** Whether one of `typeNames` with `name` is listed (`TYPE NAME`). */
export function objectReviewed(list: readonly string[], typeNames: readonly string[], name: string): boolean {
    return typeNames.some((t) => list.includes(`${t} ${name}`));
}

const NEVER_ADMIN =
    /^(User:system:anonymous|Group:system:unauthenticated|Group:system:authenticated|Group:system:serviceaccounts(:.*)?|User:system:serviceaccount:.*|ServiceAccount:.*)$/;

/** Problems of the review switches in a resolved config (`key[i]: ...`), empty when sound. */
export function reviewProblems(c: Record<string, unknown>): string[] {
    const out: string[] = [];
    const each = (key: string, check: (s: string) => string | undefined) => {
        const v = c[key];
        // The form (a list of strings) is the schema's to check; this checks what each string says.
        if (!Array.isArray(v)) return;
        v.forEach((x, i) => {
            const p = typeof x === "string" ? check(x) : undefined;
            if (p) out.push(`${key}[${i}]: got ${JSON.stringify(x)}, ${p}`);
        });
    };
    each("reviewedResourceTypes", (s) => {
        if (!isTypeName(s))
            return "expected a Pulumi type token (package:module:Type) or a Kubernetes apiVersion/Kind (group/version/Kind), one type, no wildcard";
        const narrower = narrowerSwitch(s);
        return narrower ? `expected a type without a narrower switch: review this one with ${narrower}` : undefined;
    });
    for (const key of ["reviewedOpaqueResources", "reviewedMutations", "reviewedTelemetry", "reviewedHostPaths"])
        each(key, (s) => {
            const parts = s.split(" ");
            return parts.length === 2 && isTypeName(parts[0]) && /^[^\s/]+(\/[^\s/]+)?$/.test(parts[1])
                ? undefined
                : "expected `TYPE NAME`: a type token or apiVersion/Kind, one space, then namespace/name (cluster-scoped or not Kubernetes: name)";
        });
    each("reviewedAdminSubjects", (s) => {
        if (!/^(User|Group):\S+$/.test(s)) return "expected User:<name> or Group:<name>";
        return NEVER_ADMIN.test(s)
            ? "expected a person or a group of people: anonymous users, every authenticated user and service accounts are never admin subjects"
            : undefined;
    });
    return out;
}

/** The narrower switch of a type that names one in the table (undefined: reviewedResourceTypes applies). */
export function narrowerSwitch(typeName: string): string | undefined {
    if (TOKEN.test(typeName)) {
        const e = tokenEntry(typeName);
        if (e) return e.reviewSwitch ?? `nothing: ${typeName} is already known (${e.category})`;
        const m = /^kubernetes:([^/:]+)\/([^/:]+):([A-Za-z0-9]+)$/.exec(typeName);
        if (!m) return undefined;
        const [, group, version, kind] = m;
        return kubeNarrower(group === "core" ? version : `${group}/${version}`, kind);
    }
    const slash = typeName.lastIndexOf("/");
    return kubeNarrower(typeName.slice(0, slash), typeName.slice(slash + 1));
}

function kubeNarrower(apiVersion: string, kind: string): string | undefined {
    if (kind.endsWith("Patch") && kind !== "Patch") return "reviewedMutations";
    const e = kindEntry(apiVersion, kind);
    if (!e) return undefined;
    return e.reviewSwitch ?? `nothing: ${apiVersion}/${kind} is already known (${e.category})`;
}
