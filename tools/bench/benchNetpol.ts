// Benchmark of the NetworkPolicy analyzer: synthetic manifests with N workloads and N policies
// (a realistic mix of selectors, ipBlocks, named ports and port ranges), timing model build,
// class-level evaluation and the full workload matrix for one port. Prints figures only.
//   npm run --silent bench:netpol [-- 100,300,1000]
import { K8sObject, NetworkModel } from "@torchpod/netpol";

/** Small deterministic PRNG (mulberry32) so every run measures the same manifests. */
function rng(seed: number): () => number {
    return () => {
        seed |= 0;
        seed = (seed + 0x6d2b79f5) | 0;
        let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
        t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
}

const TIERS = ["web", "api", "db", "cache", "worker"];
const TEAMS = ["ml", "data", "infra", "research"];

export function syntheticManifests(n: number, seed = 42, replicas = 1): K8sObject[] {
    const r = rng(seed);
    const pick = <T>(xs: T[]): T => xs[Math.floor(r() * xs.length)];
    const nsCount = Math.max(3, Math.round(n / 20));
    const objects: K8sObject[] = [];
    const namespaces = Array.from({ length: nsCount }, (_, i) => `ns-${i}`);
    namespaces.forEach((ns, i) =>
        objects.push({
            apiVersion: "v1",
            kind: "Namespace",
            metadata: { name: ns, labels: { team: TEAMS[i % TEAMS.length], env: i % 3 === 0 ? "prod" : "dev" } },
        }),
    );
    const apps: { ns: string; app: string }[] = [];
    let tier = TIERS[0];
    for (let i = 0; i < n; i++) {
        // With replicas > 1, consecutive workloads share app, tier and ports: what classes exploit.
        const group = Math.floor(i / replicas);
        const ns = namespaces[group % nsCount];
        const app = `app-${group}`;
        if (i % replicas === 0) tier = pick(TIERS);
        const name = replicas > 1 ? `${app}-${i % replicas}` : app;
        apps.push({ ns, app });
        const labels = { app, tier, "app.kubernetes.io/part-of": ["shop", "lab", "platform"][group % 3] };
        const ports = [
            { name: "http", containerPort: [80, 8080, 8000][group % 3], protocol: "TCP" },
            { name: "metrics", containerPort: 9090 },
            ...(tier === "db" ? [{ name: "sql", containerPort: 5432 }] : []),
            ...(tier === "cache" ? [{ name: "dns", containerPort: 53, protocol: "UDP" }] : []),
        ];
        const template = { metadata: { labels }, spec: { containers: [{ name: "main", image: "busybox:1.36", ports }] } };
        if (i % 10 === 0) {
            objects.push({
                apiVersion: "v1",
                kind: "Pod",
                metadata: { name, namespace: ns, labels },
                spec: template.spec,
                status: { podIP: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}` },
            });
        } else {
            objects.push({
                apiVersion: "apps/v1",
                kind: pick(["Deployment", "Deployment", "StatefulSet", "DaemonSet"]),
                metadata: { name, namespace: ns },
                spec: { selector: { matchLabels: { app } }, template },
            });
        }
    }
    for (let i = 0; i < n; i++) {
        const ns = namespaces[i % nsCount];
        const target = pick(apps.filter((a) => a.ns === ns));
        const meta = { name: `pol-${i}`, namespace: ns };
        const kind = i % 8;
        let spec: any;
        switch (kind) {
            case 0: // default deny of a namespace, or allow within it
                spec =
                    (i >> 3) % 2 === 0
                        ? { podSelector: {}, policyTypes: ["Ingress", "Egress"] }
                        : { podSelector: {}, ingress: [{ from: [{ podSelector: {} }] }] };
                break;
            case 1: // same-namespace tier to app on a named port
                spec = {
                    podSelector: { matchLabels: { app: target.app } },
                    ingress: [{ from: [{ podSelector: { matchLabels: { tier: pick(TIERS) } } }], ports: [{ port: "http" }] }],
                };
                break;
            case 2: // from a team's namespaces
                spec = {
                    podSelector: { matchLabels: { tier: pick(TIERS) } },
                    ingress: [{ from: [{ namespaceSelector: { matchLabels: { team: pick(TEAMS) } } }] }],
                };
                break;
            case 3: // namespace AND pod, with expressions
                spec = {
                    podSelector: { matchExpressions: [{ key: "tier", operator: "In", values: [pick(TIERS), pick(TIERS)] }] },
                    ingress: [
                        {
                            from: [
                                {
                                    namespaceSelector: { matchExpressions: [{ key: "env", operator: "NotIn", values: ["prod"] }] },
                                    podSelector: { matchLabels: { app: pick(apps).app } },
                                },
                            ],
                            ports: [{ port: 8000, endPort: 8100 }],
                        },
                    ],
                };
                break;
            case 4: // egress to the internet except private ranges, plus DNS
                spec = {
                    podSelector: { matchLabels: { app: target.app } },
                    policyTypes: ["Egress"],
                    egress: [
                        {
                            to: [{ ipBlock: { cidr: "0.0.0.0/0", except: ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"] } }],
                            ports: [{ port: 443 }],
                        },
                        {
                            to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": namespaces[0] } } }],
                            ports: [{ port: 53, protocol: "UDP" }],
                        },
                    ],
                };
                break;
            case 5: // egress to a tier anywhere on named ports
                spec = {
                    podSelector: { matchLabels: { tier: pick(TIERS) } },
                    policyTypes: ["Egress"],
                    egress: [
                        {
                            to: [{ namespaceSelector: {}, podSelector: { matchLabels: { tier: pick(TIERS) } } }],
                            ports: [{ port: "sql" }, { port: "http" }],
                        },
                    ],
                };
                break;
            case 6: // ipBlock towards pod IPs
                spec = {
                    podSelector: { matchLabels: { app: target.app } },
                    policyTypes: ["Egress"],
                    egress: [{ to: [{ ipBlock: { cidr: `10.0.${i & 3}.0/24`, except: [`10.0.${i & 3}.${i & 255}/32`] } }] }],
                };
                break;
            default: // metrics from a monitoring namespace
                spec = {
                    podSelector: {},
                    ingress: [
                        {
                            from: [
                                {
                                    namespaceSelector: { matchLabels: { team: "infra" } },
                                    podSelector: { matchExpressions: [{ key: "app.kubernetes.io/part-of", operator: "Exists" }] },
                                },
                            ],
                            ports: [{ port: "metrics" }],
                        },
                    ],
                };
        }
        objects.push({ apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", metadata: meta, spec });
    }
    return objects;
}

function time<T>(f: () => T): [T, number] {
    const t0 = process.hrtime.bigint();
    const v = f();
    return [v, Number(process.hrtime.bigint() - t0) / 1e6];
}

function table(sizes: number[], replicas: number): void {
    const rows: string[][] = [
        [
            "workloads",
            "policies",
            "classes",
            "pairs",
            "build ms",
            "classes ms",
            "matrix ms",
            "total ms",
            "ns/pair",
            "× size",
            "× pairs",
            "× total",
        ],
    ];
    let prev: { n: number; total: number; pairs: number } | undefined;
    for (const n of sizes) {
        const objects = syntheticManifests(n, 42, replicas);
        const [model, buildMs] = time(() => {
            const m = NetworkModel.fromObjects(objects);
            void m.engine; // selector and peer bitsets are part of the build
            return m;
        });
        const [, classMs] = time(() => model.reachability(80, "TCP"));
        const [entries, matrixMs] = time(() => model.matrix({ ports: [80], protocols: ["TCP"] }));
        const total = buildMs + matrixMs;
        const allowed = entries.filter((e) => e.allowed).length;
        rows.push([
            String(model.workloads.length),
            String(model.policies.length),
            String(model.engine.classes.length),
            `${entries.length} (${Math.round((100 * allowed) / Math.max(1, entries.length))}% allowed)`,
            buildMs.toFixed(0),
            classMs.toFixed(0),
            matrixMs.toFixed(0),
            total.toFixed(0),
            ((total * 1e6) / Math.max(1, entries.length)).toFixed(0),
            prev ? `${(n / prev.n).toFixed(1)}` : "",
            prev ? `${(entries.length / prev.pairs).toFixed(1)}` : "",
            prev ? `${(total / prev.total).toFixed(1)}` : "",
        ]);
        prev = { n, total, pairs: entries.length };
    }
    const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
    for (const r of rows) console.log(r.map((cell, c) => cell.padStart(widths[c])).join("  "));
}

function main(): void {
    const sizes = (process.argv[2] ?? "100,300,1000").split(",").map(Number);
    NetworkModel.fromObjects(syntheticManifests(300)).matrix({ ports: [80], protocols: ["TCP"] }); // JIT warm-up, not timed
    console.log("every workload distinct (worst case: one class per workload)");
    table(sizes, 1);
    console.log("\nworkloads in groups of 10 replicas sharing labels and ports");
    table(sizes, 10);
    console.log("\nbuild: parse + classes + selector/peer bitsets; classes: class-level evaluation for TCP/80;");
    console.log("matrix: every ordered workload pair for TCP/80 (includes a class evaluation); total = build + matrix;");
    console.log("ns/pair: total per ordered pair (flat = linear in the output); × size/× pairs/× total: ratio to the previous row.");
}

if (require.main === module) main();
