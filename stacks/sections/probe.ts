// torchpod:probe: the fail-closed enforcement probe. That internetAddress is public is the probe's rule (validateProbeArgs).
import { PLATFORM_DEFAULTS } from "../../components/common/defaults";
import { ProbeConfig } from "../../components/common/settings";
import { Checker, NAMESPACE } from "../checker";

export function parseProbe(c: Checker, raw: unknown): ProbeConfig {
    const path = `${NAMESPACE}:probe`;
    const obj = c.object(path, raw, ["enabled", "image", "internetAddress", "timeoutSeconds"]);
    return {
        enabled: c.boolean(`${path}.enabled`, obj?.enabled, PLATFORM_DEFAULTS.probe.enabled),
        image: c.image(`${path}.image`, obj?.image, PLATFORM_DEFAULTS.probe.image),
        internetAddress: c.string(`${path}.internetAddress`, obj?.internetAddress, PLATFORM_DEFAULTS.probe.internetAddress),
        timeoutSeconds: c.integer(`${path}.timeoutSeconds`, obj?.timeoutSeconds, PLATFORM_DEFAULTS.probe.timeoutSeconds, 1, 120),
    };
}
