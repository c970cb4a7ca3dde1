// torchpod:schedule: the optional working hours (time zone, start, stop, days). Its rules are the
// WorkingHours component's (validateWorkingHoursArgs, called by ../componentChecks.ts).
import { PLATFORM_DEFAULTS } from "../../components/common/defaults";
import { ScheduleConfig, Weekday } from "../../components/common/settings";
import { WORKING_HOURS_NAMES } from "@torchpod/contract";
import { Checker, NAMESPACE } from "../checker";

export const SCHEDULE_KEYS = ["timeZone", "start", "stop", "days", "image"];

/** undefined when the stack sets no schedule, or `{}` (Pulumi.yaml's default): TorchPods run until suspended. */
export function parseSchedule(c: Checker, raw: unknown): ScheduleConfig | undefined {
    const path = `${NAMESPACE}:schedule`;
    const obj = c.object(path, raw, SCHEDULE_KEYS);
    if (!obj || Object.keys(obj).length === 0) return undefined;
    const required = (key: "timeZone" | "start" | "stop", example: string) => {
        if (obj[key] === undefined || obj[key] === null) c.required(`${path}.${key}`, `expected ${example}`);
        return c.string(`${path}.${key}`, obj[key], "");
    };
    const d = PLATFORM_DEFAULTS.schedule;
    let days: Weekday[] = [...d.days];
    const items = c.list(`${path}.days`, obj.days, '["Mon", "Tue", "Wed", "Thu", "Fri"]');
    if (items) days = items.map((item, i) => c.string(`${path}.days[${i}]`, item, "") as Weekday);
    return {
        timeZone: required("timeZone", 'an IANA time zone like "Europe/Berlin"'),
        start: required("start", 'a time of day "HH:MM" like "08:00"'),
        stop: required("stop", 'a time of day "HH:MM" like "20:00"'),
        days,
        // Fixed, not configurable: the pack knows the actor by its service account's namespace and name.
        namespace: WORKING_HOURS_NAMES.namespace,
        image: c.image(`${path}.image`, obj.image, d.image),
    };
}
