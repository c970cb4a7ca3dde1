// The AirlockAudit component under mocks: the writer pod, its retained volume, and what it may touch.
import { strict as assert } from "assert";
import * as fs from "fs";
import { AirlockAudit, AUDIT_WRITER_SCRIPT_PATH } from "../../components/airlockAudit";
import { LABEL_COMPONENT } from "@torchpod/contract";
import { k8s, ofType, ProgramRun, runPiece } from "../mocks";

const DEPLOYMENT = "kubernetes:apps/v1:Deployment";
const PVC = "kubernetes:core/v1:PersistentVolumeClaim";

function runAudit(overrides: Record<string, unknown> = {}): Promise<ProgramRun> {
    return runPiece(() => {
        const a = new AirlockAudit("airlock-audit", {
            namespace: "torchpod",
            shareClaimName: "airlock-share",
            sftpLogClaimName: "airlock-sftp-log",
            instance: "dev",
            ...overrides,
        });
        return { show: a.showCommand };
    });
}

describe("AirlockAudit component", () => {
    it("keeps the log on its own volume: stable name, retained on delete, never replaced by a config change", async () => {
        const run = await runAudit({ storageClass: "fast", size: "20Gi" });
        const pvc = ofType(run, PVC).find((r) => r.inputs.metadata.name === "airlock-audit")!;
        assert.ok(pvc);
        assert.equal(pvc.retainOnDelete, true);
        assert.ok(pvc.ignoreChanges.includes("spec.storageClassName") && pvc.ignoreChanges.includes("spec.accessModes"));
        assert.equal(pvc.inputs.spec.storageClassName, "fast");
        assert.equal(pvc.inputs.spec.resources.requests.storage, "20Gi");
    });

    it("mounts the share and the sftp logs read-only and only the audit volume writable", async () => {
        const run = await runAudit();
        const spec = k8s(run, DEPLOYMENT, "airlock-audit").spec.template.spec;
        const [c] = spec.containers;
        const claimOf = (mount: any) => spec.volumes.find((v: any) => v.name === mount.name).persistentVolumeClaim;
        const mounts = c.volumeMounts.filter((m: any) => claimOf(m));
        assert.deepEqual(
            mounts.map((m: any) => [claimOf(m).claimName, m.mountPath, Boolean(m.readOnly || claimOf(m).readOnly)]),
            [
                ["airlock-share", "/opt/public/airlock", true],
                ["airlock-sftp-log", "/var/log/airlock-sftp", true],
                ["airlock-audit", "/var/lib/airlock-audit", false],
            ],
        );
        assert.ok(claimOf(mounts[0]).readOnly && claimOf(mounts[1]).readOnly, "read-only in the volume source too");
    });

    it("is a pod of its own, labelled airlock-audit, with no token, no host namespaces, a read-only root and one capability", async () => {
        const run = await runAudit();
        const d = k8s(run, DEPLOYMENT, "airlock-audit");
        const spec = d.spec.template.spec;
        assert.equal(d.spec.template.metadata.labels[LABEL_COMPONENT], "airlock-audit");
        assert.equal(d.spec.strategy.type, "Recreate");
        assert.equal(spec.automountServiceAccountToken, false);
        assert.equal(spec.hostNetwork, false);
        assert.equal(spec.containers.length, 1, "no sidecar");
        const sc = spec.containers[0].securityContext;
        assert.equal(sc.allowPrivilegeEscalation, false);
        assert.equal(sc.readOnlyRootFilesystem, true);
        assert.deepEqual(sc.capabilities, { drop: ["ALL"], add: ["DAC_OVERRIDE"] });
        assert.equal(spec.containers[0].image, "node:20.18.1-alpine3.20");
    });

    it("runs the writer script from an immutable ConfigMap named by its content", async () => {
        const run = await runAudit();
        const spec = k8s(run, DEPLOYMENT, "airlock-audit").spec.template.spec;
        assert.deepEqual(spec.containers[0].command, ["node", "/opt/airlock-audit/audit-writer.js", "run"]);
        const cmName = spec.volumes.find((v: any) => v.configMap).configMap.name;
        assert.match(cmName, /^airlock-audit-writer-[0-9a-f]{10}$/);
        const cm = ofType(run, "kubernetes:core/v1:ConfigMap").find((r) => r.inputs.metadata.name === cmName)!;
        assert.ok(cm.inputs.immutable);
        assert.equal(cm.inputs.data["audit-writer.js"], fs.readFileSync(AUDIT_WRITER_SCRIPT_PATH, "utf8"));
    });

    it("says how admins read the log, in one command", async () => {
        const run = await runAudit();
        assert.equal(run.exports.show, "kubectl -n torchpod exec deploy/airlock-audit -- node /opt/airlock-audit/audit-writer.js show");
    });

    it("refuses a scan interval that is not a positive number and registers nothing", async () => {
        const run = await runAudit({ intervalSeconds: 0 });
        assert.match(String(run.error), /AirlockAudit: intervalSeconds: got 0, expected a number of seconds > 0/);
        assert.equal(run.resources.length, 0);
    });
});
