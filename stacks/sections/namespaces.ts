// torchpod:namespaces: the TorchPod and MLab namespaces. The naming rules are the Namespaces component's (validateNamespacesArgs).
import { PLATFORM_DEFAULTS } from "../../components/common/defaults";
import { NamespacesConfig } from "../../components/common/settings";
import { Checker, NAMESPACE } from "../checker";

export function parseNamespaces(c: Checker, raw: unknown): NamespacesConfig {
    const path = `${NAMESPACE}:namespaces`;
    const obj = c.object(path, raw, ["torchpods", "mlab"]);
    return {
        torchpods: c.string(`${path}.torchpods`, obj?.torchpods, PLATFORM_DEFAULTS.namespaces.torchpods),
        mlab: c.string(`${path}.mlab`, obj?.mlab, PLATFORM_DEFAULTS.namespaces.mlab),
    };
}
