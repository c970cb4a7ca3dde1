// The live tier's harness: the node e2e/live/node.sh started (API server, containerd), the test-only stack
// transform, commands inside running pods (through the node's containerd, as `kubectl exec` would reach
// them) and from the run's office and internet network namespaces. Nothing here ships in the program.
import * as child from "child_process";
import * as fs from "fs";
import * as path from "path";
import * as yaml from "js-yaml";
import { PROGRAM, apiRequest, env } from "../../support/harness";
import type { ApiEndpoint, ApiResponse } from "../../support/harness";

export const LIVE = path.resolve(__dirname, "..");

// ---------------------------------------------------------------------------------------------------------------
// The API server, with the node's kubeconfig (token and serving certificate).

export type { ApiResponse };

/** The live node's API server, from the run's kubeconfig. */
function kubeconfig(): ApiEndpoint {
    const kc = fs.readFileSync(env("KUBECONFIG"), "utf8");
    return {
        server: /server: (\S+)/.exec(kc)![1],
        token: /token: (\S+)/.exec(kc)![1],
        ca: fs.readFileSync(/certificate-authority: (\S+)/.exec(kc)![1]),
    };
}

export function api(method: string, urlPath: string, body?: unknown, contentType = "application/json"): Promise<ApiResponse> {
    return apiRequest(kubeconfig(), method, urlPath, body, contentType);
}

export async function apiOk(method: string, urlPath: string, body?: unknown): Promise<any> {
    const r = await api(method, urlPath, body);
    if (r.status < 200 || r.status >= 300)
        throw new Error(`${method} ${urlPath}: HTTP ${r.status} ${JSON.stringify(r.body).slice(0, 2000)}`);
    return r.body;
}

export async function pods(namespace: string, selector?: string): Promise<any[]> {
    const q = selector ? `?labelSelector=${encodeURIComponent(selector)}` : "";
    return (await apiOk("GET", `/api/v1/namespaces/${namespace}/pods${q}`)).items;
}

/** The one Running pod matching SELECTOR in NAMESPACE (fails when there is none or more than one). */
export async function runningPod(namespace: string, selector: string): Promise<any> {
    const list = (await pods(namespace, selector)).filter((p) => p.status?.phase === "Running" && !p.metadata.deletionTimestamp);
    if (list.length !== 1)
        throw new Error(
            `expected one Running pod ${namespace} ${selector}, found ${list.map((p) => p.metadata.name).join(", ") || "none"}`,
        );
    return list[0];
}

export async function waitFor<T>(what: string, seconds: number, fn: () => Promise<T | undefined>): Promise<T> {
    const deadline = Date.now() + seconds * 1000;
    let last: unknown;
    for (;;) {
        try {
            const v = await fn();
            if (v !== undefined) return v;
        } catch (e) {
            last = e;
        }
        if (Date.now() > deadline) throw new Error(`${what}: not within ${seconds}s${last ? ` (${(last as Error).message})` : ""}`);
        await new Promise((r) => setTimeout(r, 1000));
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Commands inside pods and namespaces.

export interface Exec {
    code: number;
    stdout: string;
    stderr: string;
}

/** Runs CMD in the running container CONTAINER of POD (through the node's containerd), with STDIN when given. */
export function execIn(pod: any, container: string, cmd: string[], input?: string, timeoutMs = 120000): Exec {
    const status = (pod.status?.containerStatuses ?? []).find((c: any) => c.name === container);
    const id = /^containerd:\/\/(.+)$/.exec(status?.containerID ?? "")?.[1];
    if (!id) throw new Error(`pod ${pod.metadata.namespace}/${pod.metadata.name} has no running container ${container}`);
    const r = child.spawnSync(
        "ctr",
        [
            "--address",
            env("TORCHPOD_LIVE_CONTAINERD_SOCKET"),
            "-n",
            "k8s.io",
            "tasks",
            "exec",
            "--exec-id",
            `live-${process.pid}-${Date.now()}`,
            id,
            ...cmd,
        ],
        { encoding: "utf8", input, timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 },
    );
    if (r.error) throw r.error;
    return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

export function execOk(pod: any, container: string, cmd: string[], input?: string): string {
    const r = execIn(pod, container, cmd, input);
    if (r.code !== 0) throw new Error(`${cmd.join(" ")} in ${pod.metadata.name}/${container} exited ${r.code}\n${r.stdout}\n${r.stderr}`);
    return r.stdout;
}

/** Runs CMD in the network namespace NS (the run's office or internet). */
export function inNamespace(ns: string, cmd: string[], extraEnv: Record<string, string> = {}, input?: string, timeoutMs = 60000): Exec {
    const r = child.spawnSync("ip", ["netns", "exec", ns, ...cmd], {
        encoding: "utf8",
        input,
        timeout: timeoutMs,
        env: { ...process.env, ...extraEnv },
    });
    if (r.error) throw r.error;
    return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

export interface Target {
    host: string;
    port: number;
    kind: "tcp" | "dns-udp" | "dns-tcp";
}
export interface Outcome {
    reachable: boolean;
    detail: string;
}

const CHECK = fs.readFileSync(path.join(LIVE, "support", "check.js"), "utf8");
export const TIMEOUT_MS = 3000;

/** Real connection attempts from inside CONTAINER of POD (it needs node: every image of this tier has it). */
export function tryFromPod(pod: any, container: string, targets: Target[]): Outcome[] {
    const out = execOk(pod, container, ["node", "-e", CHECK, JSON.stringify(targets), String(TIMEOUT_MS)]);
    return JSON.parse(out.trim().split("\n").pop()!);
}

/** Real connection attempts from the office namespace (its address is in the stack's office CIDR). */
export function tryFromOffice(targets: Target[]): Outcome[] {
    const r = inNamespace(env("TORCHPOD_LIVE_OFFICE_NS"), ["node", "-e", CHECK, JSON.stringify(targets), String(TIMEOUT_MS)]);
    if (r.code !== 0) throw new Error(`office check exited ${r.code}: ${r.stderr}`);
    return JSON.parse(r.stdout.trim().split("\n").pop()!);
}

/** What the internet namespace recorded (requests and DNS queries, each with the client's address). */
export function internetLog(): any[] {
    return fs
        .readFileSync(path.join(env("TORCHPOD_LIVE_WORLD"), "requests.log"), "utf8")
        .split("\n")
        .filter((l) => l.trim() !== "")
        .map((l) => JSON.parse(l));
}

// ---------------------------------------------------------------------------------------------------------------
// Images and the test-only stack transform.

/** The program's image references (its defaults, and the dev stack's) and the live images standing in for them. */
export function imageMapping(): Record<string, string> {
    const out = child.execFileSync(path.join(LIVE, "images.sh"), ["--list"], { encoding: "utf8" });
    const ref: Record<string, string> = {};
    for (const line of out.trim().split("\n")) {
        const [name, r] = line.split(" ");
        ref[name] = r;
    }
    return {
        "gemfield/torchpod": ref.torchpod,
        "caddy:2.8.4-alpine": ref.caddy,
        "gitea/gitea:1.22.6-rootless": ref.gitea,
        "node:20.18.1-alpine3.20": ref.debian,
    };
}

/**
 * The live-only preamble of every program: a stack transform that
 * - maps each container image to the live image standing in for it (imagePullPolicy Never: nothing is pulled),
 *   and fails on an image it has no stand-in for;
 * - hands the run's test CA to the importer (its upstream is the internet namespace's https server);
 * - pins the explicit Kubernetes provider to the version the toolchain built.
 * Unlike test:e2e's, it does NOT skip awaiting: Pulumi waits for pods, Deployments and Jobs for real.
 */
/** Put before the importer's script: the run's test CA, for its https upstream. */
const IMPORTER_PRELUDE =
    'printf "%s\\n" "$TORCHPOD_LIVE_UPSTREAM_CA" > /work/.live-upstream-ca.pem && export GIT_SSL_CAINFO=/work/.live-upstream-ca.pem\n';

export function liveTransform(): string {
    return `
import * as pulumi from "@pulumi/pulumi";
const LIVE_IMAGES: Record<string, string> = ${JSON.stringify(imageMapping())};
const LIVE_CA = ${JSON.stringify(fs.readFileSync(path.join(env("TORCHPOD_LIVE_WORLD"), "ca.crt"), "utf8"))};
const IMPORTER_PRELUDE = ${JSON.stringify(IMPORTER_PRELUDE)};
function liveImage(image: string): string {
    if (typeof image !== "string") return image;
    if (LIVE_IMAGES[image]) return LIVE_IMAGES[image];
    const repo = image.split("@")[0].replace(/:[^/]*$/, "");
    if (LIVE_IMAGES[repo]) return LIVE_IMAGES[repo];
    throw new Error("live transform: no live image stands in for " + image);
}
function livePodSpec(spec: any, workload: string): any {
    if (!spec || typeof spec !== "object") return spec;
    const mapContainer = (c: any) => {
        const out = { ...c, image: liveImage(c.image), imagePullPolicy: "Never" };
        if (c.name === "importer" && Array.isArray(c.command) && c.command[0] === "/bin/sh") {
            out.env = [...(c.env ?? []), { name: "TORCHPOD_LIVE_UPSTREAM_CA", value: LIVE_CA }];
            out.command = ["/bin/sh", "-c", IMPORTER_PRELUDE + c.command[2]];
        }
        return out;
    };
    return {
        ...spec,
        ...(spec.containers ? { containers: spec.containers.map(mapContainer) } : {}),
        ...(spec.initContainers ? { initContainers: spec.initContainers.map(mapContainer) } : {}),
    };
}
pulumi.runtime.registerResourceTransform((args) => {
    if (args.type === "pulumi:providers:kubernetes") {
        return { props: args.props, opts: { ...args.opts, version: process.env.TORCHPOD_E2E_KUBERNETES_PROVIDER_VERSION } };
    }
    const template = args.props?.spec?.template;
    if ((args.type.startsWith("kubernetes:apps/v1:") || args.type.startsWith("kubernetes:batch/v1:")) && template?.spec) {
        const spec = livePodSpec(template.spec, args.name);
        return { props: { ...args.props, spec: { ...args.props.spec, template: { ...template, spec } } }, opts: args.opts };
    }
    if (args.type === "kubernetes:core/v1:Pod" && args.props?.spec) {
        return { props: { ...args.props, spec: livePodSpec(args.props.spec, args.name) }, opts: args.opts };
    }
    return undefined;
});
`;
}

export function liveEntry(extra = ""): string {
    return `${liveTransform()}\n${extra}\nmodule.exports = require(${JSON.stringify(path.join(PROGRAM, "index.ts"))});\n`;
}

/**
 * The live stack's config: the dev stack's, with what this machine needs changed (and printed):
 * - the loopback node's kubeconfig;
 * - the office CIDR: the dev stack's 192.0.2.0/24 is this machine's own network, so the run's office is
 *   198.51.100.64/26 (its office namespace holds 198.51.100.70);
 * - the probe's internet address: the run's internet resolver 198.51.100.53 (never 1.1.1.1);
 * - requests, limits and sizes small enough for one 2-core node (the dev stack asks for 36 GiB).
 */
export function liveStackConfig(overrides: (set: Record<string, any>) => Record<string, unknown> = () => ({})): {
    yaml: string;
    changes: string[];
} {
    const dev = yaml.load(fs.readFileSync(path.join(PROGRAM, "Pulumi.dev.yaml"), "utf8")) as any;
    const config = dev.config as Record<string, any>;
    const small = { cpu: "50m", cpuLimit: "1", memory: "64Mi", memoryLimit: "512Mi", shm: "64Mi" };
    const set: Record<string, any> = {
        "torchpod:kubernetes": { kubeconfig: env("KUBECONFIG") },
        "torchpod:officeCidrs": [env("TORCHPOD_LIVE_OFFICE_CIDR")],
        "torchpod:probe": { ...(config["torchpod:probe"] ?? {}), internetAddress: "198.51.100.53", timeoutSeconds: 3 },
        "torchpod:defaults": { ...config["torchpod:defaults"], ...small, home: "1Gi" },
        "torchpod:users": (config["torchpod:users"] as any[]).map((u) => {
            const { memory: _m, memoryLimit: _l, shm: _s, cpu: _c, cpuLimit: _cl, ...rest } = u;
            return rest;
        }),
        "torchpod:storage": { ...config["torchpod:storage"], airlockSize: "1Gi", mlabSize: "1Gi" },
        "torchpod:airlock": { ...(config["torchpod:airlock"] ?? {}), ...small },
        "torchpod:mlab": { ...config["torchpod:mlab"], cpu: "50m", cpuLimit: "1", memory: "128Mi", memoryLimit: "1Gi" },
    };
    Object.assign(set, overrides(set));
    const changes: string[] = [];
    for (const [k, v] of Object.entries(set)) {
        if (JSON.stringify(config[k]) !== JSON.stringify(v)) changes.push(`${k}: ${JSON.stringify(config[k])} -> ${JSON.stringify(v)}`);
        config[k] = v;
    }
    return { yaml: yaml.dump({ config }), changes };
}
