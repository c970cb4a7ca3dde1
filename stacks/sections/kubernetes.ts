// torchpod:kubernetes: the stack's one Kubernetes provider.
import { KubernetesProviderConfig } from "../../components/common/settings";
import { Checker, NAMESPACE } from "../checker";

export function parseKubernetes(c: Checker, raw: unknown): KubernetesProviderConfig {
    const path = `${NAMESPACE}:kubernetes`;
    const obj = c.object(path, raw, ["context", "kubeconfig"]);
    const context = c.optionalString(`${path}.context`, obj?.context);
    const kubeconfig = c.optionalString(`${path}.kubeconfig`, obj?.kubeconfig);
    return { ...(context ? { context } : {}), ...(kubeconfig ? { kubeconfig } : {}) };
}
