// Loading manifests from files and folders (multi-document YAML, JSON, kubectl Lists).
// Shared by the netpol and policy-check CLIs: every failure names the file and the reason.
import * as fs from "fs";
import * as path from "path";
import * as yaml from "js-yaml";
import { flattenLists } from "./lists";
import { K8sObject } from "./types";

export class ManifestError extends Error {
    constructor(
        readonly file: string,
        readonly reason: string,
    ) {
        super(`${file}: ${reason}`);
        this.name = "ManifestError";
    }
}

const MANIFEST_EXT = /\.(ya?ml|json)$/i;
/**
 * The policy pack's config that render writes beside the manifests (out/<stack>/policy-config.json):
 * not a manifest, so a folder walk skips it (naming the file itself still reads it as one).
 */
export const POLICY_CONFIG_FILE = "policy-config.json";
/**
 * The stack's resources that are not Kubernetes manifests (components, other providers' resources),
 * which render writes beside the manifests (out/<stack>/pulumi-resources.json) so that policy-check
 * judges what render judged: not a manifest either.
 */
export const PULUMI_RESOURCES_FILE = "pulumi-resources.json";
const sources = new WeakMap<object, string>();

/** The file an object was loaded from (undefined for objects built in memory). */
export function sourceOf(o: object): string | undefined {
    return sources.get(o);
}

function filesUnder(dir: string): string[] {
    const out: string[] = [];
    const entries = fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
        const p = path.join(dir, e.name);
        if (e.isDirectory()) out.push(...filesUnder(p));
        else if (e.isFile() && MANIFEST_EXT.test(e.name) && e.name !== POLICY_CONFIG_FILE && e.name !== PULUMI_RESOURCES_FILE) out.push(p);
    }
    return out;
}

function parseFile(file: string): K8sObject[] {
    let text: string;
    try {
        text = fs.readFileSync(file, "utf8");
    } catch (e: any) {
        throw new ManifestError(file, `cannot read file (${e?.code ?? e?.message ?? e})`);
    }
    let docs: unknown[];
    try {
        if (/\.json$/i.test(file)) docs = [JSON.parse(text)];
        else docs = yaml.loadAll(text, undefined, { filename: file });
    } catch (e: any) {
        if (e instanceof yaml.YAMLException) {
            const where = e.mark ? ` at line ${e.mark.line + 1}, column ${e.mark.column + 1}` : "";
            throw new ManifestError(file, `invalid YAML${where}: ${e.reason}`);
        }
        throw new ManifestError(file, `invalid JSON: ${e?.message ?? e}`);
    }
    const out: K8sObject[] = [];
    docs.forEach((d, i) => {
        if (d === null || d === undefined) return; // empty document between `---`
        const items = Array.isArray(d) ? d : [d]; // a JSON array of objects is accepted too
        for (const item of items) {
            if (item === null || typeof item !== "object" || Array.isArray(item)) {
                throw new ManifestError(file, `document ${i + 1} is not a Kubernetes object (expected a mapping with apiVersion and kind)`);
            }
            out.push(item as K8sObject);
        }
    });
    const flat = flattenLists(out);
    for (const o of flat) sources.set(o, file);
    return flat;
}

/**
 * Reads manifest files and folders (recursively: *.yaml, *.yml, *.json, in name order) and
 * returns their objects with Lists unpacked. Throws ManifestError on a missing path or bad YAML.
 */
export function loadManifests(paths: string[]): K8sObject[] {
    const out: K8sObject[] = [];
    for (const p of paths) {
        let st: fs.Stats;
        try {
            st = fs.statSync(p);
        } catch {
            throw new ManifestError(p, "no such file or directory");
        }
        const files = st.isDirectory() ? filesUnder(p) : [p];
        for (const f of files) out.push(...parseFile(f));
    }
    return out;
}
