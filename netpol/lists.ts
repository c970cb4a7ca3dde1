// kubectl writes `kind: List` (and typed lists such as PodList) with the objects under `items`.
import { K8sObject } from "./types";

export function isListObject(o: K8sObject): boolean {
    return typeof o.kind === "string" && o.kind.endsWith("List") && Array.isArray(o.items);
}

/** Unpacks List objects recursively; items of a typed list (`PodList`) without a kind get it. */
export function flattenLists(objects: K8sObject[]): K8sObject[] {
    const out: K8sObject[] = [];
    const visit = (o: K8sObject) => {
        if (!isListObject(o)) {
            out.push(o);
            return;
        }
        const itemKind = o.kind !== "List" ? o.kind!.slice(0, -"List".length) : undefined;
        for (const item of o.items as unknown[]) {
            if (item === null || typeof item !== "object" || Array.isArray(item)) continue;
            const it = item as K8sObject;
            visit(it.kind === undefined && itemKind ? { ...it, kind: itemKind, apiVersion: it.apiVersion ?? o.apiVersion } : it);
        }
    };
    objects.forEach(visit);
    return out;
}
