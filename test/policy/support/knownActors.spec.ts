// The working-hours schedule is a known actor: the whole pack passes the program's own schedule, and
// refuses it the moment its service account holds more than its one rule, or holds it elsewhere.
import { strict as assert } from "assert";
import { policies } from "../../../policy/policies";
import { KNOWN_ACTORS } from "../../../policy/support/knownActors";
import { WORKING_HOURS_NAMES, WORKING_HOURS_RULE } from "@torchpod/contract";
import { toPackResource } from "../../../tools/pack/packCheck";
import { devStackConfig, runIndex, ProgramRun } from "../../mocks";
import { runPackInProcess } from "../policyArgs";
import { packConfigFor } from "../../../tools/render/render";
import { parseStackConfig } from "../../../stacks/parse";

const ROLE = "kubernetes:rbac.authorization.k8s.io/v1:Role";

describe("known actors: the working-hours schedule", function () {
    this.timeout(120000);
    let run: ProgramRun;
    const stackConfig = {
        ...devStackConfig(),
        "torchpod:schedule": JSON.stringify({ timeZone: "Europe/Berlin", start: "08:00", stop: "20:00" }),
    };
    // The stack's pack config as render writes it (its office networks, its GPU kinds).
    const packConfig = packConfigFor(parseStackConfig(stackConfig, "dev")) as Record<string, Record<string, unknown>>;
    before(async () => {
        run = await runIndex(stackConfig);
        if (run.error) throw run.error;
    });
    const judge = (resources = run.resources) =>
        runPackInProcess(
            policies,
            resources.map((r) => toPackResource(r)),
            packConfig,
        ).then((vs) => vs.filter((v) => v.enforcementLevel === "mandatory").map((v) => `${v.policyName}: ${v.message}`));

    it("knows the actor by the program's own names and rule", () => {
        const actor = KNOWN_ACTORS.find((a) => a.serviceAccount.name === WORKING_HOURS_NAMES.serviceAccount)!;
        assert.deepEqual(actor.serviceAccount, { namespace: WORKING_HOURS_NAMES.namespace, name: WORKING_HOURS_NAMES.serviceAccount });
        assert.deepEqual(actor.allowedRules, [
            { ...WORKING_HOURS_RULE, apiGroups: ["apps"], resources: ["deployments/scale"], verbs: ["get", "patch", "update"] },
        ]);
        assert.equal(actor.scope, "torchpod-namespaces");
        assert.equal(actor.resourceNames, "torchpod-deployments");
    });

    it("passes the dev stack with its schedule under the whole pack", async () => {
        assert.deepEqual(await judge(), []);
    });

    it("refuses the actor's Role with one rule more than its own, naming the actor", async () => {
        const widened = run.resources.map((r) =>
            r.type === ROLE
                ? {
                      ...r,
                      inputs: { ...r.inputs, rules: [...r.inputs.rules, { apiGroups: [""], resources: ["configmaps"], verbs: ["list"] }] },
                  }
                : r,
        );
        const problems = await judge(widened);
        assert.ok(
            problems.some((p) =>
                /^api-rights-reviewed: .*grants the known actor the working-hours schedule .*rules beyond its own: list configmaps/.test(p),
            ),
            problems.join("\n"),
        );
    });
    const withNames = (names: (old: string[]) => string[] | undefined) =>
        run.resources.map((r) => {
            if (r.type !== ROLE) return r;
            const rules = r.inputs.rules.map((rule: any) => {
                const { resourceNames, ...rest } = rule;
                const next = names(resourceNames);
                return next ? { ...rest, resourceNames: next } : rest;
            });
            return { ...r, inputs: { ...r.inputs, rules } };
        });

    it("refuses the actor's rule once its resourceNames name the audit writer's Deployment", async () => {
        const problems = await judge(withNames((old) => [...old, "airlock-audit"]));
        assert.deepEqual(
            problems.filter((p) => !/working-hours schedule .*names torchpod\/airlock-audit, which is not a TorchPod Deployment/.test(p)),
            [],
        );
        assert.equal(problems.length, 1);
    });

    it("refuses the actor's rule without resourceNames: it would scale MLab's, the Airlock's and the audit writer's Deployments too", async () => {
        const problems = await judge(withNames(() => undefined));
        assert.ok(
            problems.some((p) => /^api-rights-reviewed: .*working-hours schedule .*has no resourceNames/.test(p)),
            problems.join("\n"),
        );
    });
    it("refuses the actor's pods once their namespace's API server policy also opens the cluster DNS", async () => {
        const dns = {
            to: [
                {
                    namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } },
                    podSelector: { matchLabels: { "k8s-app": "kube-dns" } },
                },
            ],
            ports: [{ protocol: "UDP", port: 53 }],
        };
        const widened = run.resources.map((r) =>
            r.type === "kubernetes:networking.k8s.io/v1:NetworkPolicy" && r.inputs.metadata?.name === WORKING_HOURS_NAMES.apiServer
                ? { ...r, inputs: { ...r.inputs, spec: { ...r.inputs.spec, egress: [...r.inputs.spec.egress, dns] } } }
                : r,
        );
        const problems = await judge(widened);
        assert.ok(problems.length >= 2, problems.join("\n"));
        assert.ok(
            problems.every((p) =>
                /^known-actors-api-server-only: CronJob torchpod-schedule\/torchpod-schedule-(start|stop) \(the known actor the working-hours schedule\) may reach pods .*k8s-app=kube-dns/.test(
                    p,
                ),
            ),
            problems.join("\n"),
        );
    });
});
