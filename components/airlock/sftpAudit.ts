// The Airlock's half of the audit trail: its sftp sessions log every file operation, with the user and
// the client address, to the sftp-log volume the audit writer reads (components/airlockAudit.ts).
//
// The image's sshd keeps its own configuration (`Subsystem sftp /usr/lib/openssh/sftp-server`; OpenSSH
// refuses a second Subsystem line, so a drop-in cannot replace it). Instead the Airlock mounts
// sftp-server-audit.sh over that path; the init container first copies the image's real sftp-server
// aside, into an emptyDir the wrapper runs it from.
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { AIRLOCK_AUDIT_NAMES, AIRLOCK_SFTP_LOG_PATH } from "@torchpod/contract";
import { PVC_IGNORED_CHANGES } from "../common/volumes";

/** The sftp subsystem wrapper the Airlock mounts over the image's sftp-server. */
export const SFTP_AUDIT_WRAPPER_PATH = path.join(__dirname, "sftp-server-audit.sh");
/** Where the image's sshd looks for sftp-server (Ubuntu's openssh-sftp-server). */
export const IMAGE_SFTP_SERVER = "/usr/lib/openssh/sftp-server";
/** Where the init container puts the image's real sftp-server (an emptyDir, read-only in the desktop). */
export const REAL_SFTP_SERVER_DIR = "/usr/local/lib/airlock-audit";
/** Session logs are small (one line per file operation). */
export const SFTP_LOG_SIZE = "2Gi";

export interface SftpAuditArgs {
    readonly namespace: pulumi.Input<string>;
    readonly labels: Record<string, string>;
    /** StorageClass of the sftp-log volume (ReadWriteMany: the writer reads it from another pod); the share's. */
    readonly storageClass?: string;
}

export interface SftpAudit {
    readonly logClaim: k8s.core.v1.PersistentVolumeClaim;
    readonly configMap: k8s.core.v1.ConfigMap;
    /** Shell run by the Airlock's init container (as root) before the desktop starts. */
    readonly initScript: string;
    readonly initMounts: k8s.types.input.core.v1.VolumeMount[];
    readonly mounts: k8s.types.input.core.v1.VolumeMount[];
    readonly volumes: k8s.types.input.core.v1.Volume[];
}

/** The sftp-log claim, the wrapper's ConfigMap, and what the Airlock's pod mounts and runs for them. */
export function sftpAudit(name: string, args: SftpAuditArgs, parent: pulumi.Resource): SftpAudit {
    // Same lifecycle as the share: stable name, retained, never replaced by a config change.
    const logClaim = new k8s.core.v1.PersistentVolumeClaim(
        `${name}-sftp-log`,
        {
            metadata: { name: AIRLOCK_AUDIT_NAMES.sftpLogClaim, namespace: args.namespace, labels: args.labels },
            spec: {
                accessModes: ["ReadWriteMany"],
                ...(args.storageClass ? { storageClassName: args.storageClass } : {}),
                resources: { requests: { storage: SFTP_LOG_SIZE } },
            },
        },
        { parent, retainOnDelete: true, ignoreChanges: PVC_IGNORED_CHANGES },
    );
    const wrapper = fs.readFileSync(SFTP_AUDIT_WRAPPER_PATH, "utf8");
    // Named by its content and immutable: a new wrapper rolls the Airlock (subPath mounts never update).
    const hash = crypto.createHash("sha256").update(wrapper).digest("hex").slice(0, 10);
    const configMap = new k8s.core.v1.ConfigMap(
        `${name}-sftp-audit`,
        {
            metadata: { name: `${AIRLOCK_AUDIT_NAMES.sftpConfig}-${hash}`, namespace: args.namespace, labels: args.labels },
            immutable: true,
            data: { "sftp-server": wrapper },
        },
        { parent },
    );
    const initScript = [
        // sftp runs as the Airlock's login, which must create its session log: writable, not listable.
        `mkdir -p ${AIRLOCK_SFTP_LOG_PATH} && chmod 1733 ${AIRLOCK_SFTP_LOG_PATH}`,
        `if [ -x ${IMAGE_SFTP_SERVER} ]; then cp ${IMAGE_SFTP_SERVER} /airlock-sftp-bin/sftp-server; fi`,
    ].join(" && ");
    return {
        logClaim,
        configMap,
        initScript,
        initMounts: [
            { name: "sftp-log", mountPath: AIRLOCK_SFTP_LOG_PATH },
            { name: "sftp-bin", mountPath: "/airlock-sftp-bin" },
        ],
        mounts: [
            { name: "sftp-log", mountPath: AIRLOCK_SFTP_LOG_PATH },
            { name: "sftp-bin", mountPath: REAL_SFTP_SERVER_DIR, readOnly: true },
            { name: "sftp-audit", mountPath: IMAGE_SFTP_SERVER, subPath: "sftp-server", readOnly: true },
        ],
        volumes: [
            { name: "sftp-log", persistentVolumeClaim: { claimName: logClaim.metadata.name } },
            { name: "sftp-bin", emptyDir: { sizeLimit: "16Mi" } },
            { name: "sftp-audit", configMap: { name: configMap.metadata.name, defaultMode: 0o555 } },
        ],
    };
}
