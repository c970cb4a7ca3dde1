// What every claim of user data shares: once created, nothing in config may replace it.

/** Fields of a PVC that force a replacement (or that a config change must never touch): ignored after creation. */
export const PVC_IGNORED_CHANGES = [
    "spec.storageClassName",
    "spec.accessModes",
    "spec.volumeMode",
    "spec.selector",
    "spec.volumeName",
    "spec.dataSource",
    "spec.dataSourceRef",
];
