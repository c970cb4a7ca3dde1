import * as assert from "assert";
import * as fs from "fs";
import { SFTP_AUDIT_WRAPPER_PATH } from "../../components/airlockAudit";
import { Airlock, AirlockArgs } from "../../components/airlock";
import { LABEL_COMPONENT, LABEL_PART_OF } from "@torchpod/contract";
import { k8s, ofType, podSpecs, runPiece, ProgramRun } from "../mocks";

const DEPLOYMENT = "kubernetes:apps/v1:Deployment";

function runAirlock(overrides: Partial<AirlockArgs> = {}): Promise<ProgramRun> {
    return runPiece(() => {
        const a = new Airlock("airlock", { namespace: "torchpod", ...overrides });
        return { password: a.password, sftp: a.sftpEndpoint, claim: a.shareClaimName, sftpLog: a.sftpLogClaimName };
    });
}

describe("Airlock component", () => {
    it("built on its own with bad arguments, refuses them naming each and registers nothing", async () => {
        const run = await runAirlock({ user: "1st", sftpPort: 0 });
        assert.match(String(run.error), /Airlock: user "1st"/);
        assert.match(String(run.error), /Airlock: sftpPort must be a port number 1-65535, got 0/);
        assert.strictEqual(run.resources.length, 0, run.resources.map((r) => r.urn).join(", "));
    });

    it("creates the shared airlock volume ReadWriteMany, with a stable name, retained and never replaced", async () => {
        const run = await runAirlock({ shareSize: "1Ti", shareStorageClass: "nfs" });
        const pvc = ofType(run, "kubernetes:core/v1:PersistentVolumeClaim").find((r) => r.inputs.metadata.name === "airlock-share")!;
        assert.ok(pvc);
        assert.strictEqual(pvc.retainOnDelete, true);
        assert.deepStrictEqual(pvc.inputs.spec.accessModes, ["ReadWriteMany"]);
        assert.strictEqual(pvc.inputs.spec.resources.requests.storage, "1Ti");
        assert.strictEqual(pvc.inputs.spec.storageClassName, "nfs");
        assert.ok(pvc.ignoreChanges.includes("spec.storageClassName"));
        assert.strictEqual(run.exports.claim, "airlock-share");
    });

    it("mounts the share writable at /opt/public/airlock and creates pip/ and apt/ in an init container", async () => {
        const run = await runAirlock();
        const spec = k8s(run, DEPLOYMENT, "airlock").spec.template.spec;
        const share = spec.volumes.find((v: any) => v.persistentVolumeClaim?.claimName === "airlock-share");
        assert.ok(!share.persistentVolumeClaim.readOnly);
        const main = spec.containers.find((c: any) => c.name === "airlock");
        const mount = main.volumeMounts.find((m: any) => m.name === share.name);
        assert.strictEqual(mount.mountPath, "/opt/public/airlock");
        assert.ok(!mount.readOnly);
        const [init] = spec.initContainers;
        assert.strictEqual(init.image, main.image, "same image");
        assert.match(init.command.join(" "), /mkdir -p \/opt\/public\/airlock\/pip \/opt\/public\/airlock\/apt/);
    });

    it("runs every sftp session through the audit wrapper: mounted over the image's sftp-server, the real one copied aside, session logs on a retained claim", async () => {
        const run = await runAirlock({ shareStorageClass: "nfs" });
        const spec = k8s(run, DEPLOYMENT, "airlock").spec.template.spec;
        const main = spec.containers.find((c: any) => c.name === "airlock");
        const byMount = (p: string) => main.volumeMounts.find((m: any) => m.mountPath === p);
        const wrapper = byMount("/usr/lib/openssh/sftp-server");
        assert.ok(wrapper?.readOnly, "the wrapper replaces the image's sftp-server, read-only");
        const cm = spec.volumes.find((v: any) => v.name === wrapper.name).configMap;
        const map = ofType(run, "kubernetes:core/v1:ConfigMap").find((r) => r.inputs.metadata.name === cm.name)!;
        assert.ok(map.inputs.immutable);
        assert.equal(map.inputs.data[wrapper.subPath], fs.readFileSync(SFTP_AUDIT_WRAPPER_PATH, "utf8"));
        assert.equal(cm.defaultMode, 0o555);
        assert.ok(byMount("/usr/local/lib/airlock-audit")?.readOnly, "the real sftp-server sits in a read-only emptyDir");
        const log = byMount("/var/log/airlock-sftp");
        assert.ok(log && !log.readOnly, "sessions write their logs");
        const claim = spec.volumes.find((v: any) => v.name === log.name).persistentVolumeClaim.claimName;
        assert.equal(claim, "airlock-sftp-log");
        const pvc = k8s(run, "kubernetes:core/v1:PersistentVolumeClaim", "airlock-sftp-log");
        assert.deepStrictEqual(pvc.spec.accessModes, ["ReadWriteMany"], "the audit writer reads it from its own pod");
        assert.equal(pvc.spec.storageClassName, "nfs");
        const pvcRes = ofType(run, "kubernetes:core/v1:PersistentVolumeClaim").find((r) => r.inputs.metadata.name === "airlock-sftp-log")!;
        assert.strictEqual(pvcRes.retainOnDelete, true);
        assert.ok(pvcRes.ignoreChanges.includes("spec.storageClassName"));
        const [init] = spec.initContainers;
        assert.match(init.command.join(" "), /cp \/usr\/lib\/openssh\/sftp-server \/airlock-sftp-bin\/sftp-server/);
        assert.match(init.command.join(" "), /chmod 1733 \/var\/log\/airlock-sftp/);
        assert.equal(run.exports.sftpLog, "airlock-sftp-log");
    });

    it("serves sftp on Service port 10022 to container port 22 named sftp, plus the GUI like a TorchPod", async () => {
        const run = await runAirlock();
        const svc = k8s(run, "kubernetes:core/v1:Service", "airlock");
        assert.deepStrictEqual(
            svc.spec.ports.map((p: any) => [p.name, p.port, p.targetPort]),
            [
                ["rdp", 3389, "rdp"],
                ["browser", 7031, "browser"],
                ["sftp", 10022, "sftp"],
            ],
        );
        const main = k8s(run, DEPLOYMENT, "airlock").spec.template.spec.containers.find((c: any) => c.name === "airlock");
        assert.ok(main.ports.some((p: any) => p.name === "sftp" && p.containerPort === 22));
        assert.match(run.exports.sftp as string, /:10022$/);
        assert.ok(k8s(run, DEPLOYMENT, "airlock").spec.template.spec.containers.some((c: any) => c.name === "browser-proxy"));
    });

    it("has credentials of its own, delivered through a Secret and exported as a secret", async () => {
        const run = await runAirlock();
        const exported = run.exports.password as { secret: string };
        assert.ok(exported.secret.length >= 16);
        const main = k8s(run, DEPLOYMENT, "airlock").spec.template.spec.containers.find((c: any) => c.name === "airlock");
        assert.deepStrictEqual(main.env.find((e: any) => e.name === "TORCHPOD_PASSWORD").valueFrom, {
            secretKeyRef: { name: "airlock-credentials", key: "password" },
        });
        for (const { spec } of podSpecs(run)) assert.ok(!JSON.stringify(spec).includes(exported.secret));
    });

    it("is hardened like a TorchPod and labelled component airlock", async () => {
        const run = await runAirlock();
        const [{ spec, labels }] = podSpecs(run);
        assert.strictEqual(labels[LABEL_COMPONENT], "airlock");
        assert.strictEqual(labels[LABEL_PART_OF], "torchpod");
        assert.strictEqual(spec.automountServiceAccountToken, false);
        assert.strictEqual(spec.enableServiceLinks, false);
        assert.ok(!spec.hostNetwork && !spec.hostPID && !spec.hostIPC);
        for (const c of [...spec.containers, ...spec.initContainers]) {
            assert.strictEqual(c.securityContext.privileged, false);
            const dropped: string[] = c.securityContext.capabilities.drop;
            assert.ok(dropped.includes("ALL") || ["NET_ADMIN", "NET_RAW", "SYS_ADMIN"].every((cap) => dropped.includes(cap)));
        }
    });
});
