// The working-hours actor's script against a fake API server on loopback: it patches exactly the scale
// subresource of the Deployments it is given, with the service-account token, and fails loudly.
import { strict as assert } from "assert";
import * as http from "http";
import { AddressInfo } from "net";
import { SCALE_SCRIPT_PATH } from "../../../components/workingHours";
import { strictCheckJsProblems } from "../../support/checkJs";

const { jobFromEnv, scaleAll } = require("../../../components/workingHours/scale.js");

interface Seen {
    method: string;
    url: string;
    auth: string;
    type: string;
    body: string;
}

async function fakeApiServer(status: (url: string) => number): Promise<{ url: string; seen: Seen[]; close: () => void }> {
    const seen: Seen[] = [];
    const server = http.createServer((req, res) => {
        let body = "";
        req.on("data", (c) => (body += c));
        req.on("end", () => {
            seen.push({
                method: req.method!,
                url: req.url!,
                auth: String(req.headers.authorization),
                type: String(req.headers["content-type"]),
                body,
            });
            const code = status(req.url!);
            res.writeHead(code, { "content-type": "application/json" });
            res.end(JSON.stringify(code === 200 ? { kind: "Scale" } : { kind: "Status", message: 'deployments.apps "x" is forbidden' }));
        });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen, close: () => server.close() };
}

describe("working-hours actor (components/workingHours/scale.js)", () => {
    it("patches the scale subresource of each named Deployment with the replicas and the token, and nothing else", async () => {
        const api = await fakeApiServer(() => 200);
        try {
            const results = await scaleAll({
                baseUrl: api.url,
                token: "t0k",
                namespace: "torchpod",
                deployments: ["torchpod-alice", "torchpod-bob"],
                replicas: 0,
            });
            assert.deepEqual(
                results.map((r: any) => [r.name, r.ok]),
                [
                    ["torchpod-alice", true],
                    ["torchpod-bob", true],
                ],
            );
            assert.deepEqual(api.seen, [
                {
                    method: "PATCH",
                    url: "/apis/apps/v1/namespaces/torchpod/deployments/torchpod-alice/scale",
                    auth: "Bearer t0k",
                    type: "application/merge-patch+json",
                    body: '{"spec":{"replicas":0}}',
                },
                {
                    method: "PATCH",
                    url: "/apis/apps/v1/namespaces/torchpod/deployments/torchpod-bob/scale",
                    auth: "Bearer t0k",
                    type: "application/merge-patch+json",
                    body: '{"spec":{"replicas":0}}',
                },
            ]);
        } finally {
            api.close();
        }
    });

    it("tries every Deployment and reports each refusal with the API server's message", async () => {
        const api = await fakeApiServer((url) => (url.includes("alice") ? 403 : 200));
        try {
            const results = await scaleAll({
                baseUrl: api.url,
                token: "t",
                namespace: "torchpod",
                deployments: ["torchpod-alice", "torchpod-bob"],
                replicas: 1,
            });
            assert.deepEqual(
                results.map((r: any) => [r.name, r.ok, r.detail]),
                [
                    ["torchpod-alice", false, 'HTTP 403: deployments.apps "x" is forbidden'],
                    ["torchpod-bob", true, "HTTP 200"],
                ],
            );
        } finally {
            api.close();
        }
    });

    it("reads its job from the pod's environment and refuses an unusable one", () => {
        const files: Record<string, string> = {
            "/var/run/secrets/kubernetes.io/serviceaccount/token": "tok\n",
            "/var/run/secrets/kubernetes.io/serviceaccount/ca.crt": "CA",
        };
        const read = (f: string) => files[f];
        const env = {
            TARGET_NAMESPACE: "torchpod",
            DEPLOYMENTS: "torchpod-a, torchpod-b",
            REPLICAS: "1",
            KUBERNETES_SERVICE_HOST: "fd00::1",
            KUBERNETES_SERVICE_PORT: "443",
        };
        assert.deepEqual(jobFromEnv(env, read), {
            baseUrl: "https://[fd00::1]:443",
            token: "tok",
            ca: "CA",
            namespace: "torchpod",
            deployments: ["torchpod-a", "torchpod-b"],
            replicas: 1,
        });
        assert.throws(() => jobFromEnv({ ...env, REPLICAS: "3" }, read), /REPLICAS: got "3", expected 0 or 1/);
        assert.throws(() => jobFromEnv({ ...env, TARGET_NAMESPACE: "Bad NS" }, read), /TARGET_NAMESPACE/);
        assert.throws(() => jobFromEnv({ ...env, KUBERNETES_SERVICE_HOST: "" }, read), /not running in a pod/);
    });

    it("type-checks under strict checkJs (its JSDoc types are real)", () => {
        assert.equal(strictCheckJsProblems(SCALE_SCRIPT_PATH), "");
    });
});
