// The rules TorchPods and the Airlock share on their arguments (one desktop image, one login), as
// pure checks: the stack config calls them through validateTorchPodArgs and validateAirlockArgs
// before any resource exists.
import { checkPinnedImage } from "@torchpod/contract";
import { ArgProblem } from "../argProblems";
import { ExposureConfig, GuiConfig, Resources, TorchpodMode } from "../settings";
import { modeFor } from "./container";
import { parseQuantity } from "../quantity";

/** Longest login name: the image creates the user with useradd, which refuses names over 32 characters. */
export const MAX_LOGIN_NAME = 32;
/** Linux user names the image already has, or that would be confusing. */
export const RESERVED_LOGIN_NAMES: readonly string[] = ["root", "daemon", "bin", "sys", "nobody", "ubuntu", "admin", "gitea"];

/** Requests above limits (any workload's resources). */
export function resourceProblems(r: Resources, field = "resources"): ArgProblem[] {
    const pairs = [
        ["cpuRequest", "cpuLimit"],
        ["memoryRequest", "memoryLimit"],
    ] as const;
    return pairs.flatMap(([request, limit]) =>
        (parseQuantity(r[request]) ?? 0) > (parseQuantity(r[limit]) ?? Infinity)
            ? [
                  {
                      field: `${field}.${request}`,
                      got: r[request],
                      expected: `expected at most ${limit} (${r[limit]})`,
                      message: `${field}.${request} ${r[request]} is above ${field}.${limit} ${r[limit]}`,
                  },
              ]
            : [],
    );
}

/** Why `name` cannot be a login of the image (undefined when it can). */
export function loginNameProblem(name: string): string | undefined {
    // useradd wants a letter first (and refuses all-digit names); the name also labels objects (DNS-1123).
    if (name.length > MAX_LOGIN_NAME || !/^[a-z]([-a-z0-9]*[a-z0-9])?$/.test(name))
        return `expected a DNS-1123 label that is also a login name: lowercase letters, digits and '-', starting with a letter, ending with a letter or digit, at most ${MAX_LOGIN_NAME} characters`;
    if (RESERVED_LOGIN_NAMES.includes(name)) return `expected a name other than the reserved ${RESERVED_LOGIN_NAMES.join(", ")}`;
    return undefined;
}

/** The arguments a desktop (TorchPod or Airlock) shares. */
export interface DesktopArgsChecked {
    readonly user: string;
    readonly image: string;
    readonly resources: Resources;
    readonly shmSize: string;
    readonly gui: GuiConfig;
    readonly mode: TorchpodMode;
    readonly exposure: ExposureConfig;
    readonly officeCidrs: readonly string[];
}

/**
 * The rules every desktop obeys: a login the image can create, a pinned image, requests within limits,
 * a memory-backed /dev/shm within the memory limit (it counts against it), at least one GUI, and an
 * image mode that serves the enabled GUIs (xrdp for RDP, Xvnc for the browser and raw VNC), and office
 * networks for a LoadBalancer (an empty loadBalancerSourceRanges admits everyone).
 */
export function validateDesktopArgs(args: DesktopArgsChecked): ArgProblem[] {
    const out: ArgProblem[] = [];
    const login = loginNameProblem(args.user);
    if (login) out.push({ field: "user", got: args.user, expected: login, message: `user ${JSON.stringify(args.user)}: ${login}` });
    const pinned = checkPinnedImage(args.image);
    if (pinned) out.push({ field: "image", got: args.image, expected: pinned, message: `image ${JSON.stringify(args.image)}: ${pinned}` });
    out.push(...resourceProblems(args.resources));
    if ((parseQuantity(args.shmSize) ?? 0) > (parseQuantity(args.resources.memoryLimit) ?? Infinity))
        out.push({
            field: "shmSize",
            got: args.shmSize,
            expected: `expected at most the memory limit (${args.resources.memoryLimit}): /dev/shm is memory and counts against it`,
            message: `shmSize ${args.shmSize} is above the memory limit ${args.resources.memoryLimit} (a memory-backed /dev/shm counts against it)`,
        });
    const { gui } = args;
    if (!gui.rdp && !gui.browser && !gui.vnc)
        out.push({
            field: "gui",
            got: gui,
            expected: "expected at least one of rdp, browser, vnc to be true (otherwise nobody can reach a desktop)",
            message: "gui enables none of rdp, browser, vnc: nobody could reach the desktop",
        });
    else {
        const needed = modeFor(gui);
        const hasRdp = args.mode !== "VNC";
        const hasVnc = args.mode !== "RDP";
        if ((gui.rdp && !hasRdp) || ((gui.browser || gui.vnc) && !hasVnc)) {
            const enabled = (["rdp", "browser", "vnc"] as const).filter((k) => gui[k]).join(", ");
            out.push({
                field: "mode",
                got: args.mode,
                expected: `expected "${needed}": torchpod:gui enables ${enabled}, which need ${needed}`,
                message: `mode ${args.mode} cannot serve the enabled GUIs (${enabled}); use ${needed}`,
            });
        }
    }
    if (args.exposure.type === "LoadBalancer" && args.officeCidrs.length === 0)
        out.push({
            field: "officeCidrs",
            got: args.officeCidrs,
            expected:
                "expected at least one CIDR when torchpod:exposure is LoadBalancer (an empty loadBalancerSourceRanges admits everyone)",
            message: "a LoadBalancer without officeCidrs would admit everyone (an empty loadBalancerSourceRanges)",
        });
    return out;
}
