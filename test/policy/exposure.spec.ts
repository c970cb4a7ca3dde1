// Exposure by the traffic table (a way in is a way out): MLab's own ingress and Services, and Ingress
// and Gateway API routes to TorchPods or MLab. One change per test from the clean red-team baseline.
import * as assert from "assert";
import * as path from "path";
import { loadManifests } from "@torchpod/netpol";
import { mlabIngressByTrafficTable, routesByTrafficTable } from "../../policy/policies";
import { manifestsToResources } from "../../tools/pack/manifestResources";
import { PackResource } from "../../tools/pack/runner";
import { runStackPolicy } from "./policyArgs";

const CLEAN = path.resolve(__dirname, "../redteam/cases/clean/manifests");
const OFFICE = { officeCidrs: ["192.168.10.0/24"] };

const clean = (): PackResource[] => manifestsToResources(loadManifests([CLEAN]));
const find = (rs: PackResource[], kind: string, name: string) =>
    rs.find((r) => r.type.endsWith(`:${kind}`) && (r.props as any).metadata.name === name)!.props as any;
const resource = (apiVersion: string, kind: string, namespace: string, name: string, spec: unknown): PackResource => ({
    type: `kubernetes:${apiVersion.includes("/") ? apiVersion : `core/${apiVersion}`}:${kind}`,
    name: `${namespace}/${name}`,
    urn: `urn:pulumi:test::test::${kind}::${namespace}/${name}`,
    props: { apiVersion, kind, metadata: { name, namespace }, spec } as Record<string, unknown>,
});
const messages = async (policy: Parameters<typeof runStackPolicy>[0], rs: PackResource[], config: Record<string, unknown> = OFFICE) =>
    (await runStackPolicy(policy, rs, { config })).violations.map((v) => v.message);

describe("mlab-ingress-by-traffic-table", () => {
    const officeRule = (cidr: string, ports = [{ port: 3000 }, { port: 2222 }]) => ({ from: [{ ipBlock: { cidr } }], ports });

    it("passes the clean baseline: only TorchPods reach MLab, on its two ports", async () => {
        assert.deepStrictEqual(await messages(mlabIngressByTrafficTable, clean()), []);
    });

    it("passes the office on http and ssh, the reconciler and the importer on http", async () => {
        const rs = clean();
        const np = find(rs, "NetworkPolicy", "mlab-lockdown");
        np.spec.ingress.push(officeRule("192.168.10.0/25"));
        for (const c of ["mlab-reconciler", "mlab-importer"])
            np.spec.ingress.push({
                from: [{ podSelector: { matchLabels: { "app.kubernetes.io/component": c } } }],
                ports: [{ port: 3000 }],
            });
        assert.deepStrictEqual(await messages(mlabIngressByTrafficTable, rs), []);
    });

    it("refuses an office rule when no office networks are configured", async () => {
        const rs = clean();
        find(rs, "NetworkPolicy", "mlab-lockdown").spec.ingress.push(officeRule("192.168.10.0/24"));
        const [m] = await messages(mlabIngressByTrafficTable, rs, {});
        assert.match(m, /^MLab Deployment mlab\/mlab accepts connections from 192\.168\.10\.0\/24, and no office networks are configured/);
    });

    it("refuses a range outside the office networks", async () => {
        const rs = clean();
        find(rs, "NetworkPolicy", "mlab-lockdown").spec.ingress.push(officeRule("203.0.113.0/24"));
        assert.match((await messages(mlabIngressByTrafficTable, rs))[0], /from 203\.0\.113\.0\/24, not inside the office networks/);
    });

    it("refuses the office on a port other than http and ssh", async () => {
        const rs = clean();
        find(rs, "NetworkPolicy", "mlab-lockdown").spec.ingress.push(officeRule("192.168.10.0/24", [{ port: 3000 }, { port: 6060 }]));
        assert.match((await messages(mlabIngressByTrafficTable, rs))[0], /from the office 192\.168\.10\.0\/24 on TCP 6060/);
    });

    it("refuses the Airlock (a pod with the internet) reaching MLab", async () => {
        const rs = clean();
        find(rs, "NetworkPolicy", "mlab-lockdown").spec.ingress.push({
            from: [
                {
                    namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "torchpod" } },
                    podSelector: { matchLabels: { "app.kubernetes.io/component": "airlock" } },
                },
            ],
            ports: [{ port: 3000 }],
        });
        assert.match(
            (await messages(mlabIngressByTrafficTable, rs))[0],
            /requires the labels of none of TorchPods, the reconciler or the importer/,
        );
    });

    it("refuses the reconciler on ssh", async () => {
        const rs = clean();
        find(rs, "NetworkPolicy", "mlab-lockdown").spec.ingress.push({
            from: [{ podSelector: { matchLabels: { "app.kubernetes.io/component": "mlab-reconciler" } } }],
            ports: [{ port: 2222 }],
        });
        assert.match(
            (await messages(mlabIngressByTrafficTable, rs))[0],
            /from the reconciler .* on TCP 2222: the reconciler may reach only port 3000/,
        );
    });

    it("refuses MLab without an ingress-isolating NetworkPolicy", async () => {
        const rs = clean();
        find(rs, "NetworkPolicy", "mlab-lockdown").spec.policyTypes = ["Egress"];
        assert.match(
            (await messages(mlabIngressByTrafficTable, rs))[0],
            /from every pod and address: no NetworkPolicy with policyTypes Ingress/,
        );
    });

    it("passes MLab's LoadBalancer limited to the office without node ports, and refuses it open to the internet or as a NodePort", async () => {
        const lb = (extra: Record<string, unknown>) => {
            const rs = clean();
            Object.assign(find(rs, "Service", "mlab").spec, { type: "LoadBalancer", allocateLoadBalancerNodePorts: false, ...extra });
            return rs;
        };
        assert.deepStrictEqual(await messages(mlabIngressByTrafficTable, lb({ loadBalancerSourceRanges: ["192.168.10.0/24"] })), []);
        assert.match(
            (await messages(mlabIngressByTrafficTable, lb({ loadBalancerSourceRanges: ["0.0.0.0/0"] })))[0],
            /^Service mlab\/mlab selects MLab and is exposed beyond the office: type LoadBalancer with loadBalancerSourceRanges 0\.0\.0\.0\/0 not inside/,
        );
        assert.match((await messages(mlabIngressByTrafficTable, lb({ type: "NodePort" })))[0], /type NodePort/);
        assert.match(
            (await messages(mlabIngressByTrafficTable, lb({ loadBalancerSourceRanges: ["192.168.10.0/24"] }), {}))[0],
            /no office networks are configured/,
        );
    });
});

describe("routes-by-traffic-table", () => {
    const ingress = (namespace: string, service: string) =>
        resource("networking.k8s.io/v1", "Ingress", namespace, "web", {
            rules: [
                { http: { paths: [{ path: "/", pathType: "Prefix", backend: { service: { name: service, port: { number: 80 } } } }] } },
            ],
        });
    const httpRoute = (namespace: string, backend: Record<string, unknown>) =>
        resource("gateway.networking.k8s.io/v1", "HTTPRoute", namespace, "web", {
            parentRefs: [{ name: "gw", namespace: "edge" }],
            rules: [{ backendRefs: [{ port: 80, ...backend }] }],
        });

    it("is not applicable to the clean baseline, which has no route", async () => {
        const o = await runStackPolicy(routesByTrafficTable, clean(), { config: OFFICE });
        assert.deepStrictEqual(o.violations, []);
        assert.strictEqual(o.notApplicable, "no Ingress, Gateway or Gateway API route in this stack");
    });

    it("passes a route to another app's Service", async () => {
        const rs = [...clean(), resource("v1", "Service", "web", "site", { selector: { app: "site" } }), ingress("web", "site")];
        assert.deepStrictEqual(await messages(routesByTrafficTable, rs), []);
    });

    it("refuses an Ingress to a TorchPod's Service, with no switch", async () => {
        const [m] = await messages(routesByTrafficTable, [...clean(), ingress("torchpod", "torchpod-alice")]);
        assert.match(
            m,
            /^Ingress torchpod\/web routes to a TorchPod \(spec\.rules\[0\]\.http\.paths\[0\]: Service torchpod\/torchpod-alice, which selects Deployment torchpod\/torchpod-alice\)/,
        );
        assert.match(m, /\(no switch\)/);
    });

    it("refuses an HTTPRoute to a TorchPod's Service in another namespace (a cross-namespace backendRef)", async () => {
        const [m] = await messages(routesByTrafficTable, [
            ...clean(),
            httpRoute("edge", { name: "torchpod-alice", namespace: "torchpod" }),
        ]);
        assert.match(m, /^HTTPRoute edge\/web routes to a TorchPod/);
    });

    it("refuses a TCPRoute to MLab unless reviewedRoutes names it", async () => {
        const route = resource("gateway.networking.k8s.io/v1alpha2", "TCPRoute", "mlab", "ssh", {
            rules: [{ backendRefs: [{ name: "mlab", port: 2222 }] }],
        });
        const [m] = await messages(routesByTrafficTable, [...clean(), route]);
        assert.match(m, /^TCPRoute mlab\/ssh routes to MLab .*Allow it after review: config reviewedRoutes: \["TCPRoute mlab\/ssh"\]/);
        assert.deepStrictEqual(
            await messages(routesByTrafficTable, [...clean(), route], { ...OFFICE, reviewedRoutes: ["TCPRoute mlab/ssh"] }),
            [],
        );
    });

    it("refuses a route to a Service the stack does not declare in the TorchPods' namespace", async () => {
        const [m] = await messages(routesByTrafficTable, [...clean(), ingress("torchpod", "elsewhere")]);
        assert.match(m, /Service torchpod\/elsewhere, which the stack does not declare, in a namespace holding TorchPods/);
    });

    it("refuses a Gateway in the TorchPods' namespace", async () => {
        const gw = resource("gateway.networking.k8s.io/v1", "Gateway", "torchpod", "gw", { gatewayClassName: "x", listeners: [] });
        assert.match(
            (await messages(routesByTrafficTable, [...clean(), gw]))[0],
            /^Gateway torchpod\/gw is a Gateway in namespace torchpod, which holds TorchPods/,
        );
    });
});
