// browser-proxy-basic-auth: the browser desktop is served only behind a password.
import { ResourceValidationPolicy } from "@pulumi/policy";
import { Findings } from "../support/findings";
import { metaOf, objectsOf, parseKubeType, providerNamespace } from "../support/resources";
import { isUnknown, unproxy } from "../support/unknowns";
import { notApplicable } from "../support/notApplicable";

/** A Caddyfile that proxies without `basic_auth` (or the older `basicauth`) in every site block. */
export function caddyfileWithoutAuth(text: string): boolean {
    const stripped = text.replace(/#.*$/gm, "");
    if (!/\breverse_proxy\b/.test(stripped)) return false;
    return !/\bbasic_?auth\b/.test(stripped);
}

export const browserProxyBasicAuth: ResourceValidationPolicy = {
    name: "browser-proxy-basic-auth",
    description:
        "A ConfigMap holding a Caddyfile (the browser proxy in front of noVNC) must require basic_auth wherever it reverse-proxies: noVNC itself has no password, so a proxy without it serves the user's desktop to anyone who reaches it.",
    enforcementLevel: "mandatory",
    severity: "critical",
    remediationSteps: "Add a basic_auth block with the user's bcrypt password hash to the Caddyfile's site block.",
    validateResource: (args, report) => {
        if (!parseKubeType(args.type)) notApplicable(args, "not a Kubernetes resource");
        const f = new Findings(report);
        let seen = false;
        for (const o of objectsOf(args.type, unproxy(args.props))) {
            if (o.kind !== "ConfigMap") continue;
            const data = o.obj?.data;
            if (!data || typeof data !== "object") continue;
            const m = metaOf(o, { name: args.name, defaultNamespace: providerNamespace(args.provider) });
            for (const [k, v] of Object.entries(data)) {
                if (!/caddyfile/i.test(k) || typeof v !== "string" || isUnknown(v)) continue;
                seen = true;
                if (caddyfileWithoutAuth(v))
                    f.violation(
                        `ConfigMap ${m.namespace}/${m.name} key ${k}: the browser proxy reverse-proxies without basic_auth, so the desktop behind it needs no password (no switch)`,
                    );
            }
        }
        if (!seen) notApplicable(args, "no Caddyfile in this resource");
        f.finish();
    },
};
