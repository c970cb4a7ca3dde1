// Every default of the platform, in one place. The config parser (stacks/parse.ts) applies
// these and nothing else; the README's config reference is written from this file.
//
// Images are pinned: a tag that names a release (never `latest`) or a digest.

import { Resources } from "./settings";

/** The TorchPod desktop image (KDE, xrdp on 3389, Xvnc on 5900, noVNC on 7030, sshd on 22). Also the Airlock's. */
export const DEFAULT_TORCHPOD_IMAGE = "gemfield/torchpod:1.0";
/** The authenticating proxy in front of the image's password-less noVNC. */
export const DEFAULT_PROXY_IMAGE = "caddy:2.8.4-alpine";
/** Gitea, rootless variant (runs as uid 1000, http 3000, ssh 2222). */
export const DEFAULT_GITEA_IMAGE = "gitea/gitea:1.22.6-rootless";
/** Small image that runs the MLab reconciler and the enforcement probe scripts. */
export const DEFAULT_NODE_IMAGE = "node:20.18.1-alpine3.20";

export const PLATFORM_DEFAULTS = {
    /** `torchpod:image` */
    image: DEFAULT_TORCHPOD_IMAGE,
    /** `torchpod:gui`: RDP (password-authenticated) and the browser desktop (behind the proxy); raw VNC off. */
    gui: { rdp: true, browser: true, vnc: false, proxyImage: DEFAULT_PROXY_IMAGE },
    /** `torchpod:exposure`: ClusterIP (reach it through a VPN/ingress of your own); LoadBalancer on request. */
    exposure: { type: "ClusterIP" as const, annotations: {} as Record<string, string> },
    /** `torchpod:namespaces`: TorchPods and the Airlock share one namespace (they share the airlock PVC). */
    namespaces: { torchpods: "torchpod", mlab: "mlab" },
    /** `torchpod:defaults` (and per user in `torchpod:users[i]`): a researcher's pod. */
    user: {
        gpus: 0,
        cpu: "2",
        cpuLimit: "8",
        memory: "8Gi",
        memoryLimit: "32Gi",
        /** /dev/shm (memory emptyDir); PyTorch DataLoader workers share batches through it. */
        shm: "8Gi",
        /** The home volume; it can only grow. */
        home: "100Gi",
    },
    /** `torchpod:storage`: storage classes default to the cluster's default class. */
    storage: { airlockSize: "500Gi", mlabSize: "50Gi" },
    /** `torchpod:gpu` */
    gpu: {
        resourceName: "nvidia.com/gpu",
        nodeSelector: {} as Record<string, string>,
        tolerations: [{ key: "nvidia.com/gpu", operator: "Exists" as const, effect: "NoSchedule" as const }],
    },
    /** `torchpod:cluster`: kubeadm's defaults. */
    cluster: {
        podCidrs: ["10.244.0.0/16"],
        serviceCidrs: ["10.96.0.0/12"],
        dnsNamespace: "kube-system",
        dnsPodLabels: { "k8s-app": "kube-dns" } as Record<string, string>,
        dnsServiceIp: "10.96.0.10",
        apiServerIp: "10.96.0.1",
        controlPlaneCidrs: [] as string[],
    },
    /** `torchpod:airlock` */
    airlock: { cpu: "1", cpuLimit: "4", memory: "4Gi", memoryLimit: "16Gi", shm: "2Gi", sftpPort: 10022, user: "airlock" },
    /** `torchpod:mlab` */
    mlab: {
        image: DEFAULT_GITEA_IMAGE,
        host: "mlab.torchpod.internal",
        httpPort: 80,
        sshPort: 22,
        migrationAllowedHosts: ["github.com"],
        reconcilerImage: DEFAULT_NODE_IMAGE,
        cpu: "500m",
        cpuLimit: "2",
        memory: "512Mi",
        memoryLimit: "2Gi",
        postgresSslMode: "require",
    },
    /** `torchpod:schedule` (off unless set; timeZone, start and stop have no default) */
    schedule: {
        days: ["Mon", "Tue", "Wed", "Thu", "Fri"] as const,
        image: DEFAULT_NODE_IMAGE,
    },
    /** `torchpod:probe` */
    probe: { enabled: true, image: DEFAULT_NODE_IMAGE, internetAddress: "1.1.1.1", timeoutSeconds: 5 },
} as const;

/** A workload's default requests and limits (`user`, `airlock` or `mlab` above) as the Resources components take. */
export function defaultResources(workload: "user" | "airlock" | "mlab"): Resources {
    const d = PLATFORM_DEFAULTS[workload];
    return { cpuRequest: d.cpu, cpuLimit: d.cpuLimit, memoryRequest: d.memory, memoryLimit: d.memoryLimit };
}
