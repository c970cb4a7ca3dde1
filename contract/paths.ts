// Paths inside the platform's pods that more than one layer relies on.

/** The airlock share in every pod of the image: read-only in TorchPods, writable in the Airlock. */
export const AIRLOCK_MOUNT_PATH = "/opt/public/airlock";

/** Where a TorchPod mounts its MLab credential Secret (read-only); the system gitconfig points git here. */
export const MLAB_CREDENTIALS_PATH = "/etc/torchpod/mlab";

/** The rootless Gitea image's data directory (GITEA_WORK_DIR), on MLab's data volume. */
export const GITEA_WORK_DIR = "/var/lib/gitea";

/** In the Airlock: where sshd's sftp subsystem writes one log file per session (the sftp-log claim). */
export const AIRLOCK_SFTP_LOG_PATH = "/var/log/airlock-sftp";

/** In the audit writer: the append-only log's folder (the audit claim) and its JSON-lines file. */
export const AIRLOCK_AUDIT_LOG_DIR = "/var/lib/airlock-audit";
export const AIRLOCK_AUDIT_LOG_FILE = `${AIRLOCK_AUDIT_LOG_DIR}/audit.jsonl`;
/** In the audit writer: the script, so admins run `node ${AIRLOCK_AUDIT_SCRIPT} show`. */
export const AIRLOCK_AUDIT_SCRIPT = "/opt/airlock-audit/audit-writer.js";
