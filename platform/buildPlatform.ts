// The wiring from one validated StackConfig to the components: namespaces, the Airlock, MLab, the
// network lock-down, the fail-closed enforcement probe, and one TorchPod per user.
//
// Order follows from data where a component takes its namespace as the Namespaces component's output
// (Airlock, TorchPods, the lock-down's policies, the probe), and from dependencies otherwise:
//   Namespaces → MLab, lock-down → Airlock → its audit writer, enforcement probe → TorchPods (each Deployment waits for
//   the probe's Job to succeed: on a cluster that ignores NetworkPolicy, no TorchPod ever starts).
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { StackConfig } from "../stacks/types";
import { Namespaces } from "../components/namespaces";
import { Airlock } from "../components/airlock";
import { AirlockAudit } from "../components/airlockAudit";
import { TorchPod } from "../components/torchpod";
import { Mlab } from "../components/mlab";
import { NetworkLockdown } from "../components/networkLockdown";
import { EnforcementProbe } from "../components/enforcementProbe";
import { torchpodNames, workloadLabels } from "@torchpod/contract";
import { WorkingHours } from "../components/workingHours";
import { DESKTOP_PORTS, SHARED_PROXY_CONFIG_NAME } from "@torchpod/contract";
import { browserProxyConfigMap } from "../components/desktop/browserProxy";

export interface Platform {
    readonly config: StackConfig;
    /** The stack's Kubernetes provider (the ambient kubeconfig unless `torchpod:kubernetes` names one). */
    readonly provider: k8s.Provider;
    readonly namespaces: Namespaces;
    readonly airlock: Airlock;
    /** The audit trail of what enters the airlock share. */
    readonly airlockAudit: AirlockAudit;
    readonly mlab: Mlab;
    readonly lockdown: NetworkLockdown;
    readonly probe: EnforcementProbe;
    /** One TorchPod per user, by user name, in config order. */
    readonly torchpods: Readonly<Record<string, TorchPod>>;
    /** The GPU ResourceQuota of the TorchPod namespace; undefined without `torchpod:gpu.quota`. */
    readonly gpuQuota?: k8s.core.v1.ResourceQuota;
    /** The working-hours schedule; undefined without `torchpod:schedule`. */
    readonly workingHours?: WorkingHours;
}

/**
 * Users whose TorchPods are built in one turn of the event loop (see the loop below). Smaller turns
 * keep less alive at once, so less survives into the collector's old generation: at 1,000 users the
 * offline run took 7.4 s in turns of 100, 6.8 s in turns of 25 and 6.1–6.4 s in turns of 1 to 10.
 */
const USERS_PER_TURN = 10;

/** A ResourceQuota's `hard` entries for GPU counts by extended resource name. */
export function gpuQuotaHard(quota: Readonly<Record<string, number>>): Record<string, string> {
    return Object.fromEntries(Object.entries(quota).map(([kind, count]) => [`requests.${kind}`, String(count)]));
}

export async function buildPlatform(config: StackConfig): Promise<Platform> {
    // Always an explicit provider: switching later between the ambient kubeconfig and a named
    // context would otherwise change every object's provider, which Pulumi plans as a replacement.
    const provider = new k8s.Provider("kubernetes", {
        ...(config.kubernetes.context ? { context: config.kubernetes.context } : {}),
        ...(config.kubernetes.kubeconfig ? { kubeconfig: config.kubernetes.kubeconfig } : {}),
    });
    const base: pulumi.ComponentResourceOptions = { providers: [provider] };

    const namespaces = new Namespaces("namespaces", { names: config.namespaces, instance: config.stack }, base);

    // MLab first: the lock-down opens exactly its Gitea container ports to TorchPods.
    const mlab = new Mlab(
        "mlab",
        {
            namespace: namespaces.mlabName,
            torchpodNamespace: namespaces.torchpodsName,
            config: config.mlab,
            users: config.users.map((u) => u.name),
            storageClass: config.storage.mlabClass,
            storageSize: config.storage.mlabSize,
            exposure: config.exposure,
            officeCidrs: config.officeCidrs,
        },
        base,
    );

    const lockdown = new NetworkLockdown(
        "lockdown",
        {
            namespaces: config.namespaces,
            namespaceNames: { torchpods: namespaces.torchpodsName, mlab: namespaces.mlabName },
            gui: config.gui,
            officeCidrs: config.officeCidrs,
            cluster: config.cluster,
            mlabPorts: { http: mlab.httpContainerPort, ssh: mlab.sshContainerPort },
            airlockSftpContainerPort: DESKTOP_PORTS.sftp,
            mlabDatabase: mlab.databaseEndpoint,
        },
        base,
    );

    // One Caddyfile for every browser proxy of the namespace: it holds no per-user value.
    const proxyConfigMap = config.gui.browser
        ? browserProxyConfigMap(
              "browser-proxy",
              {
                  name: SHARED_PROXY_CONFIG_NAME,
                  namespace: namespaces.torchpodsName,
                  labels: workloadLabels("torchpod", config.stack),
              },
              { provider, dependsOn: [namespaces.torchpods] },
          )
        : undefined;

    const airlock = new Airlock(
        "airlock",
        {
            namespace: namespaces.torchpodsName,
            instance: config.stack,
            image: config.image,
            user: config.airlock.user,
            resources: config.airlock.resources,
            shmSize: config.airlock.shmSize,
            gui: config.gui,
            mode: config.mode,
            exposure: config.exposure,
            officeCidrs: config.officeCidrs,
            sftpPort: config.airlock.sftpPort,
            shareSize: config.storage.airlockSize,
            shareStorageClass: config.storage.airlockClass,
            proxyConfigMap,
        },
        { ...base, dependsOn: [lockdown] },
    );

    // Locked down like every pod (its own policy denies both directions), before it starts.
    const airlockAudit = new AirlockAudit(
        "airlock-audit",
        {
            namespace: namespaces.torchpodsName,
            instance: config.stack,
            shareClaimName: airlock.shareClaimName,
            sftpLogClaimName: airlock.sftpLogClaimName,
            image: config.mlab.reconcilerImage,
            storageClass: config.storage.airlockClass,
        },
        { ...base, dependsOn: [lockdown] },
    );

    const probe = new EnforcementProbe(
        "enforcement-probe",
        {
            namespace: namespaces.torchpodsName,
            config: config.probe,
            cluster: config.cluster,
            mlab: { ip: mlab.clusterIp, port: mlab.httpPort, sshPort: mlab.sshPort },
            airlock: { ip: airlock.clusterIp, port: airlock.sftpPort },
            lockdownFingerprint: lockdown.fingerprint,
            // Run where TorchPods run: the GPU nodes' policies and CNI are the ones that matter.
            ...(config.users.some((u) => u.gpus > 0) ? { nodeSelector: config.gpu.nodeSelector, tolerations: config.gpu.tolerations } : {}),
        },
        { ...base, dependsOn: [lockdown, mlab, airlock] },
    );

    const gpuQuota =
        config.gpu.quota !== undefined
            ? new k8s.core.v1.ResourceQuota(
                  "gpu-quota",
                  {
                      metadata: {
                          name: "gpu-quota",
                          namespace: namespaces.torchpodsName,
                          labels: workloadLabels("torchpod", config.stack),
                      },
                      // Extended resources are quota'd by their request (requests equal limits for GPUs): one entry per kind.
                      spec: { hard: gpuQuotaHard(config.gpu.quota) },
                  },
                  { provider },
              )
            : undefined;

    const torchpods: Record<string, TorchPod> = {};
    for (const [i, user] of config.users.entries()) {
        // Let the SDK serialize and register the users built so far before building more: every
        // resource holds its inputs and a dozen promises until it is registered, so building a large
        // team in one go made peak memory grow with the team (1.2 GB at 1,000 users, against 0.6 GB).
        if (i > 0 && i % USERS_PER_TURN === 0) await new Promise((resolve) => setImmediate(resolve));
        torchpods[user.name] = new TorchPod(
            user.name,
            {
                user: user.name,
                namespace: namespaces.torchpodsName,
                gpus: user.gpus,
                gpu: { resourceName: user.gpuResource, nodeSelector: user.gpuNodeSelector, tolerations: config.gpu.tolerations },
                suspended: user.suspended,
                scheduled: config.schedule !== undefined,
                resources: user.resources,
                shmSize: user.shmSize,
                homeSize: user.homeSize,
                image: user.image,
                gui: config.gui,
                mode: config.mode,
                exposure: config.exposure,
                officeCidrs: config.officeCidrs,
                homeStorageClass: config.storage.homeClass,
                airlockClaimName: airlock.shareClaimName,
                proxyConfigMap,
                // User code (shell profiles, autostart) runs only once NetworkPolicy isolates the pod.
                isolationGate: probe.isolationGate,
                mlab: {
                    host: mlab.host,
                    clusterIp: mlab.clusterIp,
                    credentialsSecretName: mlab.userCredentialSecretRef(user.name),
                },
                // Fail closed: no TorchPod Deployment before the probe proved the lock-down. MLab is
                // reached through its Service IP and the user's Secret (implicit dependencies); depending
                // on the whole MLab component would make every TorchPod wait on every user's objects.
                dependsOn: [lockdown, ...(config.probe.enabled ? [probe] : []), ...(gpuQuota ? [gpuQuota] : [])],
            },
            base,
        );
    }

    // The working hours: start and stop every TorchPod but the suspended users'.
    const workingHours = config.schedule
        ? new WorkingHours(
              "working-hours",
              {
                  schedule: config.schedule,
                  torchpodNamespace: namespaces.torchpodsName,
                  otherNamespaces: [config.namespaces.torchpods, config.namespaces.mlab],
                  deployments: config.users.filter((u) => !u.suspended).map((u) => torchpodNames(u.name).deployment),
                  cluster: config.cluster,
                  instance: config.stack,
              },
              base,
          )
        : undefined;

    return { config, provider, namespaces, airlock, airlockAudit, mlab, lockdown, probe, torchpods, gpuQuota, workingHours };
}
