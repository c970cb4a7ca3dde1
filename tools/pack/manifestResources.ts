// Kubernetes manifests as the resources Pulumi would show the pack.
import * as fs from "fs";
import * as yaml from "js-yaml";
import { K8sObject, ManifestError, sourceOf } from "@torchpod/netpol";
import { typeTokenOf } from "../../policy/support/resources";
import { PackResource } from "./runner";

/** Kinds that live outside namespaces (their URN carries just the name). */
const CLUSTER_SCOPED = new Set([
    "Namespace",
    "Node",
    "PersistentVolume",
    "StorageClass",
    "ClusterRole",
    "ClusterRoleBinding",
    "CustomResourceDefinition",
    "PriorityClass",
    "RuntimeClass",
    "IngressClass",
    "ValidatingWebhookConfiguration",
    "MutatingWebhookConfiguration",
    "ValidatingAdmissionPolicy",
    "ValidatingAdmissionPolicyBinding",
    "APIService",
    "CSIDriver",
    "VolumeAttachment",
    "GlobalNetworkPolicy",
]);

export const POLICY_CHECK_STACK = "policy-check";
export const POLICY_CHECK_PROJECT = "manifests";

/**
 * One resource per object: type `kubernetes:<group>/<version>:<Kind>` (core group → `core`),
 * props = the object, urn `urn:pulumi:policy-check::manifests::<type>::<ns>/<name>`.
 * Throws ManifestError (naming the file) for an object without apiVersion, kind or name.
 */
export function manifestsToResources(objects: K8sObject[]): PackResource[] {
    const out: PackResource[] = [];
    const seen = new Map<string, number>();
    objects.forEach((o, i) => {
        const where = sourceOf(o) ?? `object ${i + 1}`;
        if (typeof o.apiVersion !== "string" || o.apiVersion === "")
            throw new ManifestError(where, `an object${o.kind ? ` of kind ${o.kind}` : ""} has no apiVersion`);
        if (typeof o.kind !== "string" || o.kind === "")
            throw new ManifestError(where, `an object of apiVersion ${o.apiVersion} has no kind`);
        const name = o.metadata?.name;
        if (typeof name !== "string" || name === "") throw new ManifestError(where, `a ${o.kind} has no metadata.name`);
        const type = typeTokenOf(o.apiVersion, o.kind);
        const id = CLUSTER_SCOPED.has(o.kind) ? name : `${o.metadata?.namespace || "default"}/${name}`;
        let urn = `urn:pulumi:${POLICY_CHECK_STACK}::${POLICY_CHECK_PROJECT}::${type}::${id}`;
        const n = (seen.get(urn) ?? 0) + 1;
        seen.set(urn, n);
        if (n > 1) urn = `${urn}#${n}`;
        out.push({ type, name: id, urn, props: o as Record<string, unknown> });
    });
    return out;
}

export interface ObjectLocation {
    file: string;
    /** 1-based line of the object's `kind:` (an item of a List: the line of its name). */
    line: number;
}

/** The lines of a YAML file's objects, in the order the loader returns them (List items in place of their List). */
function linesOfYaml(text: string): number[] {
    const lines = text.split(/\r?\n/);
    const out: number[] = [];
    let start = 0;
    const flush = (end: number) => {
        const chunk = lines.slice(start, end);
        const body = chunk.join("\n");
        let doc: any;
        try {
            doc = yaml.load(body);
        } catch {
            return;
        }
        if (doc === null || doc === undefined || typeof doc !== "object") return;
        const kindAt = chunk.findIndex((l) => /^kind:/.test(l));
        const docLine =
            start +
            (kindAt >= 0
                ? kindAt
                : Math.max(
                      0,
                      chunk.findIndex((l) => l.trim() !== "" && !l.trim().startsWith("#")),
                  )) +
            1;
        const items = typeof doc.kind === "string" && doc.kind.endsWith("List") && Array.isArray(doc.items) ? doc.items : undefined;
        if (!items) {
            out.push(docLine);
            return;
        }
        let from = 0;
        for (const it of items) {
            const name = it?.metadata?.name;
            const at =
                typeof name === "string"
                    ? chunk.findIndex(
                          (l, i) =>
                              i >= from &&
                              new RegExp(`^\\s*name:\\s*["']?${name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}["']?\\s*$`).test(l),
                      )
                    : -1;
            if (at >= 0) from = at + 1;
            out.push(at >= 0 ? start + at + 1 : docLine);
        }
    };
    lines.forEach((l, i) => {
        if (/^---(\s|$)/.test(l)) {
            flush(i);
            start = i + 1;
        }
    });
    flush(lines.length);
    return out;
}

/** Where each loaded object sits (file and line), for SARIF and messages. Objects built in memory are left out. */
export function objectLocations(objects: K8sObject[]): Map<object, ObjectLocation> {
    const out = new Map<object, ObjectLocation>();
    const byFile = new Map<string, K8sObject[]>();
    for (const o of objects) {
        const f = sourceOf(o);
        if (f) byFile.set(f, [...(byFile.get(f) ?? []), o]);
    }
    for (const [file, objs] of byFile) {
        let lines: number[] = [];
        try {
            lines = /\.json$/i.test(file) ? [] : linesOfYaml(fs.readFileSync(file, "utf8"));
        } catch {
            lines = [];
        }
        objs.forEach((o, i) => out.set(o, { file, line: lines.length === objs.length ? lines[i] : 1 }));
    }
    return out;
}
