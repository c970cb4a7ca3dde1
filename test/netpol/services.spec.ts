// Services: a Service port is mapped to its targetPort on each pod the Service selects, and the
// NetworkPolicies are judged there (as kube-proxy and every CNI do).
import * as assert from "assert";
import { K8sObject, NetworkModel } from "@torchpod/netpol";
import { netpol, ns, pod } from "./builders";

const service = (id: string, selector: Record<string, string> | undefined, ports: unknown[], clusterIP?: string): K8sObject => {
    const [namespace, name] = id.split("/");
    const spec: Record<string, unknown> = { ports };
    if (selector) spec.selector = selector;
    if (clusterIP) spec.clusterIP = clusterIP;
    return { apiVersion: "v1", kind: "Service", metadata: { name, namespace }, spec };
};

// A Gitea-like server: http on 3000 (named), ssh on 2222; clients may reach exactly those ports.
const world = (): K8sObject[] => [
    ns("lab"),
    ns("mlab"),
    pod("lab/client", { labels: { app: "client" } }),
    pod("mlab/gitea", {
        labels: { app: "gitea" },
        ports: [
            { name: "http", containerPort: 3000 },
            { name: "ssh", containerPort: 2222 },
        ],
    }),
    netpol("mlab/only-gitea-ports", {
        podSelector: { matchLabels: { app: "gitea" }, matchExpressions: [{ key: "replica", operator: "DoesNotExist" }] },
        ingress: [{ ports: [{ port: 3000 }, { port: 2222 }] }],
    }),
];

describe("netpol: Services", () => {
    it("maps a Service port to a numeric targetPort and judges the policy at the target port", () => {
        const m = NetworkModel.fromObjects([
            ...world(),
            service("mlab/mlab", { app: "gitea" }, [{ name: "http", port: 80, targetPort: 3000 }]),
        ]);
        const v = m.checkService(m.workload("lab/client")!, m.service("mlab/mlab")!, 80, "TCP");
        assert.strictEqual(v.allowed, true);
        assert.deepStrictEqual(
            v.backends.map((b) => [b.workload, b.targetPort]),
            [["mlab/gitea", 3000]],
        );
        assert.deepStrictEqual(v.backends[0].verdict!.ingress, { isolated: true, allowedBy: ["mlab/only-gitea-ports"] });
        // The same port number on the pod itself is not open: port 80 is only the Service's.
        assert.strictEqual(m.check(m.workload("lab/client")!, m.workload("mlab/gitea")!, 80, "TCP").allowed, false);
    });

    it("resolves a named targetPort on each selected pod, and an absent one as the Service port", () => {
        const m = NetworkModel.fromObjects([
            ...world(),
            service("mlab/mlab", { app: "gitea" }, [
                { name: "ssh", port: 22, targetPort: "ssh" },
                { name: "same", port: 3000 },
            ]),
        ]);
        const client = m.workload("lab/client")!;
        const ssh = m.checkService(client, m.service("mlab/mlab")!, 22, "TCP");
        assert.strictEqual(ssh.allowed, true);
        assert.strictEqual(ssh.backends[0].targetPort, 2222);
        const same = m.checkService(client, m.service("mlab/mlab")!, 3000, "TCP");
        assert.strictEqual(same.backends[0].targetPort, 3000);
        assert.strictEqual(same.allowed, true);
    });

    it("denies a port the Service does not declare, and a named targetPort a pod does not have, saying why", () => {
        const m = NetworkModel.fromObjects([...world(), service("mlab/mlab", { app: "gitea" }, [{ port: 8080, targetPort: "web" }])]);
        const client = m.workload("lab/client")!;
        const undeclared = m.checkService(client, m.service("mlab/mlab")!, 80, "TCP");
        assert.strictEqual(undeclared.allowed, false);
        assert.match(undeclared.problem!, /Service mlab\/mlab has no port 80\/TCP/);
        const unnamed = m.checkService(client, m.service("mlab/mlab")!, 8080, "TCP");
        assert.strictEqual(unnamed.allowed, false);
        assert.match(unnamed.backends[0].problem!, /no container port named "web"/);
    });

    it("reports a Service without a selector, or selecting no pod, instead of a silent denial", () => {
        const m = NetworkModel.fromObjects([
            ...world(),
            service("mlab/manual", undefined, [{ port: 80 }]),
            service("mlab/nobody", { app: "nobody" }, [{ port: 80 }]),
        ]);
        const client = m.workload("lab/client")!;
        assert.match(m.checkService(client, m.service("mlab/manual")!, 80, "TCP").problem!, /has no selector/);
        assert.match(m.checkService(client, m.service("mlab/nobody")!, 80, "TCP").problem!, /selects no pod/);
    });

    it("allows a Service connection when any selected pod accepts it, and lists each backend's verdict", () => {
        const objs = [
            ...world(),
            pod("mlab/gitea-2", { labels: { app: "gitea", replica: "2" }, ports: [{ name: "http", containerPort: 3000 }] }),
            netpol("mlab/deny-replica-2", { podSelector: { matchLabels: { replica: "2" } }, policyTypes: ["Ingress"] }),
            service("mlab/mlab", { app: "gitea" }, [{ port: 80, targetPort: "http" }]),
        ];
        const m = NetworkModel.fromObjects(objs);
        const v = m.checkService(m.workload("lab/client")!, m.service("mlab/mlab")!, 80, "TCP");
        assert.strictEqual(v.allowed, true);
        assert.deepStrictEqual(
            v.backends.map((b) => [b.workload, b.verdict!.allowed]),
            [
                ["mlab/gitea", true],
                ["mlab/gitea-2", false],
            ],
        );
    });
});
