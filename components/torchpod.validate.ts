// TorchPod's rules on its arguments, as a pure check (no Pulumi): the stack config calls it for every
// user before any resource exists, and TorchPod refuses what it reports.
import { ArgProblem } from "./common/argProblems";
import { extendedResourceProblem } from "./common/extendedResources";
import { DesktopArgsChecked, validateDesktopArgs } from "./desktop/validate";

/** The arguments the check reads, resolved (the TorchPod component applies its defaults first). */
export interface TorchPodArgsChecked extends DesktopArgsChecked {
    readonly gpus: number;
    /** The extended resource `gpus` counts. @default PLATFORM_DEFAULTS.gpu.resourceName */
    readonly gpuResource?: string;
}

/** Every problem of one TorchPod's arguments: the desktop's rules, a whole, non-negative number of GPUs of an extended resource. */
export function validateTorchPodArgs(args: TorchPodArgsChecked): ArgProblem[] {
    const out = validateDesktopArgs(args);
    if (!Number.isInteger(args.gpus) || args.gpus < 0)
        out.push({
            field: "gpus",
            got: args.gpus,
            expected: "expected an integer >= 0",
            message: `gpus must be a whole number >= 0, got ${args.gpus}`,
        });
    const kind = args.gpuResource === undefined ? undefined : extendedResourceProblem(args.gpuResource);
    if (kind)
        out.push({
            field: "gpu.resourceName",
            got: args.gpuResource,
            expected: kind,
            message: `gpu.resourceName ${JSON.stringify(args.gpuResource)}: ${kind}`,
        });
    return out;
}
