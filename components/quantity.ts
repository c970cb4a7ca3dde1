// Kubernetes resource quantities, for the rules that compare them (requests within limits, /dev/shm
// within the memory limit). Pure.

/** The numeric value of a Kubernetes quantity ("8Gi", "500m", "1e3"), or undefined when malformed. */
export function parseQuantity(s: string): number | undefined {
    const m = /^([+-]?(?:\d+(?:\.\d*)?|\.\d+))(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E|[eE][+-]?\d+)?$/.exec(s);
    if (!m) return undefined;
    const suffix = m[2] ?? "";
    const factor = /^[eE]/.test(suffix) ? 10 ** Number(suffix.slice(1)) : QUANTITY_SUFFIX[suffix];
    return Number(m[1]) * factor;
}
const QUANTITY_SUFFIX: Record<string, number> = {
    Ki: 2 ** 10,
    Mi: 2 ** 20,
    Gi: 2 ** 30,
    Ti: 2 ** 40,
    Pi: 2 ** 50,
    Ei: 2 ** 60,
    n: 1e-9,
    u: 1e-6,
    m: 1e-3,
    "": 1,
    k: 1e3,
    M: 1e6,
    G: 1e9,
    T: 1e12,
    P: 1e15,
    E: 1e18,
};
