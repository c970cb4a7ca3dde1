// Collects what one policy run proved and what it could not see (values unknown during preview).
import { ReportViolation } from "@pulumi/policy";
import { Unknowns } from "./resources";
import { unknownValueError } from "./unknowns";

export class Findings {
    readonly unknowns: Unknowns = [];
    count = 0;

    /**
     * `switches` names the config that would allow what the policy refuses, after review (or says there
     * is none); it is added to every message that does not name one itself.
     */
    constructor(
        private readonly report: ReportViolation,
        private readonly switches?: string,
    ) {}

    violation(text: string, urn?: string): void {
        this.count++;
        const message = this.switches && !/config [a-zA-Z]|no switch/.test(text) ? `${text}. ${this.switches}` : text;
        if (urn === undefined) this.report(message);
        else this.report(message, urn);
    }

    unknown(u: Unknowns): void {
        this.unknowns.push(...u);
    }

    /**
     * Ends the run: the violations proved are already reported; if the policy needed a value unknown
     * during preview, throws @pulumi/policy's UnknownValueError, which its server reports as the
     * advisory "can't run policy ... during preview: <type> value at .<path> can't be known".
     */
    finish(): void {
        if (this.unknowns.length > 0) {
            const u = this.unknowns[0];
            throw unknownValueError(u.sentinel, u.path);
        }
    }
}
