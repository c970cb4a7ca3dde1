// Extended resources (GPUs, MIG slices, other vendors' devices): the form Kubernetes accepts for their
// names. Both the stack config and TorchPod's own check use it.

/** The fallback example every message gives. */
const EXAMPLE = 'like "nvidia.com/gpu" or "nvidia.com/mig-1g.10gb"';

/**
 * Why `name` is not an extended resource name, or undefined when it is one: `domain/name`, the domain
 * a DNS subdomain outside kubernetes.io (those names are Kubernetes' own resources), the name at most
 * 63 characters of [A-Za-z0-9_.-] starting and ending alphanumeric; never `requests.` (a quota key).
 */
export function extendedResourceProblem(name: string): string | undefined {
    const parts = name.split("/");
    const label = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
    const domainOk = parts.length === 2 && parts[0].length <= 253 && parts[0].split(".").every((l) => l.length <= 63 && label.test(l));
    const nameOk = parts.length === 2 && parts[1].length <= 63 && /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/.test(parts[1]);
    if (!domainOk || !nameOk || name.startsWith("requests.")) return `expected an extended resource name with a domain, ${EXAMPLE}`;
    if (parts[0] === "kubernetes.io" || parts[0].endsWith(".kubernetes.io"))
        return `expected an extended resource name outside the kubernetes.io domain (that domain names Kubernetes' own resources), ${EXAMPLE}`;
    return undefined;
}
