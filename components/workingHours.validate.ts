// The working-hours schedule's rules on its arguments, as a pure check (no Pulumi): the stack config
// calls it before any resource exists, and WorkingHours refuses what it reports.
import { checkPinnedImage } from "@torchpod/contract";
import { ArgProblem } from "./common/argProblems";
import { ScheduleConfig, Weekday } from "./common/settings";

export const WEEKDAYS: readonly Weekday[] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];

/** A time zone the CronJob controller resolves: an IANA name (Area/Location, or UTC), never "Local" or an offset. */
export function timeZoneProblem(tz: string): string | undefined {
    const expected = 'expected an IANA time zone such as "Europe/Berlin", "America/New_York" or "UTC"';
    if (!/^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+)*$/.test(tz) || tz === "Local") return expected;
    try {
        new Intl.DateTimeFormat("en-US", { timeZone: tz });
        return undefined;
    } catch {
        return expected;
    }
}

/** `HH:MM` in 24 hours, as [hour, minute]; undefined when malformed. */
export function parseClock(s: string): [number, number] | undefined {
    const m = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(s);
    return m ? [Number(m[1]), Number(m[2])] : undefined;
}

/** The cron schedule of `clock` on `days` (minute, hour, any day of month, any month, days of week). */
export function cronOf(clock: string, days: readonly Weekday[]): string {
    const [hour, minute] = parseClock(clock)!;
    const dows = [...new Set(days.map((d) => WEEKDAYS.indexOf(d)))].sort((a, b) => a - b);
    return `${minute} ${hour} * * ${dows.join(",")}`;
}

/**
 * The days the stop runs on: the working days, or, for a shift past midnight (stop before start), the
 * day after each, so Friday's night shift stops on Saturday morning instead of running to Monday's stop.
 */
export function stopDays(schedule: Pick<ScheduleConfig, "start" | "stop" | "days">): Weekday[] {
    const start = parseClock(schedule.start);
    const stop = parseClock(schedule.stop);
    if (!start || !stop || stop[0] * 60 + stop[1] > start[0] * 60 + start[1]) return [...schedule.days];
    return schedule.days.map((d) => WEEKDAYS[(WEEKDAYS.indexOf(d) + 1) % 7]);
}

export interface WorkingHoursArgsChecked {
    readonly schedule: ScheduleConfig;
    /** The platform's other namespaces: the schedule's own must differ from each (never the TorchPod namespace). */
    readonly otherNamespaces: readonly string[];
}

/** Every problem of the schedule: a time zone, two different clock times, working days, a namespace of its own, a pinned image. */
export function validateWorkingHoursArgs(args: WorkingHoursArgsChecked): ArgProblem[] {
    const out: ArgProblem[] = [];
    const add = (field: string, got: unknown, expected: string) =>
        out.push({ field, got, expected, message: `schedule.${field} ${JSON.stringify(got)}: ${expected}` });
    const s = args.schedule;
    const tz = timeZoneProblem(s.timeZone);
    if (tz) add("timeZone", s.timeZone, tz);
    for (const key of ["start", "stop"] as const)
        if (!parseClock(s[key])) add(key, s[key], 'expected a time of day "HH:MM" (24 hours), like "08:00" or "19:30"');
    if (parseClock(s.start) && s.start === s.stop) add("stop", s.stop, `expected a time other than start (${s.start})`);
    if (s.days.length === 0) add("days", s.days, "expected at least one working day (Mon, Tue, Wed, Thu, Fri, Sat, Sun)");
    s.days.forEach((d, i) => {
        if (!WEEKDAYS.includes(d)) add(`days[${i}]`, d, "expected one of Mon, Tue, Wed, Thu, Fri, Sat, Sun");
        else if (s.days.indexOf(d) !== i) add(`days[${i}]`, d, "expected each day once");
    });
    const ns = s.namespace;
    if (ns.length > 63 || !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(ns)) add("namespace", ns, "expected a namespace name (DNS-1123 label)");
    else if (ns === "default" || ns.startsWith("kube-")) add("namespace", ns, "expected a namespace of its own, not default or kube-*");
    else if (args.otherNamespaces.includes(ns))
        add("namespace", ns, "expected a namespace of its own: the actor that scales TorchPods never runs beside them or MLab");
    const image = checkPinnedImage(s.image);
    if (image) add("image", s.image, image);
    return out;
}
