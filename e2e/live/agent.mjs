#!/usr/bin/env node
// The live node's agent: what a real cluster's add-ons do, done small, for a one-node test cluster.
//
//   agent.mjs --kubeconfig KC --node NAME --volumes DIR --lb-cidr CIDR --gpus N
//       runs until stopped, once a second:
//       - advertises N `nvidia.com/gpu` on the node through a node status patch (Kubernetes' documented
//         way to advertise an extended resource; no device is attached);
//       - gives each LoadBalancer Service an address from CIDR in its status (as MetalLB would);
//         kube-proxy then routes that address to the Service's endpoints;
//       - provisions a hostPath PersistentVolume under DIR for each Pending claim of the default
//         StorageClass (`torchpod-live`, any access mode), pre-bound to the claim.
//   agent.mjs --kubeconfig KC --bootstrap --coredns-image REF --dns-ip IP --upstream-dns IP
//       creates the default StorageClass and the cluster DNS (CoreDNS: ConfigMap, Secret with its
//       kubeconfig, Deployment, Service at IP with the usual `k8s-app: kube-dns` labels), forwarding
//       to the "internet" resolver only.
//   agent.mjs --kubeconfig KC --node NAME --check-ready
//       exit 0 when the node is Ready with its GPUs allocatable and CoreDNS is available.
import { readFileSync, mkdirSync, chmodSync } from "node:fs";
import { join } from "node:path";
import https from "node:https";
import { parseArgs } from "node:util";

const { values: opt } = parseArgs({
    options: {
        kubeconfig: { type: "string" },
        node: { type: "string" },
        volumes: { type: "string" },
        "lb-cidr": { type: "string" },
        gpus: { type: "string", default: "4" },
        bootstrap: { type: "boolean" },
        "check-ready": { type: "boolean" },
        "coredns-image": { type: "string" },
        "dns-ip": { type: "string" },
        "upstream-dns": { type: "string" },
    },
});
const STORAGE_CLASS = "torchpod-live";
const PROVISIONER = "torchpod.live/hostpath";
const GPU = "nvidia.com/gpu";

const kc = readFileSync(opt.kubeconfig, "utf8");
const server = /server: (\S+)/.exec(kc)[1];
const token = /token: (\S+)/.exec(kc)[1];
const ca = readFileSync(/certificate-authority: (\S+)/.exec(kc)[1]);

export function api(method, path, body, contentType = "application/json") {
    const data = body === undefined ? undefined : JSON.stringify(body);
    return new Promise((resolve, reject) => {
        const req = https.request(
            new URL(path, server),
            {
                method,
                ca,
                headers: {
                    Authorization: `Bearer ${token}`,
                    Accept: "application/json",
                    ...(data ? { "Content-Type": contentType, "Content-Length": Buffer.byteLength(data) } : {}),
                },
            },
            (res) => {
                let s = "";
                res.setEncoding("utf8");
                res.on("data", (d) => (s += d));
                res.on("end", () => {
                    let parsed = s;
                    try {
                        parsed = JSON.parse(s);
                    } catch {
                        /* keep text */
                    }
                    resolve({ status: res.statusCode, body: parsed });
                });
            },
        );
        req.setTimeout(15000, () => req.destroy(new Error(`${method} ${path}: timed out`)));
        req.on("error", reject);
        if (data) req.write(data);
        req.end();
    });
}

async function ensure(path, obj) {
    const r = await api("POST", path, obj);
    if (r.status !== 201 && r.status !== 409) throw new Error(`POST ${path}: HTTP ${r.status} ${JSON.stringify(r.body)}`);
}

function ipToInt(ip) {
    return ip.split(".").reduce((a, o) => a * 256 + Number(o), 0);
}
function intToIp(n) {
    return [24, 16, 8, 0].map((s) => (n >>> s) & 255).join(".");
}

async function tick(state) {
    // GPUs, advertised as extended-resource capacity.
    const node = await api("GET", `/api/v1/nodes/${opt.node}`);
    if (node.status === 200 && node.body.status?.capacity?.[GPU] !== opt.gpus) {
        const r = await api(
            "PATCH",
            `/api/v1/nodes/${opt.node}/status`,
            [{ op: "add", path: `/status/capacity/${GPU.replace("/", "~1")}`, value: opt.gpus }],
            "application/json-patch+json",
        );
        console.log(`node ${opt.node}: ${GPU} capacity ${opt.gpus}: HTTP ${r.status}`);
    }
    // Load balancer addresses.
    const svcs = await api("GET", "/api/v1/services");
    if (svcs.status === 200) {
        const used = new Set(svcs.body.items.flatMap((s) => (s.status?.loadBalancer?.ingress ?? []).map((i) => i.ip)));
        for (const s of svcs.body.items) {
            if (s.spec.type !== "LoadBalancer" || (s.status?.loadBalancer?.ingress ?? []).length > 0) continue;
            let ip;
            for (let n = state.lbFirst; n <= state.lbLast; n++) {
                if (!used.has(intToIp(n))) {
                    ip = intToIp(n);
                    break;
                }
            }
            if (!ip) {
                console.log(`no load balancer address left for ${s.metadata.namespace}/${s.metadata.name}`);
                continue;
            }
            used.add(ip);
            const r = await api(
                "PATCH",
                `/api/v1/namespaces/${s.metadata.namespace}/services/${s.metadata.name}/status`,
                { status: { loadBalancer: { ingress: [{ ip, ipMode: "VIP" }] } } },
                "application/merge-patch+json",
            );
            console.log(`service ${s.metadata.namespace}/${s.metadata.name}: load balancer ${ip}: HTTP ${r.status}`);
        }
    }
    // Volumes for the default class's Pending claims.
    const pvcs = await api("GET", "/api/v1/persistentvolumeclaims");
    if (pvcs.status === 200) {
        for (const c of pvcs.body.items) {
            if (c.status?.phase !== "Pending" || c.spec.volumeName || c.spec.storageClassName !== STORAGE_CLASS) continue;
            const name = `pv-${c.metadata.uid}`;
            if (state.made.has(name)) continue;
            const dir = join(opt.volumes, `${c.metadata.namespace}-${c.metadata.name}-${c.metadata.uid.slice(0, 8)}`);
            mkdirSync(dir, { recursive: true });
            chmodSync(dir, 0o777);
            const r = await api("POST", "/api/v1/persistentvolumes", {
                apiVersion: "v1",
                kind: "PersistentVolume",
                metadata: {
                    name,
                    labels: { "torchpod.live/provisioned": "true" },
                    annotations: { "pv.kubernetes.io/provisioned-by": PROVISIONER },
                },
                spec: {
                    capacity: { storage: c.spec.resources.requests.storage },
                    accessModes: c.spec.accessModes,
                    persistentVolumeReclaimPolicy: "Retain",
                    storageClassName: STORAGE_CLASS,
                    volumeMode: c.spec.volumeMode ?? "Filesystem",
                    claimRef: {
                        apiVersion: "v1",
                        kind: "PersistentVolumeClaim",
                        namespace: c.metadata.namespace,
                        name: c.metadata.name,
                        uid: c.metadata.uid,
                    },
                    hostPath: { path: dir, type: "DirectoryOrCreate" },
                },
            });
            if (r.status === 201 || r.status === 409) state.made.add(name);
            console.log(`claim ${c.metadata.namespace}/${c.metadata.name}: volume ${name} at ${dir}: HTTP ${r.status}`);
        }
    }
}

async function bootstrap() {
    await ensure("/apis/storage.k8s.io/v1/storageclasses", {
        apiVersion: "storage.k8s.io/v1",
        kind: "StorageClass",
        metadata: { name: STORAGE_CLASS, annotations: { "storageclass.kubernetes.io/is-default-class": "true" } },
        provisioner: PROVISIONER,
        reclaimPolicy: "Retain",
        volumeBindingMode: "Immediate",
        allowVolumeExpansion: true,
    });
    const ns = "kube-system";
    const labels = { "k8s-app": "kube-dns" };
    const caPem = ca.toString("utf8");
    const corefile = [
        ".:53 {",
        "    errors",
        "    kubernetes cluster.local in-addr.arpa ip6.arpa {",
        "        kubeconfig /etc/coredns-kube/kubeconfig torchpod-live",
        "        pods insecure",
        "        fallthrough in-addr.arpa ip6.arpa",
        "    }",
        // Only the run's own "internet" resolver: nothing leaves the machine.
        `    forward . ${opt["upstream-dns"]}`,
        "    cache 30",
        "    loop",
        "}",
        "",
    ].join("\n");
    const kubeconfig = [
        "apiVersion: v1",
        "kind: Config",
        "clusters:",
        "- name: torchpod-live",
        "  cluster:",
        `    server: ${server}`,
        "    certificate-authority: /etc/coredns-kube/ca.crt",
        "users:",
        "- name: coredns",
        "  user:",
        `    token: ${token}`,
        "contexts:",
        "- name: torchpod-live",
        "  context: {cluster: torchpod-live, user: coredns}",
        "current-context: torchpod-live",
        "",
    ].join("\n");
    await ensure(`/api/v1/namespaces/${ns}/configmaps`, {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name: "coredns" },
        data: { Corefile: corefile },
    });
    await ensure(`/api/v1/namespaces/${ns}/secrets`, {
        apiVersion: "v1",
        kind: "Secret",
        metadata: { name: "coredns-kube" },
        stringData: { kubeconfig, "ca.crt": caPem },
    });
    await ensure(`/apis/apps/v1/namespaces/${ns}/deployments`, {
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { name: "coredns", labels },
        spec: {
            replicas: 1,
            selector: { matchLabels: labels },
            template: {
                metadata: { labels },
                spec: {
                    dnsPolicy: "Default",
                    automountServiceAccountToken: false,
                    containers: [
                        {
                            name: "coredns",
                            image: opt["coredns-image"],
                            imagePullPolicy: "Never",
                            args: ["-conf", "/etc/coredns/Corefile"],
                            ports: [
                                { name: "dns", containerPort: 53, protocol: "UDP" },
                                { name: "dns-tcp", containerPort: 53, protocol: "TCP" },
                            ],
                            readinessProbe: { tcpSocket: { port: 53 }, periodSeconds: 2 },
                            volumeMounts: [
                                { name: "config", mountPath: "/etc/coredns", readOnly: true },
                                { name: "kube", mountPath: "/etc/coredns-kube", readOnly: true },
                            ],
                        },
                    ],
                    volumes: [
                        { name: "config", configMap: { name: "coredns" } },
                        { name: "kube", secret: { secretName: "coredns-kube" } },
                    ],
                },
            },
        },
    });
    await ensure(`/api/v1/namespaces/${ns}/services`, {
        apiVersion: "v1",
        kind: "Service",
        metadata: { name: "kube-dns", labels },
        spec: {
            clusterIP: opt["dns-ip"],
            selector: labels,
            ports: [
                { name: "dns", port: 53, protocol: "UDP", targetPort: 53 },
                { name: "dns-tcp", port: 53, protocol: "TCP", targetPort: 53 },
            ],
        },
    });
    console.log("bootstrap: StorageClass torchpod-live (default), CoreDNS");
}

async function checkReady() {
    const node = await api("GET", `/api/v1/nodes/${opt.node}`);
    const ready = node.body?.status?.conditions?.find((c) => c.type === "Ready")?.status === "True";
    const gpus = node.body?.status?.allocatable?.[GPU];
    const dns = await api("GET", "/apis/apps/v1/namespaces/kube-system/deployments/coredns");
    const dnsReady = (dns.body?.status?.readyReplicas ?? 0) >= 1;
    if (!(ready && gpus && dnsReady)) {
        console.error(`node ready ${ready}, ${GPU} ${gpus}, CoreDNS ready ${dnsReady}`);
        process.exit(1);
    }
}

if (opt.bootstrap) await bootstrap();
else if (opt["check-ready"]) await checkReady();
else {
    const [base, bits] = opt["lb-cidr"].split("/");
    const first = ipToInt(base) + 1;
    const state = { lbFirst: first, lbLast: first + 2 ** (32 - Number(bits)) - 3, made: new Set() };
    for (;;) {
        try {
            await tick(state);
        } catch (e) {
            console.log(`agent: ${e.message}`);
        }
        await new Promise((r) => setTimeout(r, 1000));
    }
}
