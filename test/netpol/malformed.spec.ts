// Malformed policies are reported with the policy's ns/name, the field, and what is wrong.
import * as assert from "assert";
import { NetpolError, NetworkModel } from "@torchpod/netpol";
import { netpol } from "./builders";

function problem(spec: unknown): NetpolError {
    try {
        NetworkModel.fromObjects([netpol("lab/p", spec)]);
    } catch (e) {
        if (e instanceof NetpolError) return e;
        throw e;
    }
    throw new Error("expected a NetpolError");
}

const cases: [string, unknown, string, RegExp][] = [
    ["podSelector not an object", { podSelector: "app=web" }, "spec.podSelector", /expected a label selector object/],
    ["matchLabels value not a string", { podSelector: { matchLabels: { v: 1 } } }, "spec.podSelector.matchLabels.v", /must be strings/],
    [
        "unknown operator",
        { podSelector: { matchExpressions: [{ key: "a", operator: "Equals", values: ["b"] }] } },
        "spec.podSelector.matchExpressions[0].operator",
        /unknown operator "Equals"/,
    ],
    [
        "In without values",
        { podSelector: { matchExpressions: [{ key: "a", operator: "In" }] } },
        "spec.podSelector.matchExpressions[0].values",
        /non-empty/,
    ],
    [
        "Exists with values",
        { podSelector: { matchExpressions: [{ key: "a", operator: "Exists", values: ["x"] }] } },
        "spec.podSelector.matchExpressions[0].values",
        /must be empty/,
    ],
    ["port out of range", { ingress: [{ ports: [{ port: 70000 }] }] }, "spec.ingress[0].ports[0].port", /70000 is not a port number/],
    ["quoted numeric port", { ingress: [{ ports: [{ port: "80" }] }] }, "spec.ingress[0].ports[0].port", /is a string/],
    ["bad port name", { egress: [{ ports: [{ port: "Not_A_Name" }] }] }, "spec.egress[0].ports[0].port", /not a valid port name/],
    [
        "bad protocol",
        { ingress: [{ ports: [{ port: 80, protocol: "tcp" }] }] },
        "spec.ingress[0].ports[0].protocol",
        /unsupported protocol "tcp"/,
    ],
    ["endPort below port", { ingress: [{ ports: [{ port: 90, endPort: 80 }] }] }, "spec.ingress[0].ports[0].endPort", /less than port 90/],
    [
        "endPort with named port",
        { ingress: [{ ports: [{ port: "http", endPort: 80 }] }] },
        "spec.ingress[0].ports[0].endPort",
        /requires a numeric port/,
    ],
    ["bad CIDR", { egress: [{ to: [{ ipBlock: { cidr: "10.0.0.0/33" } }] }] }, "spec.egress[0].to[0].ipBlock.cidr", /prefix must be 0-32/],
    [
        "CIDR without prefix",
        { egress: [{ to: [{ ipBlock: { cidr: "10.0.0.1" } }] }] },
        "spec.egress[0].to[0].ipBlock.cidr",
        /missing \/prefix/,
    ],
    [
        "except outside cidr",
        { egress: [{ to: [{ ipBlock: { cidr: "10.0.0.0/8", except: ["192.168.0.0/16"] } }] }] },
        "spec.egress[0].to[0].ipBlock.except[0]",
        /strict subset/,
    ],
    [
        "ipBlock with a selector",
        { egress: [{ to: [{ ipBlock: { cidr: "10.0.0.0/8" }, podSelector: {} }] }] },
        "spec.egress[0].to[0]",
        /cannot be combined/,
    ],
    ["empty peer", { ingress: [{ from: [{}] }] }, "spec.ingress[0].from[0]", /needs podSelector, namespaceSelector or ipBlock/],
    ["typo in a rule", { ingress: [{ form: [{ podSelector: {} }] }] }, "spec.ingress[0]", /unknown field "form"/],
    ["unknown policy type", { policyTypes: ["Ingres"] }, "spec.policyTypes[0]", /unknown policy type "Ingres"/],
    ["ingress not a list", { ingress: { from: [] } }, "spec.ingress", /expected a list/],
];

describe("netpol: malformed policies", () => {
    for (const [what, spec, field, msg] of cases) {
        it(`reports ${what} with the policy and field`, () => {
            const e = problem(spec);
            assert.strictEqual(e.policy, "lab/p");
            assert.strictEqual(e.field, field);
            assert.match(e.problem, msg);
            assert.ok(e.message.startsWith(`NetworkPolicy lab/p: ${field}: `), e.message);
        });
    }

    it("accepts a valid policy using every feature", () => {
        NetworkModel.fromObjects([
            netpol("lab/ok", {
                podSelector: { matchExpressions: [{ key: "a", operator: "NotIn", values: ["b"] }] },
                policyTypes: ["Ingress", "Egress"],
                ingress: [
                    {
                        from: [
                            { namespaceSelector: {}, podSelector: { matchLabels: { x: "y" } } },
                            { ipBlock: { cidr: "fd00::/8", except: ["fd00:1::/32"] } },
                        ],
                        ports: [{ port: "http" }, { port: 8000, endPort: 8100, protocol: "SCTP" }],
                    },
                ],
                egress: [{}],
            }),
        ]);
    });
});
