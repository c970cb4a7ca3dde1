import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { render, parseArgs, UsageError, RenderResult } from "../../../tools/render/render";
import { toPackResource } from "../../../tools/pack/packCheck";
import { isKubernetesObject } from "../../../tools/render/manifestFiles";
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

    it("prints the matrix in which a TorchPod reaches MLab's Gitea ports and nothing else", () => {
        const lines = logged.join("\n").split("\n");
        for (const user of result.config.users) {
            const start = lines.findIndex((l) => l === `  torchpod/torchpod-${user.name}`);
            assert.ok(start >= 0, `no matrix row for ${user.name}`);
            const end = lines.findIndex((l, i) => i > start && !l.startsWith("    "));
            const destinations = lines.slice(start + 1, end);
            assert.deepEqual(destinations, ["    → mlab/mlab: 3000/TCP, 2222/TCP"], user.name);
        }
    });

    it("passes the policy pack on the dev stack", () => {
        assert.equal(result.mandatoryViolations, 0, JSON.stringify(result.violations, null, 2));
    });

    it("lets a stack that explicitly enables raw VNC pass, a pack run without that opt-in refuse it", async () => {
        const configDir = fs.mkdtempSync(path.join(os.tmpdir(), "torchpod-config-"));
        const dev = fs.readFileSync(path.join(repoRoot, "Pulumi.dev.yaml"), "utf8");
        assert.match(dev, /vnc: false/);
        fs.writeFileSync(path.join(configDir, "Pulumi.vnc.yaml"), dev.replace("vnc: false", "vnc: true"));
        const vnc = await render({ stack: "vnc", outRoot, configDir, log: () => undefined });
        assert.equal(vnc.mandatoryViolations, 0, JSON.stringify(vnc.violations, null, 2));
        const withoutOptIn = await runPackOverResources(vnc.resources.filter(isKubernetesObject).map(toPackResource));
        assert.ok(
            withoutOptIn.some((v) => v.policyName === "torchpod-ingress-only-from-office" && /5900/.test(v.message)),
            JSON.stringify(withoutOptIn.map((v) => v.message)),
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

    it("rejects an unknown stack and unknown arguments with a usage message", async () => {
        await assert.rejects(
            render({ stack: "nosuchstack", outRoot, log: () => undefined }),
            /Pulumi\.nosuchstack\.yaml: no such stack config/,
        );
        assert.throws(() => parseArgs(["--stack"]), /--stack: expected a stack name/);
        assert.throws(() => parseArgs(["--stak", "dev"]), /unknown argument '--stak'/);
        assert.deepEqual(parseArgs(["--stack", "team-a"]), { stack: "team-a" });
    });
});
