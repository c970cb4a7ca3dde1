// A workload's desktop password: made by @pulumi/random, delivered to pods only through a Secret
// (secretKeyRef), never written into a pod spec.
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import * as random from "@pulumi/random";

/** Keys of the per-workload credentials Secret. */
export const CREDENTIAL_KEYS = { password: "password", bcrypt: "password-bcrypt" } as const;

export interface Credentials {
    readonly password: random.RandomPassword;
    readonly secret: k8s.core.v1.Secret;
    /** The Secret's name (explicit, stable). */
    readonly secretName: string;
}

/**
 * A random password and the Secret that delivers it (and its bcrypt hash, for the proxy) to pods.
 * Pods read it through secretKeyRef only: the password never appears in a pod spec.
 */
export function credentials(
    name: string,
    namespace: pulumi.Input<string>,
    secretName: string,
    labels: Record<string, string>,
    parent: pulumi.Resource,
): Credentials {
    // Letters and digits only: the image feeds it to chpasswd; 24 of them are ~140 bits.
    const password = new random.RandomPassword(`${name}-password`, { length: 24, special: false }, { parent });
    const secret = new k8s.core.v1.Secret(
        `${name}-credentials`,
        {
            metadata: { name: secretName, namespace, labels },
            type: "Opaque",
            stringData: {
                [CREDENTIAL_KEYS.password]: password.result,
                [CREDENTIAL_KEYS.bcrypt]: password.bcryptHash,
            },
        },
        { parent },
    );
    return { password, secret, secretName };
}

export function secretEnv(envName: string, secretName: string, key: string): k8s.types.input.core.v1.EnvVar {
    return { name: envName, valueFrom: { secretKeyRef: { name: secretName, key } } };
}
