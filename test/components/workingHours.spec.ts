// The working-hours schedule's objects: the narrowest rights on named Deployments, its own namespace,
// no egress but the API server, CronJobs in the stack's time zone.
import { strict as assert } from "assert";
import { WorkingHours, WorkingHoursArgs } from "../../components/workingHours";
import { validateWorkingHoursArgs, cronOf, stopDays, timeZoneProblem } from "../../components/workingHours.validate";
import { NetworkModel } from "@torchpod/netpol";
import { k8s, ofType, podSpecs, runPiece, ProgramRun } from "../mocks";

const schedule = {
    timeZone: "Europe/Berlin",
    start: "08:00",
    stop: "19:30",
    days: ["Mon", "Tue", "Wed", "Thu", "Fri"] as const,
    namespace: "torchpod-schedule",
    image: "node:20.18.1-alpine3.20",
};

function runWorkingHours(overrides: Partial<WorkingHoursArgs> = {}): Promise<ProgramRun> {
    return runPiece(() => {
        new WorkingHours("working-hours", {
            schedule: { ...schedule, days: [...schedule.days] },
            torchpodNamespace: "torchpod",
            otherNamespaces: ["torchpod", "mlab"],
            deployments: ["torchpod-alice", "torchpod-carol"],
            cluster: { apiServerIp: "10.96.0.1", controlPlaneCidrs: ["203.0.113.10/32"] },
            instance: "dev",
            ...overrides,
        });
    });
}

describe("WorkingHours component", () => {
    let run: ProgramRun;
    before(async () => {
        run = await runWorkingHours();
        if (run.error) throw run.error;
    });

    it("grants exactly deployments/scale get/patch/update on the named TorchPod Deployments, in the TorchPod namespace", () => {
        const role = k8s(run, "kubernetes:rbac.authorization.k8s.io/v1:Role", "torchpod-schedule");
        assert.equal(role.metadata.namespace, "torchpod");
        assert.deepEqual(role.rules, [
            {
                apiGroups: ["apps"],
                resources: ["deployments/scale"],
                verbs: ["get", "patch", "update"],
                resourceNames: ["torchpod-alice", "torchpod-carol"],
            },
        ]);
        const binding = k8s(run, "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding", "torchpod-schedule");
        assert.equal(binding.metadata.namespace, "torchpod");
        assert.deepEqual(binding.roleRef, { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "torchpod-schedule" });
        assert.deepEqual(binding.subjects, [{ kind: "ServiceAccount", name: "torchpod-schedule", namespace: "torchpod-schedule" }]);
        assert.equal(ofType(run, "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole").length, 0);
        assert.equal(ofType(run, "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding").length, 0);
    });

    it("holds no rule at all when no TorchPod is scheduled (empty resourceNames would mean every Deployment)", async () => {
        const none = await runWorkingHours({ deployments: [] });
        assert.deepEqual(k8s(none, "kubernetes:rbac.authorization.k8s.io/v1:Role", "torchpod-schedule").rules, []);
    });

    it("runs its pods in a restricted namespace of its own, with the token only they carry", () => {
        const ns = k8s(run, "kubernetes:core/v1:Namespace", "torchpod-schedule");
        assert.equal(ns.metadata.labels["pod-security.kubernetes.io/enforce"], "restricted");
        const specs = podSpecs(run);
        assert.equal(specs.length, 2);
        for (const { resource, spec, labels } of specs) {
            assert.equal(resource.inputs.metadata.namespace, "torchpod-schedule");
            assert.equal(labels["app.kubernetes.io/component"], "working-hours");
            assert.equal(spec.serviceAccountName, "torchpod-schedule");
            assert.equal(spec.securityContext.runAsNonRoot, true);
            assert.equal(spec.containers[0].securityContext.allowPrivilegeEscalation, false);
        }
        assert.equal(k8s(run, "kubernetes:core/v1:ServiceAccount", "torchpod-schedule").automountServiceAccountToken, false);
    });

    it("starts and stops in the stack's time zone on the working days", () => {
        const start = k8s(run, "kubernetes:batch/v1:CronJob", "torchpod-schedule-start");
        const stop = k8s(run, "kubernetes:batch/v1:CronJob", "torchpod-schedule-stop");
        assert.equal(start.spec.schedule, "0 8 * * 1,2,3,4,5");
        assert.equal(stop.spec.schedule, "30 19 * * 1,2,3,4,5");
        assert.equal(start.spec.timeZone, "Europe/Berlin");
        const env = (c: any) =>
            Object.fromEntries(c.spec.jobTemplate.spec.template.spec.containers[0].env.map((e: any) => [e.name, e.value]));
        assert.deepEqual(env(start), { TARGET_NAMESPACE: "torchpod", DEPLOYMENTS: "torchpod-alice,torchpod-carol", REPLICAS: "1" });
        assert.equal(env(stop).REPLICAS, "0");
    });

    it("stops a night shift (stop before start) the morning after each working day, Saturday included", async () => {
        const night = await runWorkingHours({ schedule: { ...schedule, start: "22:00", stop: "06:00", days: [...schedule.days] } });
        if (night.error) throw night.error;
        assert.equal(k8s(night, "kubernetes:batch/v1:CronJob", "torchpod-schedule-start").spec.schedule, "0 22 * * 1,2,3,4,5");
        assert.equal(k8s(night, "kubernetes:batch/v1:CronJob", "torchpod-schedule-stop").spec.schedule, "0 6 * * 2,3,4,5,6");
    });

    it("lets its pods reach the API server (Service IP and control plane) and nothing else, and nothing reach them", () => {
        const objects = run.resources
            .filter((r) => r.custom && r.type.startsWith("kubernetes:"))
            .map((r) => ({ ...r.inputs, kind: r.type.split(":").pop() }));
        const model = NetworkModel.fromObjects(objects as any);
        const actor = model.workloads.find((w) => w.name === "torchpod-schedule-stop")!;
        assert.ok(actor, "the analyzer sees the CronJob's pods");
        const to = (ip: string, port: number) => model.check(actor, { type: "ip", id: ip, ip } as any, port, "TCP").allowed;
        assert.equal(to("10.96.0.1", 443), true);
        assert.equal(to("203.0.113.10", 6443), true);
        assert.equal(to("10.96.0.1", 80), false);
        assert.equal(to("10.96.0.10", 53), false, "no DNS");
        assert.equal(to("140.82.112.3", 443), false, "no internet");
        assert.equal(to("169.254.169.254", 80), false, "no metadata");
        const policies = ofType(run, "kubernetes:networking.k8s.io/v1:NetworkPolicy").map((p) => p.inputs);
        assert.ok(
            policies.some(
                (p) =>
                    p.metadata.name === "default-deny" &&
                    p.spec.policyTypes.includes("Ingress") &&
                    p.spec.podSelector &&
                    Object.keys(p.spec.podSelector).length === 0,
            ),
        );
    });

    it("built with bad arguments, refuses them naming each and registers nothing", async () => {
        const bad = await runWorkingHours({
            schedule: { ...schedule, days: [], timeZone: "Mars/Olympus", start: "8am", namespace: "torchpod" },
        });
        for (const m of [
            /WorkingHours: schedule.timeZone "Mars\/Olympus"/,
            /schedule.start "8am"/,
            /schedule.days/,
            /schedule.namespace "torchpod": expected a namespace of its own/,
        ])
            assert.match(String(bad.error), m);
        assert.equal(bad.resources.length, 0);
    });
});

describe("validateWorkingHoursArgs", () => {
    it("accepts IANA zones and refuses offsets, Local and unknown names", () => {
        for (const tz of ["Europe/Berlin", "America/Argentina/Buenos_Aires", "UTC", "Asia/Kolkata"])
            assert.equal(timeZoneProblem(tz), undefined, tz);
        for (const tz of ["Local", "+01:00", "Europe/Nowhere", "", "CET now"]) assert.ok(timeZoneProblem(tz), tz);
    });

    it("makes cron schedules from clock times and days (Sunday is 0)", () => {
        assert.equal(cronOf("07:05", ["Sun", "Sat"]), "5 7 * * 0,6");
    });

    it("stops a shift past midnight on the morning after each working day (Friday's night shift stops on Saturday)", () => {
        const night = { start: "22:00", stop: "06:00", days: ["Mon", "Tue", "Wed", "Thu", "Fri"] as const };
        assert.equal(cronOf(night.stop, stopDays({ ...night, days: [...night.days] })), "0 6 * * 2,3,4,5,6");
        assert.equal(cronOf("06:00", stopDays({ ...night, days: ["Sat"] })), "0 6 * * 0");
        assert.deepEqual(stopDays({ start: "08:00", stop: "20:00", days: ["Mon"] }), ["Mon"]);
    });

    it("refuses equal start and stop, repeated days and unpinned images", () => {
        const problems = validateWorkingHoursArgs({
            schedule: { ...schedule, stop: "08:00", days: ["Mon", "Mon"], image: "node:latest" },
            otherNamespaces: [],
        });
        assert.deepEqual(
            problems.map((p) => p.field),
            ["stop", "days[1]", "image"],
        );
    });
});
