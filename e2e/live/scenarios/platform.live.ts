// The live tier: the real program, through the real Pulumi CLI, on one real node (e2e/live/node.sh) where pods
// run and kube-router enforces NetworkPolicies. Every verdict below is a real connection attempt, from inside a
// running pod or from the run's office or internet network namespace, with a short timeout.
// The tests share one stack and run in order; the fail-closed scenario stops the NetworkPolicy controller, so it
// runs last.
import * as assert from "assert";
import * as childProcess from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import { PROGRAM, env, makeProject, pulumi, pulumiEnv, pulumiOk, tempRoot } from "../../support/harness";
import {
    Outcome,
    Target,
    api,
    apiOk,
    execIn,
    execOk,
    imageMapping,
    inNamespace,
    LIVE,
    internetLog,
    liveEntry,
    liveStackConfig,
    pods,
    runningPod,
    tryFromOffice,
    tryFromPod,
    waitFor,
} from "../support/live";

const STACK = "dev";
const NODE_IP = () => env("TORCHPOD_LIVE_NODE_IP");
const INTERNET = { git: "198.51.100.10", sink: "198.51.100.20", resolver: "198.51.100.53", metadata: "169.254.169.254" };
const SAMPLE = "torchpod live tier: a dataset fetched from the internet\n";
const sel = (component: string, instance?: string) =>
    `app.kubernetes.io/component=${component}${instance ? `,app.kubernetes.io/instance=${instance}` : ""}`;
const t = (host: string, port: number, kind: Target["kind"] = "tcp"): Target => ({ host, port, kind });

describe("the platform running for real on one node", function () {
    this.timeout(30 * 60 * 1000);
    let root: string;
    let dir: string;
    let outputs: any;
    let ns: { torchpods: string; mlab: string };

    const lb = async (namespace: string, name: string): Promise<string> => {
        const s = await apiOk("GET", `/api/v1/namespaces/${namespace}/services/${name}`);
        return s.status.loadBalancer.ingress[0].ip;
    };
    /** USER's index in the dev stack's `torchpod:users` (it moves when a user is removed and added again). */
    const userIndex = (user: string): number => {
        const out = JSON.parse(pulumiOk(dir, ["config", "get", "torchpod:users", "--json"])) as any;
        return (JSON.parse(out.value) as any[]).findIndex((u) => u.name === user);
    };
    const clusterIp = async (namespace: string, name: string): Promise<string> =>
        (await apiOk("GET", `/api/v1/namespaces/${namespace}/services/${name}`)).spec.clusterIP;

    before(async function () {
        root = tempRoot();
        pulumiEnv(root);
        for (const [name, bin, version] of [
            ["kubernetes", env("TORCHPOD_E2E_KUBERNETES_PROVIDER"), env("TORCHPOD_E2E_KUBERNETES_PROVIDER_VERSION")],
            ["random", env("TORCHPOD_E2E_RANDOM_PROVIDER"), env("TORCHPOD_E2E_RANDOM_PROVIDER_VERSION")],
        ]) {
            pulumiOk(root, ["plugin", "install", "resource", name, version, "-f", bin]);
        }
        console.log("      images (program -> live stand-in, imagePullPolicy Never):");
        for (const [from, to] of Object.entries(imageMapping())) console.log(`        ${from} -> ${to}`);
        dir = makeProject(root, "platform", liveEntry());
        pulumiOk(dir, ["stack", "init", STACK]);
        const { yaml, changes } = liveStackConfig();
        fs.writeFileSync(path.join(dir, `Pulumi.${STACK}.yaml`), yaml);
        console.log("      the dev stack's config, changed for this machine:");
        for (const c of changes) console.log(`        ${c}`);
    });

    after(function () {
        if (process.env.TORCHPOD_E2E_KEEP === "1") console.log(`kept ${root}`);
        else if (root) fs.rmSync(root, { recursive: true, force: true });
    });

    it("1. pulumi up of the dev stack succeeds; the probe Job succeeded before any TorchPod pod existed; every pod is Ready", async function () {
        const t0 = Date.now();
        pulumiOk(dir, ["up", "--yes", "--skip-preview"]);
        console.log(`      pulumi up: ${Math.round((Date.now() - t0) / 1000)}s`);
        outputs = JSON.parse(pulumiOk(dir, ["stack", "output", "--json", "--show-secrets"]));
        ns = outputs.namespaces;
        const jobs = (await apiOk("GET", `/apis/batch/v1/namespaces/${ns.torchpods}/jobs`)).items.filter((j: any) =>
            j.metadata.name.startsWith("enforcement-probe-"),
        );
        assert.strictEqual(jobs.length, 1, `probe Jobs: ${jobs.map((j: any) => j.metadata.name)}`);
        const probe = jobs[0];
        assert.strictEqual(probe.status.succeeded, 1, `probe Job status ${JSON.stringify(probe.status)}`);
        const done = Date.parse(probe.status.completionTime);
        const torchpods = (await pods(ns.torchpods, `${sel("torchpod")},!torchpod.dev/probe`)).filter(Boolean);
        assert.deepStrictEqual(torchpods.map((p: any) => p.metadata.labels["app.kubernetes.io/instance"]).sort(), [
            "alice",
            "bob",
            "carol",
        ]);
        for (const p of torchpods)
            assert.ok(
                Date.parse(p.metadata.creationTimestamp) >= done,
                `${p.metadata.name} was created at ${p.metadata.creationTimestamp}, before the probe completed at ${probe.status.completionTime}`,
            );
        const notReady: string[] = [];
        for (const n of [ns.torchpods, ns.mlab]) {
            for (const p of await pods(n)) {
                if (p.status.phase === "Succeeded") continue;
                const ready = p.status.conditions?.find((c: any) => c.type === "Ready")?.status === "True";
                if (!ready) notReady.push(`${n}/${p.metadata.name} ${p.status.phase}`);
            }
        }
        assert.deepStrictEqual(notReady, []);
    });

    it("2. the traffic table, cell by cell, from inside the pods, matches the README's table exactly", async function () {
        assert.ok(ns, "needs scenario 1");
        const tp = ns.torchpods;
        const ml = ns.mlab;
        const alice = await runningPod(tp, `${sel("torchpod", "alice")},!torchpod.dev/probe`);
        const bob = await runningPod(tp, `${sel("torchpod", "bob")},!torchpod.dev/probe`);
        const airlock = await runningPod(tp, sel("airlock"));
        const gitea = await runningPod(ml, sel("mlab"));
        const auditWriter = await runningPod(tp, sel("airlock-audit"));
        const coredns = await runningPod("kube-system", "k8s-app=kube-dns");
        const reconciler = await identityPod(ml, "mlab-reconciler", "reconciler");
        const importer = await identityPod(ml, "mlab-importer", "importer");
        const mlabSvc = await clusterIp(ml, "mlab");
        const apiPort = Number(new URL(/server: (\S+)/.exec(fs.readFileSync(env("KUBECONFIG"), "utf8"))![1]).port);
        const kubeletPort = Number(
            /^port: (\d+)/m.exec(fs.readFileSync(path.join(env("TORCHPOD_LIVE_DIR"), "kubelet", "config.yaml"), "utf8"))![1],
        );
        const ip = (p: any) => p.status.podIP as string;
        const svc = {
            alice: await clusterIp(tp, "torchpod-alice"),
            bob: await clusterIp(tp, "torchpod-bob"),
            airlock: await clusterIp(tp, "airlock"),
        };
        const lbs = { alice: await lb(tp, "torchpod-alice"), airlock: await lb(tp, "airlock"), mlab: await lb(ml, "mlab") };

        type Check = { what: string; target: Target; expect: boolean };
        const yes = (what: string, target: Target): Check => ({ what, target, expect: true });
        const no = (what: string, target: Target): Check => ({ what, target, expect: false });
        const apiNodeMetadata = [
            no("API server (Service IP)", t("10.96.0.1", 443)),
            no("API server (node IP)", t(NODE_IP(), apiPort)),
            no("node (kubelet)", t(NODE_IP(), kubeletPort)),
            no("metadata", t(INTERNET.metadata, 80)),
        ];
        const noTorchpod = [no("alice's pod rdp", t(ip(alice), 3389)), no("alice's Service rdp", t(svc.alice, 3389))];
        const noAirlock = [no("Airlock pod sftp", t(ip(airlock), 22)), no("Airlock Service sftp", t(svc.airlock, 10022))];
        const noInternet = [no("internet https", t(INTERNET.git, 443)), no("internet http", t(INTERNET.sink, 80))];
        const cols = ["TorchPod", "Airlock", "MLab", "DNS", "API", "internet"] as const;
        type Row = { name: string; from: (targets: Target[]) => Outcome[]; cells: Record<(typeof cols)[number], Check[] | undefined> };
        const rows: Row[] = [
            {
                name: "TorchPod",
                from: (x) => tryFromPod(alice, "torchpod", x),
                cells: {
                    TorchPod: [
                        no("bob's pod rdp", t(ip(bob), 3389)),
                        no("bob's pod browser", t(ip(bob), 7031)),
                        no("bob's Service rdp", t(svc.bob, 3389)),
                    ],
                    Airlock: [...noAirlock, no("Airlock pod rdp", t(ip(airlock), 3389))],
                    MLab: [
                        yes("MLab Service http", t(mlabSvc, 80)),
                        yes("MLab Service ssh", t(mlabSvc, 22)),
                        yes("Gitea pod http", t(ip(gitea), 3000)),
                        yes("Gitea pod ssh", t(ip(gitea), 2222)),
                    ],
                    DNS: [
                        no("cluster DNS (UDP)", t("10.96.0.10", 53, "dns-udp")),
                        no("cluster DNS (TCP)", t("10.96.0.10", 53, "dns-tcp")),
                        no("CoreDNS pod", t(ip(coredns), 53, "dns-udp")),
                        no("outside resolver", t(INTERNET.resolver, 53, "dns-udp")),
                    ],
                    API: apiNodeMetadata,
                    internet: noInternet,
                },
            },
            {
                name: "Airlock",
                from: (x) => tryFromPod(airlock, "airlock", x),
                cells: {
                    TorchPod: [...noTorchpod, no("alice's load balancer rdp", t(lbs.alice, 3389))],
                    Airlock: undefined,
                    MLab: [no("MLab Service http", t(mlabSvc, 80)), no("Gitea pod http", t(ip(gitea), 3000))],
                    DNS: [
                        yes("cluster DNS (UDP)", t("10.96.0.10", 53, "dns-udp")),
                        yes("cluster DNS (TCP)", t("10.96.0.10", 53, "dns-tcp")),
                    ],
                    API: apiNodeMetadata,
                    internet: [
                        yes("internet https", t(INTERNET.git, 443)),
                        yes("internet http", t(INTERNET.sink, 80)),
                        no("link-local (metadata)", t(INTERNET.metadata, 80)),
                        no("private (node)", t(NODE_IP(), apiPort)),
                        no("cluster (a TorchPod)", t(ip(alice), 3389)),
                    ],
                },
            },
            {
                name: "MLab's Gitea",
                from: (x) => tryFromPod(gitea, "gitea", x),
                cells: {
                    TorchPod: noTorchpod,
                    Airlock: noAirlock,
                    MLab: undefined,
                    DNS: [
                        no("cluster DNS (UDP)", t("10.96.0.10", 53, "dns-udp")),
                        no("outside resolver", t(INTERNET.resolver, 53, "dns-udp")),
                    ],
                    API: apiNodeMetadata,
                    internet: noInternet,
                },
            },
            {
                name: "reconciler (Job; holds the admin credential)",
                from: (x) => tryFromPod(reconciler, "reconciler", x),
                cells: {
                    TorchPod: noTorchpod,
                    Airlock: noAirlock,
                    MLab: [
                        yes("MLab Service http", t(mlabSvc, 80)),
                        yes("Gitea pod http", t(ip(gitea), 3000)),
                        no("MLab Service ssh", t(mlabSvc, 22)),
                        no("Gitea pod ssh", t(ip(gitea), 2222)),
                    ],
                    DNS: [no("cluster DNS (UDP)", t("10.96.0.10", 53, "dns-udp")), no("cluster DNS (TCP)", t("10.96.0.10", 53, "dns-tcp"))],
                    API: apiNodeMetadata,
                    internet: noInternet,
                },
            },
            {
                name: "importer (short-lived; writes only the repository it imports)",
                from: (x) => tryFromPod(importer, "importer", x),
                cells: {
                    TorchPod: noTorchpod,
                    Airlock: noAirlock,
                    MLab: [
                        yes("MLab Service http", t(mlabSvc, 80)),
                        no("MLab Service ssh", t(mlabSvc, 22)),
                        no("Gitea pod ssh", t(ip(gitea), 2222)),
                    ],
                    DNS: [
                        yes("cluster DNS (UDP)", t("10.96.0.10", 53, "dns-udp")),
                        yes("cluster DNS (TCP)", t("10.96.0.10", 53, "dns-tcp")),
                        no("outside resolver", t(INTERNET.resolver, 53, "dns-udp")),
                    ],
                    API: [...apiNodeMetadata, no("metadata https", t(INTERNET.metadata, 443))],
                    internet: [
                        yes("internet https (upstream)", t(INTERNET.git, 443)),
                        no("internet http", t(INTERNET.sink, 80)),
                        no("link-local https", t(INTERNET.metadata, 443)),
                        no("cluster https (API server Service)", t("10.96.0.1", 443)),
                    ],
                },
            },
            {
                // Its egress, from the writer itself. "Nothing reaches it" has no listener to try live (the
                // writer serves nothing); the analyzer's table spec and audit-writer-no-ingress hold that half.
                name: "audit writer (reads the airlock share, writes the audit log)",
                from: (x) => tryFromPod(auditWriter, "writer", x),
                cells: {
                    TorchPod: noTorchpod,
                    Airlock: noAirlock,
                    MLab: [no("MLab Service http", t(mlabSvc, 80)), no("Gitea pod http", t(ip(gitea), 3000))],
                    DNS: [
                        no("cluster DNS (UDP)", t("10.96.0.10", 53, "dns-udp")),
                        no("cluster DNS (TCP)", t("10.96.0.10", 53, "dns-tcp")),
                        no("outside resolver", t(INTERNET.resolver, 53, "dns-udp")),
                    ],
                    API: apiNodeMetadata,
                    internet: noInternet,
                },
            },
            {
                name: "office networks (`torchpod:officeCidrs`)",
                from: (x) => tryFromOffice(x),
                cells: {
                    TorchPod: [
                        yes("alice's load balancer rdp", t(lbs.alice, 3389)),
                        yes("alice's load balancer browser", t(lbs.alice, 7031)),
                    ],
                    Airlock: [
                        yes("Airlock load balancer sftp", t(lbs.airlock, 10022)),
                        yes("Airlock load balancer rdp", t(lbs.airlock, 3389)),
                        yes("Airlock load balancer browser", t(lbs.airlock, 7031)),
                    ],
                    MLab: [yes("MLab load balancer http", t(lbs.mlab, 80)), yes("MLab load balancer ssh", t(lbs.mlab, 22))],
                    DNS: undefined,
                    API: undefined,
                    internet: undefined,
                },
            },
        ];

        const readme = readmeTable();
        const observed: string[][] = [];
        const mismatches: string[] = [];
        console.log("      every attempt (from -> to: expected / observed):");
        for (const row of rows) {
            const checks = cols.flatMap((c) => row.cells[c] ?? []);
            const results = row.from(checks.map((c) => c.target));
            const readmeRow = readme.rows.find((r) => r[0] === row.name);
            assert.ok(readmeRow, `the README's table has no row "${row.name}"`);
            const cells: string[] = [row.name];
            let i = 0;
            cols.forEach((c, ci) => {
                const cellChecks = row.cells[c];
                const readmeCell = readmeRow![ci + 1];
                if (!cellChecks) {
                    cells.push(readmeCell === "—" || readmeCell === "" ? readmeCell : `(not tried: ${readmeCell})`);
                    return;
                }
                const bad: string[] = [];
                for (const check of cellChecks) {
                    const o = results[i++];
                    const ok = o.reachable === check.expect;
                    const where = `${check.target.host}:${check.target.port}${check.target.kind === "tcp" ? "" : ` ${check.target.kind}`}`;
                    console.log(
                        `        ${ok ? "ok  " : "FAIL"} ${row.name.split(" (")[0]} -> ${check.what} (${where}): expected ${check.expect ? "allowed" : "refused"}, ${o.reachable ? "allowed" : "refused"} (${o.detail})`,
                    );
                    if (!ok) bad.push(`${check.what} ${o.reachable ? "ALLOWED" : "REFUSED"}`);
                }
                if (bad.length > 0) mismatches.push(`${row.name} -> ${c}: ${bad.join(", ")}`);
                cells.push(bad.length === 0 ? readmeCell : `MISMATCH: ${bad.join(", ")}`);
            });
            observed.push(cells);
        }
        console.log("      the traffic table as observed:");
        console.log(`        ${readme.header}`);
        console.log(`        ${readme.separator}`);
        for (const r of observed) console.log(`        |${r.map((c) => (c === "" ? " " : ` ${c} `)).join("|")}|`);
        // Rows of workloads the dev stack does not deploy are named here, with why, and printed; any
        // other row of the README that was not tried fails the comparison below.
        const notDeployed: Record<string, string> = {
            "working-hours schedule (CronJobs, own namespace; only with `torchpod:schedule`)":
                "the dev stack sets no torchpod:schedule (its row is asserted through the analyzer in test/stacks/trafficTable.spec.ts)",
        };
        for (const r of readme.rows.filter((r) => notDeployed[r[0]] !== undefined))
            console.log(`        (not tried: ${r[0]}: ${notDeployed[r[0]]})`);
        assert.deepStrictEqual(mismatches, []);
        assert.deepStrictEqual(
            observed,
            readme.rows.filter((r) => notDeployed[r[0]] === undefined),
        );
    });

    it("8. the test can see a hole: one extra NetworkPolicy opening TorchPod egress to 0.0.0.0/0 lets a TorchPod reach the internet host", async function () {
        assert.ok(ns, "needs scenario 1");
        const alice = await runningPod(ns.torchpods, `${sel("torchpod", "alice")},!torchpod.dev/probe`);
        const target = [t(INTERNET.sink, 80)];
        assert.strictEqual(tryFromPod(alice, "torchpod", target)[0].reachable, false, "alice reaches the internet before the hole");
        const entry = `${liveEntry().split("module.exports")[0]}
import * as k8s from "@pulumi/kubernetes";
const provider = new k8s.Provider("escape", { kubeconfig: ${JSON.stringify(fs.readFileSync(env("KUBECONFIG"), "utf8"))} }, { version: process.env.TORCHPOD_E2E_KUBERNETES_PROVIDER_VERSION });
new k8s.networking.v1.NetworkPolicy("escape", {
    metadata: { name: "escape", namespace: ${JSON.stringify(ns.torchpods)} },
    spec: {
        podSelector: { matchLabels: { "app.kubernetes.io/component": "torchpod" } },
        policyTypes: ["Egress"],
        egress: [{ to: [{ ipBlock: { cidr: "0.0.0.0/0" } }] }],
    },
}, { provider });
`;
        const escape = makeProject(root, "escape", entry);
        pulumiOk(escape, ["stack", "init", "escape"]);
        // The project declares the platform's required keys: the escape stack carries the same config.
        fs.copyFileSync(path.join(dir, `Pulumi.${STACK}.yaml`), path.join(escape, "Pulumi.escape.yaml"));
        pulumiOk(escape, ["up", "--yes", "--skip-preview"]);
        const opened = await waitFor("alice reaching the internet through the hole", 60, async () =>
            tryFromPod(alice, "torchpod", target)[0].reachable ? true : undefined,
        );
        assert.ok(opened);
        // A real request through the hole, which the sink records with alice's address.
        const got = execIn(alice, "torchpod", ["curl", "-sS", "-m", "5", `http://${INTERNET.sink}/through-the-hole`]);
        assert.strictEqual(got.stdout, "sink\n", `alice's request through the hole: ${got.stderr}`);
        const seen = internetLog().filter((e) => e.remote === alice.status.podIP && e.url === "/through-the-hole");
        assert.ok(seen.length > 0, "the internet sink did not record alice's request");
        console.log(
            `      with the hole, alice reached ${INTERNET.sink}:80 (the sink recorded ${seen.length} request(s) from ${alice.status.podIP})`,
        );
        pulumiOk(escape, ["destroy", "--yes", "--skip-preview"]);
        await waitFor("the hole closing again", 60, async () => (tryFromPod(alice, "torchpod", target)[0].reachable ? undefined : true));
    });

    it("3. MLab for real on Gitea: users and repositories reconciled, the upstream imported, clone and push from a TorchPod, fetch from the office", async function () {
        assert.ok(ns, "needs scenario 1");
        const mlabLb = await lb(ns.mlab, "mlab");
        const admin = `mlab-admin:${outputs.mlabAdminPassword}`;
        const office = (args: string[], extra: Record<string, string> = {}) =>
            inNamespace(env("TORCHPOD_LIVE_OFFICE_NS"), args, { GIT_TERMINAL_PROMPT: "0", GIT_CONFIG_NOSYSTEM: "1", HOME: root, ...extra });
        const gitea = (method: string, p: string, body?: unknown, auth = admin) => {
            const r = office([
                "curl",
                "-sS",
                "-u",
                auth,
                "-X",
                method,
                "-H",
                "Content-Type: application/json",
                ...(body ? ["-d", JSON.stringify(body)] : []),
                "-w",
                "\n%{http_code}",
                `http://${mlabLb}/api/v1${p}`,
            ]);
            const lines = r.stdout.trimEnd().split("\n");
            const code = Number(lines.pop());
            let json: any = lines.join("\n");
            try {
                json = JSON.parse(json);
            } catch {
                /* text */
            }
            return { code, json };
        };
        // The reconciler's users and repositories.
        for (const u of ["alice", "bob", "carol"]) assert.strictEqual(gitea("GET", `/users/${u}`).code, 200, `no MLab user ${u}`);
        const repo = gitea("GET", "/repos/deepvac/deepvac");
        assert.strictEqual(repo.code, 200, `no deepvac/deepvac: ${JSON.stringify(repo.json)}`);
        // The importer's work: the upstream's branches and tag.
        const branches = gitea("GET", "/repos/deepvac/deepvac/branches")
            .json.map((b: any) => b.name)
            .sort();
        assert.deepStrictEqual(branches, ["develop", "main"]);
        assert.deepStrictEqual(
            gitea("GET", "/repos/deepvac/deepvac/tags").json.map((x: any) => x.name),
            ["v0.1.0"],
        );

        // alice clones with no password typed (the mounted credential), commits and pushes a branch.
        const alice = await runningPod(ns.torchpods, `${sel("torchpod", "alice")},!torchpod.dev/probe`);
        const host = outputs.mlabHttpUrl.replace(/^http:\/\//, "").replace(/\/.*$/, "");
        const marker = crypto.randomBytes(8).toString("hex");
        const script = [
            "set -eu",
            "cd /home/alice && rm -rf deepvac",
            `git clone http://${host}/deepvac/deepvac`,
            "cd deepvac",
            "git checkout -b alice/live-feature",
            `echo ${marker} > FEATURE`,
            "git add FEATURE",
            "git -c user.name=alice -c user.email=alice@example.invalid commit -q -m 'live tier feature'",
            "git push -q origin alice/live-feature",
            "echo pushed",
        ].join("\n");
        const pushed = execIn(alice, "torchpod", [
            "runuser",
            "-u",
            "alice",
            "--",
            "env",
            "HOME=/home/alice",
            "GIT_TERMINAL_PROMPT=0",
            "sh",
            "-c",
            script,
        ]);
        assert.strictEqual(pushed.code, 0, `clone/push in alice's TorchPod failed:\n${pushed.stdout}\n${pushed.stderr}`);

        // From the office: fetch that branch with alice's MLab password.
        const clone = path.join(root, "office-clone");
        const pw = encodeURIComponent(outputs.mlabPasswords.alice);
        const fetched = office([
            "git",
            "clone",
            "-q",
            "--branch",
            "alice/live-feature",
            `http://alice:${pw}@${mlabLb}/deepvac/deepvac`,
            clone,
        ]);
        assert.strictEqual(fetched.code, 0, `office fetch failed: ${fetched.stderr.replace(pw, "***")}`);
        assert.strictEqual(fs.readFileSync(path.join(clone, "FEATURE"), "utf8").trim(), marker);

        // The importer's credential opens nothing else: another repository refuses it.
        const other = gitea("POST", "/orgs/deepvac/repos", { name: `other-${marker}`, private: true });
        assert.strictEqual(other.code, 201, `creating another repository: ${JSON.stringify(other.json)}`);
        const secrets = (await apiOk("GET", `/api/v1/namespaces/${ns.mlab}/secrets`)).items.filter((s: any) =>
            /-import-/.test(s.metadata.name),
        );
        assert.ok(secrets.length > 0, "no import credential Secret");
        for (const s of secrets) {
            const user = Buffer.from(s.data.username, "base64").toString();
            const pass = encodeURIComponent(Buffer.from(s.data.password, "base64").toString());
            for (const r of [`deepvac/other-${marker}`]) {
                const tried = office(["git", "ls-remote", `http://${user}:${pass}@${mlabLb}/${r}`]);
                assert.notStrictEqual(tried.code, 0, `the import account ${user} reads ${r}`);
            }
            const api2 = gitea("GET", `/repos/deepvac/other-${marker}`, undefined, `${user}:${decodeURIComponent(pass)}`);
            assert.ok(api2.code === 401 || api2.code === 404 || api2.code === 403, `import account on the API: HTTP ${api2.code}`);
        }

        // Migrations are refused.
        const migrate = gitea("POST", "/repos/migrate", {
            clone_addr: "https://github.com/DeepVAC/deepvac",
            repo_name: `migrated-${marker}`,
            repo_owner: "deepvac",
        });
        assert.ok(migrate.code >= 400, `a migration was accepted: HTTP ${migrate.code}`);
        console.log(`      migration refused: HTTP ${migrate.code} ${JSON.stringify(migrate.json).slice(0, 200)}`);

        // The internet side recorded nothing from MLab.
        const gitea0 = await runningPod(ns.mlab, sel("mlab"));
        const fromMlab = internetLog().filter((e) => e.remote === gitea0.status.podIP);
        assert.deepStrictEqual(fromMlab, []);
    });

    it("4. Airlock: a file fetched from the internet lands in the share; a TorchPod reads it and cannot write; sftp from the office with the password, and not without", async function () {
        assert.ok(ns, "needs scenario 1");
        const airlock = await runningPod(ns.torchpods, sel("airlock"));
        execOk(airlock, "airlock", [
            "curl",
            "-fsS",
            "-o",
            "/opt/public/airlock/pip/sample.txt",
            `http://${INTERNET.sink}/datasets/sample.txt`,
        ]);
        const alice = await runningPod(ns.torchpods, `${sel("torchpod", "alice")},!torchpod.dev/probe`);
        assert.strictEqual(execOk(alice, "torchpod", ["cat", "/opt/public/airlock/pip/sample.txt"]), SAMPLE);
        const write = execIn(alice, "torchpod", ["sh", "-c", "echo x > /opt/public/airlock/pip/from-torchpod"]);
        assert.notStrictEqual(write.code, 0, "a TorchPod wrote into the airlock share");
        assert.match(write.stderr, /Read-only file system/);

        const lbIp = await lb(ns.torchpods, "airlock");
        const user = outputs.airlock.user;
        const upload = path.join(root, "upload.txt");
        fs.writeFileSync(upload, "uploaded over sftp\n");
        const sftp = (password: string, batch: string) =>
            inNamespace(
                env("TORCHPOD_LIVE_OFFICE_NS"),
                [
                    "sshpass",
                    "-e",
                    "sftp",
                    "-oBatchMode=no",
                    "-oStrictHostKeyChecking=no",
                    "-oUserKnownHostsFile=/dev/null",
                    "-oConnectTimeout=5",
                    "-P",
                    "10022",
                    "-b",
                    "-",
                    `${user}@${lbIp}`,
                ],
                { SSHPASS: password },
                batch,
            );
        const ok = sftp(outputs.airlockPassword, `put ${upload} /opt/public/airlock/apt/upload.txt\nls /opt/public/airlock/apt\n`);
        assert.strictEqual(ok.code, 0, `sftp with the password failed: ${ok.stderr}`);
        assert.match(ok.stdout, /upload\.txt/);
        assert.strictEqual(execOk(alice, "torchpod", ["cat", "/opt/public/airlock/apt/upload.txt"]), "uploaded over sftp\n");
        const bad = sftp("not-the-password", "ls\n");
        assert.notStrictEqual(bad.code, 0, "sftp accepted a wrong password");
    });

    it("5. browser desktop: Caddy answers 401 without credentials and passes with them", async function () {
        assert.ok(ns, "needs scenario 1");
        const lbIp = await lb(ns.torchpods, "torchpod-alice");
        const curl = (...args: string[]) =>
            inNamespace(env("TORCHPOD_LIVE_OFFICE_NS"), ["curl", "-sS", "-m", "10", "-w", "\n%{http_code}", ...args]);
        const anon = curl(`http://${lbIp}:7031/`);
        assert.match(anon.stdout, /\n401$/, `without credentials: ${anon.stdout}`);
        const wrong = curl("-u", "alice:wrong", `http://${lbIp}:7031/`);
        assert.match(wrong.stdout, /\n401$/, `with a wrong password: ${wrong.stdout}`);
        const authed = curl("-u", `alice:${outputs.passwords.alice}`, `http://${lbIp}:7031/`);
        assert.match(authed.stdout, /noVNC stand-in[\s\S]*\n200$/, `with alice's credentials: ${authed.stdout}`);
    });

    it("6. home volume: a file in alice's home survives a config change that restarts her pod, and her removal and re-adding", async function () {
        assert.ok(ns, "needs scenario 1");
        const marker = crypto.randomBytes(8).toString("hex");
        const before = await runningPod(ns.torchpods, `${sel("torchpod", "alice")},!torchpod.dev/probe`);
        execOk(before, "torchpod", ["sh", "-c", `echo ${marker} > /home/alice/survives.txt`]);
        const aliceIndex = () => userIndex("alice");
        pulumiOk(dir, ["config", "set", "--path", `torchpod:users[${aliceIndex()}].gpus`, "2"]);
        pulumiOk(dir, ["up", "--yes", "--skip-preview"]);
        const restarted = await runningPod(ns.torchpods, `${sel("torchpod", "alice")},!torchpod.dev/probe`);
        assert.notStrictEqual(restarted.metadata.uid, before.metadata.uid, "the config change did not restart alice's pod");
        assert.strictEqual(execOk(restarted, "torchpod", ["cat", "/home/alice/survives.txt"]).trim(), marker);

        pulumiOk(dir, ["config", "rm", "--path", `torchpod:users[${aliceIndex()}]`]);
        pulumiOk(dir, ["up", "--yes", "--skip-preview"]);
        const gone = (await pods(ns.torchpods, `${sel("torchpod", "alice")},!torchpod.dev/probe`)).filter(
            (p: any) => !p.metadata.deletionTimestamp,
        );
        assert.deepStrictEqual(
            gone.map((p: any) => p.metadata.name),
            [],
            "alice's pod is still there after her removal",
        );
        assert.strictEqual((await api("GET", `/api/v1/namespaces/${ns.torchpods}/persistentvolumeclaims/home-alice`)).status, 200);

        const users = JSON.parse((JSON.parse(pulumiOk(dir, ["config", "get", "torchpod:users", "--json"])) as any).value);
        pulumiOk(dir, ["config", "set", "--path", `torchpod:users[${users.length}].name`, "alice"]);
        pulumiOk(dir, ["up", "--yes", "--skip-preview"], { PULUMI_K8S_UPSERT_EXISTING_OBJECTS: "true" });
        const back = await waitFor("alice's pod back", 300, async () => {
            try {
                return await runningPod(ns.torchpods, `${sel("torchpod", "alice")},!torchpod.dev/probe`);
            } catch {
                return undefined;
            }
        });
        assert.strictEqual(execOk(back, "torchpod", ["cat", "/home/alice/survives.txt"]).trim(), marker);
    });

    it("9. suspend and resume: a suspended user's pod is gone (Deployment at 0), her home claim stays Bound; on resume her home has its files and her password is the same", async function () {
        assert.ok(ns, "needs scenario 1");
        const selector = `${sel("torchpod", "alice")},!torchpod.dev/probe`;
        const marker = crypto.randomBytes(8).toString("hex");
        const before = await runningPod(ns.torchpods, selector);
        execOk(before, "torchpod", ["sh", "-c", `echo ${marker} > /home/alice/suspended.txt`]);
        const secretPath = `/api/v1/namespaces/${ns.torchpods}/secrets/torchpod-alice-credentials`;
        const secretBefore = (await apiOk("GET", secretPath)).data;
        // Scenario 6 removed and re-added alice: her password is the one she has now, not scenario 1's.
        const passwordBefore = JSON.parse(pulumiOk(dir, ["stack", "output", "--json", "--show-secrets"])).passwords.alice;

        pulumiOk(dir, ["config", "set", "--path", `torchpod:users[${userIndex("alice")}].suspended`, "true"]);
        pulumiOk(dir, ["up", "--yes", "--skip-preview"]);
        const deployment = await apiOk("GET", `/apis/apps/v1/namespaces/${ns.torchpods}/deployments/torchpod-alice`);
        assert.strictEqual(deployment.spec.replicas, 0, "alice's Deployment is not scaled to zero");
        await waitFor("alice's pod gone", 120, async () => ((await pods(ns.torchpods, selector)).length === 0 ? true : undefined));
        const claim = await apiOk("GET", `/api/v1/namespaces/${ns.torchpods}/persistentvolumeclaims/home-alice`);
        assert.strictEqual(claim.status.phase, "Bound", "alice's home claim while she is suspended");
        const suspended = JSON.parse(pulumiOk(dir, ["stack", "output", "--json"]));
        assert.deepStrictEqual(suspended.suspended, ["alice"]);

        pulumiOk(dir, ["config", "set", "--path", `torchpod:users[${userIndex("alice")}].suspended`, "false"]);
        pulumiOk(dir, ["up", "--yes", "--skip-preview"]);
        const back = await waitFor("alice's pod back", 300, async () => {
            try {
                return await runningPod(ns.torchpods, selector);
            } catch {
                return undefined;
            }
        });
        assert.strictEqual(execOk(back, "torchpod", ["cat", "/home/alice/suspended.txt"]).trim(), marker);
        assert.deepStrictEqual(
            (await apiOk("GET", secretPath)).data,
            secretBefore,
            "alice's credentials Secret changed across suspend and resume",
        );
        const resumed = JSON.parse(pulumiOk(dir, ["stack", "output", "--json", "--show-secrets"]));
        assert.strictEqual(resumed.passwords.alice, passwordBefore, "alice's password changed");
        assert.deepStrictEqual(resumed.suspended, []);
    });

    it("10. the audit trail: a file uploaded over sftp is in the audit log with its sha256 and route sftp; a push from a TorchPod is in MLab's access log with the user", async function () {
        assert.ok(ns, "needs scenario 1");
        // The commands admins run are the stack outputs, and the README documents them.
        const readme = fs.readFileSync(path.join(PROGRAM, "README.md"), "utf8");
        for (const [what, command, namespace, documented] of [
            ["enters", outputs.audit.enters, ns.torchpods, "torchpod"],
            ["leaves", outputs.audit.leaves, ns.mlab, "mlab"],
        ] as const) {
            const asDocumented = command.replace(`-n ${namespace} `, `-n ${documented} `);
            assert.ok(readme.includes(`\n${asDocumented}\n`), `the README does not document audit.${what}: ${asDocumented}`);
        }

        // What enters: an upload from the office over sftp.
        const marker = crypto.randomBytes(8).toString("hex");
        const content = `audited upload ${marker}\n`;
        const sha256 = crypto.createHash("sha256").update(content).digest("hex");
        const upload = path.join(root, `audit-${marker}.txt`);
        fs.writeFileSync(upload, content);
        const lbIp = await lb(ns.torchpods, "airlock");
        const put = inNamespace(
            env("TORCHPOD_LIVE_OFFICE_NS"),
            [
                "sshpass",
                "-e",
                "sftp",
                "-oBatchMode=no",
                "-oStrictHostKeyChecking=no",
                "-oUserKnownHostsFile=/dev/null",
                "-oConnectTimeout=5",
                "-P",
                "10022",
                "-b",
                "-",
                `${outputs.airlock.user}@${lbIp}`,
            ],
            { SSHPASS: outputs.airlockPassword },
            `put ${upload} /opt/public/airlock/apt/audit-${marker}.txt\n`,
        );
        assert.strictEqual(put.code, 0, `sftp upload failed: ${put.stderr}`);
        const t0 = Date.now();
        const record = await waitFor("the upload in the audit log", 90, async () => {
            const r = await documentedExec(outputs.audit.enters);
            assert.strictEqual(r.code, 0, `audit show exited ${r.code}: ${r.stderr}`);
            return r.stdout
                .split("\n")
                .filter((l) => l.trim() !== "")
                .map((l) => JSON.parse(l))
                .find((e) => e.event === "file-added" && e.path === `apt/audit-${marker}.txt`);
        });
        console.log(`      audit record after ${Math.round((Date.now() - t0) / 1000)}s: ${JSON.stringify(record)}`);
        assert.strictEqual(record.sha256, sha256);
        assert.strictEqual(record.size, Buffer.byteLength(content));
        assert.strictEqual(record.route?.via, "sftp", `route: ${JSON.stringify(record.route)}`);
        assert.strictEqual(record.route.user, outputs.airlock.user);

        // What leaves: a push of a branch from alice's TorchPod.
        const alice = await runningPod(ns.torchpods, `${sel("torchpod", "alice")},!torchpod.dev/probe`);
        const host = outputs.mlabHttpUrl.replace(/^http:\/\//, "").replace(/\/.*$/, "");
        const pushedAt = Date.now();
        const script = [
            "set -eu",
            "cd /home/alice && rm -rf audit-clone",
            `git clone -q http://${host}/deepvac/deepvac audit-clone`,
            "cd audit-clone",
            `git checkout -q -b alice/audit-${marker}`,
            `echo ${marker} > AUDIT`,
            "git add AUDIT",
            "git -c user.name=alice -c user.email=alice@example.invalid commit -q -m 'audited push'",
            `git push -q origin alice/audit-${marker}`,
        ].join("\n");
        const pushed = execIn(alice, "torchpod", [
            "runuser",
            "-u",
            "alice",
            "--",
            "env",
            "HOME=/home/alice",
            "GIT_TERMINAL_PROMPT=0",
            "sh",
            "-c",
            script,
        ]);
        assert.strictEqual(pushed.code, 0, `push from alice's TorchPod failed:\n${pushed.stdout}\n${pushed.stderr}`);
        const leaves = await documentedExec(outputs.audit.leaves);
        assert.strictEqual(leaves.code, 0, `audit.leaves exited ${leaves.code}: ${leaves.stderr}`);
        const pushes = leaves.stdout
            .split("\n")
            .filter((l) => l.trim() !== "")
            .map((l) => JSON.parse(l))
            .filter((e) => e.user === "alice" && e.method === "POST" && /^\/deepvac\/deepvac(\.git)?\/git-receive-pack$/.test(e.uri));
        const mine = pushes.filter((e) => Date.parse(e.time) >= pushedAt - 2000);
        console.log(`      MLab's record of alice's push: ${JSON.stringify(mine)}`);
        assert.ok(mine.length > 0, `no push by alice since ${new Date(pushedAt).toISOString()} in:\n${leaves.stdout}`);
        assert.strictEqual(mine[0].status, 200);
        assert.strictEqual(mine[0].client, alice.status.podIP, "the push's client address is not alice's pod");
    });

    it("7. fail closed: with the NetworkPolicy controller stopped, pulumi up of a fresh stack fails at the probe with its message, and no TorchPod pod ever runs", async function () {
        // Stop kube-router and remove its rules: from now on nothing enforces NetworkPolicy on this node.
        const stopped = childProcess.spawnSync(path.join(LIVE, "node.sh"), ["stop-network-policy", env("TORCHPOD_LIVE_DIR")], {
            encoding: "utf8",
        });
        assert.strictEqual(stopped.status, 0, stopped.stderr);
        console.log(`      ${stopped.stderr.trim()}`);

        const fresh = makeProject(root, "failclosed", liveEntry());
        pulumiOk(fresh, ["stack", "init", "failclosed"]);
        // A small fresh stack of its own: one user, no upstream to import, ClusterIP Services.
        const { yaml } = liveStackConfig((set) => ({
            "torchpod:namespaces": { torchpods: "torchpod-fc", mlab: "mlab-fc" },
            "torchpod:users": [{ name: "erin", gpus: 0 }],
            "torchpod:exposure": { type: "ClusterIP" },
            "torchpod:mlab": { ...set["torchpod:mlab"], projects: [] },
        }));
        fs.writeFileSync(path.join(fresh, "Pulumi.failclosed.yaml"), yaml);
        const r = pulumi(fresh, ["up", "--yes", "--skip-preview"]);
        const all = r.stdout + r.stderr;
        assert.notStrictEqual(r.code, 0, `pulumi up succeeded without NetworkPolicy enforcement:\n${all.slice(-3000)}`);
        const probeJobs = (await apiOk("GET", "/apis/batch/v1/namespaces/torchpod-fc/jobs")).items.filter((j: any) =>
            j.metadata.name.startsWith("enforcement-probe-"),
        );
        assert.strictEqual(probeJobs.length, 1, "no probe Job in the fresh stack");
        const probePods = await pods("torchpod-fc", `job-name=${probeJobs[0].metadata.name}`);
        const message = probePods.map((p: any) => p.status.containerStatuses?.[0]?.state?.terminated?.message ?? "").join("\n");
        console.log(`      the probe's message: ${message.trim()}`);
        assert.match(message, /enforcement probe FAILED/);
        assert.match(
            all,
            /enforcement-probe[\s\S]*enforcement probe FAILED: a pod with TorchPod labels reached/,
            "pulumi up did not fail at the probe with its message",
        );
        console.log(`      pulumi up failed: ${(/error: [^\n]*/.exec(all)?.[0] ?? "").slice(0, 400)}`);
        const torchpods = (await pods("torchpod-fc", sel("torchpod"))).filter(
            (p: any) => p.metadata.labels["torchpod.dev/probe"] !== "true",
        );
        assert.deepStrictEqual(
            torchpods.map((p: any) => p.metadata.name),
            [],
        );
        const deployments = (await apiOk("GET", "/apis/apps/v1/namespaces/torchpod-fc/deployments")).items.map((d: any) => d.metadata.name);
        assert.ok(!deployments.includes("torchpod-erin"), `erin's TorchPod Deployment exists: ${deployments}`);
    });
});

/** A pod with the identity (labels, service account, security context) of a finished Job's pods, that sleeps. */
async function identityPod(namespace: string, component: string, container: string): Promise<any> {
    const jobs = (await apiOk("GET", `/apis/batch/v1/namespaces/${namespace}/jobs?labelSelector=${encodeURIComponent(sel(component))}`))
        .items;
    assert.ok(jobs.length > 0, `no ${component} Job in ${namespace}`);
    const template = jobs[0].spec.template;
    const labels = Object.fromEntries(
        Object.entries(template.metadata.labels as Record<string, string>).filter(([k]) => !/controller-uid|job-name/.test(k)),
    );
    const name = `live-identity-${component}`;
    await api("DELETE", `/api/v1/namespaces/${namespace}/pods/${name}?gracePeriodSeconds=0`);
    await waitFor(`old ${name} gone`, 60, async () =>
        (await api("GET", `/api/v1/namespaces/${namespace}/pods/${name}`)).status === 404 ? true : undefined,
    );
    const spec = { ...template.spec, restartPolicy: "Never" };
    spec.containers = spec.containers.map((c: any) => (c.name === container ? { ...c, command: ["sleep", "3600"], args: [] } : c));
    await apiOk("POST", `/api/v1/namespaces/${namespace}/pods`, { apiVersion: "v1", kind: "Pod", metadata: { name, labels }, spec });
    return waitFor(`${name} running`, 120, async () => {
        const p = (await api("GET", `/api/v1/namespaces/${namespace}/pods/${name}`)).body;
        return p?.status?.phase === "Running" && p.status.containerStatuses?.every((c: any) => c.ready) ? p : undefined;
    });
}

/** The README's traffic table (the first table whose header starts with "from \ to"), cells trimmed. */
function readmeTable(): { header: string; separator: string; rows: string[][] } {
    const lines = fs.readFileSync(path.join(PROGRAM, "README.md"), "utf8").split("\n");
    const start = lines.findIndex((l) => l.startsWith("| from \\ to"));
    assert.ok(start >= 0, "README.md has no traffic table");
    const rows: string[][] = [];
    for (let i = start + 2; i < lines.length && lines[i].startsWith("|"); i++) {
        rows.push(
            lines[i]
                .split("|")
                .slice(1, -1)
                .map((c) => c.trim()),
        );
    }
    return { header: lines[start], separator: lines[start + 1], rows };
}

/**
 * Runs a documented admin command of the form `kubectl -n NS exec deploy/NAME [-c CONTAINER] -- CMD...` the way
 * kubectl would: in the Deployment's running pod, in CONTAINER or the pod's first container (this node's API
 * server has no kubelet client, so the harness reaches containers through containerd).
 */
async function documentedExec(command: string) {
    const m = /^kubectl -n (\S+) exec deploy\/(\S+)(?: -c (\S+))? -- (.+)$/.exec(command);
    assert.ok(m, `not a kubectl exec command: ${command}`);
    const [, namespace, name, container, cmd] = m;
    const deployment = await apiOk("GET", `/apis/apps/v1/namespaces/${namespace}/deployments/${name}`);
    const selector = Object.entries(deployment.spec.selector.matchLabels as Record<string, string>)
        .map(([k, v]) => `${k}=${v}`)
        .join(",");
    const pod = await runningPod(namespace, selector);
    return execIn(pod, container ?? pod.spec.containers[0].name, cmd.split(" "));
}
