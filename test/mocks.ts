// The one mocks helper the specs share: runs the real program (or a piece of it) under the offline
// engine and answers questions about what it registered.
import * as path from "path";
import { ProgramRun, RecordedResource, readStackConfigFile, runProgram } from "../tools/offline/engine";
import { PLATFORM_DEFAULTS } from "../components/common/defaults";
import { ClusterConfig } from "../components/common/settings";

export { ProgramRun, RecordedResource, resolveOutput } from "../tools/offline/engine";

export const repoRoot = path.resolve(__dirname, "..");

/** The cluster facts of a stack that sets none (kubeadm's ranges), for specs that build one component. */
export const DEFAULT_CLUSTER: ClusterConfig = { ...PLATFORM_DEFAULTS.cluster, dualStack: false };

/** The dev stack's raw config, as the Pulumi CLI would pass it. */
export function devStackConfig(): Record<string, string> {
    return readStackConfigFile(path.join(repoRoot, "Pulumi.dev.yaml"));
}

/** Raw config from plain values: objects are JSON-encoded, keys get the `torchpod:` namespace. */
export function rawConfig(values: Record<string, unknown>): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(values)) {
        out[k.includes(":") ? k : `torchpod:${k}`] = typeof v === "string" ? v : JSON.stringify(v);
    }
    return out;
}

/** Runs index.ts afresh (as `pulumi up` would) with the given raw config. */
export function runIndex(config: Record<string, string>, stack = "dev"): Promise<ProgramRun> {
    const entry = require.resolve(path.join(repoRoot, "index.ts"));
    return runProgram(
        () => {
            delete require.cache[entry];
            return require(entry);
        },
        { stack, config },
    );
}

/** Runs an arbitrary piece of program (e.g. one component) under the offline engine. */
export function runPiece(program: () => unknown, config: Record<string, string> = {}, stack = "test"): Promise<ProgramRun> {
    return runProgram(program, { stack, config });
}

export function ofType(run: ProgramRun, type: string): RecordedResource[] {
    return run.resources.filter((r) => r.type === type);
}

/** The Kubernetes object a resource registered, as its inputs. */
export function k8s(run: ProgramRun, type: string, name: string): any {
    const found = run.resources.filter((r) => r.type === type && (r.inputs?.metadata?.name === name || r.name === name));
    if (found.length !== 1) {
        throw new Error(
            `expected one ${type} named ${name}, found ${found.length}: ${run.resources
                .filter((r) => r.type === type)
                .map((r) => r.inputs?.metadata?.name ?? r.name)
                .join(", ")}`,
        );
    }
    return found[0].inputs;
}

/** Every pod spec of every pod-owning workload registered. */
export function podSpecs(run: ProgramRun): { resource: RecordedResource; spec: any; labels: Record<string, string> }[] {
    const out: { resource: RecordedResource; spec: any; labels: Record<string, string> }[] = [];
    for (const r of run.resources) {
        const i = r.inputs ?? {};
        const template =
            r.type === "kubernetes:core/v1:Pod"
                ? i
                : r.type === "kubernetes:batch/v1:CronJob"
                  ? i.spec?.jobTemplate?.spec?.template
                  : i.spec?.template;
        if (template?.spec?.containers) out.push({ resource: r, spec: template.spec, labels: template.metadata?.labels ?? {} });
    }
    return out;
}
