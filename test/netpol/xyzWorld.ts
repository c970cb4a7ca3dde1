// The upstream network-policy e2e topology: namespaces x, y, z; pods a, b, c (label pod=<name>)
// serving 80 and 81 over TCP, UDP and SCTP with ports named serve-<port>-<proto>.
// Plus a truth table with the same vocabulary as the upstream tests (expectations are written
// from the scenario, then compared with the analyzer's full matrix, self-pairs excluded).
import * as assert from "assert";
import * as yaml from "js-yaml";
import { K8sObject, NetworkModel, Protocol } from "@torchpod/netpol";

export const NAMESPACES = ["x", "y", "z"];
export const POD_NAMES = ["a", "b", "c"];
export const PODS = NAMESPACES.flatMap((ns) => POD_NAMES.map((p) => `${ns}/${p}`));

/** Pod IP: IPv4 10.0.<ns>.<pod> or IPv6 fd00::<ns>:<pod>. */
export function podIP(id: string, family: 4 | 6 = 4): string {
    const [ns, p] = id.split("/");
    const i = NAMESPACES.indexOf(ns);
    const j = POD_NAMES.indexOf(p) + 1;
    return family === 4 ? `10.0.${i}.${j}` : `fd00::${i}:${j}`;
}

export function world(family: 4 | 6 = 4): K8sObject[] {
    const objects: K8sObject[] = NAMESPACES.map((ns) => ({ apiVersion: "v1", kind: "Namespace", metadata: { name: ns, labels: { ns } } }));
    for (const id of PODS) {
        const [ns, name] = id.split("/");
        const containers = [80, 81].flatMap((port) =>
            (["TCP", "UDP", "SCTP"] as Protocol[]).map((protocol) => ({
                name: `cont-${port}-${protocol.toLowerCase()}`,
                image: "registry.k8s.io/e2e-test-images/agnhost:2.47",
                ports: [{ containerPort: port, name: `serve-${port}-${protocol.toLowerCase()}`, protocol }],
            })),
        );
        objects.push({
            apiVersion: "v1",
            kind: "Pod",
            metadata: { name, namespace: ns, labels: { pod: name } },
            spec: { containers },
            status: { podIP: podIP(id, family) },
        });
    }
    return objects;
}

/** Policies written as YAML documents, as a user would. */
export function policies(text: string): K8sObject[] {
    return (yaml.loadAll(text) as K8sObject[]).filter(Boolean);
}

export interface Peer {
    ns?: string;
    pod?: string;
}

const matchesPeer = (id: string, p: Peer) => {
    const [ns, pod] = id.split("/");
    return (p.ns === undefined || p.ns === ns) && (p.pod === undefined || p.pod === pod);
};

export class Truth {
    private readonly m = new Map<string, boolean>();

    constructor(
        readonly pods: string[] = PODS,
        def = true,
    ) {
        for (const f of pods) for (const t of pods) this.m.set(`${f}>${t}`, def);
    }

    expect(from: string, to: string, v: boolean): this {
        this.m.set(`${from}>${to}`, v);
        return this;
    }

    expectPeer(from: Peer, to: Peer, v: boolean): this {
        for (const f of this.pods) for (const t of this.pods) if (matchesPeer(f, from) && matchesPeer(t, to)) this.m.set(`${f}>${t}`, v);
        return this;
    }

    expectAllIngress(to: string, v: boolean): this {
        for (const f of this.pods) this.m.set(`${f}>${to}`, v);
        return this;
    }

    expectAllEgress(from: string, v: boolean): this {
        for (const t of this.pods) this.m.set(`${from}>${t}`, v);
        return this;
    }

    get(from: string, to: string): boolean {
        return this.m.get(`${from}>${to}`)!;
    }
}

/** Asserts the analyzer's matrix equals the truth table (loopback ignored, as upstream does). */
export function assertReachability(objects: K8sObject[], port: number, protocol: Protocol, truth: Truth): void {
    const model = NetworkModel.fromObjects(objects);
    const got = new Map<string, boolean>();
    for (const e of model.matrix({ ports: [port], protocols: [protocol] })) got.set(`${e.from}>${e.to}`, e.allowed);
    const wrong: string[] = [];
    for (const f of truth.pods) {
        for (const t of truth.pods) {
            if (f === t) continue;
            const g = got.get(`${f}>${t}`);
            if (g !== truth.get(f, t))
                wrong.push(
                    `${f} → ${t}: expected ${truth.get(f, t) ? "allowed" : "denied"}, got ${g === undefined ? "nothing" : g ? "allowed" : "denied"}`,
                );
            // The plain per-pair semantics must agree with the class engine.
            const v = model.check(model.workload(f)!, model.workload(t)!, port, protocol);
            if (v.allowed !== g) wrong.push(`${f} → ${t}: check() says ${v.allowed}, matrix says ${g}`);
        }
    }
    assert.deepStrictEqual(wrong, [], `${protocol}/${port}:\n  ${wrong.join("\n  ")}`);
}
