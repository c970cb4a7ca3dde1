// The Pod Security `restricted` profile, in one place: MLab, its reconciler and the enforcement
// probe run under it (the MLab namespace enforces it; the probe opts in although its namespace is
// `baseline`, because it needs nothing more).

/** Pod-level part: a fixed non-root user and the runtime's default seccomp profile. */
export function restrictedPodSecurityContext(uid: number, extra: { fsGroup?: number; fsGroupChangePolicy?: string } = {}) {
    return {
        runAsNonRoot: true,
        runAsUser: uid,
        runAsGroup: uid,
        ...extra,
        seccompProfile: { type: "RuntimeDefault" },
    };
}

/**
 * Container-level part: no privilege, no escalation, no capability, read-only root (these
 * workloads write only to their volumes). `uid` repeats the pod's user where a container needs it.
 */
export function restrictedContainerSecurityContext(uid?: number) {
    return {
        allowPrivilegeEscalation: false,
        privileged: false,
        readOnlyRootFilesystem: true,
        runAsNonRoot: true,
        ...(uid === undefined ? {} : { runAsUser: uid, runAsGroup: uid }),
        capabilities: { drop: ["ALL"] },
    };
}
