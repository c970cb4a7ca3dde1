#!/usr/bin/env node
// @ts-check
// The working-hours schedule's actor: sets the replicas of the TorchPod Deployments it is given by
// name, through the scale subresource, and nothing else. Its service account may do exactly that
// (deployments/scale get/patch/update on those names), and its pod reaches only the API server.
// Plain Node.js, no dependencies: it runs from a ConfigMap in a small pinned node image.
//
//   node scale.js    with $TARGET_NAMESPACE, $DEPLOYMENTS (comma-separated names) and $REPLICAS (0 or 1)
//
// It reaches the API server at https://$KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT (set by the
// kubelet: no DNS needed) with the pod's service-account token and CA. Every Deployment is tried;
// exit 1 when any failed (the Job retries), 2 when the environment is unusable.
"use strict";

const fs = require("fs");
const http = require("http");
const https = require("https");

const SA_DIR = "/var/run/secrets/kubernetes.io/serviceaccount";

/**
 * @typedef {{ baseUrl: string; token: string; ca?: string; namespace: string; deployments: string[]; replicas: number }} ScaleJob
 * @typedef {{ name: string; ok: boolean; detail: string }} ScaleResult
 */

/** Reads the job from the environment; throws a one-line message when it is unusable. */
function jobFromEnv(env = process.env, read = (/** @type {string} */ f) => fs.readFileSync(f, "utf8")) {
    const namespace = env.TARGET_NAMESPACE ?? "";
    const deployments = (env.DEPLOYMENTS ?? "")
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean);
    const replicas = Number(env.REPLICAS);
    if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(namespace))
        throw new Error(`TARGET_NAMESPACE: got ${JSON.stringify(namespace)}, expected a namespace`);
    if (replicas !== 0 && replicas !== 1) throw new Error(`REPLICAS: got ${JSON.stringify(env.REPLICAS)}, expected 0 or 1`);
    const host = env.KUBERNETES_SERVICE_HOST;
    if (!host) throw new Error("KUBERNETES_SERVICE_HOST is not set: not running in a pod");
    const port = env.KUBERNETES_SERVICE_PORT || "443";
    return {
        baseUrl: `https://${host.includes(":") ? `[${host}]` : host}:${port}`,
        token: read(`${SA_DIR}/token`).trim(),
        ca: read(`${SA_DIR}/ca.crt`),
        namespace,
        deployments,
        replicas,
    };
}

/** One PATCH of a Deployment's scale subresource; resolves with the outcome, never rejects. */
function scaleOne(/** @type {ScaleJob} */ job, /** @type {string} */ name) {
    const url = new URL(`/apis/apps/v1/namespaces/${job.namespace}/deployments/${encodeURIComponent(name)}/scale`, job.baseUrl);
    const body = JSON.stringify({ spec: { replicas: job.replicas } });
    const transport = url.protocol === "https:" ? https : http;
    return new Promise((resolve) => {
        const req = transport.request(
            url,
            {
                method: "PATCH",
                headers: {
                    authorization: `Bearer ${job.token}`,
                    "content-type": "application/merge-patch+json",
                    "content-length": Buffer.byteLength(body),
                    accept: "application/json",
                },
                ...(job.ca ? { ca: job.ca } : {}),
                timeout: 30000,
            },
            (res) => {
                let text = "";
                res.setEncoding("utf8");
                res.on("data", (c) => (text += c));
                res.on("end", () => {
                    const ok = res.statusCode !== undefined && res.statusCode >= 200 && res.statusCode < 300;
                    let detail = `HTTP ${res.statusCode}`;
                    try {
                        const parsed = JSON.parse(text);
                        if (!ok && parsed.message) detail += `: ${parsed.message}`;
                    } catch {
                        // not JSON: the status says enough
                    }
                    resolve({ name, ok, detail });
                });
            },
        );
        req.on("timeout", () => req.destroy(new Error("timed out")));
        req.on("error", (e) => resolve({ name, ok: false, detail: e.message }));
        req.end(body);
    });
}

/** Scales every Deployment of the job, one after another. */
async function scaleAll(/** @type {ScaleJob} */ job) {
    /** @type {ScaleResult[]} */
    const results = [];
    for (const name of job.deployments) results.push(/** @type {ScaleResult} */ (await scaleOne(job, name)));
    return results;
}

async function main() {
    let job;
    try {
        job = jobFromEnv();
    } catch (e) {
        console.error(`working-hours: ${e instanceof Error ? e.message : String(e)}`);
        process.exit(2);
    }
    const results = await scaleAll(job);
    for (const r of results) console.log(`${r.ok ? "scaled" : "FAILED"} ${job.namespace}/${r.name} to ${job.replicas}: ${r.detail}`);
    process.exit(results.every((r) => r.ok) ? 0 : 1);
}

if (require.main === module) main();

module.exports = { jobFromEnv, scaleAll };
