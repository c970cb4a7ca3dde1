// The working-hours schedule through the whole program: `pulumi up` leaves the scheduled TorchPods'
// replicas to the schedule (so an update never starts a desktop out of hours), a suspended user is never
// scaled up by it, no TorchPod gains an API right, and a bad schedule registers nothing.
import { strict as assert } from "assert";
import { StackConfigError } from "../../stacks/parse";
import { devStackConfig, k8s, ofType, podSpecs, runIndex, ProgramRun } from "../mocks";

const DEPLOYMENT = "kubernetes:apps/v1:Deployment";
const hours = { timeZone: "Europe/Berlin", start: "08:00", stop: "20:00" };

function dev(schedule: unknown, users?: (u: any[]) => any[], extra: Record<string, string> = {}): Record<string, string> {
    const raw = devStackConfig();
    const list = JSON.parse(raw["torchpod:users"]);
    return {
        ...raw,
        "torchpod:users": JSON.stringify(users ? users(list) : list),
        ...(schedule === undefined ? {} : { "torchpod:schedule": JSON.stringify(schedule) }),
        ...extra,
    };
}
const bobSuspended = (u: any[]) => u.map((x) => (x.name === "bob" ? { ...x, suspended: true } : x));

describe("the platform: working hours", function () {
    this.timeout(120000);
    let run: ProgramRun;
    before(async () => {
        run = await runIndex(dev(hours, bobSuspended));
        if (run.error) throw run.error;
    });

    it("leaves the scheduled TorchPods' replicas to the schedule, and sets 0 for a suspended user with patchForce to take it back", () => {
        for (const user of ["alice", "carol"]) {
            const d = k8s(run, DEPLOYMENT, `torchpod-${user}`);
            assert.ok(!("replicas" in d.spec), `${user}: Pulumi must not own spec.replicas`);
            assert.equal(d.metadata.annotations["pulumi.com/patchForce"], "true");
        }
        const bob = k8s(run, DEPLOYMENT, "torchpod-bob");
        assert.equal(bob.spec.replicas, 0);
        assert.equal(bob.metadata.annotations["pulumi.com/patchForce"], "true");
    });

    it("does not set replicas on an update of something else (an image change), so pulumi up never starts a stopped desktop", async () => {
        const updated = await runIndex(
            dev(hours, (u) => bobSuspended(u).map((x) => (x.name === "alice" ? { ...x, image: "gemfield/torchpod:1.1" } : x))),
        );
        if (updated.error) throw updated.error;
        const alice = k8s(updated, DEPLOYMENT, "torchpod-alice");
        assert.equal(alice.spec.template.spec.containers[0].image, "gemfield/torchpod:1.1");
        assert.ok(!("replicas" in alice.spec));
    });

    it("never scales up a suspended user: their Deployment is in neither the Role's resourceNames nor the CronJobs' list", () => {
        const role = k8s(run, "kubernetes:rbac.authorization.k8s.io/v1:Role", "torchpod-schedule");
        assert.deepEqual(role.rules[0].resourceNames, ["torchpod-alice", "torchpod-carol"]);
        for (const name of ["torchpod-schedule-start", "torchpod-schedule-stop"]) {
            const env = k8s(run, "kubernetes:batch/v1:CronJob", name).spec.jobTemplate.spec.template.spec.containers[0].env;
            assert.equal(env.find((e: any) => e.name === "DEPLOYMENTS").value, "torchpod-alice,torchpod-carol");
        }
    });

    it("gives no TorchPod, Airlock or MLab pod an API right: the schedule's pods are the only ones with a token, outside the TorchPod namespace", () => {
        for (const { resource, spec } of podSpecs(run)) {
            const ns = resource.inputs.metadata.namespace;
            if (spec.serviceAccountName === "torchpod-schedule") assert.equal(ns, "torchpod-schedule");
            else assert.notEqual(spec.automountServiceAccountToken, true, `${resource.urn} mounts a token`);
        }
        const bindings = ofType(run, "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding");
        assert.deepEqual(
            bindings.flatMap((b) => b.inputs.subjects),
            [{ kind: "ServiceAccount", name: "torchpod-schedule", namespace: "torchpod-schedule" }],
        );
    });

    it("without a schedule, creates none of it and TorchPods keep replicas 1 without patchForce", async () => {
        const plain = await runIndex(dev({}));
        if (plain.error) throw plain.error;
        assert.equal(ofType(plain, "torchpod:index:WorkingHours").length, 0);
        assert.equal(ofType(plain, "kubernetes:batch/v1:CronJob").length, 0);
        const alice = k8s(plain, DEPLOYMENT, "torchpod-alice");
        assert.equal(alice.spec.replicas, 1);
        assert.equal(alice.metadata.annotations, undefined);
    });

    it("exports the hours", () => {
        assert.deepEqual((run.exports as any).schedule, { ...hours, days: ["Mon", "Tue", "Wed", "Thu", "Fri"] });
    });

    it("refuses a bad schedule with one line per problem and registers nothing", async () => {
        const bad = await runIndex(dev({ timeZone: "Europe/Nowhere", start: "25:00", days: ["Mon", "Funday"], namespace: "mlab" }));
        assert.ok(bad.error instanceof StackConfigError, String(bad.error));
        assert.deepEqual(bad.error.problems, [
            'torchpod:schedule.namespace: got unknown key "namespace" (value "mlab"), expected one of timeZone, start, stop, days, image',
            'torchpod:schedule.stop: got nothing, expected a time of day "HH:MM" like "20:00" (required)',
            'torchpod:schedule.timeZone: got "Europe/Nowhere", expected an IANA time zone such as "Europe/Berlin", "America/New_York" or "UTC"',
            'torchpod:schedule.start: got "25:00", expected a time of day "HH:MM" (24 hours), like "08:00" or "19:30"',
            'torchpod:schedule.days[1]: got "Funday", expected one of Mon, Tue, Wed, Thu, Fri, Sat, Sun',
        ]);
        assert.equal(bad.resources.length, 0);
    });
});
