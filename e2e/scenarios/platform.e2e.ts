// The real-engine tier: the real Pulumi CLI, Node language host and Kubernetes/random providers (e2e/toolchain.sh)
// run the real program (index.ts, the dev stack) against a loopback etcd + kube-apiserver (e2e/cluster.sh).
// The tests share one stack and run in order: preview, up, outputs, config changes, user removal, destroy.
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import * as yaml from "js-yaml";
import {
    PROGRAM,
    api,
    env,
    makeProject,
    objectPath,
    platformEntry,
    pulumi,
    pulumiEnv,
    pulumiOk,
    pvcUids,
    stackResources,
    tempRoot,
    writeStackPackConfig,
} from "../support/harness";

const STACK = "dev";
const POLICY = path.join(PROGRAM, "policy");

describe("the real engine against a loopback API server", function () {
    this.timeout(15 * 60 * 1000);
    let root: string;
    let dir: string;
    /** The dev stack's pack config, as render writes it (its office networks among it). */
    let packConfig: string;

    before(async function () {
        root = tempRoot();
        pulumiEnv(root);
        for (const [name, bin, version] of [
            ["kubernetes", env("TORCHPOD_E2E_KUBERNETES_PROVIDER"), env("TORCHPOD_E2E_KUBERNETES_PROVIDER_VERSION")],
            ["random", env("TORCHPOD_E2E_RANDOM_PROVIDER"), env("TORCHPOD_E2E_RANDOM_PROVIDER_VERSION")],
        ]) {
            pulumiOk(root, ["plugin", "install", "resource", name, version, "-f", bin]);
        }
        // A WaitForFirstConsumer default StorageClass: claims stay Pending (no provisioner runs), as on a real
        // cluster before the first pod is scheduled.
        const sc = await api("POST", "/apis/storage.k8s.io/v1/storageclasses", {
            apiVersion: "storage.k8s.io/v1",
            kind: "StorageClass",
            metadata: { name: "e2e-default", annotations: { "storageclass.kubernetes.io/is-default-class": "true" } },
            provisioner: "e2e.torchpod.invalid/none",
            volumeBindingMode: "WaitForFirstConsumer",
            reclaimPolicy: "Retain",
        });
        assert.strictEqual(sc.status, 201, `StorageClass: HTTP ${sc.status} ${JSON.stringify(sc.body)}`);
        dir = makeProject(root, "platform", platformEntry());
        pulumiOk(dir, ["stack", "init", STACK]);
        // The dev stack's config, pointed at the loopback cluster.
        fs.copyFileSync(path.join(PROGRAM, "Pulumi.dev.yaml"), path.join(dir, `Pulumi.${STACK}.yaml`));
        pulumiOk(dir, ["config", "set", "--path", "torchpod:kubernetes.kubeconfig", env("KUBECONFIG")]);
        packConfig = writeStackPackConfig(path.join(PROGRAM, "Pulumi.dev.yaml"), path.join(root, "policy-config.json"));
    });

    after(function () {
        if (process.env.TORCHPOD_E2E_KEEP === "1") console.log(`kept ${root}`);
        else if (root) fs.rmSync(root, { recursive: true, force: true });
    });

    it("pulumi preview --policy-pack policy passes on the dev stack (with its office networks, as render writes them)", function () {
        const out = pulumiOk(dir, ["preview", "--policy-pack", POLICY, "--policy-pack-config", packConfig]);
        assert.match(out, /torchpod/);
    });

    it("pulumi preview --policy-pack policy fails, naming torchpod-egress-only-to-mlab, when one NetworkPolicy lets TorchPods reach 0.0.0.0/0", function () {
        const entry = `${platformEntry()}
import * as k8s from "@pulumi/kubernetes";
const cfg = new pulumi.Config("torchpod");
const escapeProvider = new k8s.Provider("escape", { kubeconfig: process.env.KUBECONFIG });
new k8s.networking.v1.NetworkPolicy("escape", {
    metadata: { name: "escape", namespace: cfg.requireObject<any>("namespaces").torchpods },
    spec: {
        podSelector: { matchLabels: { "app.kubernetes.io/component": "torchpod" } },
        policyTypes: ["Egress"],
        egress: [{ to: [{ ipBlock: { cidr: "0.0.0.0/0" } }] }],
    },
}, { provider: escapeProvider });
`;
        const bad = makeProject(root, "escape", entry);
        pulumiOk(bad, ["stack", "init", "escape"]);
        fs.copyFileSync(path.join(dir, `Pulumi.${STACK}.yaml`), path.join(bad, "Pulumi.escape.yaml"));
        const r = pulumi(bad, ["preview", "--policy-pack", POLICY, "--policy-pack-config", packConfig]);
        const all = r.stdout + r.stderr;
        assert.notStrictEqual(r.code, 0, `preview passed with the escape:\n${all.slice(-4000)}`);
        assert.match(all, /torchpod-egress-only-to-mlab/);
        assert.match(all, /escape/);
    });

    it("pulumi up creates every object and the API server holds each one", async function () {
        pulumiOk(dir, ["up", "--yes", "--skip-preview"]);
        const objects = stackResources(dir, STACK).filter((r) => r.type.startsWith("kubernetes:") && r.outputs?.metadata);
        assert.ok(objects.length > 20, `only ${objects.length} Kubernetes objects in the state`);
        const missing: string[] = [];
        for (const r of objects) {
            const o = r.outputs!;
            const p = await objectPath(o.apiVersion, o.kind, o.metadata.namespace, o.metadata.name);
            const got = await api("GET", p);
            if (got.status !== 200 || got.body.metadata.uid !== o.metadata.uid) missing.push(`${o.kind} ${p}: HTTP ${got.status}`);
        }
        assert.deepStrictEqual(missing, []);
        const kinds = new Set(objects.map((r) => r.outputs!.kind));
        for (const k of ["Namespace", "Deployment", "PersistentVolumeClaim", "NetworkPolicy", "Secret", "Service"])
            assert.ok(kinds.has(k), `no ${k} created`);
    });

    it("Pod Security admission accepts a server-side dry-run Pod from every pod template, in its namespace", async function () {
        const objects = stackResources(dir, STACK).filter((r) => r.type.startsWith("kubernetes:") && r.outputs?.spec);
        const templates: { from: string; ns: string; template: any }[] = [];
        for (const r of objects) {
            const o = r.outputs!;
            const t = o.kind === "CronJob" ? o.spec.jobTemplate?.spec?.template : o.spec.template;
            if (t?.spec?.containers)
                templates.push({ from: `${o.kind} ${o.metadata.namespace}/${o.metadata.name}`, ns: o.metadata.namespace, template: t });
        }
        assert.ok(templates.length >= 5, `only ${templates.length} pod templates: ${templates.map((t) => t.from).join(", ")}`);
        const refused: string[] = [];
        for (const t of templates) {
            const pod = {
                apiVersion: "v1",
                kind: "Pod",
                metadata: {
                    generateName: "e2e-dry-run-",
                    labels: t.template.metadata?.labels ?? {},
                    annotations: t.template.metadata?.annotations ?? {},
                },
                spec: t.template.spec,
            };
            const r = await api("POST", `/api/v1/namespaces/${t.ns}/pods?dryRun=All`, pod);
            if (r.status !== 201) refused.push(`${t.from}: HTTP ${r.status} ${r.body?.message ?? JSON.stringify(r.body)}`);
            else if (r.body?.metadata?.labels?.["pod-security.kubernetes.io/enforce"]) refused.push(`${t.from}: odd response`);
        }
        assert.deepStrictEqual(refused, []);
        // The namespaces carry the Pod Security labels the admission enforced.
        const levels: Record<string, string> = {};
        for (const r of objects.concat(stackResources(dir, STACK).filter((x) => x.outputs?.kind === "Namespace"))) {
            const o = r.outputs!;
            if (o.kind === "Namespace") levels[o.metadata.name] = o.metadata.labels?.["pod-security.kubernetes.io/enforce"];
        }
        const ns = yaml.load(fs.readFileSync(path.join(dir, `Pulumi.${STACK}.yaml`), "utf8")) as any;
        assert.strictEqual(levels[ns.config["torchpod:namespaces"].torchpods], "baseline");
        assert.strictEqual(levels[ns.config["torchpod:namespaces"].mlab], "restricted");
    });

    it("pulumi stack output shows the documented outputs, passwords as secrets, and no password sits in the state in clear text", function () {
        const shown = JSON.parse(pulumiOk(dir, ["stack", "output", "--json"]));
        for (const k of [
            "endpoints",
            "passwords",
            "airlock",
            "airlockPassword",
            "mlabHttpUrl",
            "mlabSshUrl",
            "mlabCloneUrls",
            "mlabAdminPassword",
            "mlabPasswords",
            "namespaces",
        ]) {
            assert.ok(k in shown, `no output ${k}: ${Object.keys(shown).join(", ")}`);
        }
        for (const k of ["passwords", "airlockPassword", "mlabAdminPassword", "mlabPasswords"])
            assert.strictEqual(shown[k], "[secret]", `${k} is not secret`);
        assert.deepStrictEqual(Object.keys(shown.endpoints).sort(), ["alice", "bob", "carol"]);
        const secrets = JSON.parse(pulumiOk(dir, ["stack", "output", "--json", "--show-secrets"]));
        const values = [
            ...Object.values(secrets.passwords as Record<string, string>),
            secrets.airlockPassword,
            secrets.mlabAdminPassword,
            ...Object.values(secrets.mlabPasswords as Record<string, string>),
        ];
        assert.ok(
            values.length >= 5 && values.every((v) => typeof v === "string" && v.length >= 16),
            `unexpected secrets ${values.map((v) => typeof v)}`,
        );
        const stateFiles: string[] = [];
        const walk = (d: string) => {
            for (const e of fs.readdirSync(d, { withFileTypes: true })) {
                if (e.isDirectory()) walk(path.join(d, e.name));
                else stateFiles.push(path.join(d, e.name));
            }
        };
        walk(path.join(root, "state"));
        assert.ok(
            stateFiles.some((f) => f.endsWith(`${STACK}.json`)),
            `no state file in ${stateFiles.join(", ")}`,
        );
        for (const f of stateFiles) {
            const text = fs.readFileSync(f, "utf8");
            values.forEach((v, i) => assert.ok(!text.includes(v), `secret output #${i} is in ${path.relative(root, f)} in clear text`));
        }
    });

    it("config changes (image tag, a user's GPUs, a new user) update workloads in place and never replace a volume, Service, namespace or password", async function () {
        const before = await pvcUids();
        const state = new Map(stackResources(dir, STACK).map((r) => [r.urn, r]));
        pulumiOk(dir, ["config", "set", "torchpod:image", "gemfield/torchpod:1.1"]);
        pulumiOk(dir, ["config", "set", "--path", "torchpod:users[0].gpus", "2"]);
        pulumiOk(dir, ["config", "set", "--path", "torchpod:users[3].name", "dave"]);
        const preview = JSON.parse(pulumiOk(dir, ["preview", "--json"]));
        // Only Jobs (their pod template is immutable) and ConfigMaps/Secrets (the Kubernetes provider replaces
        // them when their data changes, unless enableConfigMapMutable/enableSecretMutable) may be replaced.
        // Volumes, Deployments, Services, namespaces and every random password stay (updated in place, or no change).
        const replaced = (preview.steps as any[]).filter((s) => /replace/.test(s.op) && s.op !== "same");
        pulumiOk(dir, ["up", "--yes", "--skip-preview"]);
        const after = await pvcUids();
        for (const [k, uid] of before) assert.strictEqual(after.get(k), uid, `volume ${k} was replaced (uid changed) or deleted`);
        assert.ok(
            [...after.keys()].some((k) => k.endsWith("/home-dave")),
            `no home claim for dave: ${[...after.keys()]}`,
        );
        const deployments = await api("GET", "/apis/apps/v1/deployments");
        const images = (deployments.body.items as any[]).flatMap((d) => d.spec.template.spec.containers.map((c: any) => c.image));
        assert.ok(images.includes("gemfield/torchpod:1.1"), `no container runs the new image: ${images}`);
        assert.ok(!images.includes("gemfield/torchpod:1.0"), `a container still runs the old image`);
        const unexpected = replaced
            .filter((s) => !["Job", "ConfigMap", "Secret"].includes(state.get(s.urn)?.outputs?.kind))
            .map((s) => `${s.op} ${s.urn} (replaceReasons: ${JSON.stringify(s.replaceReasons ?? s.diffReasons ?? [])})`);
        for (const s of replaced) console.log(`      replaced: ${s.urn.split("::").pop()}`);
        const updated = (preview.steps as any[]).filter((s) => s.op === "update").length;
        assert.ok(updated > 0, "the preview updates nothing");
        assert.deepStrictEqual(unexpected, []);
    });

    it("removing a user keeps their home claim; re-adding them with PULUMI_K8S_UPSERT_EXISTING_OBJECTS=true pulumi up adopts it", async function () {
        const before = await pvcUids();
        const key = [...before.keys()].find((k) => k.endsWith("/home-dave"));
        assert.ok(key, "no home-dave claim");
        pulumiOk(dir, ["config", "rm", "--path", "torchpod:users[3]"]);
        pulumiOk(dir, ["up", "--yes", "--skip-preview"]);
        const removed = await pvcUids();
        assert.strictEqual(removed.get(key), before.get(key), "dave's home claim did not survive his removal");
        pulumiOk(dir, ["config", "set", "--path", "torchpod:users[3].name", "dave"]);
        // What the README says happens without the variable: report it (the provider decides).
        const plain = pulumi(dir, ["up", "--yes", "--skip-preview"]);
        console.log(
            `      plain \`pulumi up\` re-adding dave: exit ${plain.code}${plain.code ? ` (${/already exists[^\n]*/.exec(plain.stdout + plain.stderr)?.[0] ?? "see output"})` : ""}`,
        );
        pulumiOk(dir, ["up", "--yes", "--skip-preview"], { PULUMI_K8S_UPSERT_EXISTING_OBJECTS: "true" });
        const readded = await pvcUids();
        assert.strictEqual(readded.get(key), before.get(key), "dave's home claim was replaced when he came back");
        // Converged: a further preview plans nothing but the Jobs marked pulumi.com/replaceUnready (no controller
        // ever completes a Job here, so they stay unready and are re-run on every up).
        const state = new Map(stackResources(dir, STACK).map((r) => [r.urn, r]));
        const again = JSON.parse(pulumiOk(dir, ["preview", "--json"])).steps as any[];
        // The provider records the upsert variable in its state: the next plain up updates the provider itself.
        for (const s of again.filter((x) => x.op === "update" && x.urn.includes("pulumi:providers:kubernetes"))) {
            console.log(
                `      after the upsert, a plain preview plans: ${s.op} ${s.urn.split("::").pop()} (diffs: ${JSON.stringify(s.diffs ?? [])})`,
            );
        }
        const changes = again
            .filter((s) => s.op !== "same" && !(s.op === "update" && s.urn.includes("pulumi:providers:kubernetes")))
            .filter((s) => state.get(s.urn)?.outputs?.metadata?.annotations?.["pulumi.com/replaceUnready"] !== "true")
            .map((s) => `${s.op} ${s.urn}`);
        assert.deepStrictEqual(changes, []);
    });

    it("pulumi destroy leaves the retained objects: home claims, airlock-share, MLab's data and the namespaces", async function () {
        const claims = await pvcUids();
        const namespaces = stackResources(dir, STACK)
            .filter((r) => r.outputs?.kind === "Namespace")
            .map((r) => r.outputs!.metadata.name as string);
        pulumiOk(dir, ["destroy", "--yes", "--skip-preview"]);
        const left = await pvcUids();
        for (const [k, uid] of claims) assert.strictEqual(left.get(k), uid, `${k} was deleted by destroy`);
        const names = [...left.keys()].map((k) => k.split("/")[1]);
        for (const n of ["home-alice", "home-bob", "home-carol", "home-dave", "airlock-share"])
            assert.ok(names.includes(n), `no ${n} after destroy: ${names}`);
        assert.ok(
            names.some((n) => /mlab/.test(n)),
            `no MLab data claim after destroy: ${names}`,
        );
        assert.ok(namespaces.length >= 2);
        for (const ns of namespaces) {
            const r = await api("GET", `/api/v1/namespaces/${ns}`);
            assert.strictEqual(r.status, 200, `namespace ${ns} is gone`);
            assert.ok(!r.body.metadata.deletionTimestamp, `namespace ${ns} is being deleted`);
        }
    });

    it("the README's `pulumi config set --path` commands give a config the program reads: preview shows alice's TorchPod", function () {
        const fresh = makeProject(root, "readme", platformEntry());
        pulumiOk(fresh, ["stack", "init", "team-a"]);
        const readme = fs.readFileSync(path.join(PROGRAM, "README.md"), "utf8");
        const section = readme.slice(readme.indexOf("## Deploying to a real cluster"));
        const block = /```sh\n([\s\S]*?)```/.exec(section)![1];
        const sets = block
            .split("\n")
            .map((l) => l.replace(/#.*$/, "").trim())
            .filter((l) => l.startsWith("pulumi config set"))
            // The README's optional context names the reader's cluster; the loopback kubeconfig has its own.
            .filter((l) => !l.includes("torchpod:kubernetes.context"));
        assert.ok(sets.length >= 3, `found ${sets.length} config commands in the README`);
        for (const l of sets) {
            const args = [...l.matchAll(/'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2]).slice(1);
            pulumiOk(fresh, args);
        }
        const out = pulumiOk(fresh, ["preview", "--json"]);
        const steps = JSON.parse(out).steps as any[];
        const alice = steps.filter((s) => /alice/.test(s.urn));
        assert.ok(
            alice.some((s) => /Deployment::/.test(s.urn) || /TorchPod/.test(s.urn)),
            `no TorchPod for alice:\n${steps.map((s) => s.urn).join("\n")}`,
        );
    });
});
