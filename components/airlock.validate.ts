// The Airlock's rules on its arguments, as a pure check (no Pulumi): the stack config calls it before
// any resource exists, and Airlock refuses what it reports.
import { ArgProblem, portProblem } from "./argProblems";
import { DesktopArgsChecked, validateDesktopArgs } from "./desktop/validate";

/** The arguments the check reads, resolved (the Airlock component applies its defaults first). */
export interface AirlockArgsChecked extends DesktopArgsChecked {
    readonly sftpPort: number;
}

/** Every problem of the Airlock's arguments: the desktop's rules and a valid sftp Service port. */
export function validateAirlockArgs(args: AirlockArgsChecked): ArgProblem[] {
    const out = validateDesktopArgs(args);
    const port = portProblem("sftpPort", args.sftpPort);
    if (port) out.push(port);
    return out;
}
