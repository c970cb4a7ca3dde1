// out/<stack>/pulumi-resources.json: the resources of a rendered stack that are not Kubernetes
// manifests (components, providers, other providers' resources) and the components render could not
// see into. render writes it; policy-check reads it, so both judge the same stack.
import * as fs from "fs";
import { PULUMI_RESOURCES_FILE } from "@torchpod/netpol";
import { formatUnexpanded, RecordedResource, UnexpandedComponent } from "../offline/recorded";
import { PackResource } from "./runner";

export { PULUMI_RESOURCES_FILE };

/** What a secret value is written as. */
export const REDACTED = "[secret]";
const FORMAT = "torchpod/pulumi-resources@1";

export interface PulumiResourcesFile {
    readonly format: typeof FORMAT;
    readonly stack: string;
    readonly resources: readonly { type: string; name: string; urn: string; parent?: string; custom: boolean; props: unknown }[];
    readonly unexpanded: readonly UnexpandedComponent[];
}

function redacted(value: unknown, paths: readonly (readonly string[])[]): unknown {
    if (paths.length === 0) return value;
    const copy = JSON.parse(JSON.stringify(value ?? {}));
    for (const p of paths) {
        if (p.length === 0) return REDACTED;
        let at = copy;
        for (const k of p.slice(0, -1)) at = at?.[k];
        if (at && typeof at === "object" && p[p.length - 1] in at) at[p[p.length - 1]] = REDACTED;
    }
    return copy;
}

/** The file's content for a rendered stack: `resources` are those not written as manifests; secrets redacted. */
export function pulumiResourcesFile(
    stack: string,
    resources: readonly RecordedResource[],
    unexpanded: readonly UnexpandedComponent[],
): PulumiResourcesFile {
    return {
        format: FORMAT,
        stack,
        resources: resources.map((r) => ({
            type: r.type,
            name: r.name,
            urn: r.urn,
            ...(r.parent ? { parent: r.parent } : {}),
            custom: r.custom,
            props: redacted(r.inputs, r.secretPaths),
        })),
        unexpanded,
    };
}

export class PulumiResourcesError extends Error {}

/** Reads and checks the file; every problem names the file, the field and what was expected. */
export function readPulumiResources(file: string): { resources: PackResource[]; unexpanded: UnexpandedComponent[] } {
    let raw: any;
    try {
        raw = JSON.parse(fs.readFileSync(file, "utf8"));
    } catch (e: any) {
        throw new PulumiResourcesError(`${file}: cannot read ${PULUMI_RESOURCES_FILE} (${e?.code ?? e?.message ?? e})`);
    }
    const bad = (field: string, got: unknown, expected: string) =>
        new PulumiResourcesError(`${file}: ${field}: got ${JSON.stringify(got)}, expected ${expected}`);
    if (!raw || typeof raw !== "object" || raw.format !== FORMAT)
        throw bad("format", raw?.format, `"${FORMAT}" (written by npm run render)`);
    if (!Array.isArray(raw.resources)) throw bad("resources", raw.resources, "a list of resources");
    if (!Array.isArray(raw.unexpanded)) throw bad("unexpanded", raw.unexpanded, "a list of components");
    const resources = raw.resources.map((r: any, i: number): PackResource => {
        for (const k of ["type", "name", "urn"])
            if (typeof r?.[k] !== "string" || r[k] === "") throw bad(`resources[${i}].${k}`, r?.[k], "a non-empty string");
        return {
            type: r.type,
            name: r.name,
            urn: r.urn,
            props: r.props && typeof r.props === "object" ? r.props : {},
            ...(typeof r.parent === "string" ? { parent: r.parent } : {}),
        };
    });
    const unexpanded = raw.unexpanded.map((u: any, i: number): UnexpandedComponent => {
        if (typeof u?.type !== "string" || typeof u?.why !== "string") throw bad(`unexpanded[${i}]`, u, "{type, why[, name, urn]}");
        return {
            type: u.type,
            why: u.why,
            ...(typeof u.name === "string" ? { name: u.name } : {}),
            ...(typeof u.urn === "string" ? { urn: u.urn } : {}),
        };
    });
    return { resources, unexpanded };
}

/** The lines render and policy-check print when they could not see into components: never a pass. */
export function unexpandedReport(unexpanded: readonly UnexpandedComponent[], packConfigFile?: string): string[] {
    return [
        `could not see into ${unexpanded.length} component${unexpanded.length === 1 ? "" : "s"}; the pack did not judge what they create, so this is not a pass:`,
        ...unexpanded.map((u) => `  ${formatUnexpanded(u)}`),
        `  Judge the stack where the engine expands them: pulumi preview --policy-pack policy${packConfigFile ? ` --policy-pack-config ${packConfigFile}` : ""}`,
    ];
}
