// Parsing and validating NetworkPolicy objects into a normalized form.
// Validation mirrors the API server (pkg/apis/networking/validation) so that a policy a cluster
// would reject is reported instead of being silently read as something more permissive; unknown
// fields are errors too, because a typo such as `form:` would otherwise mean "from everywhere".
import { Cidr, cidrContainsCidr, parseCidr } from "./net";
import { NetpolError } from "./errors";
import { describe, isSelectorProblem, parseSelector } from "./selector";
import { K8sObject, LabelSelector, PROTOCOLS, PortSpec, Protocol } from "./types";

export type ParsedPeer =
    { kind: "pods"; namespaceSelector?: LabelSelector; podSelector?: LabelSelector } | { kind: "ipBlock"; cidr: Cidr; except: Cidr[] };

export interface ParsedRule {
    index: number; // position in spec.ingress / spec.egress
    peers: ParsedPeer[] | "all"; // "all": no from/to (every pod and every IP)
    ports: PortSpec[] | "all"; // "all": no ports (every port and protocol)
}

export interface ParsedPolicy {
    id: string; // ns/name
    namespace: string;
    name: string;
    podSelector: LabelSelector;
    ingressIsolating: boolean; // effective policyTypes includes Ingress
    egressIsolating: boolean; // effective policyTypes includes Egress
    ingress: ParsedRule[]; // empty unless ingressIsolating
    egress: ParsedRule[]; // empty unless egressIsolating
}

/** Kinds named NetworkPolicy from other projects (Calico, Antrea...) are not ours to evaluate. */
export function isK8sNetworkPolicy(o: K8sObject): boolean {
    if (o.kind !== "NetworkPolicy") return false;
    const av = o.apiVersion;
    return av === undefined || av.startsWith("networking.k8s.io/") || av === "extensions/v1beta1";
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
    return typeof v === "object" && v !== null && !Array.isArray(v);
}

// IANA_SVC_NAME: 1-15 chars of [a-z0-9-], at least one letter, no leading/trailing/double hyphen.
function isPortName(s: string): boolean {
    return s.length >= 1 && s.length <= 15 && /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/.test(s) && /[a-z]/.test(s) && !s.includes("--");
}

function isPortNumber(v: unknown): v is number {
    return typeof v === "number" && Number.isInteger(v) && v >= 1 && v <= 65535;
}

export function parsePolicy(o: K8sObject): ParsedPolicy {
    const namespace = o.metadata?.namespace || "default";
    const name = o.metadata?.name || "(unnamed)";
    const id = `${namespace}/${name}`;
    const fail = (field: string, problem: string): never => {
        throw new NetpolError(id, field, problem);
    };
    const checkFields = (obj: Record<string, unknown>, field: string, allowed: string[]) => {
        for (const k of Object.keys(obj)) {
            if (!allowed.includes(k)) fail(field, `unknown field "${k}" (expected ${allowed.join(", ")})`);
        }
    };
    const selector = (raw: unknown, field: string): LabelSelector => {
        const s = parseSelector(raw);
        if (isSelectorProblem(s)) return fail(field + s.field, s.problem);
        return s;
    };

    const spec = o.spec ?? {};
    if (!isPlainObject(spec)) fail("spec", `expected an object, got ${describe(spec)}`);
    checkFields(spec, "spec", ["podSelector", "policyTypes", "ingress", "egress"]);

    // An absent podSelector is the empty selector: every pod of the namespace.
    const podSelector = spec.podSelector === undefined || spec.podSelector === null ? {} : selector(spec.podSelector, "spec.podSelector");

    const list = (v: unknown, field: string): unknown[] => {
        if (v === undefined || v === null) return [];
        if (!Array.isArray(v)) fail(field, `expected a list, got ${describe(v)}`);
        return v as unknown[];
    };

    const parsePort = (raw: unknown, field: string): PortSpec => {
        if (raw === null) raw = {}; // the API server decodes a null list item as the zero value (TCP, every port)
        if (!isPlainObject(raw)) return fail(field, `expected {protocol, port, endPort}, got ${describe(raw)}`);
        checkFields(raw, field, ["protocol", "port", "endPort"]);
        let protocol: Protocol = "TCP";
        if (raw.protocol !== undefined && raw.protocol !== null) {
            if (!PROTOCOLS.includes(raw.protocol as Protocol))
                fail(`${field}.protocol`, `unsupported protocol ${describe(raw.protocol)} (expected TCP, UDP or SCTP)`);
            protocol = raw.protocol as Protocol;
        }
        const out: PortSpec = { protocol };
        const port = raw.port;
        if (port !== undefined && port !== null) {
            if (typeof port === "number") {
                if (!isPortNumber(port)) fail(`${field}.port`, `${port} is not a port number (expected an integer 1-65535)`);
            } else if (typeof port === "string") {
                if (/^[0-9]+$/.test(port))
                    fail(`${field}.port`, `"${port}" is a string: write the number without quotes, or use a container port name`);
                if (!isPortName(port))
                    fail(
                        `${field}.port`,
                        `"${port}" is not a valid port name (expected 1-15 lowercase letters, digits or '-', with a letter)`,
                    );
            } else {
                fail(`${field}.port`, `expected a port number or name, got ${describe(port)}`);
            }
            out.port = port as number | string;
        }
        if (raw.endPort !== undefined && raw.endPort !== null) {
            const end = raw.endPort;
            if (!isPortNumber(end)) fail(`${field}.endPort`, `expected an integer 1-65535, got ${describe(end)}`);
            if (typeof out.port !== "number") fail(`${field}.endPort`, "requires a numeric port (not absent, not a named port)");
            if ((end as number) < (out.port as number)) fail(`${field}.endPort`, `${end} is less than port ${out.port}`);
            out.endPort = end as number;
        }
        return out;
    };

    const parsePeer = (raw: unknown, field: string): ParsedPeer => {
        if (!isPlainObject(raw)) return fail(field, `expected a peer {podSelector, namespaceSelector} or {ipBlock}, got ${describe(raw)}`);
        checkFields(raw, field, ["podSelector", "namespaceSelector", "ipBlock"]);
        const has = (k: string) => raw[k] !== undefined && raw[k] !== null;
        if (has("ipBlock")) {
            if (has("podSelector") || has("namespaceSelector"))
                fail(field, "ipBlock cannot be combined with podSelector or namespaceSelector");
            const ib = raw.ipBlock;
            if (!isPlainObject(ib)) return fail(`${field}.ipBlock`, `expected {cidr, except}, got ${describe(ib)}`);
            checkFields(ib, `${field}.ipBlock`, ["cidr", "except"]);
            const cidr = parseCidr(ib.cidr);
            if (typeof cidr === "string") return fail(`${field}.ipBlock.cidr`, cidr);
            const except = list(ib.except, `${field}.ipBlock.except`).map((e, i) => {
                const ef = `${field}.ipBlock.except[${i}]`;
                const c = parseCidr(e);
                if (typeof c === "string") return fail(ef, c);
                if (!cidrContainsCidr(cidr, c) || c.prefix <= cidr.prefix)
                    fail(ef, `"${c.text}" must be a strict subset of cidr "${cidr.text}"`);
                return c;
            });
            return { kind: "ipBlock", cidr, except };
        }
        if (!has("podSelector") && !has("namespaceSelector")) fail(field, "a peer needs podSelector, namespaceSelector or ipBlock");
        const peer: ParsedPeer = { kind: "pods" };
        if (has("namespaceSelector")) peer.namespaceSelector = selector(raw.namespaceSelector, `${field}.namespaceSelector`);
        if (has("podSelector")) peer.podSelector = selector(raw.podSelector, `${field}.podSelector`);
        return peer;
    };

    const parseRules = (dir: "ingress" | "egress"): ParsedRule[] => {
        const peerKey = dir === "ingress" ? "from" : "to";
        return list(spec[dir], `spec.${dir}`).map((item, index) => {
            const field = `spec.${dir}[${index}]`;
            // A null rule (`ingress: [~]`) decodes as the zero value, `{}`: every peer, every port.
            const raw = item === null ? {} : item;
            if (!isPlainObject(raw)) return fail(field, `expected a rule {${peerKey}, ports}, got ${describe(raw)}`);
            checkFields(raw, field, [peerKey, "ports"]);
            const peersRaw = list(raw[peerKey], `${field}.${peerKey}`);
            const portsRaw = list(raw.ports, `${field}.ports`);
            return {
                index,
                peers: peersRaw.length === 0 ? "all" : peersRaw.map((p, i) => parsePeer(p, `${field}.${peerKey}[${i}]`)),
                ports: portsRaw.length === 0 ? "all" : portsRaw.map((p, i) => parsePort(p, `${field}.ports[${i}]`)),
            };
        });
    };

    const ingress = parseRules("ingress");
    const egress = parseRules("egress");

    // Defaulting as the API server does it (SetDefaults_NetworkPolicy): when policyTypes is
    // empty, Ingress always, plus Egress iff there is at least one egress rule (`egress: []` is not).
    const types = list(spec.policyTypes, "spec.policyTypes");
    types.forEach((t, i) => {
        if (t !== "Ingress" && t !== "Egress")
            fail(`spec.policyTypes[${i}]`, `unknown policy type ${describe(t)} (expected Ingress or Egress)`);
    });
    const ingressIsolating = types.length === 0 ? true : types.includes("Ingress");
    const egressIsolating = types.length === 0 ? egress.length > 0 : types.includes("Egress");

    return {
        id,
        namespace,
        name,
        podSelector,
        ingressIsolating,
        egressIsolating,
        ingress: ingressIsolating ? ingress : [],
        egress: egressIsolating ? egress : [],
    };
}
