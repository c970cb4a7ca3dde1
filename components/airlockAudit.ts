// The audit trail of what enters: a writer pod of its own that records every file landing in the airlock
// share (path, size, sha256, time, and the route: an sftp session's user and client address, or the
// Airlock itself) in an append-only log on a volume no user-facing pod mounts.
//
// Why a pod of its own: a sidecar would share the Airlock's network (the internet) and its root users'
// reach. This pod mounts the share and the sftp session logs read-only and the audit volume writable,
// has no network at all (its NetworkPolicy denies both directions; admins read the log through the API
// server with `kubectl exec`), runs node with the script from an immutable ConfigMap, and holds only the
// one capability it needs to read files of any owner (DAC_OVERRIDE; the share is read-only to it).
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import {
    AIRLOCK_AUDIT_LOG_DIR,
    AIRLOCK_AUDIT_NAMES,
    AIRLOCK_AUDIT_SCRIPT,
    AIRLOCK_MOUNT_PATH,
    AIRLOCK_SFTP_LOG_PATH,
    imageVersion,
    selectorLabels,
    workloadLabels,
} from "@torchpod/contract";
import { DEFAULT_NODE_IMAGE } from "./common/defaults";
import { PVC_IGNORED_CHANGES } from "./common/volumes";
import { podHardening } from "./desktop/container";

export { SFTP_AUDIT_WRAPPER_PATH } from "./airlock/sftpAudit";

/** The writer script, shipped in a ConfigMap and run by `node` in the airlock-audit pod. */
export const AUDIT_WRITER_SCRIPT_PATH = path.join(__dirname, "airlock", "audit-writer.js");
/** The audit volume's default size: a record is a few hundred bytes. */
export const AUDIT_LOG_SIZE = "10Gi";

export interface AirlockAuditArgs {
    /** The TorchPod namespace (the share's claim is namespaced): the Namespaces component's output; required. */
    readonly namespace: pulumi.Input<string>;
    /** The airlock share's claim (Airlock.shareClaimName), mounted read-only; required. */
    readonly shareClaimName: pulumi.Input<string>;
    /** The Airlock's sftp session logs (Airlock.sftpLogClaimName), mounted read-only; required. */
    readonly sftpLogClaimName: pulumi.Input<string>;
    /** `app.kubernetes.io/instance` (the stack's name). @default "airlock" */
    readonly instance?: string;
    /** A pinned node image that runs the script. @default DEFAULT_NODE_IMAGE */
    readonly image?: string;
    /** StorageClass of the audit volume. @default the cluster's default class */
    readonly storageClass?: string;
    /** Size of the audit volume (it can only grow). @default "10Gi" */
    readonly size?: string;
    /** Seconds between two scans of the share (a file is recorded once unchanged over one). @default 10 */
    readonly intervalSeconds?: number;
}

export class AirlockAudit extends pulumi.ComponentResource {
    readonly claim: k8s.core.v1.PersistentVolumeClaim;
    readonly deployment: k8s.apps.v1.Deployment;
    /** The one command that prints the audit log (JSON lines), after checking its hash chain. */
    readonly showCommand: pulumi.Output<string>;

    constructor(name: string, args: AirlockAuditArgs, opts?: pulumi.ComponentResourceOptions) {
        const interval = args.intervalSeconds ?? 10;
        if (!Number.isFinite(interval) || interval <= 0)
            throw new Error(`AirlockAudit: intervalSeconds: got ${interval}, expected a number of seconds > 0`);
        super("torchpod:index:AirlockAudit", name, {}, opts);
        const image = args.image ?? DEFAULT_NODE_IMAGE;
        const instance = args.instance ?? "airlock";
        const labels = workloadLabels("airlock-audit", instance);

        // Same lifecycle as every volume of the platform: stable name, retained, never replaced.
        this.claim = new k8s.core.v1.PersistentVolumeClaim(
            `${name}-log`,
            {
                metadata: { name: AIRLOCK_AUDIT_NAMES.claim, namespace: args.namespace, labels },
                spec: {
                    accessModes: ["ReadWriteOnce"],
                    ...(args.storageClass ? { storageClassName: args.storageClass } : {}),
                    resources: { requests: { storage: args.size ?? AUDIT_LOG_SIZE } },
                },
            },
            { parent: this, retainOnDelete: true, ignoreChanges: PVC_IGNORED_CHANGES },
        );
        const script = fs.readFileSync(AUDIT_WRITER_SCRIPT_PATH, "utf8");
        const hash = crypto.createHash("sha256").update(script).digest("hex").slice(0, 10);
        const scriptMap = new k8s.core.v1.ConfigMap(
            `${name}-script`,
            {
                metadata: { name: `${AIRLOCK_AUDIT_NAMES.script}-${hash}`, namespace: args.namespace, labels },
                immutable: true,
                data: { [path.basename(AIRLOCK_AUDIT_SCRIPT)]: script },
            },
            { parent: this },
        );

        const podLabels = workloadLabels("airlock-audit", instance, imageVersion(image));
        this.deployment = new k8s.apps.v1.Deployment(
            `${name}-writer`,
            {
                metadata: { name: AIRLOCK_AUDIT_NAMES.deployment, namespace: args.namespace, labels: podLabels },
                spec: {
                    replicas: 1,
                    // One writer at a time: the log is a single hash chain (and the volume ReadWriteOnce).
                    strategy: { type: "Recreate" },
                    selector: { matchLabels: selectorLabels("airlock-audit", instance) },
                    template: {
                        metadata: { labels: podLabels },
                        spec: {
                            ...podHardening(),
                            terminationGracePeriodSeconds: 30,
                            containers: [
                                {
                                    name: "writer",
                                    image,
                                    command: ["node", AIRLOCK_AUDIT_SCRIPT, "run"],
                                    env: [
                                        { name: "AUDIT_WATCH_DIR", value: AIRLOCK_MOUNT_PATH },
                                        { name: "AUDIT_SFTP_LOG_DIR", value: AIRLOCK_SFTP_LOG_PATH },
                                        { name: "AUDIT_LOG_DIR", value: AIRLOCK_AUDIT_LOG_DIR },
                                        { name: "AUDIT_INTERVAL_SECONDS", value: String(interval) },
                                    ],
                                    resources: { requests: { cpu: "50m", memory: "64Mi" }, limits: { cpu: "1", memory: "512Mi" } },
                                    securityContext: {
                                        // Root only to read files of every owner on the read-only share.
                                        runAsUser: 0,
                                        runAsNonRoot: false,
                                        privileged: false,
                                        allowPrivilegeEscalation: false,
                                        readOnlyRootFilesystem: true,
                                        capabilities: { drop: ["ALL"], add: ["DAC_OVERRIDE"] },
                                        seccompProfile: { type: "RuntimeDefault" },
                                    },
                                    volumeMounts: [
                                        { name: "share", mountPath: AIRLOCK_MOUNT_PATH, readOnly: true },
                                        { name: "sftp-log", mountPath: AIRLOCK_SFTP_LOG_PATH, readOnly: true },
                                        { name: "audit", mountPath: AIRLOCK_AUDIT_LOG_DIR },
                                        { name: "script", mountPath: path.dirname(AIRLOCK_AUDIT_SCRIPT), readOnly: true },
                                    ],
                                },
                            ],
                            volumes: [
                                { name: "share", persistentVolumeClaim: { claimName: args.shareClaimName, readOnly: true } },
                                { name: "sftp-log", persistentVolumeClaim: { claimName: args.sftpLogClaimName, readOnly: true } },
                                { name: "audit", persistentVolumeClaim: { claimName: this.claim.metadata.name } },
                                { name: "script", configMap: { name: scriptMap.metadata.name, defaultMode: 0o444 } },
                            ],
                        },
                    },
                },
            },
            { parent: this },
        );
        this.showCommand = pulumi.interpolate`kubectl -n ${args.namespace} exec deploy/${AIRLOCK_AUDIT_NAMES.deployment} -- node ${AIRLOCK_AUDIT_SCRIPT} show`;
        this.registerOutputs({ claimName: this.claim.metadata.name, showCommand: this.showCommand });
    }
}
