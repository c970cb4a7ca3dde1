// MLab's accounts: the random passwords (admin, users, import accounts) and, in the TorchPod namespace,
// one Secret per user with git credentials and a system gitconfig, which the TorchPod mounts read-only,
// so `git clone http://<host>/owner/repo` and `git push` just work. Gitea itself learns the passwords
// from the reconciler (components/mlab/jobs.ts); the admin's from the bootstrap init container.
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import * as random from "@pulumi/random";
import { MLAB_CREDENTIALS_PATH, MLAB_CREDENTIAL_KEYS } from "@torchpod/contract";
import { hostWithPort } from "./giteaSettings";

/** The e-mail domain of MLab accounts: the host (Gitea's API wants a dotted domain). */
export function mlabEmailDomain(host: string): string {
    return host.includes(".") ? host : `${host}.local`;
}

/** A git credential-store line for one user (the password URL-encoded, as git expects). */
export function gitCredentialsLine(user: string, password: string, host: string, httpPort: number): string {
    return `http://${encodeURIComponent(user)}:${encodeURIComponent(password)}@${hostWithPort(host, httpPort)}\n`;
}

/**
 * The system gitconfig of a TorchPod (mounted at /etc/gitconfig). The credential helper only answers
 * `get` from the read-only credential file: git also asks helpers to `store` and `erase`, which
 * `git credential-store` does by rewriting its file, and that would fail loudly on a read-only mount.
 */
export function gitSystemConfig(user: string, host: string, httpPort: number): string {
    const url = `http://${hostWithPort(host, httpPort)}`;
    return [
        `[credential "${url}"]`,
        `\thelper = "!f() { test \\"$1\\" != get || exec git credential-store --file=${MLAB_CREDENTIALS_PATH}/git-credentials get; }; f"`,
        `[user]`,
        `\tname = ${user}`,
        `\temail = ${user}@${mlabEmailDomain(host)}`,
        `[init]`,
        `\tdefaultBranch = main`,
        "",
    ].join("\n");
}

/** A random password (letters and digits), stable in state; `keepers` rotate it when they change. */
export function mlabPassword(
    resourceName: string,
    length: number,
    parent: pulumi.Resource,
    keepers?: Record<string, string>,
): random.RandomPassword {
    return new random.RandomPassword(
        resourceName,
        { length, special: false, minLower: 1, minUpper: 1, minNumeric: 1, ...(keepers ? { keepers } : {}) },
        { parent },
    );
}

export interface UserAccountsArgs {
    /** The MLab component's name (object name prefix). */
    readonly prefix: string;
    readonly torchpodNamespace: pulumi.Input<string>;
    readonly users: readonly string[];
    readonly host: string;
    readonly httpPort: number;
    readonly labels: Record<string, string>;
}

/** The name of one user's credential Secret in the TorchPod namespace. Stable. */
export function userCredentialSecretName(prefix: string, user: string): string {
    return `${prefix}-git-${user}`;
}

/** Each user's password and credential Secret (in the TorchPod namespace), by user. */
export function userAccounts(
    args: UserAccountsArgs,
    parent: pulumi.Resource,
): { passwords: Map<string, pulumi.Output<string>>; secrets: Map<string, k8s.core.v1.Secret> } {
    const passwords = new Map<string, pulumi.Output<string>>();
    const secrets = new Map<string, k8s.core.v1.Secret>();
    for (const user of args.users) {
        const pw = mlabPassword(`${args.prefix}-user-${user}-password`, 32, parent);
        passwords.set(user, pw.result);
        secrets.set(
            user,
            new k8s.core.v1.Secret(
                `${args.prefix}-git-${user}`,
                {
                    metadata: {
                        name: userCredentialSecretName(args.prefix, user),
                        namespace: args.torchpodNamespace,
                        labels: { ...args.labels, "torchpod.dev/user": user },
                    },
                    type: "Opaque",
                    stringData: {
                        [MLAB_CREDENTIAL_KEYS.gitCredentials]: pw.result.apply((p) =>
                            gitCredentialsLine(user, p, args.host, args.httpPort),
                        ),
                        [MLAB_CREDENTIAL_KEYS.gitconfig]: gitSystemConfig(user, args.host, args.httpPort),
                    },
                },
                { parent },
            ),
        );
    }
    return { passwords, secrets };
}
