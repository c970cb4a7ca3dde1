// Credentials come from Secrets, never literal env values.
import { containerLabel, list, podPolicy } from "../support/podPolicy";
import { isUnknown } from "../support/unknowns";

export const noLiteralSecretsInEnv = podPolicy({
    name: "no-literal-secrets-in-env",
    description:
        "Credentials must not be literal env values: an env var whose name matches `secretEnvPattern` (default PASSWORD|PASSWD|SECRET|TOKEN|KEY, case-insensitive) " +
        "must use valueFrom (secretKeyRef), never `value` (readable by anyone who can read the workload, and kept in Pulumi state and manifests). " +
        "Booleans (`true`/`false`) are switches, not credentials (e.g. Gitea's PASSWORD_CHECK_PWN), and pass. " +
        "A value unknown during preview is still a literal and is reported. Scope: every workload.",
    enforcementLevel: "mandatory",
    severity: "high",
    config: ["secretEnvPattern"],
    scope: () => "all-workloads",
    switches: "Switch: config secretEnvPattern (which env names are credentials)",
    remediationSteps: "Put the value in a Secret and reference it with env[].valueFrom.secretKeyRef.",
    check: ({ t, cfg, f, prefix }) => {
        const re = new RegExp(cfg.secretEnvPattern, "i");
        for (const c of t.containers) {
            const env = c.container.env;
            if (isUnknown(env)) continue; // a computed env list: nothing literal to see
            list(env).forEach((e: any) => {
                if (!e || typeof e !== "object" || typeof e.name !== "string" || !re.test(e.name)) return;
                const v = e.value;
                if (v === undefined || v === null || v === "" || isBooleanSwitch(v)) return;
                f.violation(
                    `${prefix}${containerLabel(c)}: env ${e.name} is a literal value${isUnknown(v) ? " (computed)" : ""}; use valueFrom.secretKeyRef`,
                );
            });
        }
    },
});

/** A literal `true`/`false` cannot carry a credential; names like PASSWORD_CHECK_PWN are switches. */
function isBooleanSwitch(v: unknown): boolean {
    return typeof v === "boolean" || (typeof v === "string" && /^(true|false)$/i.test(v));
}
