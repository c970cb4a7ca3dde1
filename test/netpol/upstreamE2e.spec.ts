// Scenarios of the upstream Kubernetes network-policy e2e suite
// (test/e2e/network/netpol/network_policy.go): same topology, same expected reachability,
// policies rewritten here as YAML. All nine pods take part in every scenario.
import { K8sObject, Protocol } from "@torchpod/netpol";
import { assertReachability, podIP, policies, Truth, world } from "./xyzWorld";

const run = (pols: string, port: number, protocol: Protocol, truth: Truth, base: K8sObject[] = world()) =>
    assertReachability([...base, ...policies(pols)], port, protocol, truth);

const DENY_INGRESS_X = `
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny-ingress, namespace: x}
spec:
  podSelector: {}
  ingress: []
`;

describe("upstream netpol e2e scenarios", () => {
    for (const protocol of ["TCP", "UDP", "SCTP"] as Protocol[]) {
        it(`supports a default-deny-ingress policy (${protocol})`, () => {
            run(DENY_INGRESS_X, 80, protocol, new Truth().expectPeer({}, { ns: "x" }, false));
        });
    }

    it("supports a default-deny-all policy", () => {
        const pol = `
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny-all, namespace: x}
spec:
  podSelector: {}
  policyTypes: [Ingress, Egress]
`;
        run(pol, 80, "TCP", new Truth().expectPeer({}, { ns: "x" }, false).expectPeer({ ns: "x" }, {}, false));
    });

    it("allows traffic from pods within the server namespace based on PodSelector", () => {
        const pol = `
kind: NetworkPolicy
apiVersion: networking.k8s.io/v1
metadata: {name: x-a-allows-x-b, namespace: x}
spec:
  podSelector: {matchLabels: {pod: a}}
  ingress:
  - from:
    - podSelector: {matchLabels: {pod: b}}
`;
        run(pol, 80, "TCP", new Truth().expectAllIngress("x/a", false).expect("x/b", "x/a", true));
    });

    it("allows ingress traffic for a target on top of a namespace deny-all", () => {
        const pol = `
kind: NetworkPolicy
apiVersion: networking.k8s.io/v1
metadata: {name: deny-all, namespace: x}
spec: {podSelector: {}, ingress: []}
---
kind: NetworkPolicy
apiVersion: networking.k8s.io/v1
metadata: {name: allow-all-to-a, namespace: x}
spec:
  podSelector: {matchLabels: {pod: a}}
  ingress:
  - from: [{podSelector: {}, namespaceSelector: {}}]
`;
        run(pol, 80, "TCP", new Truth().expectAllIngress("x/a", true).expectAllIngress("x/b", false).expectAllIngress("x/c", false));
    });

    it("allows ingress from pods in all namespaces with an empty namespaceSelector", () => {
        const pol = `
kind: NetworkPolicy
apiVersion: networking.k8s.io/v1
metadata: {name: allow-from-another-ns, namespace: x}
spec:
  podSelector: {matchLabels: {pod: a}}
  ingress:
  - from: [{namespaceSelector: {matchLabels: {}}}]
`;
        run(pol, 80, "TCP", new Truth());
    });

    it("allows traffic only from a different namespace, based on NamespaceSelector (default ns label)", () => {
        const pol = `
kind: NetworkPolicy
apiVersion: networking.k8s.io/v1
metadata: {name: allow-client-a-via-ns-selector, namespace: x}
spec:
  podSelector: {matchLabels: {pod: a}}
  ingress:
  - from: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: y}}}]
`;
        run(
            pol,
            80,
            "TCP",
            new Truth().expectPeer({ ns: "x" }, { ns: "x", pod: "a" }, false).expectPeer({ ns: "z" }, { ns: "x", pod: "a" }, false),
        );
    });

    it("enforces a PodSelector with MatchExpressions", () => {
        const pol = `
kind: NetworkPolicy
apiVersion: networking.k8s.io/v1
metadata: {name: x-a-allows-x-b, namespace: x}
spec:
  podSelector: {matchLabels: {pod: a}}
  ingress:
  - from: [{podSelector: {matchExpressions: [{key: pod, operator: In, values: [b]}]}}]
`;
        run(pol, 80, "TCP", new Truth().expectAllIngress("x/a", false).expect("x/b", "x/a", true));
    });

    it("enforces a NamespaceSelector with MatchExpressions", () => {
        const pol = `
kind: NetworkPolicy
apiVersion: networking.k8s.io/v1
metadata: {name: allow-ns-y-match-selector, namespace: x}
spec:
  podSelector: {matchLabels: {pod: a}}
  ingress:
  - from: [{namespaceSelector: {matchExpressions: [{key: ns, operator: In, values: [y]}]}}]
`;
        run(
            pol,
            80,
            "TCP",
            new Truth().expectPeer({ ns: "x" }, { ns: "x", pod: "a" }, false).expectPeer({ ns: "z" }, { ns: "x", pod: "a" }, false),
        );
    });

    it("ORs separate PodSelector and NamespaceSelector peers", () => {
        const pol = `
kind: NetworkPolicy
apiVersion: networking.k8s.io/v1
metadata: {name: allow-ns-y-match-selector, namespace: x}
spec:
  podSelector: {matchLabels: {pod: a}}
  ingress:
  - from:
    - namespaceSelector: {matchExpressions: [{key: kubernetes.io/metadata.name, operator: NotIn, values: [x]}]}
    - podSelector: {matchLabels: {pod: b}}
`;
        run(pol, 80, "TCP", new Truth().expect("x/c", "x/a", false));
    });

    it("ANDs PodSelector and NamespaceSelector in one peer", () => {
        const pol = `
kind: NetworkPolicy
apiVersion: networking.k8s.io/v1
metadata: {name: allow-ns-y-podselector-and-nsselector, namespace: x}
spec:
  podSelector: {matchLabels: {pod: a}}
  ingress:
  - from:
    - namespaceSelector: {matchExpressions: [{key: kubernetes.io/metadata.name, operator: NotIn, values: [x]}]}
      podSelector: {matchLabels: {pod: b}}
`;
        run(pol, 80, "TCP", new Truth().expectAllIngress("x/a", false).expect("y/b", "x/a", true).expect("z/b", "x/a", true));
    });

    it("enforces multiple PodSelectors and NamespaceSelectors (In b,c AND NotIn x)", () => {
        const pol = `
kind: NetworkPolicy
apiVersion: networking.k8s.io/v1
metadata: {name: allow-ns-y-z-pod-b-c, namespace: x}
spec:
  podSelector: {matchLabels: {pod: a}}
  ingress:
  - from:
    - namespaceSelector: {matchExpressions: [{key: ns, operator: NotIn, values: [x]}]}
      podSelector: {matchExpressions: [{key: pod, operator: In, values: [b, c]}]}
`;
        run(
            pol,
            80,
            "TCP",
            new Truth().expectPeer({ ns: "x" }, { ns: "x", pod: "a" }, false).expect("y/a", "x/a", false).expect("z/a", "x/a", false),
        );
    });

    it("enforces any of several PodSelectors", () => {
        const pol = `
kind: NetworkPolicy
apiVersion: networking.k8s.io/v1
metadata: {name: allow-ns-x-pod-b-c, namespace: x}
spec:
  podSelector: {matchLabels: {pod: a}}
  ingress:
  - from: [{podSelector: {matchLabels: {pod: b}}}, {podSelector: {matchLabels: {pod: c}}}]
`;
        run(pol, 80, "TCP", new Truth().expectAllIngress("x/a", false).expect("x/b", "x/a", true).expect("x/c", "x/a", true));
    });

    for (const protocol of ["TCP", "UDP", "SCTP"] as Protocol[]) {
        it(`allows traffic only from a pod in another namespace by PodSelector and NamespaceSelector (${protocol})`, () => {
            const pol = `
kind: NetworkPolicy
apiVersion: networking.k8s.io/v1
metadata: {name: allow-ns-y-pod-a-via-namespace-pod-selector, namespace: x}
spec:
  podSelector: {matchLabels: {pod: a}}
  ingress:
  - from: [{namespaceSelector: {matchLabels: {ns: y}}, podSelector: {matchLabels: {pod: a}}}]
`;
            run(pol, 80, protocol, new Truth().expectAllIngress("x/a", false).expect("y/a", "x/a", true));
        });
    }

    it("enforces policy based on Ports (81 allowed from y, 80 not)", () => {
        const pol = `
kind: NetworkPolicy
apiVersion: networking.k8s.io/v1
metadata: {name: allow-client-a-via-ns-selector, namespace: x}
spec:
  podSelector: {matchLabels: {pod: a}}
  ingress:
  - from: [{namespaceSelector: {matchLabels: {ns: y}}}]
    ports: [{port: 81, protocol: TCP}]
`;
        run(
            pol,
            81,
            "TCP",
            new Truth().expectPeer({ ns: "x" }, { ns: "x", pod: "a" }, false).expectPeer({ ns: "z" }, { ns: "x", pod: "a" }, false),
        );
        run(pol, 80, "TCP", new Truth().expectAllIngress("x/a", false));
    });

    it("enforces multiple, stacked policies with overlapping podSelectors", () => {
        const p81 = `
kind: NetworkPolicy
apiVersion: networking.k8s.io/v1
metadata: {name: allow-client-a-via-ns-selector, namespace: x}
spec:
  podSelector: {matchLabels: {pod: a}}
  ingress:
  - from: [{namespaceSelector: {matchLabels: {ns: y}}}]
    ports: [{port: 81, protocol: TCP}]
`;
        const p80 = p81.replace("allow-client-a-via-ns-selector", "allow-client-a-via-ns-selector-80").replace("port: 81", "port: 80");
        const allowFromY = () =>
            new Truth().expectPeer({ ns: "x" }, { ns: "x", pod: "a" }, false).expectPeer({ ns: "z" }, { ns: "x", pod: "a" }, false);
        run(p81, 81, "TCP", allowFromY());
        run(p81, 80, "TCP", new Truth().expectAllIngress("x/a", false));
        run(p81 + "---" + p80, 80, "TCP", allowFromY());
        run(p81 + "---" + p80, 81, "TCP", allowFromY());
    });

    it("supports an allow-all policy", () => {
        const pol = `
kind: NetworkPolicy
apiVersion: networking.k8s.io/v1
metadata: {name: allow-all, namespace: x}
spec:
  podSelector: {}
  ingress: [{}]
`;
        run(pol, 80, "TCP", new Truth());
        run(pol, 81, "TCP", new Truth());
    });

    it("allows ingress access on one named port", () => {
        const pol = `
kind: NetworkPolicy
apiVersion: networking.k8s.io/v1
metadata: {name: allow-all, namespace: x}
spec:
  podSelector: {}
  ingress:
  - ports: [{port: serve-81-tcp}]
`;
        run(pol, 81, "TCP", new Truth());
        run(pol, 80, "TCP", new Truth().expectPeer({}, { ns: "x" }, false));
    });

    it("allows ingress access from a namespace on one named port", () => {
        const pol = `
kind: NetworkPolicy
apiVersion: networking.k8s.io/v1
metadata: {name: allow-client-a-via-ns-selector-80, namespace: x}
spec:
  podSelector: {matchLabels: {pod: a}}
  ingress:
  - from: [{namespaceSelector: {matchLabels: {ns: y}}}]
    ports: [{port: serve-80-tcp, protocol: TCP}]
`;
        run(
            pol,
            80,
            "TCP",
            new Truth().expectPeer({ ns: "x" }, { ns: "x", pod: "a" }, false).expectPeer({ ns: "z" }, { ns: "x", pod: "a" }, false),
        );
        run(pol, 81, "TCP", new Truth().expectAllIngress("x/a", false));
    });

    it("allows egress access on one named port (with DNS allowed)", () => {
        const pol = `
kind: NetworkPolicy
apiVersion: networking.k8s.io/v1
metadata: {name: allow-egress, namespace: x}
spec:
  podSelector: {}
  policyTypes: [Egress]  # as upstream's SetSpecEgressRules
  egress:
  - ports: [{port: serve-80-tcp}, {port: 53, protocol: UDP}]
`;
        run(pol, 80, "TCP", new Truth());
        run(pol, 81, "TCP", new Truth().expectPeer({ ns: "x" }, {}, false));
    });

    it("enforces an updated policy (allow-all, then deny-all)", () => {
        const allow = `
kind: NetworkPolicy
apiVersion: networking.k8s.io/v1
metadata: {name: allow-all-mutate-to-deny-all, namespace: x}
spec: {podSelector: {}, ingress: [{}]}
`;
        run(allow, 81, "TCP", new Truth());
        run(allow.replace("ingress: [{}]", "ingress: []"), 81, "TCP", new Truth().expectPeer({}, { ns: "x" }, false));
    });

    it("allows ingress access from an updated namespace (label added)", () => {
        const pol = `
kind: NetworkPolicy
apiVersion: networking.k8s.io/v1
metadata: {name: allow-client-a-via-ns-selector, namespace: x}
spec:
  podSelector: {matchLabels: {pod: a}}
  ingress:
  - from: [{namespaceSelector: {matchLabels: {ns2: updated}}}]
`;
        run(pol, 80, "TCP", new Truth().expectAllIngress("x/a", false));
        const relabeled = world().map((o) =>
            o.kind === "Namespace" && o.metadata!.name === "y"
                ? { ...o, metadata: { ...o.metadata, labels: { ns: "y", ns2: "updated" } } }
                : o,
        );
        run(pol, 80, "TCP", new Truth().expectAllIngress("x/a", false).expectPeer({ ns: "y" }, {}, true), relabeled);
    });

    it("allows ingress access from an updated pod (label added)", () => {
        const pol = `
kind: NetworkPolicy
apiVersion: networking.k8s.io/v1
metadata: {name: allow-client-a-via-pod-selector, namespace: x}
spec:
  podSelector: {matchLabels: {pod: a}}
  ingress:
  - from: [{podSelector: {matchLabels: {pod: b, pod2: updated}}}]
`;
        run(pol, 80, "TCP", new Truth().expectAllIngress("x/a", false));
        const relabeled = world().map((o) =>
            o.kind === "Pod" && o.metadata!.namespace === "x" && o.metadata!.name === "b"
                ? { ...o, metadata: { ...o.metadata, labels: { pod: "b", pod2: "updated" } } }
                : o,
        );
        run(pol, 80, "TCP", new Truth().expectAllIngress("x/a", false).expect("x/b", "x/a", true), relabeled);
    });

    it("denies ingress from pods on other namespaces (podSelector {} peer)", () => {
        const pol = `
kind: NetworkPolicy
apiVersion: networking.k8s.io/v1
metadata: {name: deny-empty-policy, namespace: x}
spec:
  podSelector: {}
  ingress:
  - from: [{podSelector: {matchLabels: {}}}]
`;
        run(pol, 80, "TCP", new Truth().expectPeer({ ns: "y" }, { ns: "x" }, false).expectPeer({ ns: "z" }, { ns: "x" }, false));
    });

    it("denies ingress access to an updated pod (label makes it selected)", () => {
        const pol = `
kind: NetworkPolicy
apiVersion: networking.k8s.io/v1
metadata: {name: deny-ingress-via-label-selector, namespace: x}
spec:
  podSelector: {matchLabels: {target: isolated}}
  ingress: []
`;
        run(pol, 80, "TCP", new Truth());
        const relabeled = world().map((o) =>
            o.kind === "Pod" && o.metadata!.namespace === "x" && o.metadata!.name === "a"
                ? { ...o, metadata: { ...o.metadata, labels: { pod: "a", target: "isolated" } } }
                : o,
        );
        run(pol, 80, "TCP", new Truth().expectAllIngress("x/a", false), relabeled);
    });

    it("denies egress from pods based on PodSelector", () => {
        const pol = `
kind: NetworkPolicy
apiVersion: networking.k8s.io/v1
metadata: {name: deny-egress-pod-a, namespace: x}
spec:
  podSelector: {matchLabels: {pod: a}}
  policyTypes: [Egress]
`;
        run(pol, 80, "TCP", new Truth().expectAllEgress("x/a", false));
    });

    it("denies egress from all pods in a namespace", () => {
        const pol = `
kind: NetworkPolicy
apiVersion: networking.k8s.io/v1
metadata: {name: deny-egress-ns-x, namespace: x}
spec:
  podSelector: {}
  policyTypes: [Egress]
`;
        run(pol, 80, "TCP", new Truth().expectPeer({ ns: "x" }, {}, false));
    });

    it("works with Ingress and Egress specified together", () => {
        const pol = `
kind: NetworkPolicy
apiVersion: networking.k8s.io/v1
metadata: {name: allow-client-a-via-pod-selector, namespace: x}
spec:
  podSelector: {matchLabels: {pod: a}}
  policyTypes: [Egress, Ingress]
  ingress:
  - from: [{podSelector: {matchLabels: {pod: b}}}]
  egress:
  - ports: [{port: 80}, {port: 53, protocol: UDP}]
`;
        run(pol, 80, "TCP", new Truth().expectAllIngress("x/a", false).expect("x/b", "x/a", true));
        run(pol, 81, "TCP", new Truth().expectAllIngress("x/a", false).expectAllEgress("x/a", false).expect("x/b", "x/a", true));
    });

    it("denies egress on the client side even if the server explicitly allows the traffic", () => {
        const pol = `
kind: NetworkPolicy
apiVersion: networking.k8s.io/v1
metadata: {name: allow-to-ns-y-pod-a, namespace: x}
spec:
  podSelector: {matchLabels: {pod: a}}
  policyTypes: [Egress]  # as upstream's SetSpecEgressRules
  egress:
  - to: [{namespaceSelector: {matchLabels: {ns: y}}, podSelector: {matchLabels: {pod: a}}}]
  - ports: [{port: 53, protocol: UDP}]
---
kind: NetworkPolicy
apiVersion: networking.k8s.io/v1
metadata: {name: allow-from-xa-on-ya-match-selector, namespace: y}
spec:
  podSelector: {matchLabels: {pod: a}}
  ingress:
  - from: [{namespaceSelector: {matchLabels: {ns: x}}, podSelector: {matchLabels: {pod: a}}}]
---
kind: NetworkPolicy
apiVersion: networking.k8s.io/v1
metadata: {name: allow-from-xa-on-yb-match-selector, namespace: y}
spec:
  podSelector: {matchLabels: {pod: b}}
  ingress:
  - from: [{namespaceSelector: {matchLabels: {ns: x}}, podSelector: {matchLabels: {pod: a}}}]
`;
        const truth = new Truth()
            .expectPeer({ ns: "x", pod: "a" }, {}, false)
            .expectPeer({}, { ns: "y", pod: "a" }, false)
            .expectPeer({ ns: "x", pod: "a" }, { ns: "y", pod: "a" }, true)
            .expectPeer({}, { ns: "y", pod: "b" }, false);
        run(pol, 80, "TCP", truth);
    });

    it("enforces egress to a server in another namespace by PodSelector and NamespaceSelector (DNS allowed)", () => {
        const pol = `
kind: NetworkPolicy
apiVersion: networking.k8s.io/v1
metadata: {name: allow-to-ns-y-pod-a, namespace: x}
spec:
  podSelector: {matchLabels: {pod: a}}
  policyTypes: [Egress]  # as upstream's SetSpecEgressRules
  egress:
  - to: [{namespaceSelector: {matchLabels: {ns: y}}, podSelector: {matchLabels: {pod: a}}}]
  - ports: [{port: 53, protocol: UDP}]
`;
        run(pol, 80, "TCP", new Truth().expectAllEgress("x/a", false).expect("x/a", "y/a", true));
        // The DNS rule opens UDP/53 to every destination.
        run(pol, 53, "UDP", new Truth());
    });

    it("allows any port on a specific protocol only (TCP yes, UDP no)", () => {
        const pol = `
kind: NetworkPolicy
apiVersion: networking.k8s.io/v1
metadata: {name: allow-ingress-by-proto, namespace: x}
spec:
  podSelector: {matchLabels: {pod: a}}
  ingress:
  - ports: [{protocol: TCP}]
`;
        run(pol, 80, "TCP", new Truth());
        run(pol, 80, "UDP", new Truth().expectPeer({}, { ns: "x", pod: "a" }, false));
    });

    it("lets an ingress allow-all policy take precedence over a narrower one", () => {
        const only80 = `
kind: NetworkPolicy
apiVersion: networking.k8s.io/v1
metadata: {name: allow-ingress-port-80, namespace: x}
spec:
  podSelector: {}
  ingress: [{ports: [{port: 80}]}]
`;
        const all = `
kind: NetworkPolicy
apiVersion: networking.k8s.io/v1
metadata: {name: allow-ingress, namespace: x}
spec: {podSelector: {}, ingress: [{}]}
`;
        run(only80, 81, "TCP", new Truth().expectPeer({}, { ns: "x" }, false));
        run(only80 + "---" + all, 81, "TCP", new Truth());
    });

    it("lets an egress allow-all policy take precedence over a narrower one", () => {
        const only80 = `
kind: NetworkPolicy
apiVersion: networking.k8s.io/v1
metadata: {name: allow-egress-port-80, namespace: x}
spec:
  podSelector: {}
  policyTypes: [Egress]  # as upstream's SetSpecEgressRules
  egress: [{ports: [{port: 80}, {port: 53, protocol: UDP}]}]
`;
        const all = `
kind: NetworkPolicy
apiVersion: networking.k8s.io/v1
metadata: {name: allow-egress, namespace: x}
spec: {podSelector: {}, policyTypes: [Egress], egress: [{}]}
`;
        run(only80, 81, "TCP", new Truth().expectPeer({ ns: "x" }, {}, false));
        run(only80 + "---" + all, 81, "TCP", new Truth());
    });

    for (const family of [4, 6] as const) {
        const host = family === 4 ? 32 : 128;
        const large = (ip: string) => (family === 4 ? ip.replace(/\.\d+\.\d+$/, ".0.0/16") : "fd00::/64");

        it(`allows egress access to a server in a CIDR block (IPv${family})`, () => {
            const pol = `
kind: NetworkPolicy
apiVersion: networking.k8s.io/v1
metadata: {name: allow-client-a-via-cidr-egress-rule, namespace: x}
spec:
  podSelector: {matchLabels: {pod: a}}
  policyTypes: [Egress]  # as upstream's SetSpecEgressRules
  egress:
  - to: [{ipBlock: {cidr: "${podIP("y/b", family)}/${host}"}}]
`;
            run(pol, 80, "TCP", new Truth().expectAllEgress("x/a", false).expect("x/a", "y/b", true), world(family));
        });

        it(`enforces the except clause of an egress CIDR block (IPv${family})`, () => {
            const pol = `
kind: NetworkPolicy
apiVersion: networking.k8s.io/v1
metadata: {name: allow-client-a-via-cidr-egress-rule, namespace: x}
spec:
  podSelector: {matchLabels: {pod: a}}
  policyTypes: [Egress]  # as upstream's SetSpecEgressRules
  egress:
  - to: [{ipBlock: {cidr: "${large(podIP("x/b", family))}", except: ["${podIP("x/b", family)}/${host}"]}}]
`;
            run(pol, 80, "TCP", new Truth().expect("x/a", "x/b", false), world(family));
        });

        it(`allows an IP in both an except and another policy's CIDR (IPv${family})`, () => {
            const pol = `
kind: NetworkPolicy
apiVersion: networking.k8s.io/v1
metadata: {name: allow-client-a-via-cidr-egress-rule, namespace: x}
spec:
  podSelector: {matchLabels: {pod: a}}
  policyTypes: [Egress]  # as upstream's SetSpecEgressRules
  egress:
  - to: [{ipBlock: {cidr: "${large(podIP("x/b", family))}", except: ["${podIP("x/b", family)}/${host}"]}}]
---
kind: NetworkPolicy
apiVersion: networking.k8s.io/v1
metadata: {name: allow-client-a-to-b, namespace: x}
spec:
  podSelector: {matchLabels: {pod: a}}
  policyTypes: [Egress]  # as upstream's SetSpecEgressRules
  egress:
  - to: [{ipBlock: {cidr: "${podIP("x/b", family)}/${host}"}}]
`;
            run(pol, 80, "TCP", new Truth(), world(family));
        });
    }

    it("controls ingress and egress independently based on PodSelector", () => {
        const egress = `
kind: NetworkPolicy
apiVersion: networking.k8s.io/v1
metadata: {name: allow-egress-for-target, namespace: x}
spec:
  podSelector: {matchLabels: {pod: a}}
  policyTypes: [Egress]  # as upstream's SetSpecEgressRules
  egress: [{}]
`;
        const denyIngress = `
kind: NetworkPolicy
apiVersion: networking.k8s.io/v1
metadata: {name: deny-ingress-via-label-selector, namespace: x}
spec:
  podSelector: {matchLabels: {pod: a}}
  ingress: []
`;
        run(egress, 80, "TCP", new Truth());
        run(egress + "---" + denyIngress, 80, "TCP", new Truth().expectAllIngress("x/a", false));
    });

    it("does not treat protocol SCTP as TCP", () => {
        const pol =
            DENY_INGRESS_X +
            `---
kind: NetworkPolicy
apiVersion: networking.k8s.io/v1
metadata: {name: allow-only-sctp-ingress-on-port-81, namespace: x}
spec:
  podSelector: {matchLabels: {pod: a}}
  ingress: [{ports: [{port: 81, protocol: SCTP}]}]
`;
        run(pol, 81, "TCP", new Truth().expectPeer({}, { ns: "x" }, false));
        run(pol, 81, "SCTP", new Truth().expectPeer({}, { ns: "x" }, false).expectAllIngress("x/a", true));
    });

    it("isolates pods selected by a policy allowing only SCTP", () => {
        const pol = `
kind: NetworkPolicy
apiVersion: networking.k8s.io/v1
metadata: {name: allow-only-sctp-ingress-on-port-80, namespace: x}
spec:
  podSelector: {matchLabels: {pod: a}}
  ingress: [{ports: [{port: 80, protocol: SCTP}]}]
`;
        run(pol, 81, "TCP", new Truth().expectAllIngress("x/a", false));
    });

    it("does not allow TCP when a policy specifies only UDP", () => {
        const pol = `
kind: NetworkPolicy
apiVersion: networking.k8s.io/v1
metadata: {name: allow-only-udp-ingress-on-port-81, namespace: x}
spec:
  podSelector: {matchLabels: {pod: a}}
  ingress: [{ports: [{port: 81, protocol: UDP}]}]
`;
        run(pol, 81, "TCP", new Truth().expectAllIngress("x/a", false));
        run(pol, 81, "UDP", new Truth());
    });

    it("enforces a NamespaceSelector with MatchExpressions on the default ns label (egress NotIn y)", () => {
        const pol = `
kind: NetworkPolicy
apiVersion: networking.k8s.io/v1
metadata: {name: allow-ns-y-match-selector-for-immutable-ns-label, namespace: x}
spec:
  podSelector: {matchLabels: {pod: a}}
  policyTypes: [Egress]  # as upstream's SetSpecEgressRules
  egress:
  - to: [{namespaceSelector: {matchExpressions: [{key: kubernetes.io/metadata.name, operator: NotIn, values: [y]}]}}]
`;
        run(pol, 80, "TCP", new Truth().expectPeer({ ns: "x", pod: "a" }, { ns: "y" }, false));
    });

    it("enforces a port range with endPort (80-81 from y)", () => {
        const pol = `
kind: NetworkPolicy
apiVersion: networking.k8s.io/v1
metadata: {name: allow-range-from-y, namespace: x}
spec:
  podSelector: {matchLabels: {pod: a}}
  ingress:
  - from: [{namespaceSelector: {matchLabels: {ns: y}}}]
    ports: [{port: 80, endPort: 81, protocol: TCP}]
`;
        const fromY = () =>
            new Truth().expectPeer({ ns: "x" }, { ns: "x", pod: "a" }, false).expectPeer({ ns: "z" }, { ns: "x", pod: "a" }, false);
        run(pol, 80, "TCP", fromY());
        run(pol, 81, "TCP", fromY());
        run(pol, 82, "TCP", new Truth().expectAllIngress("x/a", false));
        run(pol, 81, "UDP", new Truth().expectAllIngress("x/a", false));
    });

    it("stops enforcing policies once they are gone", () => {
        const pol = `
kind: NetworkPolicy
apiVersion: networking.k8s.io/v1
metadata: {name: deny-all, namespace: x}
spec: {podSelector: {}, policyTypes: [Ingress, Egress]}
`;
        run(pol, 80, "TCP", new Truth().expectPeer({ ns: "x" }, {}, false).expectPeer({}, { ns: "x" }, false));
        run("", 80, "TCP", new Truth());
    });
});
