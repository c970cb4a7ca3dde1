import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { spawnSync } from "child_process";
import {
    render,
    parseArgs,
    jsonSummary,
    UsageError,
    RenderResult,
    POLICY_CONFIG_FILE,
    PULUMI_RESOURCES_FILE,
    FLOWS_FILE,
    EXIT,
} from "../../../tools/render/render";
import { formatFlows } from "../../../tools/render/flows";
import { buildClis } from "../cli/build";
import { toPackResource } from "../../../tools/pack/packCheck";
import { isKubernetesObject } from "../../../tools/offline/recorded";
import { runPackOverResources } from "../../../tools/pack/runner";
import { MANIFEST_FILES } from "../../../tools/render/manifestFiles";
import { repoRoot } from "../../mocks";

const readAll = (dir: string) =>
    fs
        .readdirSync(dir)
        .map((f) => fs.readFileSync(path.join(dir, f), "utf8"))
        .join("\n");

describe("npm run render", () => {
    const outRoot = fs.mkdtempSync(path.join(os.tmpdir(), "torchpod-render-"));
    const logged: string[] = [];
    let result: RenderResult;

    before(async () => {
        result = await render({ stack: "dev", outRoot, log: (l) => logged.push(l) });
    });

    it("writes the dev stack's objects to out/dev grouped like the original deployment", () => {
        for (const file of MANIFEST_FILES) assert.ok(fs.existsSync(path.join(outRoot, "dev", file)), file);
        const torchpods = fs.readFileSync(path.join(outRoot, "dev", "torchpod.yaml"), "utf8");
        const network = fs.readFileSync(path.join(outRoot, "dev", "network.yaml"), "utf8");
        const mlab = fs.readFileSync(path.join(outRoot, "dev", "mlab.yaml"), "utf8");
        const airlock = fs.readFileSync(path.join(outRoot, "dev", "airlock.yaml"), "utf8");
        for (const user of result.config.users) assert.match(torchpods, new RegExp(`TORCHPOD_USER[\\s\\S]*value: ${user.name}`));
        assert.match(network, /kind: NetworkPolicy/);
        assert.doesNotMatch(torchpods, /kind: NetworkPolicy/);
        assert.match(mlab, /GITEA__/);
        assert.match(airlock, /app.kubernetes.io\/component: airlock/);
    });

    it("never writes a Secret or any generated password into out/", () => {
        const everything = readAll(path.join(outRoot, "dev"));
        assert.doesNotMatch(everything, /kind: Secret\b/);
        const generated = result.resources
            .filter((r) => r.type.startsWith("random:"))
            .flatMap((r) => [r.state.result as string, r.state.bcryptHash as string | undefined])
            .filter((v): v is string => typeof v === "string");
        assert.ok(generated.length > result.config.users.length, "expected a generated password per user and more");
        for (const value of generated) assert.ok(!everything.includes(value), "a generated secret leaked into out/");
        assert.ok(!logged.join("\n").includes(generated[0]), "a generated secret was printed");
    });

    it("lists every withheld Secret and its keys, with how to supply it", () => {
        const guide = fs.readFileSync(path.join(outRoot, "dev", "SECRETS.md"), "utf8");
        assert.ok(result.manifests.secrets.length > 0);
        for (const s of result.manifests.secrets) assert.ok(guide.includes(`| ${s.namespace} | ${s.name} |`), s.name);
        assert.match(guide, /kubectl -n <namespace> create secret generic/);
        // A key the program starts generating must come with a recipe for kubectl-only teams.
        assert.doesNotMatch(guide, /a value of your choosing/);
        assert.match(guide, /`password-bcrypt`: the bcrypt hash of the same Secret's `password`/);
    });

    const node = (r: RenderResult, kind: string) => r.flows.nodes.filter((n) => n.kind === kind);
    const flowsFrom = (r: RenderResult, id: string) => r.flows.flows.filter((f) => f.from === id);

    it("prints one line per allowed flow, every TorchPod in one group reaching MLab's Service ports and nothing else", () => {
        const [torchpods] = node(result, "torchpod");
        assert.deepEqual(torchpods.members, result.config.users.map((u) => `torchpod/torchpod-${u.name}`).sort());
        const mlab = node(result, "mlab")[0];
        assert.deepEqual(
            flowsFrom(result, torchpods.id).map((f) => [f.to, f.ports]),
            [[mlab.id, ["80→3000/TCP", "22→2222/TCP"]]],
            "a TorchPod reaches MLab's http and ssh (Service port → container port) and nothing else: no DNS, no internet",
        );
        const text = logged.join("\n");
        assert.ok(text.includes(formatFlows(result.flows)));
        assert.match(
            text,
            /^ {2}3 TorchPods \(torchpod-alice, torchpod-bob, torchpod-carol\) → MLab mlab\/mlab: 80→3000\/TCP, 22→2222\/TCP$/m,
        );
    });

    it("shows every office network, IPv4 and IPv6, with what each may reach", () => {
        const offices = node(result, "office");
        assert.deepEqual(
            offices.map((o) => o.members[0]),
            [...result.config.officeCidrs],
        );
        assert.ok(result.config.officeCidrs.length >= 2, "the dev stack has an IPv4 and an IPv6 office network");
        for (const office of offices) {
            const reached = flowsFrom(result, office.id).map((f) => result.flows.nodes.find((n) => n.id === f.to)!.kind);
            assert.deepEqual(reached.sort(), ["airlock", "mlab", "torchpod"], office.label);
            assert.match(logged.join("\n"), new RegExp(`^ {2}office ${office.members[0].replace(/[.*+?^$()|[\]\\]/g, "\\$&")} → `, "m"));
        }
    });

    it("reads what is really open to the internet from the egress rules: the Airlock every port outside private ranges, TorchPods nothing", () => {
        const [airlock] = node(result, "airlock");
        const toInternet = flowsFrom(result, airlock.id).find((f) => f.to === "internetIPv4")!;
        assert.deepEqual(toInternet.ports, ["all ports"]);
        assert.match(toInternet.via!.join(" "), /^0\.0\.0\.0\/0 except .*10\.0\.0\.0\/8.*169\.254\.0\.0\/16/);
        const [torchpods] = node(result, "torchpod");
        for (const outside of ["internetIPv4", "internetIPv6", "apiserver", "metadata", "dns"])
            assert.ok(!flowsFrom(result, torchpods.id).some((f) => f.to === outside), outside);
    });

    it("shows MLab's rows of the traffic table: Gitea reaches nothing, the reconciler only Gitea http, the importer DNS, internet 443 and Gitea http", () => {
        const [mlab] = node(result, "mlab");
        assert.deepEqual(flowsFrom(result, mlab.id), [], "MLab's Gitea has no egress at all");
        const byLabel = (prefix: string) => result.flows.nodes.filter((n) => n.label.startsWith(prefix));
        const [reconciler] = byLabel("MLab reconciler");
        const [importer] = byLabel("MLab importer");
        assert.ok(reconciler && importer, JSON.stringify(result.flows.nodes.map((n) => n.label)));
        assert.deepEqual(
            flowsFrom(result, reconciler.id).map((f) => [f.to, f.ports]),
            [[mlab.id, ["80→3000/TCP"]]],
        );
        const fromImporter = new Map(flowsFrom(result, importer.id).map((f) => [f.to, f.ports]));
        assert.deepEqual([...fromImporter.keys()].sort(), ["dns", "internetIPv4", mlab.id].sort());
        assert.deepEqual(fromImporter.get("internetIPv4"), ["443/TCP"]);
        assert.deepEqual(fromImporter.get(mlab.id), ["80→3000/TCP"]);
    });

    it("shows the audit writer's row: it reaches nothing and nothing reaches it", () => {
        const [writer] = result.flows.nodes.filter((n) => n.label.startsWith("Airlock audit writer"));
        assert.ok(writer, JSON.stringify(result.flows.nodes.map((n) => n.label)));
        assert.deepEqual(flowsFrom(result, writer.id), []);
        assert.deepEqual(
            result.flows.flows.filter((f) => f.to === writer.id),
            [],
        );
        assert.match(logged.join("\n"), /^ {2}Airlock audit writer .* → nothing$/m);
    });

    it("marks the cluster IPs the offline engine made up as placeholders", () => {
        assert.ok(result.placeholderIps.length > 0);
        const text = logged.join("\n");
        const shown = [...text.matchAll(/"(\d+\.\d+\.\d+\.\d+):\d+([^"]*)"/g)];
        assert.ok(shown.length > 0, "the endpoints show cluster IPs");
        for (const [, ip, rest] of shown) {
            assert.ok(result.placeholderIps.includes(ip), `${ip} is one the offline engine made up`);
            assert.equal(rest, " (placeholder IP)", ip);
        }
        assert.match(text, /placeholder IP: a cluster IP the offline engine made up/);
    });

    it("writes the pack config it used to policy-config.json, as --policy-pack-config takes it", () => {
        const written = JSON.parse(fs.readFileSync(path.join(outRoot, "dev", POLICY_CONFIG_FILE), "utf8"));
        assert.deepEqual(written, result.packConfig);
        const office = [...result.config.officeCidrs];
        assert.deepEqual(
            written,
            {
                "torchpod-ingress-only-from-office": { officeCidrs: office },
                "torchpod-no-nodeport-services": { officeCidrs: office },
                "mlab-ingress-by-traffic-table": { officeCidrs: office },
                "closed-world-devices": { deviceResources: ["nvidia.com/gpu"] },
                // The API server as the working-hours actor's NetworkPolicy names it.
                "known-actors-api-server-only": {
                    apiServerCidrs: [`${result.config.cluster.apiServerIp}/32`, ...result.config.cluster.controlPlaneCidrs],
                },
            },
            "the dev stack needs no opt-in: only its office networks, its GPU kinds and its API server",
        );
    });

    it("writes flows.md: a Mermaid flowchart with one arrow per allowed flow, labelled with its ports", () => {
        const md = fs.readFileSync(path.join(outRoot, "dev", FLOWS_FILE), "utf8");
        const block = /```mermaid\n([\s\S]*?)```/.exec(md);
        assert.ok(block, "a mermaid block");
        const lines = block[1].trim().split("\n");
        assert.equal(lines[0], "flowchart LR");
        const arrows = lines.filter((l) => l.includes("-->"));
        assert.equal(arrows.length, result.flows.flows.length);
        for (const f of result.flows.flows)
            assert.ok(arrows.includes(`    ${f.from} -- "${f.ports.join(", ")}" --> ${f.to}`), `${f.from} → ${f.to}`);
        for (const n of result.flows.nodes)
            assert.ok(
                lines.some((l) => l.trimStart().startsWith(n.id)),
                `node ${n.id}`,
            );
        for (const label of ["internet (IPv4)", "internet (IPv6)", "cluster DNS", "API server", "office 192.0.2.0/24"])
            assert.ok(md.includes(label), label);
    });

    it("passes the policy pack on the dev stack", () => {
        assert.equal(result.mandatoryViolations, 0, JSON.stringify(result.violations, null, 2));
        assert.deepEqual(result.unexpanded, []);
        assert.match(logged.join("\n"), new RegExp(`Policy pack over ${result.resources.length} resources: no violations$`, "m"));
    });

    it("writes every registered resource that is not a manifest (components, random values) to pulumi-resources.json, secrets redacted", () => {
        const written = JSON.parse(fs.readFileSync(path.join(outRoot, "dev", PULUMI_RESOURCES_FILE), "utf8"));
        const others = result.resources.filter((r) => !isKubernetesObject(r));
        assert.deepEqual(written.resources.map((r: { urn: string }) => r.urn).sort(), others.map((r) => r.urn).sort());
        const types = new Set(written.resources.map((r: { type: string }) => r.type));
        for (const t of ["torchpod:index:TorchPod", "torchpod:index:Mlab", "random:index/randomPassword:RandomPassword"])
            assert.ok(types.has(t), t);
        assert.deepEqual(written.unexpanded, []);
    });

    it("hands the pack the stack's office networks and writes them to policy-config.json; a pack run without them refuses the exposure", async () => {
        const written = JSON.parse(fs.readFileSync(path.join(outRoot, "dev", POLICY_CONFIG_FILE), "utf8"));
        assert.deepEqual(written["torchpod-ingress-only-from-office"].officeCidrs, [...result.config.officeCidrs]);
        const resources = result.resources.map(toPackResource);
        const without = await runPackOverResources(resources);
        assert.ok(
            without.some((v) => v.enforcementLevel === "mandatory" && /no office networks/.test(v.message)),
            JSON.stringify(without.map((v) => v.message)),
        );
    });

    it("does not report a pass over a program holding a component it could not see into: it names it, points to pulumi preview, exit 4", async () => {
        const lines: string[] = [];
        const team = await render({
            stack: "dev",
            outRoot: fs.mkdtempSync(path.join(os.tmpdir(), "torchpod-render-")),
            program: path.join(__dirname, "fixtures", "withConfigGroup.ts"),
            log: (l) => lines.push(l),
        });
        assert.equal(team.mandatoryViolations, 0);
        assert.deepEqual(
            team.unexpanded.map((u) => `${u.type} ${u.name}`),
            ["kubernetes:yaml/v2:ConfigGroup extra"],
        );
        const text = lines.join("\n");
        assert.match(text, /no violations in what render could see/);
        assert.match(text, /render: could not see into 1 component; .*not a pass/);
        assert.match(text, /pulumi preview --policy-pack policy --policy-pack-config \S*dev\/policy-config\.json/);
        const written = JSON.parse(fs.readFileSync(path.join(team.outDir, PULUMI_RESOURCES_FILE), "utf8"));
        assert.deepEqual(
            written.unexpanded.map((u: { type: string }) => u.type),
            ["kubernetes:yaml/v2:ConfigGroup"],
        );
    });

    it("lets a stack that explicitly enables raw VNC pass, writes that opt-in to policy-config.json, and a pack run without it refuses", async () => {
        const configDir = fs.mkdtempSync(path.join(os.tmpdir(), "torchpod-config-"));
        const dev = fs.readFileSync(path.join(repoRoot, "Pulumi.dev.yaml"), "utf8");
        assert.match(dev, /vnc: false/);
        fs.writeFileSync(path.join(configDir, "Pulumi.vnc.yaml"), dev.replace("vnc: false", "vnc: true"));
        const vnc = await render({ stack: "vnc", outRoot, configDir, log: () => undefined });
        assert.equal(vnc.mandatoryViolations, 0, JSON.stringify(vnc.violations, null, 2));
        const written = JSON.parse(fs.readFileSync(path.join(outRoot, "vnc", POLICY_CONFIG_FILE), "utf8"));
        assert.equal(written["torchpod-ingress-only-from-office"].allowRawVnc, true);
        assert.equal(dev.includes("vnc: true"), false);
        const devWritten = JSON.parse(fs.readFileSync(path.join(outRoot, "dev", POLICY_CONFIG_FILE), "utf8"));
        assert.equal(devWritten["torchpod-ingress-only-from-office"].allowRawVnc, undefined);
        const resources = vnc.resources.map(toPackResource);
        const withFile = await runPackOverResources(resources, { config: written });
        assert.equal(withFile.filter((v) => v.enforcementLevel === "mandatory").length, 0, "the written config is the one that passes");
        const { allowRawVnc: _optIn, ...withoutVnc } = written["torchpod-ingress-only-from-office"];
        const withoutOptIn = await runPackOverResources(resources, {
            config: { ...written, "torchpod-ingress-only-from-office": withoutVnc },
        });
        assert.ok(
            withoutOptIn.some((v) => v.policyName === "torchpod-ingress-only-from-office" && /5900/.test(v.message)),
            JSON.stringify(withoutOptIn.map((v) => v.message)),
        );
    });

    it("lets a stack with an outside Postgres pass, naming that one host as MLab's reviewed host in policy-config.json", async () => {
        const configDir = fs.mkdtempSync(path.join(os.tmpdir(), "torchpod-config-"));
        const dev = fs.readFileSync(path.join(repoRoot, "Pulumi.dev.yaml"), "utf8");
        const withDb = dev.replace(
            "  torchpod:mlab:\n",
            "  torchpod:mlab:\n    database:\n      type: postgres\n      host: pg.internal:5433\n      address: 192.0.2.40\n      name: gitea\n      user: gitea\n      passwordSecret:\n        name: mlab-pg\n        key: password\n",
        );
        assert.notEqual(withDb, dev);
        fs.writeFileSync(path.join(configDir, "Pulumi.pg.yaml"), withDb);
        const pg = await render({ stack: "pg", outRoot, configDir, log: () => undefined });
        assert.equal(pg.mandatoryViolations, 0, JSON.stringify(pg.violations, null, 2));
        const written = JSON.parse(fs.readFileSync(path.join(outRoot, "pg", POLICY_CONFIG_FILE), "utf8"));
        for (const policy of ["mlab-closed-world", "mlab-no-egress"]) {
            assert.deepEqual(written[policy].mlabExternalHosts, ["pg.internal", "192.0.2.40:5433", "pg.internal:5433"]);
        }
        const unreviewed = Object.fromEntries(
            Object.entries(written as Record<string, Record<string, unknown>>).map(([k, { mlabExternalHosts: _hosts, ...rest }]) => [
                k,
                rest,
            ]),
        );
        const withoutReview = await runPackOverResources(pg.resources.map(toPackResource), { config: unreviewed as never });
        assert.ok(
            withoutReview.some((v) => v.enforcementLevel === "mandatory" && /192\.0\.2\.40|pg\.internal/.test(v.message)),
            "without the reviewed host the pack refuses the database route",
        );
    });

    it("groups a large team into the same few flow lines", async () => {
        const configDir = fs.mkdtempSync(path.join(os.tmpdir(), "torchpod-config-"));
        const dev = fs.readFileSync(path.join(repoRoot, "Pulumi.dev.yaml"), "utf8");
        const users = Array.from({ length: 40 }, (_, i) => `    - name: u${String(i).padStart(2, "0")}\n      gpus: 0\n`).join("");
        const big = dev.replace(/ {2}torchpod:users:\n(?: {4}.*\n)+/, `  torchpod:users:\n${users}`);
        assert.notEqual(big, dev);
        fs.writeFileSync(path.join(configDir, "Pulumi.team.yaml"), big);
        const lines: string[] = [];
        const team = await render({ stack: "team", outRoot, configDir, checkPolicies: false, log: (l) => lines.push(l) });
        assert.equal(team.config.users.length, 40);
        assert.equal(formatFlows(team.flows).split("\n").length, formatFlows(result.flows).split("\n").length);
        assert.equal(node(team, "torchpod").length, 1, "one TorchPod group");
        assert.equal(node(team, "torchpod")[0].members.length, 40);
        assert.match(lines.join("\n"), /^ {2}40 TorchPods \(torchpod-u00, .*, … \(40 in all\)\) → MLab mlab\/mlab: /m);
        assert.match(lines.join("\n"), /… and 28 more \(render --json lists every user\)/);
    });

    it("shows GPUs by kind and who is suspended, in the text summary and in --json", async () => {
        const configDir = fs.mkdtempSync(path.join(os.tmpdir(), "torchpod-config-"));
        const dev = fs.readFileSync(path.join(repoRoot, "Pulumi.dev.yaml"), "utf8");
        const users = [
            "    - name: alice\n      gpus: 1\n",
            "    - name: bob\n      gpus: 2\n      gpuResource: nvidia.com/mig-1g.10gb\n      suspended: true\n",
            "    - name: carol\n      gpus: 3\n      gpuResource: nvidia.com/mig-1g.10gb\n",
        ].join("");
        const fleet = dev
            .replace(/ {2}torchpod:users:\n(?: {4}.*\n)+/, `  torchpod:users:\n${users}`)
            .replace(/ {4}quota: 4\n/, "    quota:\n      nvidia.com/gpu: 2\n      nvidia.com/mig-1g.10gb: 4\n");
        assert.match(fleet, /mig-1g\.10gb: 4/);
        fs.writeFileSync(path.join(configDir, "Pulumi.fleet.yaml"), fleet);
        const lines: string[] = [];
        const fleetRun = await render({ stack: "fleet", outRoot, configDir, checkPolicies: false, log: (l) => lines.push(l) });
        const text = lines.join("\n");
        assert.match(text, /^Stack fleet: 3 user\(s\) \(1 suspended\), 6 GPU\(s\)/m);
        assert.match(text, /^ {2}GPUs nvidia\.com\/gpu: 1 running, quota 2$/m);
        assert.match(text, /^ {2}GPUs nvidia\.com\/mig-1g\.10gb: 3 running, 2 suspended, quota 4$/m);
        assert.match(text, /^ {2}bob: 2 nvidia\.com\/mig-1g\.10gb, .* \(suspended: scaled to zero, home and password kept\)$/m);
        assert.match(text, /^ {2}alice: 1 nvidia\.com\/gpu, /m);
        const json = jsonSummary(fleetRun) as any;
        assert.deepEqual(json.suspended, ["bob"]);
        assert.deepEqual(json.gpusByKind["nvidia.com/mig-1g.10gb"], { running: 3, suspended: 2, quota: 4 });
        assert.deepEqual(
            json.users.map((u: any) => [u.name, u.gpuResource, u.suspended]),
            [
                ["alice", "nvidia.com/gpu", false],
                ["bob", "nvidia.com/mig-1g.10gb", true],
                ["carol", "nvidia.com/mig-1g.10gb", false],
            ],
        );
    });

    it("reports a bad stack config with its key path and writes nothing", async () => {
        const configDir = fs.mkdtempSync(path.join(os.tmpdir(), "torchpod-config-"));
        const dev = fs.readFileSync(path.join(repoRoot, "Pulumi.dev.yaml"), "utf8");
        fs.writeFileSync(path.join(configDir, "Pulumi.broken.yaml"), dev.replace(/gpus: \d+/, "gpus: -1"));
        await assert.rejects(
            render({ stack: "broken", outRoot, configDir, log: () => undefined }),
            (e: Error) => e instanceof UsageError && /torchpod:users\[\d+\]\.gpus/.test(e.message) && /-1/.test(e.message),
        );
        assert.ok(!fs.existsSync(path.join(outRoot, "broken")));
    });

    it("removes an earlier render's manifests when a render of the same stack fails, and says so", async () => {
        const root = fs.mkdtempSync(path.join(os.tmpdir(), "torchpod-render-"));
        const configDir = fs.mkdtempSync(path.join(os.tmpdir(), "torchpod-config-"));
        const dev = fs.readFileSync(path.join(repoRoot, "Pulumi.dev.yaml"), "utf8");
        fs.writeFileSync(path.join(configDir, "Pulumi.s.yaml"), dev);
        await render({ stack: "s", outRoot: root, configDir, checkPolicies: false, log: () => undefined });
        assert.ok(fs.existsSync(path.join(root, "s", "torchpod.yaml")));
        fs.writeFileSync(path.join(configDir, "Pulumi.s.yaml"), dev.replace(/gpus: \d+/, "gpus: -1"));
        await assert.rejects(
            render({ stack: "s", outRoot: root, configDir, log: () => undefined }),
            (e: Error) =>
                e instanceof UsageError && /removed .*s\/ from an earlier render: it no longer matches the stack config/.test(e.message),
        );
        assert.deepEqual(fs.readdirSync(root), [], "no stale manifests and no temporary folder left");
    });

    it("rejects an unknown stack and unknown arguments with a usage message", async () => {
        await assert.rejects(
            render({ stack: "nosuchstack", outRoot, log: () => undefined }),
            /Pulumi\.nosuchstack\.yaml: no such stack config/,
        );
        assert.throws(() => parseArgs(["--stack"]), /--stack: expected a stack name/);
        assert.throws(() => parseArgs(["--stak", "dev"]), /unknown argument '--stak'/);
        assert.throws(() => parseArgs(["dev"]), /unknown argument 'dev'/);
        assert.throws(() => parseArgs(["--stack", "a/b"]), /--stack: got 'a\/b', expected a stack name/);
        assert.deepEqual(parseArgs(["--stack", "team-a"]), { stack: "team-a", json: false, help: false });
        assert.deepEqual(parseArgs(["--stack=team-a", "--json"]), { stack: "team-a", json: true, help: false });
        assert.deepEqual(parseArgs(["--out", "rendered"]), { stack: "dev", json: false, help: false, outRoot: path.resolve("rendered") });
    });

    describe("the built command", function () {
        this.timeout(120000);
        const ROOT = path.resolve(__dirname, "../../..");
        const BIN = path.join(ROOT, "dist", "render", "render.js");
        before(() => buildClis("render", "policy-check"));

        it("--help prints the usage and exits 0", () => {
            const r = spawnSync(process.execPath, [BIN, "--help"], { encoding: "utf8" });
            assert.equal(r.status, 0, r.stderr);
            assert.match(r.stdout, /^usage: torchpod-render \[--stack NAME\]/);
            assert.match(r.stdout, /Exit status: 0 the pack passes, 1 a mandatory policy violation, 2 unusable input/);
            assert.match(r.stdout, /4 no mandatory violation, but render could not see into a component \(not a pass\)/);
        });

        it("exits 2 with one line for an unknown argument", () => {
            const r = spawnSync(process.execPath, [BIN, "--stak", "dev"], { encoding: "utf8" });
            assert.equal(r.status, 2);
            assert.match(r.stderr, /^render: unknown argument '--stak'/);
            assert.equal(r.stderr.trim().split("\n").length, 1);
        });

        it("--json prints the summary as one JSON object, and --out is resolved from the working directory", () => {
            const cwd = fs.mkdtempSync(path.join(os.tmpdir(), "torchpod-caller-"));
            const r = spawnSync(process.execPath, [BIN, "--json", "--out", "rendered"], { cwd, encoding: "utf8" });
            assert.equal(r.status, 0, r.stderr);
            const summary = JSON.parse(r.stdout);
            assert.equal(summary.stack, "dev");
            assert.equal(summary.outDir, path.join(fs.realpathSync(cwd), "rendered", "dev"));
            assert.deepEqual(summary.policyConfig["torchpod-ingress-only-from-office"], {
                officeCidrs: ["192.0.2.0/24", "2001:db8:100::/48"],
            });
            assert.deepEqual(summary.unexpanded, []);
            assert.equal(summary.mandatoryViolations, 0);
            assert.ok(summary.flows.flows.length > 0);
            assert.ok(summary.placeholderIps.length > 0);
            assert.doesNotMatch(r.stdout, /"secret"/);
            for (const f of summary.files) assert.ok(fs.existsSync(path.join(cwd, "rendered", "dev", f)), f);
        });

        it("exits 4 over a program with a component it could not see into, and policy-check over its output refuses it with exit 1, its contract's code for a refusal", () => {
            const cwd = fs.mkdtempSync(path.join(os.tmpdir(), "torchpod-caller-"));
            const program = path.join(__dirname, "fixtures", "withConfigGroup.ts");
            const r = spawnSync(process.execPath, [BIN, "--out", "rendered", "--program", program], { cwd, encoding: "utf8" });
            assert.equal(r.status, EXIT.unseen, r.stderr);
            assert.match(r.stdout, /kubernetes:yaml\/v2:ConfigGroup extra: a component the provider builds at deploy time/);
            assert.match(r.stderr, /render: not a pass: 1 component\(s\) render could not see into \(exit 4\)/);
            const check = spawnSync(
                process.execPath,
                [path.join(ROOT, "dist", "cli", "policy-check.js"), path.join(cwd, "rendered", "dev")],
                {
                    encoding: "utf8",
                },
            );
            assert.equal(check.status, 1, check.stdout + check.stderr);
            assert.match(check.stderr, /policy-check: could not see into 1 component/);
        });
    });
});
