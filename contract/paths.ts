// Paths inside the platform's pods that more than one layer relies on.

/** The airlock share in every pod of the image: read-only in TorchPods, writable in the Airlock. */
export const AIRLOCK_MOUNT_PATH = "/opt/public/airlock";

/** Where a TorchPod mounts its MLab credential Secret (read-only); the system gitconfig points git here. */
export const MLAB_CREDENTIALS_PATH = "/etc/torchpod/mlab";

/** The rootless Gitea image's data directory (GITEA_WORK_DIR), on MLab's data volume. */
export const GITEA_WORK_DIR = "/var/lib/gitea";
