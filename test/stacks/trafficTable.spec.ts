// The whole dev stack, run as `pulumi up` would (under the offline engine), then the platform's
// who-may-talk-to-whom table asserted cell by cell with the NetworkPolicy analyzer over exactly the
// objects the program registered (plus what the cluster itself brings: its DNS pods, another app).
import { strict as assert } from "assert";
import { NetworkModel } from "@torchpod/netpol";
import type { K8sObject, WorkloadEndpoint } from "@torchpod/netpol";
import { parseStackConfig } from "../../stacks/parse";
import { PROBE_LABEL, PROBE_ROLE_LABEL } from "../../components/enforcementProbe";
import { LABEL_COMPONENT } from "@torchpod/contract";
import { TableEnv, describeTrafficTable } from "../components/networkLockdownTable.spec";
import { ProgramRun, devStackConfig, runIndex } from "../mocks";

/** The Kubernetes objects a run registered, as the API server would receive them (names resolved). */
export function registeredObjects(run: ProgramRun): K8sObject[] {
    return run.resources
        .filter(
            (r) =>
                r.custom &&
                r.type.startsWith("kubernetes:") &&
                !r.type.startsWith("kubernetes:index:") &&
                !r.type.startsWith("pulumi:providers:"),
        )
        .map((r) => ({
            ...r.inputs,
            metadata: { ...(r.inputs?.metadata ?? {}), name: r.state?.metadata?.name ?? r.inputs?.metadata?.name },
        }))
        .filter((o) => typeof o.apiVersion === "string" && typeof o.kind === "string");
}

/** One address inside a CIDR (its network address + 10), for office sources. */
function addressIn(cidr: string): string {
    const [addr] = cidr.split("/");
    if (addr.includes(":")) return addr.endsWith("::") ? `${addr}10` : addr;
    const o = addr.split(".").map(Number);
    o[3] = Math.min(254, o[3] + 10);
    return o.join(".");
}

async function devStackEnv(raw: Record<string, string> = devStackConfig()): Promise<TableEnv> {
    const config = parseStackConfig(raw, "dev");
    const run = await runIndex(raw);
    if (run.error) throw run.error;
    const cluster = config.cluster;
    const objects: K8sObject[] = [
        ...registeredObjects(run),
        // The cluster's own: its DNS pods (from the stack's cluster config) and an unrelated app.
        { apiVersion: "v1", kind: "Namespace", metadata: { name: cluster.dnsNamespace } },
        {
            apiVersion: "v1",
            kind: "Pod",
            metadata: { name: "cluster-dns", namespace: cluster.dnsNamespace, labels: { ...cluster.dnsPodLabels } },
            spec: {
                containers: [
                    {
                        name: "dns",
                        image: "dns:1",
                        ports: [
                            { name: "dns", containerPort: 53, protocol: "UDP" },
                            { name: "dns-tcp", containerPort: 53, protocol: "TCP" },
                        ],
                    },
                ],
            },
        },
        { apiVersion: "v1", kind: "Namespace", metadata: { name: "some-team" } },
        {
            apiVersion: "apps/v1",
            kind: "Deployment",
            metadata: { name: "web", namespace: "some-team" },
            spec: {
                template: {
                    metadata: { labels: { app: "web" } },
                    spec: { containers: [{ name: "web", image: "web:1", ports: [{ containerPort: 80 }, { containerPort: 3389 }] }] },
                },
            },
        },
    ];
    const model = NetworkModel.fromObjects(objects);
    const all = (component: string, pred: (w: WorkloadEndpoint) => boolean = () => true) =>
        model.workloads.filter((w) => w.labels[LABEL_COMPONENT] === component && pred(w));
    const one = (what: string, list: WorkloadEndpoint[]) => {
        assert.equal(list.length, 1, `expected one ${what} workload, found ${list.map((w) => w.id).join(", ") || "none"}`);
        return list[0];
    };
    const isProbe = (role?: string) => (w: WorkloadEndpoint) =>
        w.labels[PROBE_LABEL] === "true" && (role === undefined || w.labels[PROBE_ROLE_LABEL] === role);
    const torchpods = all("torchpod", (w) => !isProbe()(w));
    assert.equal(torchpods.length, config.users.length, `one TorchPod per user: ${torchpods.map((w) => w.id)}`);
    const mlab = one("MLab", all("mlab"));
    const gitea = (name: string) => mlab.ports.find((p) => p.name === name)?.containerPort;
    const airlock = one("Airlock", all("airlock"));
    const reconciler = one("MLab reconciler", all("mlab-reconciler"));
    // The dev stack imports one approved upstream: one importer Job.
    const importer = one("MLab importer", all("mlab-importer"));
    return {
        model,
        torchpods,
        probe: config.probe.enabled ? one("enforcement probe", all("torchpod", isProbe("client"))) : undefined,
        probeTarget: config.probe.enabled ? one("probe target", all("torchpod", isProbe("target"))) : undefined,
        airlock,
        auditWriter: one("Airlock audit writer", all("airlock-audit")),
        ...(config.schedule
            ? {
                  schedule: {
                      actors: all("working-hours"),
                      apiServerIp: cluster.apiServerIp,
                      controlPlaneCidrs: cluster.controlPlaneCidrs,
                  },
              }
            : {}),
        mlab,
        reconciler,
        importer,
        dns: one(
            "cluster DNS",
            model.workloads.filter((w) => w.namespace === cluster.dnsNamespace),
        ),
        others: model.workloads.filter((w) => w.namespace === "some-team"),
        officeCidrs: config.officeCidrs,
        office: config.officeCidrs.map(addressIn),
        gui: config.gui,
        mlabPorts: { http: gitea("http") ?? 3000, ssh: gitea("ssh") ?? 2222 },
        airlockSftpPort: airlock.ports.find((p) => p.name === "sftp")?.containerPort ?? 22,
        dualStack: cluster.dualStack,
        clusterIps: [...cluster.podCidrs, ...cluster.serviceCidrs].map(addressIn),
    };
}

describeTrafficTable("traffic table: the whole dev stack (index.ts under mocks)", () => devStackEnv());

/** The dev stack with working hours and the control plane's real addresses (the schedule's row of the table). */
function devStackWithSchedule(): Record<string, string> {
    const raw = devStackConfig();
    const cluster = { ...JSON.parse(raw["torchpod:cluster"]), controlPlaneCidrs: ["10.0.0.0/29", "203.0.113.16/28"] };
    return {
        ...raw,
        "torchpod:cluster": JSON.stringify(cluster),
        "torchpod:schedule": JSON.stringify({ timeZone: "Europe/Berlin", start: "08:00", stop: "20:00" }),
    };
}

describeTrafficTable("traffic table: the whole dev stack with working hours (index.ts under mocks)", () =>
    devStackEnv(devStackWithSchedule()),
);

describe("the dev stack's lock-down, as registered", function () {
    this.timeout(120000);
    it("the program registers the lock-down's policies and the probe; TorchPods wait for the probe", async () => {
        const run = await runIndex(devStackConfig());
        if (run.error) throw run.error;
        const policies = run.resources.filter((r) => r.type === "kubernetes:networking.k8s.io/v1:NetworkPolicy");
        const names = policies.map((p) => `${p.inputs.metadata.namespace}/${p.inputs.metadata.name}`).sort();
        assert.deepEqual(names, [
            "mlab/default-deny-all",
            "mlab/mlab-egress-none",
            "mlab/mlab-importer-egress",
            "mlab/mlab-ingress-importer",
            "mlab/mlab-ingress-office",
            "mlab/mlab-ingress-reconciler",
            "mlab/mlab-ingress-torchpods",
            "mlab/mlab-reconciler-egress",
            "torchpod/airlock-audit-isolated",
            "torchpod/airlock-egress-dns-internet",
            "torchpod/airlock-ingress-office",
            "torchpod/default-deny-all",
            "torchpod/torchpod-egress-mlab",
            "torchpod/torchpod-ingress-office",
        ]);
        const mlabEgress = policies.find((p) => p.inputs.metadata.name === "mlab-egress-none")!.inputs.spec;
        assert.deepEqual(mlabEgress.policyTypes, ["Egress"]);
        assert.deepEqual(mlabEgress.egress, [], "Gitea has no egress at all");
        const jobs = run.resources.filter(
            (r) => r.type === "kubernetes:batch/v1:Job" && r.inputs.spec?.template?.metadata?.labels?.[PROBE_LABEL] === "true",
        );
        assert.equal(jobs.length, 1, "one probe Job");
        // Every TorchPod Deployment depends, directly or through its component, on the probe Job.
        const byUrn = new Map(run.resources.map((r) => [r.urn, r]));
        const dependsOnJob = (urn: string, seen = new Set<string>()): boolean => {
            if (urn === jobs[0].urn) return true;
            if (seen.has(urn)) return false;
            seen.add(urn);
            const r = byUrn.get(urn);
            if (!r) return false;
            return [...r.dependencies, ...(r.parent ? [r.parent] : [])].some((d) => dependsOnJob(d, seen));
        };
        const torchpodDeployments = run.resources.filter(
            (r) =>
                r.type === "kubernetes:apps/v1:Deployment" &&
                r.inputs.spec?.template?.metadata?.labels?.[LABEL_COMPONENT] === "torchpod" &&
                r.inputs.spec?.template?.metadata?.labels?.[PROBE_LABEL] !== "true",
        );
        assert.ok(torchpodDeployments.length > 0);
        for (const d of torchpodDeployments) assert.ok(dependsOnJob(d.urn), `${d.name} does not wait for the probe Job`);
    });
});
