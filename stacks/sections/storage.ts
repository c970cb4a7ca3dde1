// torchpod:storage: storage classes and sizes of the platform's volumes.
import { PLATFORM_DEFAULTS } from "../../components/common/defaults";
import { StorageConfig } from "../../components/common/settings";
import { Checker, NAMESPACE } from "../checker";
import { isDnsSubdomain } from "../validate";

export function parseStorage(c: Checker, raw: unknown): StorageConfig {
    const path = `${NAMESPACE}:storage`;
    const obj = c.object(path, raw, ["homeClass", "airlockClass", "airlockSize", "mlabClass", "mlabSize"]);
    const cls = (key: string) =>
        c.optionalString(`${path}.${key}`, obj?.[key], (s) =>
            isDnsSubdomain(s) ? undefined : "expected a StorageClass name (DNS-1123 subdomain)",
        );
    return {
        homeClass: cls("homeClass"),
        airlockClass: cls("airlockClass"),
        airlockSize: c.quantity(`${path}.airlockSize`, obj?.airlockSize, PLATFORM_DEFAULTS.storage.airlockSize),
        mlabClass: cls("mlabClass"),
        mlabSize: c.quantity(`${path}.mlabSize`, obj?.mlabSize, PLATFORM_DEFAULTS.storage.mlabSize),
    };
}
