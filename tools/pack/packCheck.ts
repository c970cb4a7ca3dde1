// The policy pack judging a program as it runs, the way the engine does: each registered resource
// (of any provider, components included: the pack refuses what it cannot judge) is analyzed as soon
// as it is registered, and the whole stack at the end. The pack starts while the
// program is still being evaluated, so on two cores its work overlaps the program's.
import { RecordedResource } from "../offline/recorded";
import { PackResource, PackRun, PackSession, PolicyPackConfig, StartOptions } from "./runner";

export function toPackResource(r: RecordedResource): PackResource {
    return { type: r.type, name: r.name, urn: r.urn, props: r.inputs, parent: r.parent, dependencies: [...r.dependencies] };
}

export interface StreamingPackCheck {
    /** Pass to runProgram's `onResource`. */
    readonly onResource: (r: RecordedResource) => void;
    /** Waits for every Analyze, runs AnalyzeStack over every resource of the stack, stops the pack. */
    finish(resources: readonly RecordedResource[]): Promise<PackRun>;
    /** Stops the pack without judging (the program failed). */
    close(): Promise<void>;
}

/** Policy config (as `--policy-pack-config`), e.g. from `packConfigFor(stackConfig)`. */
export function startPackCheck(config: PolicyPackConfig = {}, start: StartOptions = {}): StreamingPackCheck {
    const session = PackSession.open({ ...start, config });
    session.catch(() => undefined); // surfaced by finish()
    return {
        onResource: (r) => {
            void session.then(
                (s) => s.analyze(toPackResource(r)),
                () => undefined,
            );
        },
        finish: async (resources) => (await session).finish(resources.map(toPackResource)),
        close: async () => (await session.catch(() => undefined))?.close(),
    };
}
