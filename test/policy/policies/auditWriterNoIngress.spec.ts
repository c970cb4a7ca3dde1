// audit-writer-no-ingress: the audit writer's red-team control as the clean fixture, one change per test.
import * as assert from "assert";
import * as path from "path";
import { loadManifests } from "@torchpod/netpol";
import { auditWriterNoIngress } from "../../../policy/policies/auditWriterNoIngress";
import { manifestsToResources } from "../../../tools/pack/manifestResources";
import { runStackPolicy } from "../policyArgs";

const FIXTURE = path.resolve(__dirname, "../../redteam/cases/not-an-escape-audit-writer/manifests");
const CLEAN = path.resolve(__dirname, "../../redteam/cases/clean/manifests");
const isIsolation = (o: any) => o.kind === "NetworkPolicy" && o.metadata.name === "airlock-audit-isolated";
const isWriter = (o: any) => o.kind === "Deployment" && o.metadata.name === "airlock-audit";

async function judge(change: (o: any) => any = (o) => o, dir = FIXTURE) {
    const objects = loadManifests([dir])
        .map((o) => change(JSON.parse(JSON.stringify(o))))
        .filter((o) => o !== undefined);
    return runStackPolicy(auditWriterNoIngress, manifestsToResources(objects));
}
const messages = async (change?: (o: any) => any) => (await judge(change)).violations.map((v) => v.message);

describe("audit-writer-no-ingress", () => {
    it("passes the audit writer isolated both ways", async () => {
        assert.deepStrictEqual(await messages(), []);
    });

    it("does not apply without an audit writer, and says so", async () => {
        assert.match(
            (await judge(undefined, CLEAN)).notApplicable ?? "",
            /no audit writer \(selector \{app\.kubernetes\.io\/component=airlock-audit\}\)/,
        );
    });

    it("refuses the writer when no policy isolates its ingress", async () => {
        const [m, ...rest] = await messages((o) => {
            if (isIsolation(o)) o.spec.policyTypes = ["Egress"];
            return o;
        });
        assert.strictEqual(rest.length, 0);
        assert.match(
            m,
            /audit writer Deployment airlock\/airlock-audit may be reached from anywhere: no NetworkPolicy with policyTypes Ingress selects it/,
        );
    });

    it("refuses an ingress rule from the office into the writer", async () => {
        const [m] = await messages((o) => {
            if (isIsolation(o)) o.spec.ingress = [{ from: [{ ipBlock: { cidr: "192.168.10.0/24" } }], ports: [{ port: 8080 }] }];
            return o;
        });
        assert.match(
            m,
            /may be reached from IP range 192\.168\.10\.0\/24 on TCP 8080: opened by NetworkPolicy airlock\/airlock-audit-isolated \(ingress rule #0\)/,
        );
    });

    it("refuses an ingress rule without `from`", async () => {
        const [m] = await messages((o) => {
            if (isIsolation(o)) o.spec.ingress = [{}];
            return o;
        });
        assert.match(m, /may be reached from every pod and address \(the rule has no `from`\)/);
    });

    it("refuses the writer on the node's network", async () => {
        const [m] = await messages((o) => {
            if (isWriter(o)) o.spec.template.spec.hostNetwork = true;
            return o;
        });
        assert.match(m, /runs on the node's network \(spec\.hostNetwork\): no NetworkPolicy applies, so everything reaches it/);
    });

    it("judges any pod that mounts the audit claim writable as a writer, whatever its labels", async () => {
        const [m] = await messages((o) => {
            if (isWriter(o)) o.spec.template.metadata.labels = { app: "log-helper" };
            return o;
        });
        assert.match(m, /audit writer Deployment airlock\/airlock-audit may be reached from anywhere/);
    });
});
