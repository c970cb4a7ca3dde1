// known-actors-api-server-only: the working-hours schedule's red-team control as the clean fixture, one change per test.
import * as assert from "assert";
import * as path from "path";
import { loadManifests } from "@torchpod/netpol";
import { knownActorsApiServerOnly } from "../../../policy/policies/knownActorsApiServerOnly";
import { manifestsToResources } from "../../../tools/pack/manifestResources";
import { runStackPolicy } from "../policyArgs";

const FIXTURE = path.resolve(__dirname, "../../redteam/cases/not-an-escape-schedule-actor/manifests");
const CLEAN = path.resolve(__dirname, "../../redteam/cases/clean/manifests");
const API_SERVER = { apiServerCidrs: ["10.96.0.1/32", "172.18.0.0/24"] };

/** The fixture's objects, each passed through `change` (return undefined to drop one). */
async function judge(change: (o: any) => any = (o) => o, config: Record<string, unknown> = API_SERVER, dir = FIXTURE) {
    const objects = loadManifests([dir])
        .map((o) => change(JSON.parse(JSON.stringify(o))))
        .filter((o) => o !== undefined);
    return runStackPolicy(knownActorsApiServerOnly, manifestsToResources(objects), { config });
}
const messages = async (...a: Parameters<typeof judge>) => (await judge(...a)).violations.map((v) => v.message);
const isApiServerPolicy = (o: any) => o.kind === "NetworkPolicy" && o.metadata.name === "working-hours-api-server";
const isCronJob = (o: any) => o.kind === "CronJob";

describe("known-actors-api-server-only", () => {
    it("passes the schedule's pods reaching only the API server, nothing reaching them", async () => {
        assert.deepStrictEqual(await messages(), []);
    });

    it("does not apply to a stack where no pod runs as a known actor, and says so", async () => {
        const out = await judge(undefined, API_SERVER, CLEAN);
        assert.match(out.notApplicable ?? "", /no pod runs as a known actor \(torchpod-schedule\/torchpod-schedule\)/);
    });

    it("refuses the API server's addresses when the pack is not told them (apiServerCidrs)", async () => {
        const got = await messages(undefined, {});
        assert.strictEqual(got.length, 2, got.join("\n"));
        assert.match(
            got[0],
            /CronJob torchpod-schedule\/torchpod-schedule-stop \(the known actor the working-hours schedule\) may reach IP range 10\.96\.0\.1\/32, and no API server addresses are configured \(apiServerCidrs/,
        );
    });

    it("refuses an ipBlock outside the API server's addresses", async () => {
        const got = await messages((o) => {
            if (isApiServerPolicy(o)) o.spec.egress[0].to[0].ipBlock.cidr = "0.0.0.0/0";
            return o;
        });
        assert.deepStrictEqual(got.length, 1, got.join("\n"));
        assert.match(
            got[0],
            /may reach IP range 0\.0\.0\.0\/0, not inside the API server's addresses \(10\.96\.0\.1\/32, 172\.18\.0\.0\/24\)/,
        );
    });

    it("refuses the API server's address on a port other than 443 and 6443", async () => {
        const [m] = await messages((o) => {
            if (isApiServerPolicy(o)) o.spec.egress[0].ports = [{ protocol: "TCP", port: 10250 }];
            return o;
        });
        assert.match(m, /may reach IP range 10\.96\.0\.1\/32 on TCP 10250, not only the API server's TCP 443 and 6443/);
    });

    it("refuses the API server's address with no ports (every port)", async () => {
        const [m] = await messages((o) => {
            if (isApiServerPolicy(o)) delete o.spec.egress[0].ports;
            return o;
        });
        assert.match(m, /may reach IP range 10\.96\.0\.1\/32 on any port/);
    });

    it("refuses an egress rule without `to`", async () => {
        const [m] = await messages((o) => {
            if (isApiServerPolicy(o)) delete o.spec.egress[0].to;
            return o;
        });
        assert.match(m, /may reach every destination \(the rule has no `to`\)/);
    });

    it("refuses the actor's pods when no policy isolates them: they reach anything and anything reaches them", async () => {
        const got = await messages((o) => (o.kind === "NetworkPolicy" && o.metadata.namespace === "torchpod-schedule" ? undefined : o));
        assert.strictEqual(got.length, 2, got.join("\n"));
        assert.match(got[0], /may reach anything \(DNS, the internet\): no NetworkPolicy with policyTypes Egress selects it/);
        assert.match(got[1], /may be reached from anywhere: no NetworkPolicy with policyTypes Ingress selects it/);
    });

    it("refuses an ingress rule into the actor's pods", async () => {
        const [m] = await messages((o) => {
            if (isApiServerPolicy(o)) {
                o.spec.policyTypes = ["Ingress", "Egress"];
                o.spec.ingress = [{ from: [{ ipBlock: { cidr: "192.168.10.0/24" } }] }];
            }
            return o;
        });
        assert.match(m, /may be reached from IP range 192\.168\.10\.0\/24 on any port/);
    });

    it("refuses the actor's pods on the node's network", async () => {
        const [m] = await messages((o) => {
            if (isCronJob(o)) o.spec.jobTemplate.spec.template.spec.hostNetwork = true;
            return o;
        });
        assert.match(m, /runs on the node's network \(spec\.hostNetwork\)/);
    });

    it("judges a pod running as the actor's account whatever its labels, in the actor's namespace", async () => {
        const got = await messages((o) => {
            if (isCronJob(o)) o.spec.jobTemplate.spec.template.metadata.labels = { app: "other" };
            return o;
        });
        // The API server rule selects the working-hours label only: the relabelled pod has no egress at all, which passes.
        assert.deepStrictEqual(got, []);
        const viaDefault = await messages((o) => {
            if (isCronJob(o)) delete o.spec.jobTemplate.spec.template.spec.serviceAccountName;
            return o;
        });
        assert.deepStrictEqual(viaDefault, [], "a pod running as `default` is no known actor");
    });
});
