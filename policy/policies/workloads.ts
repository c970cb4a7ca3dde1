// Resource policies: the escape routes that live in one pod template (or one volume).
// Each runs on every pod-owning resource (Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet,
// ReplicationController, Job, CronJob), their server-side-apply `...Patch` forms and `...List`
// forms, and pod templates embedded in custom resources (Argo Rollout, PyTorchJob, ...), whatever
// created them (our components, Helm Chart v3/v4, yaml.ConfigFile/ConfigGroup).
import { EnforcementLevel, PolicyConfigSchema, ResourceValidationArgs, ResourceValidationPolicy, ReportViolation } from "@pulumi/policy";
import { parseImage } from "@torchpod/contract";
import { PACK_DEFAULTS, isTorchPodTemplate, PackConfig, resolveConfig, SCHEMA, selects } from "./packConfig";
import { Findings } from "./findings";
import { ContainerRef, objectsOf, parseKubeType, PodTemplate, podTemplatesOf, providerNamespace, Unknowns } from "./resources";
import { isUnknown, read, unproxy } from "./unknowns";
import { isWideCidr } from "./cidrs";

const UNKNOWN_NOTE =
    "Values unknown during preview never fail this policy: what can be proved from known values is reported, " +
    'and if a needed value is unknown the pack reports an advisory "can\'t run policy during preview"; ' +
    "`pulumi up` judges the known values and enforces the policy's level.";

interface PodCheck {
    t: PodTemplate;
    cfg: PackConfig;
    isTorchPod: boolean;
    f: Findings;
    /** `Kind ns/name: ` when the resource holds several objects (a List), else "". */
    prefix: string;
}

interface PodPolicyDef {
    name: string;
    description: string;
    enforcementLevel: EnforcementLevel;
    severity: "low" | "medium" | "high" | "critical";
    config: (keyof typeof SCHEMA)[];
    /** Which pods the check runs on. */
    scope: (cfg: PackConfig) => "all-workloads" | "torchpods";
    check: (c: PodCheck) => void;
    remediationSteps?: string;
}

function configSchema(keys: (keyof typeof SCHEMA)[]): PolicyConfigSchema | undefined {
    if (keys.length === 0) return undefined;
    const properties: PolicyConfigSchema["properties"] = {};
    for (const k of keys) properties[k] = SCHEMA[k];
    return { properties };
}

function idOf(args: ResourceValidationArgs) {
    return { name: args.name, defaultNamespace: providerNamespace(args.provider) };
}

/** Runs `def.check` on each pod template of the resource; see UNKNOWN_NOTE for unknown values. */
function runPodCheck(
    def: PodPolicyDef,
    args: ResourceValidationArgs,
    report: ReportViolation,
    extra?: (f: Findings, cfg: PackConfig) => boolean,
): void {
    if (!parseKubeType(args.type)) args.notApplicable("not a Kubernetes resource");
    const props = unproxy(args.props);
    const templates = podTemplatesOf(args.type, props, idOf(args));
    const cfg = resolveConfig(args.getConfig<Record<string, unknown>>());
    const f = new Findings(report);
    const handled = extra ? extra(f, cfg) : false;
    if (templates.length === 0 && !handled) args.notApplicable("no pod template in this resource");
    const scope = def.scope(cfg);
    const prefixed = templates.length > 1;
    for (const t of templates) {
        const prefix = prefixed ? `${t.display}: ` : "";
        const isTorchPod = isTorchPodTemplate(cfg, t);
        // Known when it matched on known labels, or when no label it could match on is unknown.
        const labelUnknowns = [...t.labelUnknowns, ...t.ownerLabelUnknowns];
        const labelsKnown = isTorchPod || labelUnknowns.length === 0;
        if (labelsKnown) {
            if (scope === "torchpods" && !isTorchPod) continue;
            f.unknown(t.specUnknowns);
            def.check({ t, cfg, isTorchPod, f, prefix });
            continue;
        }
        // Whether this is a TorchPod is unknown: report what holds either way; if it would be a
        // violation only as a TorchPod, say it cannot be verified during preview.
        if (scope === "all-workloads") {
            f.unknown(t.specUnknowns);
            def.check({ t, cfg, isTorchPod: false, f, prefix });
        }
        const probe = new Findings(() => undefined);
        def.check({ t, cfg, isTorchPod: true, f: probe, prefix });
        const asNonTorchPod = new Findings(() => undefined);
        if (scope === "all-workloads") def.check({ t, cfg, isTorchPod: false, f: asNonTorchPod, prefix });
        if (probe.count > asNonTorchPod.count || (scope === "torchpods" && (probe.unknowns.length > 0 || t.specUnknowns.length > 0)))
            f.unknown(labelUnknowns);
    }
    f.finish();
}

function podPolicy(
    def: PodPolicyDef,
    extra?: (args: ResourceValidationArgs, f: Findings, cfg: PackConfig) => boolean,
): ResourceValidationPolicy {
    return {
        name: def.name,
        description: def.description,
        enforcementLevel: def.enforcementLevel,
        severity: def.severity,
        configSchema: configSchema(def.config),
        remediationSteps: def.remediationSteps,
        validateResource: (args, report) => runPodCheck(def, args, report, extra ? (f, cfg) => extra(args, f, cfg) : undefined),
    };
}

// ---- helpers ----------------------------------------------------------------------------------

function isTrue(v: unknown): boolean {
    return v === true || v === "true";
}

function containerLabel(c: ContainerRef): string {
    return c.field === "containers" ? `container ${c.name}` : `${c.field.replace(/s$/, "")} ${c.name}`;
}

function normalizeCap(c: unknown): string {
    return String(c).toUpperCase().replace(/^CAP_/, "");
}

function list(v: unknown): unknown[] {
    return Array.isArray(v) ? v : [];
}

// ---- the policies -----------------------------------------------------------------------------

export const noHostNamespaces = podPolicy({
    name: "no-host-namespaces",
    description:
        "Pods must not share the node's namespaces or ports: hostNetwork, hostPID, hostIPC, Windows hostProcess or any container hostPort. " +
        "A pod on the host network is outside every NetworkPolicy (a TorchPod there reaches the internet; MLab there relays freely) and a hostPort is reachable on the node's address. " +
        "Scope: every workload (config `scope`). " +
        UNKNOWN_NOTE,
    enforcementLevel: "mandatory",
    severity: "critical",
    config: ["scope", "torchpodSelector"],
    scope: (cfg) => cfg.scope,
    remediationSteps: "Remove hostNetwork/hostPID/hostIPC and hostPort; expose ports through a ClusterIP Service behind NetworkPolicy.",
    check: ({ t, f, prefix }) => {
        const u: Unknowns = [];
        for (const k of ["hostNetwork", "hostPID", "hostIPC"]) {
            if (isTrue(read(t.spec, [k], u, t.specPath)))
                f.violation(
                    `${prefix}spec.${k} is true: the pod shares the node's ${k.slice(4).toLowerCase()} namespace${k === "hostNetwork" ? " and no NetworkPolicy applies to it" : ""}`,
                );
        }
        if (isTrue(read(t.spec, ["securityContext", "windowsOptions", "hostProcess"], u, t.specPath)))
            f.violation(`${prefix}securityContext.windowsOptions.hostProcess is true: the pod runs on the host`);
        for (const c of t.containers) {
            if (isTrue(read(c.container, ["securityContext", "windowsOptions", "hostProcess"], u, c.path)))
                f.violation(`${prefix}${containerLabel(c)}: windowsOptions.hostProcess is true`);
            const ports = read(c.container, ["ports"], u, c.path);
            list(ports).forEach((p: any, i) => {
                const hp = read(p, ["hostPort"], u, [...c.path, "ports", String(i)]);
                if (hp !== undefined && hp !== null && Number(hp) !== 0) {
                    f.violation(
                        `${prefix}${containerLabel(c)}: port ${p?.containerPort ?? "?"}/${p?.protocol ?? "TCP"} has hostPort ${hp}: reachable on the node's address, outside NetworkPolicy`,
                    );
                }
            });
        }
        f.unknown(u);
    },
});

export const noPrivilegedContainers = podPolicy({
    name: "no-privileged-or-dangerous-capabilities",
    description:
        "Containers must not be privileged nor add dangerous capabilities (default: ALL, NET_ADMIN, NET_RAW, SYS_ADMIN, SYS_MODULE, SYS_PTRACE, SYS_RAWIO, BPF, DAC_READ_SEARCH; config `dangerousCapabilities`); " +
        "every TorchPod container must also drop NET_RAW (config `torchpodRequiredDrops`; dropping ALL satisfies it), which container runtimes grant by default and which allows packet spoofing on the node's network. " +
        "Privileged or NET_ADMIN containers can rewrite the node's packet filters and so undo every NetworkPolicy. Scope: every workload (config `scope`). " +
        UNKNOWN_NOTE,
    enforcementLevel: "mandatory",
    severity: "critical",
    config: ["scope", "torchpodSelector", "dangerousCapabilities", "torchpodRequiredDrops"],
    scope: (cfg) => cfg.scope,
    remediationSteps:
        "Remove privileged: true and the added capabilities; add securityContext.capabilities.drop: [NET_RAW] to TorchPod containers.",
    check: ({ t, cfg, isTorchPod, f, prefix }) => {
        const dangerous = new Set(cfg.dangerousCapabilities.map(normalizeCap));
        const u: Unknowns = [];
        for (const c of t.containers) {
            const sc = read(c.container, ["securityContext"], u, c.path);
            if (isTrue(read(sc, ["privileged"], u, [...c.path, "securityContext"])))
                f.violation(`${prefix}${containerLabel(c)} is privileged: it has every capability and the node's devices`);
            const capsPath = [...c.path, "securityContext", "capabilities"];
            const add = read(sc, ["capabilities", "add"], u, [...c.path, "securityContext"]);
            const added = list(add)
                .filter((x) => !isUnknown(x))
                .map(normalizeCap);
            list(add).forEach((x, i) => isUnknown(x) && u.push({ sentinel: x as string, path: [...capsPath, "add", String(i)] }));
            const bad = added.filter((x) => dangerous.has(x));
            if (bad.length) f.violation(`${prefix}${containerLabel(c)} adds capabilit${bad.length > 1 ? "ies" : "y"} ${bad.join(", ")}`);
            if (isTorchPod) {
                const dropRaw = read(sc, ["capabilities", "drop"], u, [...c.path, "securityContext"]);
                if (t.patch && dropRaw === undefined) continue; // a patch that leaves capabilities alone
                const drops = new Set(
                    list(dropRaw)
                        .filter((x) => !isUnknown(x))
                        .map(normalizeCap),
                );
                list(dropRaw).forEach((x, i) => isUnknown(x) && u.push({ sentinel: x as string, path: [...capsPath, "drop", String(i)] }));
                const missing = cfg.torchpodRequiredDrops.map(normalizeCap).filter((x) => !drops.has(x) && !drops.has("ALL"));
                if (missing.length)
                    f.violation(
                        `${prefix}TorchPod ${containerLabel(c)} does not drop ${missing.join(", ")} (granted by default: raw sockets allow spoofing on the node's network)`,
                    );
            }
        }
        f.unknown(u);
    },
});

function hostPathPersistentVolumes(args: ResourceValidationArgs, f: Findings): boolean {
    let seen = false;
    for (const o of objectsOf(args.type, unproxy(args.props))) {
        if (o.kind !== "PersistentVolume") continue;
        seen = true;
        const u: Unknowns = [];
        const hp = read(o.obj, ["spec", "hostPath"], u, o.path);
        if (hp !== undefined && hp !== null)
            f.violation(
                `PersistentVolume ${o.obj?.metadata?.name ?? args.name} is a hostPath volume (${hp?.path ?? "?"}): whoever claims it reads and writes the node's filesystem`,
            );
        f.unknown(u);
    }
    return seen;
}

export const noHostPathVolumes = podPolicy(
    {
        name: "no-hostpath-volumes",
        description:
            "Pods must not mount hostPath volumes, and no PersistentVolume may be a hostPath: the node's filesystem holds other pods' data, the container runtime socket and kubelet credentials. " +
            "Scope: every workload (config `scope`). " +
            UNKNOWN_NOTE,
        enforcementLevel: "mandatory",
        severity: "critical",
        config: ["scope", "torchpodSelector"],
        scope: (cfg) => cfg.scope,
        remediationSteps: "Use a PersistentVolumeClaim or an emptyDir instead of hostPath.",
        check: ({ t, f, prefix }) => {
            const u: Unknowns = [];
            const vols = read(t.spec, ["volumes"], u, t.specPath);
            list(vols).forEach((v: any, i) => {
                const hp = read(v, ["hostPath"], u, [...t.specPath, "volumes", String(i)]);
                if (hp !== undefined && hp !== null)
                    f.violation(`${prefix}volume ${v?.name ?? i} is a hostPath (${hp?.path ?? "?"}): the node's filesystem`);
            });
            f.unknown(u);
        },
    },
    (args, f) => hostPathPersistentVolumes(args, f),
);

function normPath(p: string): string {
    return p.length > 1 ? p.replace(/\/+$/, "") : p;
}

/** True when some volume source of `vol` is itself read-only (persistentVolumeClaim.readOnly, nfs.readOnly, ...). */
function volumeSourceReadOnly(vol: any): boolean {
    if (!vol || typeof vol !== "object") return false;
    return Object.entries(vol).some(([k, src]) => k !== "name" && src !== null && typeof src === "object" && isTrue((src as any).readOnly));
}

export const torchpodAirlockReadOnly = podPolicy({
    name: "torchpod-airlock-read-only",
    description:
        "A TorchPod may mount the shared airlock only read-only: every volumeMount at the airlock path (config `airlockMountPath`, default /opt/public/airlock) " +
        "and every mount of a PersistentVolumeClaim whose name matches `airlockClaimPattern` (default /airlock/i) must have readOnly: true on the mount or on the claim. " +
        "A writable airlock is a drop box the internet-connected Airlock machine reads. " +
        UNKNOWN_NOTE,
    enforcementLevel: "mandatory",
    severity: "critical",
    config: ["torchpodSelector", "airlockMountPath", "airlockClaimPattern"],
    scope: () => "torchpods",
    remediationSteps: "Set readOnly: true on the TorchPod's airlock volumeMount (and persistentVolumeClaim.readOnly: true).",
    check: ({ t, cfg, f, prefix }) => {
        const u: Unknowns = [];
        const airlockPath = normPath(cfg.airlockMountPath);
        const claimRe = new RegExp(cfg.airlockClaimPattern, "i");
        const vols = new Map<string, any>();
        const volsRaw = read(t.spec, ["volumes"], u, t.specPath);
        list(volsRaw).forEach((v: any) => {
            if (v && typeof v.name === "string") vols.set(v.name, v);
        });
        for (const c of t.containers) {
            const mountsRaw = read(c.container, ["volumeMounts"], u, c.path);
            list(mountsRaw).forEach((m: any, i) => {
                const mp = [...c.path, "volumeMounts", String(i)];
                const path = read(m, ["mountPath"], u, mp);
                const volName = read(m, ["name"], u, mp);
                const vol = typeof volName === "string" ? vols.get(volName) : undefined;
                const claim = vol ? read(vol, ["persistentVolumeClaim", "claimName"], u, [...t.specPath, "volumes", volName]) : undefined;
                const atAirlock = typeof path === "string" && normPath(path) === airlockPath;
                const isAirlockClaim = typeof claim === "string" && claimRe.test(claim);
                if (!atAirlock && !isAirlockClaim) return;
                const ro = read(m, ["readOnly"], u, mp);
                if (isTrue(ro) || volumeSourceReadOnly(vol)) return;
                const what = isAirlockClaim ? `the airlock claim ${claim}` : `volume ${volName}`;
                f.violation(`${prefix}${containerLabel(c)} mounts ${what} at ${path} writable (set readOnly: true)`);
            });
        }
        f.unknown(u);
    },
});

export const torchpodNoServiceAccountToken = podPolicy({
    name: "torchpod-no-service-account-token",
    description:
        "A TorchPod must not carry a Kubernetes API credential: spec.automountServiceAccountToken must be false and no projected volume may hold a serviceAccountToken. " +
        "With a token a user can talk to the API server (create pods, port-forward, read Secrets) past the network lock-down. " +
        UNKNOWN_NOTE,
    enforcementLevel: "mandatory",
    severity: "high",
    config: ["torchpodSelector"],
    scope: () => "torchpods",
    remediationSteps: "Set spec.automountServiceAccountToken: false on the TorchPod's pod template.",
    check: ({ t, f, prefix }) => {
        const u: Unknowns = [];
        const auto = read(t.spec, ["automountServiceAccountToken"], u, t.specPath);
        const unknownAuto = u.length > 0;
        if (!unknownAuto && auto !== false && !(t.patch && auto === undefined)) {
            f.violation(
                `${prefix}TorchPod mounts a service-account token (spec.automountServiceAccountToken is ${auto === undefined ? "not set" : JSON.stringify(auto)}; must be false)`,
            );
        }
        const vols = read(t.spec, ["volumes"], u, t.specPath);
        list(vols).forEach((v: any, i) => {
            const sources = read(v, ["projected", "sources"], u, [...t.specPath, "volumes", String(i)]);
            if (list(sources).some((s: any) => s && typeof s === "object" && s.serviceAccountToken)) {
                f.violation(`${prefix}TorchPod volume ${v?.name ?? i} projects a serviceAccountToken`);
            }
        });
        f.unknown(u);
    },
});

export const noLiteralSecretsInEnv = podPolicy({
    name: "no-literal-secrets-in-env",
    description:
        "Credentials must not be literal env values: an env var whose name matches `secretEnvPattern` (default PASSWORD|PASSWD|SECRET|TOKEN|KEY, case-insensitive) " +
        "must use valueFrom (secretKeyRef), never `value` (readable by anyone who can read the workload, and kept in Pulumi state and manifests). " +
        "Booleans (`true`/`false`) are switches, not credentials (e.g. Gitea's PASSWORD_CHECK_PWN), and pass. " +
        "A value unknown during preview is still a literal and is reported. Scope: every workload.",
    enforcementLevel: "mandatory",
    severity: "high",
    config: ["secretEnvPattern"],
    scope: () => "all-workloads",
    remediationSteps: "Put the value in a Secret and reference it with env[].valueFrom.secretKeyRef.",
    check: ({ t, cfg, f, prefix }) => {
        const re = new RegExp(cfg.secretEnvPattern, "i");
        for (const c of t.containers) {
            const env = c.container.env;
            if (isUnknown(env)) continue; // a computed env list: nothing literal to see
            list(env).forEach((e: any) => {
                if (!e || typeof e !== "object" || typeof e.name !== "string" || !re.test(e.name)) return;
                const v = e.value;
                if (v === undefined || v === null || v === "" || isBooleanSwitch(v)) return;
                f.violation(
                    `${prefix}${containerLabel(c)}: env ${e.name} is a literal value${isUnknown(v) ? " (computed)" : ""}; use valueFrom.secretKeyRef`,
                );
            });
        }
    },
});

/** A literal `true`/`false` cannot carry a credential; names like PASSWORD_CHECK_PWN are switches. */
function isBooleanSwitch(v: unknown): boolean {
    return typeof v === "boolean" || (typeof v === "string" && /^(true|false)$/i.test(v));
}

// ---- MLab's Gitea -----------------------------------------------------------------------------

type EnvValue = { kind: "literal"; value: string } | { kind: "ref" } | { kind: "unknown"; sentinel: string; path: string[] };

function envMap(c: ContainerRef): Map<string, EnvValue> {
    const out = new Map<string, EnvValue>();
    list(c.container.env).forEach((e: any, i) => {
        if (!e || typeof e !== "object" || typeof e.name !== "string") return;
        if (isUnknown(e.value)) out.set(e.name, { kind: "unknown", sentinel: e.value, path: [...c.path, "env", String(i), "value"] });
        else if (e.value !== undefined && e.value !== null) out.set(e.name, { kind: "literal", value: String(e.value) });
        else if (e.valueFrom) out.set(e.name, { kind: "ref" });
        else out.set(e.name, { kind: "literal", value: "" });
    });
    return out;
}

/** Gitea reads booleans with Go's strconv.ParseBool; anything else falls back to the setting's default. */
function giteaBool(v: string | undefined): boolean | undefined {
    if (v === undefined) return undefined;
    if (["1", "t", "T", "TRUE", "true", "True"].includes(v.trim())) return true;
    if (["0", "f", "F", "FALSE", "false", "False"].includes(v.trim())) return false;
    return undefined;
}

/**
 * Entries of a Gitea host-match list (webhook ALLOWED_HOST_LIST, migrations ALLOWED_DOMAINS) that
 * let in arbitrary hosts: `*`, `all`, `external` (every public address), a CIDR wider than /8 (/32
 * for IPv6), and globs other than `*.<domain>.<tld>` (`*.com`, `*hub.com`, `git?ub.com`, `[a-z]*`).
 */
function arbitraryHostEntries(list: string): string[] {
    return tokens(list).filter((x) => {
        if (x === "*" || x === "all" || x === "external") return true;
        if (x.includes("/")) return isWideCidr(x);
        if (!/[*?[\]{}]/.test(x)) return false;
        // One leading `*.` before a domain of at least two labels (no further glob characters).
        return !/^\*\.[^*?[\]{}]+\.[^*?[\]{}.]+$/.test(x);
    });
}

function tokens(v: string): string[] {
    return v
        .split(",")
        .map((s) => s.trim().toLowerCase())
        .filter((s) => s !== "");
}

export const mlabGiteaNoRelay = podPolicy({
    name: "mlab-gitea-no-relay",
    description:
        "MLab's Gitea must not relay data out of the lock-down. Every long-running container of an MLab pod (config `mlabSelector`; containers, restartable init containers, ephemeral containers) must run the Gitea image " +
        "(`mlabImagePattern`, default the official gitea/gitea from any registry): anything else shares MLab's network namespace, can listen on MLab's ports and reach the internet on 443. " +
        "In every container that runs Gitea (image matching `giteaImagePattern`, or GITEA__ settings) `command` and `args` must not be set (the image's entrypoint writes the GITEA__ settings into app.ini), and env must set: " +
        "push mirrors off (GITEA__mirror__ENABLED=false, or GITEA__mirror__DISABLE_NEW_PUSH=true); webhooks off (GITEA__security__DISABLE_WEBHOOKS=true) or GITEA__webhook__ALLOWED_HOST_LIST set (Gitea's default is `external`); " +
        "migrations not from local networks (GITEA__migrations__ALLOW_LOCALNETWORKS not true) and only from listed hosts (GITEA__migrations__ALLOWED_DOMAINS set). " +
        "A host list must not contain `*`, `all`, `external`, a CIDR wider than /8 (IPv4) or /32 (IPv6, IPv4-mapped counted as IPv4), nor a glob other than `*.<domain>.<tld>` (`*.com`, `*hub.com`, `git?ub.com`). " +
        "Booleans are read as Gitea reads them (Go strconv.ParseBool: 1, t, TRUE, ... are true). " +
        "Settings must be literal env values: valueFrom, envFrom and app.ini are invisible to the pack and count as unset (env wins over envFrom for the same name, so envFrom cannot override a literal). " +
        UNKNOWN_NOTE,
    enforcementLevel: "mandatory",
    severity: "high",
    config: ["mlabSelector", "torchpodSelector", "giteaImagePattern", "mlabImagePattern"],
    scope: () => "all-workloads",
    remediationSteps:
        "Set GITEA__mirror__ENABLED=false, GITEA__webhook__ALLOWED_HOST_LIST to the approved hosts (or GITEA__security__DISABLE_WEBHOOKS=true), GITEA__migrations__ALLOW_LOCALNETWORKS=false and GITEA__migrations__ALLOWED_DOMAINS to the approved upstreams.",
    check: ({ t, cfg, f, prefix }) => {
        // Runs for every workload, but judges only MLab and its Gitea containers. When the labels are
        // unknown during preview and the pod would fail as MLab, it cannot be verified (advisory).
        if (t.labelUnknowns.length > 0) {
            const probe = new Findings(() => undefined);
            judgeGitea(t, cfg, probe, prefix);
            if (probe.count > 0 || probe.unknowns.length > 0) f.unknown(t.labelUnknowns);
            return;
        }
        if (!selects(cfg.mlabSelector, t.labels)) return;
        judgeGitea(t, cfg, f, prefix);
    },
});

function judgeGitea(t: PodTemplate, cfg: PackConfig, f: Findings, prefix: string): void {
    const imageRe = new RegExp(cfg.giteaImagePattern, "i");
    const mlabImageRe = new RegExp(cfg.mlabImagePattern, "i");
    const u: Unknowns = [];
    for (const c of t.containers) {
        // Init containers finish before the pod serves; restartable ones (native sidecars) run beside it.
        const restartable = c.field === "initContainers" && read(c.container, ["restartPolicy"], u, c.path) === "Always";
        if (c.field === "initContainers" && !restartable) continue;
        const image = read(c.container, ["image"], u, c.path);
        // Every long-running container shares MLab's network namespace: whatever listens on MLab's
        // ports (or any port) there is reachable from TorchPods and may reach the internet on 443.
        if (typeof image === "string" && !mlabImageRe.test(image)) {
            f.violation(
                `${prefix}MLab ${containerLabel(c)} runs ${image}, not Gitea (mlabImagePattern ${cfg.mlabImagePattern}): any process in MLab's pod can listen on MLab's ports and relay TorchPod traffic out`,
            );
        }
        if (c.field === "ephemeralContainers") continue;
        const env = envMap(c);
        const isGitea = (typeof image === "string" && imageRe.test(image)) || [...env.keys()].some((k) => k.startsWith("GITEA__"));
        if (!isGitea) continue;
        const lbl = `${prefix}MLab ${containerLabel(c)}`;
        for (const k of ["command", "args"]) {
            const v = read(c.container, [k], u, c.path);
            if (Array.isArray(v) && v.length > 0) {
                f.violation(
                    `${lbl}: sets ${k} (${v.map((x) => JSON.stringify(x)).join(" ")}): the image's entrypoint is what writes the GITEA__ settings into app.ini, so with it replaced the settings judged here may not apply`,
                );
            }
        }
        const get = (k: string): string | undefined | null => {
            const v = env.get(k);
            if (!v) return undefined;
            if (v.kind === "unknown") {
                u.push({ sentinel: v.sentinel, path: v.path });
                return null;
            }
            return v.kind === "literal" ? v.value : undefined;
        };
        const refNote = (k: string) => (env.get(k)?.kind === "ref" ? ` (${k} comes from valueFrom, which the pack cannot read)` : "");

        const mirrorEnabled = get("GITEA__mirror__ENABLED");
        const noNewPush = get("GITEA__mirror__DISABLE_NEW_PUSH");
        if (
            mirrorEnabled !== null &&
            noNewPush !== null &&
            giteaBool(mirrorEnabled ?? undefined) !== false &&
            giteaBool(noNewPush ?? undefined) !== true
        ) {
            f.violation(
                `${lbl}: push mirrors are enabled (GITEA__mirror__ENABLED is ${mirrorEnabled === undefined ? "not set; Gitea's default is true" : JSON.stringify(mirrorEnabled)})${refNote("GITEA__mirror__ENABLED")}: a user can push MLab's repositories to any remote`,
            );
        }

        const webhooksOff = get("GITEA__security__DISABLE_WEBHOOKS");
        if (webhooksOff !== null && giteaBool(webhooksOff ?? undefined) !== true) {
            const hosts = get("GITEA__webhook__ALLOWED_HOST_LIST");
            if (hosts === undefined || (hosts !== null && tokens(hosts).length === 0)) {
                f.violation(
                    `${lbl}: GITEA__webhook__ALLOWED_HOST_LIST is not set${refNote("GITEA__webhook__ALLOWED_HOST_LIST")} (Gitea's default \`external\` lets webhooks post to any internet host)`,
                );
            } else if (hosts !== null) {
                const bad = arbitraryHostEntries(hosts);
                if (bad.length)
                    f.violation(
                        `${lbl}: GITEA__webhook__ALLOWED_HOST_LIST allows arbitrary hosts (${bad.join(", ")}): webhooks can post repository data anywhere`,
                    );
            }
        }

        const local = get("GITEA__migrations__ALLOW_LOCALNETWORKS");
        if (local !== null && giteaBool(local ?? undefined) === true) {
            f.violation(
                `${lbl}: GITEA__migrations__ALLOW_LOCALNETWORKS is ${JSON.stringify(local)} (true): migrations may fetch from local and cluster addresses`,
            );
        }
        const domains = get("GITEA__migrations__ALLOWED_DOMAINS");
        if (domains === undefined || (domains !== null && tokens(domains).length === 0)) {
            f.violation(
                `${lbl}: GITEA__migrations__ALLOWED_DOMAINS is not set${refNote("GITEA__migrations__ALLOWED_DOMAINS")} (Gitea then migrates from any host: a URL can carry data out)`,
            );
        } else if (domains !== null) {
            const bad = arbitraryHostEntries(domains);
            if (bad.length) f.violation(`${lbl}: GITEA__migrations__ALLOWED_DOMAINS allows arbitrary hosts (${bad.join(", ")})`);
        }
    }
    f.unknown(u);
}

// ---- images -----------------------------------------------------------------------------------

export const pinnedImages = podPolicy({
    name: "pinned-images",
    description:
        "Images must be pinned: a tag other than `latest`, or a digest. An untagged or :latest image changes under a running platform without review " +
        "(the design pins gemfield/torchpod:<tag> and Gitea). Advisory by default (hygiene, not a network route); set it mandatory in the policy config for production stacks. " +
        'Scope: every workload. An image unknown during preview gives the advisory "can\'t run policy during preview".',
    enforcementLevel: "advisory",
    severity: "medium",
    config: [],
    scope: () => "all-workloads",
    remediationSteps: "Use image: <name>:<version> or <name>@sha256:<digest>.",
    check: ({ t, f, prefix }) => {
        const u: Unknowns = [];
        for (const c of t.containers) {
            const image = read(c.container, ["image"], u, c.path);
            if (typeof image !== "string" || image === "") continue;
            const { tag, digest } = parseImage(image);
            if (digest !== undefined) continue;
            if (tag === undefined) f.violation(`${prefix}${containerLabel(c)}: image ${image} has no tag (means :latest)`);
            else if (tag.toLowerCase() === "latest") f.violation(`${prefix}${containerLabel(c)}: image ${image} uses :latest`);
        }
        f.unknown(u);
    },
});

export const resourcePolicies: ResourceValidationPolicy[] = [
    noHostNamespaces,
    noPrivilegedContainers,
    noHostPathVolumes,
    torchpodAirlockReadOnly,
    torchpodNoServiceAccountToken,
    noLiteralSecretsInEnv,
    mlabGiteaNoRelay,
    pinnedImages,
];

export { PACK_DEFAULTS };
