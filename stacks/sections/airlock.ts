// torchpod:airlock. The login, port and /dev/shm rules are the Airlock's (validateAirlockArgs).
import { PLATFORM_DEFAULTS } from "../../components/common/defaults";
import { AirlockConfig } from "../../components/common/settings";
import { Checker, NAMESPACE } from "../checker";
import { RESOURCE_KEYS, parseResources } from "./computeResources";

export function parseAirlock(c: Checker, raw: unknown): AirlockConfig {
    const path = `${NAMESPACE}:airlock`;
    const obj = c.object(path, raw, [...RESOURCE_KEYS, "shm", "sftpPort", "user"]);
    return {
        resources: parseResources(c, path, obj, PLATFORM_DEFAULTS.airlock),
        shmSize: c.quantity(`${path}.shm`, obj?.shm, PLATFORM_DEFAULTS.airlock.shm),
        sftpPort: c.integer(`${path}.sftpPort`, obj?.sftpPort, PLATFORM_DEFAULTS.airlock.sftpPort, 1, 65535),
        user: c.string(`${path}.user`, obj?.user, PLATFORM_DEFAULTS.airlock.user),
    };
}
