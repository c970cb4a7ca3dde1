import { strict as assert } from "assert";
import { RecordedResource } from "../../../tools/offline/recorded";
import { toManifests } from "../../../tools/render/manifestFiles";

const component: RecordedResource = object("torchpod:index:TorchPod", "alice", {});

function object(type: string, name: string, inputs: Record<string, unknown>, parent?: string): RecordedResource {
    return {
        urn: `urn:pulumi:dev::torchpod::${type}::${name}`,
        type,
        name,
        parent,
        custom: type.startsWith("kubernetes:"),
        remote: false,
        inputs,
        secretPaths: [],
        state: inputs,
        retainOnDelete: false,
        protect: false,
        deleteBeforeReplace: false,
        dependencies: [],
        ignoreChanges: [],
        replaceOnChanges: [],
    };
}

const k8s = (kind: string, name: string, apiVersion = "v1") =>
    object(
        `kubernetes:${apiVersion.includes("/") ? apiVersion : `core/${apiVersion}`}:${kind}`,
        `${kind}-${name}`,
        {
            apiVersion,
            kind,
            metadata: { name, namespace: "torchpod" },
            ...(kind === "Secret" ? { stringData: { password: "x" } } : {}),
        },
        component.urn,
    );

/** The children of one TorchPod, in the order a program might register them. */
const children = [
    k8s("Deployment", "torchpod-bob", "apps/v1"),
    k8s("Service", "torchpod-bob"),
    k8s("PersistentVolumeClaim", "torchpod-bob-home"),
    k8s("Deployment", "torchpod-alice", "apps/v1"),
    k8s("Secret", "torchpod-bob-credentials"),
    k8s("PersistentVolumeClaim", "torchpod-alice-home"),
    k8s("Service", "torchpod-alice"),
    k8s("Secret", "torchpod-alice-credentials"),
];

const names = (resources: RecordedResource[]) =>
    (toManifests([component, ...resources]).files.get("torchpod.yaml") ?? []).map((o) => `${o.kind}/${o.metadata.name}`);

describe("rendered manifest files", () => {
    it("list objects in apply order (claims, then Services, then Deployments), by name within a kind", () => {
        assert.deepEqual(names(children), [
            "PersistentVolumeClaim/torchpod-alice-home",
            "PersistentVolumeClaim/torchpod-bob-home",
            "Service/torchpod-alice",
            "Service/torchpod-bob",
            "Deployment/torchpod-alice",
            "Deployment/torchpod-bob",
        ]);
    });

    it("do not depend on the order in which registrations completed", () => {
        const reversed = [...children].reverse();
        assert.deepEqual(names(reversed), names(children));
        const secrets = (resources: RecordedResource[]) => toManifests([component, ...resources]).secrets.map((s) => s.name);
        assert.deepEqual(secrets(reversed), ["torchpod-alice-credentials", "torchpod-bob-credentials"]);
        assert.deepEqual(secrets(children), secrets(reversed));
    });
});
