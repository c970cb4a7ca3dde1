// The platform's who-may-talk-to-whom table (docs/DESIGN.md), asserted cell by cell with the
// NetworkPolicy analyzer. `describeTrafficTable` is the one statement of the table: this file runs it
// over synthetic pods that carry the label contract plus the lock-down's own policies (several
// configurations); test/stacks/trafficTable.spec.ts runs it over the whole dev stack.
import { strict as assert } from "assert";
import { NetworkModel } from "@torchpod/netpol";
import type { Endpoint, IpEndpoint, K8sObject, Protocol, WorkloadEndpoint } from "@torchpod/netpol";
import { NetworkLockdownArgs, ipInCidr, lockdownPolicies } from "../../components/networkLockdown";
import { DEFAULT_CLUSTER } from "../mocks";
import { ClusterConfig, GuiConfig } from "../../components/common/settings";

/** What the table is evaluated over: the model and who plays each role in it. */
export interface TableEnv {
    readonly model: NetworkModel;
    /** Real TorchPods (at least two: "not even another user's"). */
    readonly torchpods: WorkloadEndpoint[];
    /** The enforcement probe's Job pod and its stand-in TorchPod, when present. */
    readonly probe?: WorkloadEndpoint;
    readonly probeTarget?: WorkloadEndpoint;
    readonly airlock: WorkloadEndpoint;
    readonly mlab: WorkloadEndpoint;
    readonly reconciler?: WorkloadEndpoint;
    /** The Airlock's audit writer (no network at all, either way). */
    readonly auditWriter: WorkloadEndpoint;
    /**
     * The working-hours schedule's CronJob pods, start and stop (only with `torchpod:schedule`), the API server's Service
     * IP and `cluster.controlPlaneCidrs`: its only egress.
     */
    readonly schedule?: {
        readonly actors: readonly WorkloadEndpoint[];
        readonly apiServerIp: string;
        readonly controlPlaneCidrs: readonly string[];
    };
    /** An MLab importer Job's pod (present when a project has an upstream). */
    readonly importer?: WorkloadEndpoint;
    /** MLab's outside database (address and port), when configured: Gitea's one egress. */
    readonly mlabDatabase?: { readonly ip: string; readonly port: number };
    /** The cluster DNS pods. */
    readonly dns: WorkloadEndpoint;
    /** Pods that are not the platform's (another namespace of the cluster). */
    readonly others: WorkloadEndpoint[];
    /** The office CIDRs, and addresses inside them (IPv4, and IPv6 when configured). */
    readonly officeCidrs: readonly string[];
    readonly office: string[];
    readonly gui: Pick<GuiConfig, "rdp" | "browser" | "vnc">;
    readonly mlabPorts: { readonly http: number; readonly ssh: number };
    readonly airlockSftpPort: number;
    readonly dualStack: boolean;
    /** Addresses inside the cluster's pod and service CIDRs. */
    readonly clusterIps: string[];
}

export const ip = (address: string): IpEndpoint => ({ type: "ip", id: address, ip: address });

const INTERNET_V4 = ["1.1.1.1", "8.8.8.8", "140.82.112.3"];
const INTERNET_V6 = ["2606:4700:4700::1111", "2a00:1450:4001:830::200e"];
const PRIVATE = ["10.1.2.3", "172.16.0.1", "172.31.255.254", "192.168.1.1", "100.64.0.1", "127.0.0.1", "0.0.0.1"];
const PRIVATE_V6 = ["fd00::1", "fe80::1", "::1", "64:ff9b::a00:1"];
/** The API server behind its ClusterIP (policies see the endpoint), kubelets, the metadata service. */
const CONTROL = [
    { ip: "10.96.0.1", port: 443 },
    { ip: "10.0.0.5", port: 6443 },
    { ip: "192.168.10.2", port: 6443 },
    { ip: "10.0.0.5", port: 10250 },
    { ip: "169.254.169.254", port: 80 },
    { ip: "169.254.169.254", port: 443 },
];
/** Documentation and private addresses an office might use, for stacks configured without office networks. */
const WOULD_BE_OFFICE = ["192.0.2.10", "198.51.100.7", "203.0.113.5", "192.168.1.20", "2001:db8:100::10"];
const TCP: Protocol = "TCP";
const UDP: Protocol = "UDP";

interface Cell {
    from: Endpoint;
    to: Endpoint;
    port: number;
    protocol: Protocol;
    allowed: boolean;
}
const label = (e: Endpoint) => (e.type === "ip" ? e.ip : e.id);

/** Evaluates every cell and fails once, listing every cell that disagrees with the table. */
function expectCells(model: NetworkModel, cells: Cell[]): void {
    assert.ok(cells.length > 0, "no cells to check");
    const wrong = cells
        .map((c) => ({ c, v: model.check(c.from, c.to, c.port, c.protocol) }))
        .filter(({ c, v }) => v.allowed !== c.allowed)
        .map(
            ({ c, v }) =>
                `${label(c.from)} -> ${label(c.to)} ${c.protocol}/${c.port}: expected ${c.allowed ? "allowed" : "denied"}, got ${v.allowed ? `allowed (egress by ${v.egress.allowedBy.join(",") || "no isolation"}; ingress by ${v.ingress.allowedBy.join(",") || "no isolation"})` : "denied"}`,
        );
    assert.deepEqual(wrong, [], `${wrong.length} of ${cells.length} cells disagree with the design's table:\n  ${wrong.join("\n  ")}`);
}

const cells = (from: Endpoint[], to: Endpoint[], ports: number[], protocols: Protocol[], allowed: boolean): Cell[] =>
    from.flatMap((f) =>
        to
            .filter((t) => t !== f)
            .flatMap((t) => ports.flatMap((port) => protocols.map((protocol) => ({ from: f, to: t, port, protocol, allowed })))),
    );

/** Registers the table's rows as tests over the environment `build` returns. */
export function describeTrafficTable(title: string, build: () => Promise<TableEnv> | TableEnv): void {
    describe(title, function () {
        this.timeout(120000);
        let env: TableEnv;
        before(async () => {
            env = await build();
        });

        const guiOn = () => [...(env.gui.rdp ? [3389] : []), ...(env.gui.browser ? [7031] : []), ...(env.gui.vnc ? [5900] : [])];
        const guiOff = () => [
            7030,
            22,
            80,
            443,
            8080,
            ...(env.gui.rdp ? [] : [3389]),
            ...(env.gui.browser ? [] : [7031]),
            ...(env.gui.vnc ? [] : [5900]),
        ];
        const mlabOn = () => [env.mlabPorts.http, env.mlabPorts.ssh];
        const mlabOff = () => [22, 80, 443, 8080, 3389, 7031].filter((p) => !mlabOn().includes(p));
        /** TorchPods as destinations and sources: the real ones, the probe and its stand-in. */
        const allTorchpods = () => [...env.torchpods, ...(env.probe ? [env.probe] : []), ...(env.probeTarget ? [env.probeTarget] : [])];
        const internet = () => [...INTERNET_V4, ...INTERNET_V6].map(ip);
        const notInternet = () => [...PRIVATE, ...PRIVATE_V6, ...env.clusterIps].map(ip);
        const anyPorts = [22, 53, 80, 443, 3389, 5900, 7030, 7031, 8080];
        const inOffice = (e: Endpoint) => e.type === "ip" && env.officeCidrs.some((c) => ipInCidr(e.ip, c));
        /** With no office networks configured, the office column is empty: would-be office addresses get nothing. */
        const noOffice = (to: () => Endpoint[]): boolean => {
            if (env.officeCidrs.length > 0) return false;
            expectCells(env.model, cells(WOULD_BE_OFFICE.map(ip), to(), [...anyPorts, 2222, 3000, 10022], [TCP, UDP], false));
            return true;
        };

        it("TorchPod → TorchPod: no (not even another user's, nor the probe's stand-in)", () => {
            assert.ok(env.torchpods.length >= 2, "the table needs two TorchPods");
            expectCells(env.model, cells(allTorchpods(), allTorchpods(), anyPorts, [TCP, UDP], false));
        });

        it("TorchPod → Airlock: no", () => {
            expectCells(
                env.model,
                cells(allTorchpods(), [env.airlock], [env.airlockSftpPort, 3389, 7031, 5900, 7030, 10022], [TCP], false),
            );
        });

        it("TorchPod → MLab: yes, only Gitea's http and ssh container ports", () => {
            expectCells(env.model, [
                ...cells(allTorchpods(), [env.mlab], mlabOn(), [TCP], true),
                ...cells(allTorchpods(), [env.mlab], mlabOff(), [TCP], false),
                ...cells(allTorchpods(), [env.mlab], mlabOn(), [UDP], false),
                ...(env.reconciler ? cells(allTorchpods(), [env.reconciler], anyPorts, [TCP], false) : []),
            ]);
        });

        it("TorchPod → DNS: no (neither the cluster DNS nor any resolver)", () => {
            expectCells(env.model, [
                ...cells(allTorchpods(), [env.dns], [53], [UDP, TCP], false),
                ...cells(allTorchpods(), [...internet(), ...env.clusterIps.map(ip)], [53], [UDP, TCP], false),
            ]);
        });

        it("TorchPod → API server, nodes, metadata: no", () => {
            expectCells(
                env.model,
                allTorchpods().flatMap((t) => CONTROL.map((c) => ({ from: t, to: ip(c.ip), port: c.port, protocol: TCP, allowed: false }))),
            );
        });

        it("TorchPod → internet and private ranges: no, on any port", () => {
            expectCells(env.model, [
                ...cells(allTorchpods(), [...internet(), ...notInternet()], anyPorts, [TCP, UDP], false),
                ...cells(allTorchpods(), env.others, anyPorts, [TCP], false),
            ]);
        });

        it("Airlock → TorchPod, MLab: no", () => {
            expectCells(env.model, [
                ...cells([env.airlock], allTorchpods(), anyPorts, [TCP], false),
                ...cells([env.airlock], [env.mlab], [...mlabOn(), ...mlabOff()], [TCP], false),
            ]);
        });

        it("Airlock → DNS: the cluster DNS", () => {
            expectCells(env.model, cells([env.airlock], [env.dns], [53], [UDP, TCP], true));
        });

        it("Airlock → internet: yes, any port; IPv6 only on dual-stack clusters", () => {
            expectCells(env.model, [
                ...cells([env.airlock], INTERNET_V4.map(ip), [21, 22, 80, 443, 9418], [TCP], true),
                ...cells([env.airlock], INTERNET_V4.map(ip), [443], [UDP], true),
                ...cells([env.airlock], INTERNET_V6.map(ip), [80, 443], [TCP], env.dualStack),
            ]);
        });

        it("Airlock → private, cluster and link-local ranges, API server, nodes, metadata: no", () => {
            expectCells(env.model, [
                ...cells([env.airlock], notInternet(), [22, 80, 443], [TCP], false),
                // "cluster DNS only": no other resolver inside the cluster or on private ranges.
                ...cells(
                    [env.airlock],
                    [...notInternet(), ...env.others, ...(env.reconciler ? [env.reconciler] : [])],
                    [53],
                    [UDP, TCP],
                    false,
                ),
                ...CONTROL.map((c) => ({ from: env.airlock, to: ip(c.ip), port: c.port, protocol: TCP, allowed: false })),
                ...cells([env.airlock], env.others, [80, 443], [TCP], false),
            ]);
        });

        /** The MLab Jobs, as sources and destinations. */
        const mlabJobs = () => [...(env.reconciler ? [env.reconciler] : []), ...(env.importer ? [env.importer] : [])];
        const database = () => (env.mlabDatabase ? [ip(env.mlabDatabase.ip)] : []);

        it("MLab → TorchPod, Airlock, the MLab Jobs: no; → DNS: no (neither the cluster DNS nor any resolver)", () => {
            expectCells(env.model, [
                ...cells([env.mlab], allTorchpods(), anyPorts, [TCP], false),
                ...cells([env.mlab], [env.airlock, ...mlabJobs()], anyPorts, [TCP], false),
                ...cells([env.mlab], [env.dns], [53], [UDP, TCP], false),
                ...cells([env.mlab], [...internet(), ...notInternet(), ...env.others], [53], [UDP, TCP], false),
            ]);
        });

        it("MLab → internet, private, cluster and control-plane addresses: no, on any port (only the configured database, exactly)", () => {
            expectCells(env.model, [
                ...cells([env.mlab], [...internet(), ...notInternet()], [...anyPorts, 5432, 9418], [TCP, UDP], false),
                ...CONTROL.map((c) => ({ from: env.mlab, to: ip(c.ip), port: c.port, protocol: TCP, allowed: false })),
                ...cells([env.mlab], env.others, [...anyPorts, 5432], [TCP], false),
            ]);
            if (env.mlabDatabase) {
                const db = env.mlabDatabase;
                expectCells(env.model, [
                    ...cells([env.mlab], database(), [db.port], [TCP], true),
                    ...cells([env.mlab], database(), [db.port], [UDP], false),
                    ...cells(
                        [env.mlab],
                        database(),
                        [...anyPorts, db.port + 1].filter((p) => p !== db.port),
                        [TCP],
                        false,
                    ),
                    ...(env.reconciler ? cells([env.reconciler], database(), [db.port], [TCP], false) : []),
                    ...(env.importer ? cells([env.importer], database(), [db.port], [TCP], false) : []),
                    ...cells(allTorchpods(), database(), [db.port], [TCP], false),
                ]);
            }
        });

        it("MLab reconciler → Gitea http only: no DNS, nothing else", function () {
            if (!env.reconciler) this.skip();
            const r = env.reconciler!;
            expectCells(env.model, [
                ...cells([r], [env.mlab], [env.mlabPorts.http], [TCP], true),
                ...cells([r], [env.mlab], [env.mlabPorts.ssh, 22, 443], [TCP], false),
                ...cells([r], [env.dns], [53], [UDP, TCP], false),
                ...cells([r], [...internet(), ...notInternet()], [53, 443, 80], [TCP, UDP], false),
                ...CONTROL.map((c) => ({ from: r, to: ip(c.ip), port: c.port, protocol: TCP, allowed: false })),
                ...cells(
                    [r],
                    [...allTorchpods(), env.airlock, ...env.others, ...(env.importer ? [env.importer] : [])],
                    anyPorts,
                    [TCP],
                    false,
                ),
            ]);
        });

        it("MLab importer → cluster DNS, TCP 443 to the internet (never private, cluster or control-plane addresses), Gitea http; nothing else", function () {
            if (!env.importer) this.skip();
            const i = env.importer!;
            expectCells(env.model, [
                ...cells([i], [env.dns], [53], [UDP, TCP], true),
                ...cells([i], INTERNET_V4.map(ip), [443], [TCP], true),
                ...cells([i], INTERNET_V6.map(ip), [443], [TCP], env.dualStack),
                ...cells([i], internet(), [80, 22, 53, 9418, 8080], [TCP], false),
                ...cells([i], internet(), [443, 53], [UDP], false),
                ...cells([i], notInternet(), [443, 80, 22], [TCP], false),
                ...cells([i], [...notInternet(), ...env.others], [53], [UDP, TCP], false),
                ...CONTROL.map((c) => ({ from: i, to: ip(c.ip), port: c.port, protocol: TCP, allowed: false })),
                ...cells([i], [env.mlab], [env.mlabPorts.http], [TCP], true),
                ...cells([i], [env.mlab], [env.mlabPorts.ssh, 22, 443], [TCP], false),
                ...cells(
                    [i],
                    [...allTorchpods(), env.airlock, ...env.others, ...(env.reconciler ? [env.reconciler] : [])],
                    anyPorts,
                    [TCP],
                    false,
                ),
            ]);
        });

        it("office networks → TorchPods: the enabled GUI ports only (never noVNC's 7030, raw VNC only when enabled)", () => {
            if (noOffice(allTorchpods)) return;
            const office = env.office.map(ip);
            expectCells(env.model, [
                ...cells(office, allTorchpods(), guiOn(), [TCP], true),
                ...cells(office, allTorchpods(), guiOff(), [TCP], false),
                ...cells(office, allTorchpods(), guiOn(), [UDP], false),
            ]);
        });

        it("office networks → Airlock: sftp and the GUI ports", () => {
            if (noOffice(() => [env.airlock])) return;
            const office = env.office.map(ip);
            expectCells(env.model, [
                ...cells(office, [env.airlock], [env.airlockSftpPort, ...guiOn()], [TCP], true),
                ...cells(
                    office,
                    [env.airlock],
                    guiOff().filter((p) => p !== env.airlockSftpPort),
                    [TCP],
                    false,
                ),
            ]);
        });

        it("office networks → MLab: http and ssh (never the MLab Jobs)", () => {
            if (noOffice(() => [env.mlab, ...mlabJobs()])) return;
            const office = env.office.map(ip);
            expectCells(env.model, [
                ...cells(office, [env.mlab], mlabOn(), [TCP], true),
                ...cells(office, [env.mlab], mlabOff(), [TCP], false),
                ...cells(office, mlabJobs(), anyPorts, [TCP], false),
            ]);
        });

        it("nothing but office networks reaches a TorchPod: no pod, no internet address, no cluster address", () => {
            const sources: Endpoint[] = [
                ...env.model.workloads.filter((w) => !allTorchpods().includes(w)),
                ...internet(),
                ...notInternet(),
                ...CONTROL.map((c) => ip(c.ip)),
            ].filter((e) => !inOffice(e)); // an office network may contain private addresses; pods never pass for it
            expectCells(env.model, cells(sources, allTorchpods(), [3389, 5900, 7030, 7031, 22], [TCP], false));
            // The internet reaches nothing of the platform either.
            expectCells(
                env.model,
                cells(internet(), [env.airlock, env.mlab], [env.airlockSftpPort, ...guiOn(), ...mlabOn()], [TCP], false),
            );
        });

        it("nothing but office networks reaches the Airlock; nothing but TorchPods, the MLab Jobs and office networks reaches MLab; nothing reaches the Jobs", () => {
            const strangers: Endpoint[] = [...env.others, env.dns, ...internet(), ...notInternet(), ...CONTROL.map((c) => ip(c.ip))].filter(
                (e) => !inOffice(e),
            );
            expectCells(env.model, [
                ...cells([...strangers, env.mlab, ...mlabJobs()], [env.airlock], [env.airlockSftpPort, ...guiOn(), 7030], [TCP], false),
                ...cells([...strangers, env.airlock], [env.mlab], [...mlabOn(), 22], [TCP], false),
                ...cells([...strangers, ...allTorchpods(), env.airlock, env.mlab, ...mlabJobs()], mlabJobs(), anyPorts, [TCP], false),
            ]);
        });

        it("audit writer → nothing: no pod, no DNS, no internet, private, cluster or control-plane address; nothing → audit writer, not even the office", () => {
            const w = env.auditWriter;
            const everyone: Endpoint[] = [...allTorchpods(), env.airlock, env.mlab, ...mlabJobs(), env.dns, ...env.others];
            const addresses: Endpoint[] = [...internet(), ...notInternet(), ...env.office.map(ip), ...CONTROL.map((c) => ip(c.ip))];
            expectCells(env.model, [
                ...cells([w], [...everyone, ...addresses], [...anyPorts, ...mlabOn(), 10022], [TCP, UDP], false),
                ...cells([...everyone, ...addresses], [w], [...anyPorts, 10022], [TCP, UDP], false),
            ]);
        });

        it("working-hours schedule → the API server only (Service IP on 443, the control plane on 443 and 6443); nothing else, and nothing → it", function () {
            if (!env.schedule) this.skip();
            const { apiServerIp, controlPlaneCidrs } = env.schedule;
            const actors = [...env.schedule.actors];
            const inControlPlane = (a: string) => controlPlaneCidrs.some((c) => ipInCidr(a, c));
            const controlPlane = [...controlPlaneCidrs.map((c) => c.split("/")[0]), ...CONTROL.map((c) => c.ip).filter(inControlPlane)];
            const everyone: Endpoint[] = [...allTorchpods(), env.airlock, env.mlab, ...mlabJobs(), env.auditWriter, env.dns, ...env.others];
            const addresses: Endpoint[] = [
                ...internet(),
                ...notInternet(),
                ...env.office.map(ip),
                ...CONTROL.map((c) => c.ip)
                    .filter((a) => a !== apiServerIp && !inControlPlane(a))
                    .map(ip),
            ];
            expectCells(env.model, [
                ...cells(actors, [ip(apiServerIp)], [443], [TCP], true),
                ...cells(actors, [ip(apiServerIp)], [6443, 80, 53, 10250], [TCP, UDP], false),
                ...cells(actors, [ip(apiServerIp)], [443], [UDP], false),
                ...cells(actors, controlPlane.map(ip), [443, 6443], [TCP], true),
                ...cells(actors, controlPlane.map(ip), [80, 53, 10250, 2379], [TCP, UDP], false),
                ...cells(actors, [...everyone, ...addresses], [...anyPorts, ...mlabOn(), 6443, 10022], [TCP, UDP], false),
                ...cells([...everyone, ...addresses], actors, [...anyPorts, 6443], [TCP, UDP], false),
            ]);
        });

        it("the enforcement probe is a TorchPod for policy purposes: every verdict equals a real TorchPod's", function () {
            if (!env.probe) this.skip();
            const real = env.torchpods[0];
            const peers: Endpoint[] = [
                ...env.model.workloads.filter((w) => w !== env.probe && w !== real),
                ...internet(),
                ...notInternet(),
                ...env.office.map(ip),
                ...CONTROL.map((c) => ip(c.ip)),
            ];
            const diffs: string[] = [];
            for (const p of peers) {
                for (const port of [...anyPorts, ...mlabOn()]) {
                    for (const protocol of [TCP, UDP]) {
                        for (const [a, b, dir] of [
                            [env.probe!, real, "from"],
                            [env.probe!, real, "to"],
                        ] as const) {
                            const probeV = dir === "from" ? env.model.check(a, p, port, protocol) : env.model.check(p, a, port, protocol);
                            const realV = dir === "from" ? env.model.check(b, p, port, protocol) : env.model.check(p, b, port, protocol);
                            if (probeV.allowed !== realV.allowed)
                                diffs.push(`${dir} ${label(p)} ${protocol}/${port}: probe ${probeV.allowed}, TorchPod ${realV.allowed}`);
                        }
                    }
                }
            }
            assert.deepEqual(diffs, []);
        });
    });
}

// --- Synthetic manifests: the label contract plus the lock-down's policies --------------------------

const LABELS = (component: string, instance: string, extra: Record<string, string> = {}) => ({
    "app.kubernetes.io/name": component,
    "app.kubernetes.io/instance": instance,
    "app.kubernetes.io/component": component,
    "app.kubernetes.io/part-of": "torchpod",
    "app.kubernetes.io/managed-by": "pulumi",
    ...extra,
});
const port = (name: string, containerPort: number, protocol = "TCP") => ({ name, containerPort, protocol });

function deployment(ns: string, name: string, labels: Record<string, string>, ports: object[]): K8sObject {
    return {
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { name, namespace: ns },
        spec: {
            selector: { matchLabels: labels },
            template: { metadata: { labels }, spec: { containers: [{ name: "c", image: "i:1", ports }] } },
        },
    };
}
function pod(ns: string, name: string, labels: Record<string, string>, ports: object[], podIP: string): K8sObject {
    return {
        apiVersion: "v1",
        kind: "Pod",
        metadata: { name, namespace: ns, labels },
        spec: { containers: [{ name: "c", image: "i:1", ports }] },
        status: { podIP },
    };
}
const namespace = (name: string): K8sObject => ({
    apiVersion: "v1",
    kind: "Namespace",
    metadata: { name, labels: { "app.kubernetes.io/part-of": "torchpod" } },
});

export const SYNTHETIC_CLUSTER: ClusterConfig = DEFAULT_CLUSTER;

/** Synthetic pods in the contract's namespaces and labels (several with pod IPs), plus the given lock-down. */
export function syntheticEnv(args: NetworkLockdownArgs, office: string[]): TableEnv {
    const tp = args.namespaces.torchpods;
    const ml = args.namespaces.mlab;
    const gui = [port("rdp", 3389), port("browser", 7031), ...(args.gui.vnc ? [port("vnc", 5900)] : [])];
    const v6 = args.cluster.dualStack;
    const objects: K8sObject[] = [
        namespace(tp),
        namespace(ml),
        { apiVersion: "v1", kind: "Namespace", metadata: { name: "kube-system" } },
        { apiVersion: "v1", kind: "Namespace", metadata: { name: "default" } },
        deployment(tp, "torchpod-alice", LABELS("torchpod", "alice"), gui),
        pod(tp, "torchpod-bob", LABELS("torchpod", "bob"), gui, "10.244.1.7"),
        { ...deployment(tp, "airlock", LABELS("airlock", "dev"), [...gui, port("sftp", args.airlockSftpContainerPort ?? 22)]) },
        // Were it to listen on anything, no one could reach it.
        pod(tp, "airlock-audit-0", LABELS("airlock-audit", "dev"), [port("metrics", 8080)], "10.244.1.9"),
        {
            apiVersion: "batch/v1",
            kind: "Job",
            metadata: { name: "enforcement-probe-0123456789", namespace: tp },
            spec: {
                template: {
                    metadata: {
                        labels: LABELS("torchpod", "torchpod.enforcement-probe", {
                            "torchpod.dev/probe": "true",
                            "torchpod.dev/probe-role": "client",
                        }),
                    },
                    spec: { containers: [{ name: "probe", image: "node:20" }] },
                },
            },
        },
        deployment(
            tp,
            "enforcement-probe-target",
            LABELS("torchpod", "torchpod.enforcement-probe", { "torchpod.dev/probe": "true", "torchpod.dev/probe-role": "target" }),
            [port("rdp", 3389)],
        ),
        pod(ml, "mlab-0", LABELS("mlab", "dev"), [port("http", args.mlabPorts.http), port("ssh", args.mlabPorts.ssh)], "10.244.2.9"),
        {
            apiVersion: "batch/v1",
            kind: "Job",
            metadata: { name: "mlab-reconciler", namespace: ml },
            spec: {
                template: {
                    metadata: { labels: LABELS("mlab-reconciler", "dev") },
                    spec: { containers: [{ name: "r", image: "node:20" }] },
                },
            },
        },
        {
            apiVersion: "batch/v1",
            kind: "Job",
            metadata: { name: "mlab-import-0123456789-abcdef01", namespace: ml },
            spec: {
                template: {
                    metadata: { labels: LABELS("mlab-importer", "dev") },
                    spec: { containers: [{ name: "importer", image: "gitea/gitea:1.22.6-rootless" }] },
                },
            },
        },
        pod("kube-system", "coredns", { "k8s-app": "kube-dns" }, [port("dns", 53, "UDP"), port("dns-tcp", 53)], "10.244.0.3"),
        pod("default", "web", { app: "web" }, [port("http", 80), port("https", 443), port("rdp", 3389)], "10.244.3.3"),
        ...(lockdownPolicies(args) as unknown as K8sObject[]),
    ];
    const model = NetworkModel.fromObjects(objects);
    const w = (id: string) => {
        const found = model.workload(id);
        assert.ok(found, `no workload ${id}`);
        return found;
    };
    return {
        model,
        torchpods: [w(`${tp}/torchpod-alice`), w(`${tp}/torchpod-bob`)],
        probe: w(`${tp}/enforcement-probe-0123456789`),
        probeTarget: w(`${tp}/enforcement-probe-target`),
        airlock: w(`${tp}/airlock`),
        auditWriter: w(`${tp}/airlock-audit-0`),
        mlab: w(`${ml}/mlab-0`),
        reconciler: w(`${ml}/mlab-reconciler`),
        importer: w(`${ml}/mlab-import-0123456789-abcdef01`),
        mlabDatabase: args.mlabDatabase,
        dns: w("kube-system/coredns"),
        others: [w("default/web")],
        officeCidrs: args.officeCidrs,
        office,
        gui: args.gui,
        mlabPorts: args.mlabPorts,
        airlockSftpPort: args.airlockSftpContainerPort ?? 22,
        dualStack: v6,
        clusterIps: ["10.244.1.7", "10.244.3.3", "10.96.0.10", "10.96.12.34", ...(v6 ? ["fd00:10:244::7", "2001:db8:42::9"] : [])],
    };
}

const baseArgs: NetworkLockdownArgs = {
    namespaces: { torchpods: "torchpod", mlab: "mlab" },
    gui: { rdp: true, browser: true, vnc: false },
    officeCidrs: ["192.0.2.0/24"],
    cluster: SYNTHETIC_CLUSTER,
    mlabPorts: { http: 3000, ssh: 2222 },
};

describeTrafficTable("traffic table: synthetic pods + the lock-down (rdp + browser, IPv4)", () =>
    syntheticEnv(baseArgs, ["192.0.2.10", "192.0.2.254"]),
);

// An office network that contains the pod network (a 10.0.0.0/8 office): pods must not pass for office computers.
describeTrafficTable("traffic table: synthetic pods + the lock-down (office CIDR around the pod network)", () =>
    syntheticEnv({ ...baseArgs, officeCidrs: ["10.0.0.0/8"] }, ["10.1.2.3", "10.200.0.1"]),
);

// No office networks: nothing outside the cluster reaches the platform at all.
describeTrafficTable("traffic table: synthetic pods + the lock-down (no office networks)", () =>
    syntheticEnv({ ...baseArgs, officeCidrs: [] }, []),
);

// An outside PostgreSQL server: Gitea reaches exactly that address and port, nothing else.
describeTrafficTable("traffic table: synthetic pods + the lock-down (MLab on an outside PostgreSQL at 192.168.50.7:5432)", () =>
    syntheticEnv({ ...baseArgs, mlabDatabase: { ip: "192.168.50.7", port: 5432 } }, ["192.0.2.10"]),
);

// One namespace for everything (the stack config refuses it for Pod Security reasons; the lock-down
// itself selects by component labels and must hold anyway).
describeTrafficTable("traffic table: synthetic pods + the lock-down (TorchPods and MLab in one namespace, raw VNC on)", () =>
    syntheticEnv({ ...baseArgs, namespaces: { torchpods: "platform", mlab: "platform" }, gui: { rdp: true, browser: true, vnc: true } }, [
        "192.0.2.10",
    ]),
);

describeTrafficTable("traffic table: synthetic pods + the lock-down (dual-stack, raw VNC on, sftp on 2022)", () =>
    syntheticEnv(
        {
            ...baseArgs,
            gui: { rdp: false, browser: true, vnc: true },
            officeCidrs: ["192.0.2.0/24", "2001:db8:100::/48"],
            airlockSftpContainerPort: 2022,
            cluster: {
                ...SYNTHETIC_CLUSTER,
                podCidrs: ["10.244.0.0/16", "2001:db8:42::/56"],
                serviceCidrs: ["10.96.0.0/12", "fd00:10:96::/112"],
                dualStack: true,
            },
        },
        ["192.0.2.10", "2001:db8:100::10"],
    ),
);
