// The MLab component under the offline engine: what it registers, as `pulumi up` would see it.
import { strict as assert } from "assert";
import {
    IMPORTER_SCRIPT_PATH,
    Mlab,
    MlabArgs,
    checkMlabDatabase,
    describeMlabDatabaseProblem,
    gitSystemConfig,
    giteaEnvName,
    giteaServiceUrl,
    giteaSettings,
    importerAccountName,
    jwtSecretFromBase64,
    reconcilerInputHash,
} from "../../components/mlab";
import * as fs from "fs";
import { MLAB_DATA_CLAIM_NAME, isGiteaReservedName } from "@torchpod/contract";
import { LABEL_COMPONENT, LABEL_MANAGED_BY, LABEL_PART_OF } from "@torchpod/contract";
import { ProgramRun, k8s, ofType, podSpecs, runPiece } from "../mocks";
import { MLAB_ADMIN_USER } from "@torchpod/contract";
import { MlabConfig } from "../../components/common/settings";
import { ACCESS_LOG_TEMPLATE } from "../../components/mlab/giteaSettings";

const baseConfig: MlabConfig = {
    image: "gitea/gitea:1.22.6-rootless",
    host: "mlab.example.internal",
    httpPort: 80,
    sshPort: 22,
    projects: [
        { owner: "deepvac", repo: "deepvac", upstream: "https://github.com/DeepVAC/deepvac" },
        { owner: "deepvac", repo: "notes" },
    ],
    migrationAllowedHosts: ["github.com"],
    database: { type: "sqlite" },
    reconcilerImage: "node:20.18.1-alpine3.20",
    resources: { cpuRequest: "500m", cpuLimit: "2", memoryRequest: "512Mi", memoryLimit: "2Gi" },
};

const baseArgs = (over: Partial<MlabArgs> = {}, config: Partial<MlabConfig> = {}): MlabArgs => ({
    namespace: "mlab",
    torchpodNamespace: "torchpod",
    config: { ...baseConfig, ...config },
    users: ["alice", "bob"],
    ...over,
});

interface Built {
    run: ProgramRun;
    mlab?: Mlab;
}

async function build(args: MlabArgs = baseArgs()): Promise<Built> {
    let mlab: Mlab | undefined;
    const run = await runPiece(() => {
        mlab = new Mlab("mlab", args);
        return {
            clusterIp: mlab.clusterIp,
            httpUrl: mlab.httpUrl,
            sshUrl: mlab.sshUrl,
            cloneUrls: mlab.cloneUrls,
            adminPassword: mlab.adminPassword,
        };
    });
    return { run, mlab };
}

const DEPLOYMENT = "kubernetes:apps/v1:Deployment";
const SERVICE = "kubernetes:core/v1:Service";
const SECRET = "kubernetes:core/v1:Secret";
const PVC = "kubernetes:core/v1:PersistentVolumeClaim";
const JOB = "kubernetes:batch/v1:Job";
const CONFIGMAP = "kubernetes:core/v1:ConfigMap";

function giteaContainers(run: ProgramRun): any[] {
    const spec = k8s(run, DEPLOYMENT, "mlab").spec.template.spec;
    return [...spec.initContainers, ...spec.containers];
}

function envOf(container: any): Map<string, any> {
    return new Map((container.env as any[]).map((e) => [e.name, e]));
}

function randomResults(run: ProgramRun): string[] {
    return ofType(run, "random:index/randomPassword:RandomPassword").map((r) => r.state.result as string);
}

describe("Mlab component", () => {
    let built: Built;
    before(async () => {
        built = await build();
        assert.equal(built.run.error, undefined, built.run.error?.stack);
    });

    it("is a torchpod:index:Mlab component whose children are parented to it", () => {
        const component = built.run.resources.find((r) => r.type === "torchpod:index:Mlab")!;
        assert.ok(component);
        const children = built.run.resources.filter((r) => r.custom);
        assert.ok(children.length > 0);
        for (const child of children) assert.equal(child.parent, component.urn, `${child.type} ${child.name} is parented to the component`);
    });

    it("configures Gitea with the hardening variables at safe values, in the init and main containers", () => {
        const expected: Record<string, string> = {
            [giteaEnvName("security", "INSTALL_LOCK")]: "true",
            [giteaEnvName("service", "DISABLE_REGISTRATION")]: "true",
            [giteaEnvName("service", "REQUIRE_SIGNIN_VIEW")]: "true",
            [giteaEnvName("server", "OFFLINE_MODE")]: "true",
            [giteaEnvName("server", "ROOT_URL")]: "http://mlab.example.internal/",
            [giteaEnvName("server", "DOMAIN")]: "mlab.example.internal",
            [giteaEnvName("server", "SSH_DOMAIN")]: "mlab.example.internal",
            [giteaEnvName("server", "SSH_PORT")]: "22",
            [giteaEnvName("server", "SSH_LISTEN_PORT")]: "2222",
            [giteaEnvName("server", "HTTP_PORT")]: "3000",
            GITEA__mirror__ENABLED: "false",
            GITEA__mirror__DISABLE_NEW_PUSH: "true",
            GITEA__security__DISABLE_WEBHOOKS: "true",
            GITEA__webhook__ALLOWED_HOST_LIST: "loopback",
            GITEA__migrations__ALLOWED_DOMAINS: "no-migrations.invalid",
            GITEA__migrations__ALLOW_LOCALNETWORKS: "false",
            GITEA__repository__DISABLE_MIGRATIONS: "true",
            GITEA__security__IMPORT_LOCAL_PATHS: "false",
            GITEA__server__LFS_START_SERVER: "false",
            GITEA__repository__MAX_CREATION_LIMIT: "0",
            GITEA__mailer__ENABLED: "false",
            GITEA__picture__DISABLE_GRAVATAR: "true",
            GITEA__cron_0X2E_update_checker__ENABLED: "false",
            GITEA__openid__ENABLE_OPENID_SIGNIN: "false",
            GITEA__oauth2__ENABLED: "false",
            GITEA__actions__ENABLED: "false",
            GITEA__packages__ENABLED: "false",
            GITEA__database__DB_TYPE: "sqlite3",
        };
        for (const container of giteaContainers(built.run)) {
            const env = envOf(container);
            for (const [name, value] of Object.entries(expected)) {
                assert.equal(env.get(name)?.value, value, `${container.name}: ${name}`);
            }
            assert.equal(env.get("GITEA__security__SECRET_KEY")?.valueFrom?.secretKeyRef?.name, "mlab-gitea");
            assert.equal(env.get("GITEA__security__INTERNAL_TOKEN")?.valueFrom?.secretKeyRef?.key, "internal-token");
        }
    });

    it("records what leaves with Gitea's own facilities: every request (pushes included) in a JSON-lines access log on the data volume, kept ten years; the action feed never pruned", () => {
        const volumeMount = giteaContainers(built.run)[1].volumeMounts.find((m: any) => m.name === "data");
        for (const container of giteaContainers(built.run)) {
            const env = envOf(container);
            const v = (section: string, key: string) => env.get(giteaEnvName(section, key))?.value;
            assert.equal(v("log", "logger.access.MODE"), "file");
            assert.equal(v("log.file", "MODE"), "file", "a file writer, never conn");
            assert.equal(v("log.file", "FILE_NAME"), "access.log");
            assert.ok(Number(v("log.file", "MAX_DAYS")) >= 3650, "Gitea's default of 7 days would delete the record");
            assert.ok(String(v("log", "ROOT_PATH")).startsWith(`${volumeMount.mountPath}/`), "on the retained data volume");
            assert.equal(v("log", "ACCESS_LOG_TEMPLATE"), ACCESS_LOG_TEMPLATE);
            assert.equal(v("cron.delete_old_actions", "ENABLED"), "false");
            assert.equal(
                v("security", "REVERSE_PROXY_TRUSTED_PROXIES"),
                "127.0.0.0/8,::1/128",
                "the client address is the peer's, never a header's",
            );
        }
        assert.equal(giteaEnvName("log", "logger.access.MODE"), "GITEA__log__logger_0X2E_access_0X2E_MODE");
        // The template's output is one JSON object: fill its actions as Gitea would for a push.
        const line = ACCESS_LOG_TEMPLATE.replace(/\{\{printf "%q" [^}]+\}\}/g, JSON.stringify("/deepvac/deepvac.git/git-receive-pack"))
            .replace(/\{\{\.ResponseWriter\.Status\}\}/g, "200")
            .replace(/\{\{[^}]+\}\}/g, "x");
        assert.deepEqual(Object.keys(JSON.parse(line)), ["time", "client", "user", "method", "uri", "status"]);
    });

    it("refuses migrations entirely, whatever hosts config allow-lists for upstreams (the importer Jobs bring them in)", async () => {
        for (const hosts of [[], ["github.com", "gitlab.com"]]) {
            const settings = giteaSettings({ ...baseConfig, migrationAllowedHosts: hosts });
            const get = (section: string, key: string) => settings.find((x) => x.section === section && x.key === key)?.value;
            assert.equal(get("repository", "DISABLE_MIGRATIONS"), "true");
            assert.equal(get("migrations", "ALLOWED_DOMAINS"), "no-migrations.invalid", "never empty (empty means every host)");
            assert.equal(get("migrations", "ALLOW_LOCALNETWORKS"), "false");
        }
        const { run } = await build(baseArgs({}, { migrationAllowedHosts: [], projects: [{ owner: "deepvac", repo: "notes" }] }));
        assert.equal(run.error, undefined);
        const env = envOf(giteaContainers(run)[1]);
        assert.equal(env.get("GITEA__repository__DISABLE_MIGRATIONS")?.value, "true");
    });

    it("passes Gitea a stable JWT secret from a Secret: 32 random bytes, unpadded base64url (so open forms survive a restart)", () => {
        for (const container of giteaContainers(built.run)) {
            assert.deepEqual(envOf(container).get("GITEA__oauth2__JWT_SECRET")?.valueFrom?.secretKeyRef, {
                name: "mlab-gitea",
                key: "jwt-secret",
            });
        }
        const bytes = ofType(built.run, "random:index/randomBytes:RandomBytes");
        assert.equal(bytes.length, 1);
        assert.equal(bytes[0].inputs.length, 32);
        const value = k8s(built.run, SECRET, "mlab-gitea").stringData["jwt-secret"];
        assert.match(value, /^[A-Za-z0-9_-]{43}$/, "43 characters of the URL-safe alphabet, no padding");
        assert.equal(Buffer.from(value, "base64url").length, 32);
        assert.equal(Buffer.from(value, "base64url").toString("base64"), bytes[0].state.base64, "the very bytes RandomBytes made");
        // The encoding, on bytes that need both URL-safe substitutions and padding in standard base64.
        const tricky = Buffer.from([0xfb, 0xff, 0xbf, ...new Array(29).fill(0xfe)]);
        assert.equal(jwtSecretFromBase64(tricky.toString("base64")), tricky.toString("base64url"));
        // LFS stays off, so Gitea neither reads nor generates [server] LFS_JWT_SECRET.
        const env = envOf(giteaContainers(built.run)[1]);
        assert.equal(env.get("GITEA__server__LFS_START_SERVER")?.value, "false");
        assert.equal(env.has("GITEA__server__LFS_JWT_SECRET"), false);
    });

    it("sets Gitea's credential-named switches as plain booleans and every real credential through secretKeyRef", () => {
        for (const container of giteaContainers(built.run)) {
            const env = envOf(container);
            assert.equal(env.get("GITEA__security__DISABLE_QUERY_AUTH_TOKEN")?.value, "true");
            assert.equal(env.get("GITEA__security__PASSWORD_CHECK_PWN")?.value, "false");
            for (const e of container.env) {
                if (/PASSWORD|PASSWD|SECRET|TOKEN|KEY/i.test(e.name) && e.value !== undefined) {
                    assert.match(e.value, /^(true|false)$/, `${container.name}: ${e.name} is a literal that is not a switch`);
                }
            }
        }
    });

    it("keeps secrets out of pod specs: only secretKeyRef and mounted Secrets, never a value", () => {
        const secrets = randomResults(built.run);
        assert.ok(secrets.length >= 5, "admin, secret key, internal token and one per user");
        for (const { resource, spec } of podSpecs(built.run)) {
            const text = JSON.stringify(spec);
            for (const s of secrets) assert.equal(text.includes(s), false, `a random secret appears literally in ${resource.name}`);
            for (const c of [...(spec.initContainers ?? []), ...spec.containers]) {
                for (const e of c.env ?? []) {
                    if (/(SECRET_KEY|INTERNAL_TOKEN|PASSWD|_PASSWORD)$/.test(e.name))
                        assert.ok(e.valueFrom?.secretKeyRef && e.value === undefined, `${c.name}: ${e.name} comes from a Secret`);
                }
            }
        }
        // ConfigMaps are no place for secrets either.
        for (const cm of ofType(built.run, CONFIGMAP)) {
            const text = JSON.stringify(cm.inputs);
            for (const s of secrets) assert.equal(text.includes(s), false, `a random secret appears in ConfigMap ${cm.name}`);
        }
    });

    it("keeps the data on a retained volume with a stable name that config changes never replace", () => {
        const pvc = ofType(built.run, PVC);
        assert.equal(pvc.length, 1);
        assert.equal(pvc[0].inputs.metadata.name, "mlab-data");
        assert.equal(pvc[0].inputs.metadata.namespace, "mlab");
        assert.equal(pvc[0].retainOnDelete, true);
        for (const field of ["spec.storageClassName", "spec.accessModes", "spec.volumeMode"]) {
            assert.ok(pvc[0].ignoreChanges.includes(field), `ignores changes to ${field}`);
        }
        assert.equal(pvc[0].inputs.spec.resources.requests.storage, "50Gi");
        const deployment = k8s(built.run, DEPLOYMENT, "mlab");
        assert.equal(deployment.spec.replicas, 1);
        assert.equal(deployment.spec.strategy.type, "Recreate");
        const volume = deployment.spec.template.spec.volumes.find((v: any) => v.name === "data");
        assert.equal(volume.persistentVolumeClaim.claimName, "mlab-data");
    });

    it("uses the storage class and size it is given", async () => {
        const { run } = await build(baseArgs({ storageClass: "fast", storageSize: "200Gi" }));
        const pvc = k8s(run, PVC, "mlab-data");
        assert.equal(pvc.spec.storageClassName, "fast");
        assert.equal(pvc.spec.resources.requests.storage, "200Gi");
    });

    it("serves http and ssh on the configured Service ports, mapped to Gitea's 3000 and 2222", () => {
        const svc = k8s(built.run, SERVICE, "mlab");
        assert.equal(svc.spec.type, "ClusterIP");
        assert.deepEqual(
            svc.spec.ports.map((p: any) => [p.name, p.port, p.targetPort, p.protocol]),
            [
                ["http", 80, 3000, "TCP"],
                ["ssh", 22, 2222, "TCP"],
            ],
        );
        const pod = k8s(built.run, DEPLOYMENT, "mlab").spec.template;
        for (const [k, v] of Object.entries(svc.spec.selector))
            assert.equal(pod.metadata.labels[k], v, "the Service selects the Gitea pod");
        const ports = pod.spec.containers[0].ports.map((p: any) => [p.name, p.containerPort]);
        assert.deepEqual(ports, [
            ["http", 3000],
            ["ssh", 2222],
        ]);
        assert.equal(built.mlab!.httpPort, 80);
        assert.equal(built.mlab!.httpContainerPort, 3000);
        assert.equal(built.mlab!.sshContainerPort, 2222);
    });

    it("restricts a LoadBalancer to the office networks, keeps client addresses (externalTrafficPolicy Local) and allocates no NodePorts", async () => {
        const { run } = await build(
            baseArgs({ exposure: { type: "LoadBalancer", annotations: { "x/y": "z" } }, officeCidrs: ["192.0.2.0/24"] }),
        );
        const svc = k8s(run, SERVICE, "mlab");
        assert.equal(svc.spec.type, "LoadBalancer");
        assert.deepEqual(svc.spec.loadBalancerSourceRanges, ["192.0.2.0/24"]);
        // With the default (Cluster) the node SNATs office clients and MLab's office ipBlock ingress never matches.
        assert.equal(svc.spec.externalTrafficPolicy, "Local");
        assert.equal(svc.spec.allocateLoadBalancerNodePorts, false);
        assert.ok(!svc.spec.ports.some((p: any) => p.nodePort), "no NodePort asked for");
        assert.deepEqual(svc.metadata.annotations, { "x/y": "z" });
    });

    it("keeps load-balancer settings and annotations off a ClusterIP Service", async () => {
        const { run } = await build(
            baseArgs({ exposure: { type: "ClusterIP", annotations: { "x/y": "z" } }, officeCidrs: ["192.0.2.0/24"] }),
        );
        const svc = k8s(run, SERVICE, "mlab");
        assert.equal(svc.spec.type, "ClusterIP");
        for (const field of ["loadBalancerSourceRanges", "externalTrafficPolicy", "allocateLoadBalancerNodePorts"])
            assert.equal(svc.spec[field], undefined, field);
        assert.equal(svc.metadata.annotations, undefined);
    });

    it("labels pod templates per the contract", () => {
        const pods = podSpecs(built.run);
        const gitea = pods.find((p) => p.resource.type === DEPLOYMENT)!;
        const job = pods.find((p) => p.resource.type === JOB && p.labels[LABEL_COMPONENT] === "mlab-reconciler")!;
        const importer = pods.find((p) => p.resource.type === JOB && p.labels[LABEL_COMPONENT] === "mlab-importer")!;
        assert.equal(gitea.labels[LABEL_COMPONENT], "mlab");
        assert.ok(job, "the reconciler is labelled mlab-reconciler");
        assert.ok(importer, "the importer is labelled mlab-importer");
        assert.deepEqual(
            pods.filter((p) => p.labels[LABEL_COMPONENT] === "mlab").map((p) => p.resource.type),
            [DEPLOYMENT],
            "only Gitea's pods are MLab",
        );
        for (const p of [gitea, job, importer]) {
            assert.equal(p.labels[LABEL_PART_OF], "torchpod");
            assert.equal(p.labels[LABEL_MANAGED_BY], "pulumi");
            assert.equal(p.labels["app.kubernetes.io/instance"], "mlab");
        }
        assert.equal(gitea.labels["app.kubernetes.io/version"], "1.22.6-rootless");
    });

    it("runs every container under the restricted Pod Security profile, with no token and no service links", () => {
        const pods = podSpecs(built.run);
        assert.equal(pods.length, 3, "Gitea, the reconciler and one importer");
        for (const { resource, spec } of pods) {
            assert.equal(spec.automountServiceAccountToken, false, resource.name);
            assert.equal(spec.enableServiceLinks, false, resource.name);
            assert.equal(spec.hostNetwork ?? false, false);
            assert.equal(spec.securityContext.runAsNonRoot, true);
            assert.equal(spec.securityContext.runAsUser, 1000);
            assert.equal(spec.securityContext.seccompProfile.type, "RuntimeDefault");
            for (const c of [...(spec.initContainers ?? []), ...spec.containers]) {
                assert.equal(c.securityContext.allowPrivilegeEscalation, false, c.name);
                assert.equal(c.securityContext.readOnlyRootFilesystem, true, c.name);
                assert.deepEqual(c.securityContext.capabilities.drop, ["ALL"], c.name);
                assert.equal(c.securityContext.capabilities.add, undefined, c.name);
                assert.equal(c.securityContext.privileged ?? false, false, c.name);
                assert.ok(!/:latest$/.test(c.image), c.image);
            }
            assert.equal(
                (spec.volumes ?? []).some((v: any) => v.hostPath),
                false,
                "no hostPath",
            );
        }
    });

    it("checks Gitea's health on /api/healthz", () => {
        const c = k8s(built.run, DEPLOYMENT, "mlab").spec.template.spec.containers[0];
        for (const probe of [c.readinessProbe, c.livenessProbe, c.startupProbe]) {
            assert.equal(probe.httpGet.path, "/api/healthz");
            assert.equal(probe.httpGet.port, "http");
        }
    });

    it("bootstraps the admin in an init container from the admin Secret", () => {
        const init = k8s(built.run, DEPLOYMENT, "mlab").spec.template.spec.initContainers[0];
        assert.equal(init.image, baseConfig.image);
        assert.equal(init.command, undefined, "keeps the image's entrypoint, which writes app.ini");
        const script = init.args.join(" ");
        assert.match(script, /gitea --config "\$GITEA_APP_INI" migrate/);
        assert.match(script, /admin user create --admin/);
        assert.match(script, /admin user change-password/);
        assert.match(script, /--must-change-password=false/);
        const env = envOf(init);
        assert.equal(env.get("MLAB_ADMIN_USER").value, MLAB_ADMIN_USER);
        assert.deepEqual(env.get("MLAB_ADMIN_PASSWORD").valueFrom.secretKeyRef, { name: "mlab-admin", key: "password" });
    });

    it("gives each user a git credential Secret in the TorchPod namespace", () => {
        const alicePassword = ofType(built.run, "random:index/randomPassword:RandomPassword").find(
            (r) => r.name === "mlab-user-alice-password",
        )!.state.result;
        assert.equal(built.mlab!.userCredentialSecretName("alice"), "mlab-git-alice");
        const secret = k8s(built.run, SECRET, "mlab-git-alice");
        assert.equal(secret.metadata.namespace, "torchpod");
        assert.equal(secret.stringData["git-credentials"], `http://alice:${alicePassword}@mlab.example.internal\n`);
        const gitconfig: string = secret.stringData.gitconfig;
        assert.match(gitconfig, /^\[credential "http:\/\/mlab\.example\.internal"\]$/m);
        assert.match(gitconfig, /credential-store --file=\/etc\/torchpod\/mlab\/git-credentials get/);
        assert.match(gitconfig, /^\temail = alice@mlab\.example\.internal$/m);
        assert.ok(k8s(built.run, SECRET, "mlab-git-bob"));
    });

    it("keeps the port in credentials and gitconfig when it is not 80", () => {
        assert.match(gitSystemConfig("alice", "mlab.example.internal", 3000), /\[credential "http:\/\/mlab\.example\.internal:3000"\]/);
    });

    it("exposes the Service's cluster IP, the clone URLs and the admin password as a secret", () => {
        const svc = ofType(built.run, SERVICE)[0];
        assert.match(svc.state.spec.clusterIP, /^10\./);
        assert.equal(built.run.exports.clusterIp, svc.state.spec.clusterIP);
        assert.equal(built.run.exports.httpUrl, "http://mlab.example.internal/");
        assert.equal(built.run.exports.sshUrl, "ssh://git@mlab.example.internal/");
        assert.deepEqual(built.run.exports.cloneUrls, {
            "deepvac/deepvac": {
                http: "http://mlab.example.internal/deepvac/deepvac.git",
                ssh: "ssh://git@mlab.example.internal/deepvac/deepvac.git",
            },
            "deepvac/notes": {
                http: "http://mlab.example.internal/deepvac/notes.git",
                ssh: "ssh://git@mlab.example.internal/deepvac/notes.git",
            },
        });
        const admin = built.run.exports.adminPassword as { secret: string };
        assert.equal(typeof admin.secret, "string", "adminPassword is a Pulumi secret");
        assert.ok(randomResults(built.run).includes(admin.secret));
        assert.equal(built.mlab!.host, "mlab.example.internal");
    });

    it("uses non-default ports in URLs and Service", async () => {
        const { run } = await build(baseArgs({}, { httpPort: 3000, sshPort: 2222 }));
        assert.equal(run.exports.httpUrl, "http://mlab.example.internal:3000/");
        assert.equal(run.exports.sshUrl, "ssh://git@mlab.example.internal:2222/");
        assert.deepEqual((run.exports.cloneUrls as any)["deepvac/deepvac"], {
            http: "http://mlab.example.internal:3000/deepvac/deepvac.git",
            ssh: "ssh://git@mlab.example.internal:2222/deepvac/deepvac.git",
        });
        const env = envOf(giteaContainers(run)[1]);
        assert.equal(env.get("GITEA__server__ROOT_URL").value, "http://mlab.example.internal:3000/");
        assert.equal(env.get("GITEA__server__SSH_PORT").value, "2222");
    });

    it("runs the reconciler as a Job against the Service's cluster IP, after Gitea, with its inputs from a ConfigMap and a Secret", () => {
        const jobs = ofType(built.run, JOB).filter((j) => j.inputs.metadata.name.startsWith("mlab-reconcile-"));
        assert.equal(jobs.length, 1);
        const job = jobs[0];
        assert.match(job.inputs.metadata.name, /^mlab-reconcile-[0-9a-f]{10}$/);
        assert.equal(job.deleteBeforeReplace, true);
        assert.equal(job.inputs.metadata.annotations["pulumi.com/replaceUnready"], "true", "a failed run is retried by the next pulumi up");
        const deployment = ofType(built.run, DEPLOYMENT)[0];
        assert.ok(job.dependencies.includes(deployment.urn), "waits for the Gitea Deployment");
        const container = job.inputs.spec.template.spec.containers[0];
        assert.equal(container.image, "node:20.18.1-alpine3.20");
        const env = envOf(container);
        const ip = ofType(built.run, SERVICE)[0].state.spec.clusterIP;
        assert.equal(env.get("MLAB_URL").value, `http://${ip}:80`);
        const cm = ofType(built.run, CONFIGMAP).find((r) => r.inputs.metadata.name.startsWith("mlab-reconciler-"))!.inputs;
        assert.equal(cm.immutable, true);
        assert.ok(cm.data["reconciler.js"].startsWith("// @ts-check"));
        const desired = JSON.parse(cm.data["desired.json"]);
        assert.deepEqual(
            desired.users.map((u: any) => u.name),
            ["alice", "bob"],
        );
        const account = importerAccountName({ owner: "deepvac", repo: "deepvac" });
        assert.deepEqual(desired.projects, [
            { owner: "deepvac", repo: "deepvac", upstream: "https://github.com/DeepVAC/deepvac", importer: account },
            { owner: "deepvac", repo: "notes" },
        ]);
        const secret = k8s(built.run, SECRET, "mlab-reconciler");
        assert.deepEqual(Object.keys(secret.stringData).sort(), ["admin-password", `import.${account}`, "user.alice", "user.bob"]);
        const volumes = job.inputs.spec.template.spec.volumes;
        assert.equal(volumes.find((v: any) => v.secret).secret.secretName, "mlab-reconciler");
        assert.equal(volumes.find((v: any) => v.configMap).configMap.name, cm.metadata.name);
    });

    it("names the reconciler Job by its input: the same input keeps it, a change of projects or users reruns it", async () => {
        const again = await build();
        const name = (b: Built) =>
            ofType(b.run, JOB).find((j) => j.inputs.metadata.name.startsWith("mlab-reconcile-"))!.inputs.metadata.name;
        assert.equal(name(again), name(built), "nothing changed: same Job (it does not run again)");
        const moreProjects = await build(baseArgs({}, { projects: [...baseConfig.projects, { owner: "deepvac", repo: "extra" }] }));
        assert.notEqual(name(moreProjects), name(built));
        const otherUsers = await build(baseArgs({ users: ["alice"] }));
        assert.notEqual(name(otherUsers), name(built));
        const otherResources = await build(baseArgs({}, { resources: { ...baseConfig.resources, cpuLimit: "4" } }));
        assert.equal(name(otherResources), name(built), "a change that the reconciler does not act on does not rerun it");
        assert.equal(reconcilerInputHash(baseConfig, ["alice"], "x"), reconcilerInputHash(baseConfig, ["alice"], "x"));
    });

    it("reads the PostgreSQL password from the named Secret when the database is external", async () => {
        const { run } = await build(
            baseArgs(
                {},
                {
                    database: {
                        type: "postgres",
                        host: "pg.example.internal:5432",
                        address: "192.0.2.40",
                        name: "gitea",
                        user: "gitea",
                        passwordSecret: { name: "mlab-pg", key: "password" },
                        sslMode: "require",
                    },
                },
            ),
        );
        assert.equal(run.error, undefined);
        for (const c of giteaContainers(run)) {
            const env = envOf(c);
            assert.equal(env.get("GITEA__database__DB_TYPE").value, "postgres");
            assert.equal(env.get("GITEA__database__HOST").value, "pg.example.internal:5432");
            assert.equal(env.get("GITEA__database__SSL_MODE").value, "require");
            assert.deepEqual(env.get("GITEA__database__PASSWD").valueFrom.secretKeyRef, { name: "mlab-pg", key: "password" });
            assert.equal(env.has("GITEA__database__PATH"), false);
        }
        const spec = k8s(run, DEPLOYMENT, "mlab").spec.template.spec;
        assert.deepEqual(
            spec.hostAliases,
            [{ ip: "192.0.2.40", hostnames: ["pg.example.internal"] }],
            "no DNS: the name maps to its address",
        );
    });

    it("maps no host name for SQLite or a database given by IP, and refuses a database it could only reach through DNS", async () => {
        assert.equal(k8s(built.run, DEPLOYMENT, "mlab").spec.template.spec.hostAliases, undefined);
        const pg = {
            type: "postgres" as const,
            name: "gitea",
            user: "gitea",
            passwordSecret: { name: "mlab-pg", key: "password" },
            sslMode: "require",
        };
        assert.equal(checkMlabDatabase({ ...pg, host: "192.0.2.40:6432" }), undefined);
        assert.equal(checkMlabDatabase({ type: "sqlite" }), undefined);
        assert.match(
            describeMlabDatabaseProblem(checkMlabDatabase({ ...pg, host: "pg.example.internal" })!),
            /torchpod:mlab\.database\.host "pg\.example\.internal": MLab has no DNS; expected an IPv4 address, or set torchpod:mlab\.database\.address/,
        );
        assert.match(
            describeMlabDatabaseProblem(checkMlabDatabase({ ...pg, host: "pg.example.internal", address: "pg2" })!),
            /database\.address "pg2": expected the database server's IP address/,
        );
        assert.equal(checkMlabDatabase({ ...pg, host: "192.0.2.40", address: "192.0.2.41" })?.key, "address");
        const { run } = await build(baseArgs({}, { database: { ...pg, host: "192.0.2.40:6432" } }));
        assert.equal(run.error, undefined);
        assert.equal(k8s(run, DEPLOYMENT, "mlab").spec.template.spec.hostAliases, undefined);
    });

    it("imports each upstream with its own Job: the Gitea image's git, Gitea by cluster IP, only its own import credential, after the reconciler", () => {
        const account = importerAccountName({ owner: "deepvac", repo: "deepvac" });
        assert.match(account, /^mlab-import-[0-9a-f]{10}$/);
        assert.ok(isGiteaReservedName(account), "no user or organisation can take an import account's name");
        const jobs = ofType(built.run, JOB).filter((j) => j.inputs.spec.template.metadata.labels[LABEL_COMPONENT] === "mlab-importer");
        assert.equal(jobs.length, 1, "one importer: only deepvac/deepvac has an upstream");
        const job = jobs[0];
        const id = account.slice("mlab-import-".length);
        assert.match(job.inputs.metadata.name, new RegExp(`^mlab-import-${id}-[0-9a-f]{8}$`));
        assert.equal(job.deleteBeforeReplace, true);
        assert.equal(job.inputs.metadata.annotations["pulumi.com/replaceUnready"], "true");
        const reconciler = ofType(built.run, JOB).find((j) => j.inputs.metadata.name.startsWith("mlab-reconcile-"))!;
        assert.ok(job.dependencies.includes(reconciler.urn), "runs after the reconciler made the empty repository and the account");
        const spec = job.inputs.spec.template.spec;
        const c = spec.containers[0];
        assert.equal(c.image, baseConfig.image);
        assert.deepEqual(c.command, ["/bin/sh", "-c", fs.readFileSync(IMPORTER_SCRIPT_PATH, "utf8")]);
        const env = envOf(c);
        const ip = ofType(built.run, SERVICE)[0].state.spec.clusterIP;
        assert.equal(env.get("MLAB_URL").value, `http://${ip}:80`);
        assert.equal(env.get("MLAB_IMPORT_REPO").value, "deepvac/deepvac");
        assert.equal(env.get("MLAB_IMPORT_UPSTREAM").value, "https://github.com/DeepVAC/deepvac");
        const secretName = spec.volumes.find((v: any) => v.secret).secret.secretName;
        assert.equal(secretName, `mlab-import-${id}`);
        const secret = k8s(built.run, SECRET, secretName);
        assert.deepEqual(Object.keys(secret.stringData).sort(), ["password", "username"], "only this import's credential");
        assert.equal(secret.stringData.username, account);
        const pw = ofType(built.run, "random:index/randomPassword:RandomPassword").find((r) => r.name === `mlab-import-${id}-password`)!;
        assert.equal(secret.stringData.password, pw.state.result);
        assert.deepEqual(
            pw.inputs.keepers,
            { project: "deepvac/deepvac", upstream: "https://github.com/DeepVAC/deepvac" },
            "a new upstream rotates it",
        );
        assert.equal(
            k8s(built.run, SECRET, "mlab-reconciler").stringData[`import.${account}`],
            pw.state.result,
            "the reconciler sets the same password",
        );
        assert.equal(
            JSON.stringify(spec).includes("mlab-admin") || JSON.stringify(spec).includes("mlab-reconciler"),
            false,
            "the importer never sees the admin credential",
        );
    });

    it("labels Gitea's version from the image parser: a digest gives its first 12 hex digits, a registry port is no version", async () => {
        const digest = `sha256:${"ab".repeat(32)}`;
        for (const image of [`gitea/gitea@${digest}`, `registry.example:5000/gitea/gitea@${digest}`]) {
            const { run } = await build(baseArgs({}, { image }));
            assert.equal(run.error, undefined);
            assert.equal(k8s(run, DEPLOYMENT, "mlab").spec.template.metadata.labels["app.kubernetes.io/version"], "abababababab", image);
        }
        const { run } = await build(baseArgs({}, { image: "registry.example:5000/gitea/gitea:1.22.6-rootless" }));
        assert.equal(k8s(run, DEPLOYMENT, "mlab").spec.template.metadata.labels["app.kubernetes.io/version"], "1.22.6-rootless");
    });

    it("reserves Gitea 1.22's names (commits, not commit or devtest) and the import accounts' prefix", () => {
        assert.equal(isGiteaReservedName("commits"), true);
        assert.equal(isGiteaReservedName("Commits"), true, "case-insensitive, as Gitea is");
        assert.equal(isGiteaReservedName("commit"), false);
        assert.equal(isGiteaReservedName("devtest"), false);
        assert.equal(isGiteaReservedName("mlab-admin"), true);
        assert.equal(isGiteaReservedName("mlab-import-anything"), true);
        assert.equal(isGiteaReservedName("mlab-importer"), false, "only the prefix with its dash");
        assert.equal(require("../../components/mlab/reconciler.js").IMPORTER_PREFIX, "mlab-import-", "the reconciler agrees on the prefix");
    });

    it("keeps MLab's data claim named mlab-data, retained", () => {
        const pvc = ofType(built.run, PVC).find((r) => r.inputs.metadata.name === MLAB_DATA_CLAIM_NAME)!;
        assert.ok(pvc, "the claim is mlab-data");
        assert.equal(pvc.name, "mlab-data", "and so is its Pulumi resource name (no replacement on upgrade)");
        assert.equal(pvc.retainOnDelete, true);
    });
});

describe("giteaServiceUrl", () => {
    it("addresses Gitea by the Service's cluster IP, bracketing IPv6", () => {
        assert.equal(giteaServiceUrl("10.96.7.7", 80), "http://10.96.7.7:80");
        assert.equal(giteaServiceUrl("fd00::7", 80), "http://[fd00::7]:80");
    });

    it("is empty, not a crash, while a real provider's preview has no cluster IP yet", () => {
        assert.equal(giteaServiceUrl(undefined, 80), "");
        assert.equal(giteaServiceUrl("", 80), "");
    });
});
