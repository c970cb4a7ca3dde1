// user-data-copies-followed: a snapshot, clone, claim template or backup of user data is user data.
import { StackValidationPolicy } from "@pulumi/policy";
import { Findings } from "../support/findings";
import { identify, stackPods } from "../support/identity";
import { resolveConfig, schemaFor, selects } from "../support/packConfig";
import { claimMounts } from "../support/claims";
import { metaOf, objectsOf, parseKubeType, providerNamespace } from "../support/resources";
import { unproxy } from "../support/unknowns";
import { propagateCopies, sourceHolds, templateCopies } from "../support/userDataCopies";
import { notApplicable } from "../support/notApplicable";

/** Backup kinds by API group: each copies a namespace's claims (and objects) to storage outside the cluster. */
export const BACKUP_KINDS: Record<string, string[]> = {
    "velero.io": ["Backup", "Schedule", "Restore"],
    "k8up.io": ["Backup", "Schedule", "Archive", "Restore"],
};

const list = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : []);

/** Which of `namespaces` a velero Backup spec (or a Schedule's template) copies: included (empty or `*`: all) and not excluded. */
function veleroCovers(spec: any, namespaces: string[]): string[] {
    const included = list(spec?.includedNamespaces);
    const excluded = new Set(list(spec?.excludedNamespaces));
    const all = included.length === 0 || included.includes("*");
    return namespaces.filter((ns) => (all || included.includes(ns)) && !excluded.has(ns));
}

export const userDataCopiesFollowed: StackValidationPolicy = {
    name: "user-data-copies-followed",
    description:
        "A copy of user data is user data: a VolumeSnapshot of a claim of user data (home claims, the airlock share, MLab's data, any claim a TorchPod writes), a claim cloned or restored from one " +
        "(`dataSource`/`dataSourceRef`, across namespaces too), and a claim template (generic ephemeral volume, StatefulSet volumeClaimTemplates) made from one are followed, in any namespace, " +
        "by every policy that judges user data (a pod that mounts a copy of a user's data is a TorchPod; the volume policies judge the copy's claim). " +
        "Here: a copy of MLab's data mounted by anything but MLab is refused; a backup (velero Backup, Schedule or Restore, k8up) of a namespace that holds user data, " +
        "or a restore of such a backup into another namespace (or of a backup the stack does not declare), is refused unless reviewed (`reviewedBackups`): it copies the data to storage the pack cannot see.",
    enforcementLevel: "mandatory",
    severity: "critical",
    configSchema: schemaFor([
        "torchpodSelector",
        "mlabSelector",
        "homeClaimPattern",
        "airlockClaimPattern",
        "mlabDataClaimPattern",
        "reviewedBackups",
    ]),
    remediationSteps:
        "Keep copies of user data where the original lives (a snapshot of MLab's data restored into MLab); back up TorchPod and MLab namespaces only to reviewed storage and name the backup in `reviewedBackups` (`Kind ns/name`).",
    validateStack: (args, report) => {
        const cfg = resolveConfig(args.getConfig<Record<string, unknown>>());
        const f = new Findings(
            report,
            "Switch after review: config reviewedBackups (`Kind ns/name` of a backup or restore); no switch lets MLab's data into another pod",
        );
        const pods = stackPods(args.resources);
        const id = identify(pods, cfg);
        const graph = pods.storage!;
        const reviewed = new Set(cfg.reviewedBackups);

        // MLab's data and its copies: only MLab's pods may mount them.
        const mlabRe = new RegExp(cfg.mlabDataClaimPattern);
        const mlabData = new Map<string, string>();
        for (const k of graph.claims.keys()) if (mlabRe.test(k.slice(k.indexOf("/") + 1))) mlabData.set(k, "MLab's data");
        for (const p of pods)
            for (const m of claimMounts(p.t)) if (mlabRe.test(m.claim)) mlabData.set(`${p.t.namespace}/${m.claim}`, "MLab's data");
        const { snapshots: mlabSnapshots } = propagateCopies(graph, mlabData);
        const isMlab = (p: (typeof pods)[number]) => id.mlabs.includes(p) && selects(cfg.mlabSelector, p.t.labels);
        let copies = mlabSnapshots.size + id.userDataSnapshots.size;
        for (const p of pods) {
            const templates = templateCopies(p.t, p.claimTemplates);
            copies += templates.length;
            if (isMlab(p)) continue;
            for (const m of claimMounts(p.t)) {
                const why = mlabData.get(`${p.t.namespace}/${m.claim}`);
                if (why)
                    f.violation(
                        `${p.t.display} mounts claim ${m.claim}, ${why}: MLab's repositories may be mounted by MLab alone (no switch)`,
                        p.urn,
                    );
            }
            for (const c of templates) {
                const why = sourceHolds(c.source, mlabData, mlabSnapshots);
                if (why)
                    f.violation(
                        `${p.t.display}'s claim template ${c.volume} (${c.where}) copies ${c.source.kind} ${c.source.namespace}/${c.source.name} (${why}): MLab's repositories may be mounted by MLab alone (no switch)`,
                        p.urn,
                    );
            }
        }
        for (const srcs of graph.claims.values()) copies += srcs.length;

        // Backups: where user data lives, by namespace.
        const airlockRe = new RegExp(cfg.airlockClaimPattern);
        const holding = new Map<string, string[]>();
        const note = (k: string) => {
            const ns = k.slice(0, k.indexOf("/"));
            holding.set(ns, [...new Set([...(holding.get(ns) ?? []), k.slice(ns.length + 1)])]);
        };
        for (const k of id.torchpodClaims.keys()) note(k);
        for (const k of mlabData.keys()) note(k);
        for (const k of graph.claims.keys()) if (airlockRe.test(k.slice(k.indexOf("/") + 1))) note(k);
        const userNs = [...holding.keys()].sort();
        const what = (nss: string[]) => nss.map((ns) => `${ns} (${holding.get(ns)!.join(", ")})`).join(", ");
        const backups = new Map<string, string[]>(); // `Kind ns/name` → the user-data namespaces it copies
        const restores: { label: string; urn: string; spec: any }[] = [];
        for (const r of args.resources) {
            if (!parseKubeType(r.type)) continue;
            const rid = { name: r.name, defaultNamespace: providerNamespace(r.provider) };
            for (const o of objectsOf(r.type, unproxy(r.props))) {
                const group = o.apiVersion.split("/")[0];
                if (o.patch || !(BACKUP_KINDS[group] ?? []).includes(o.kind)) continue;
                copies++;
                const m = metaOf(o, rid);
                const label = `${o.kind} ${m.namespace}/${m.name}`;
                let covered: string[] = [];
                if (group === "velero.io" && o.kind === "Restore") {
                    restores.push({ label, urn: r.urn, spec: o.obj?.spec ?? {} });
                    continue;
                }
                if (group === "velero.io") covered = veleroCovers(o.kind === "Schedule" ? o.obj?.spec?.template : o.obj?.spec, userNs);
                else if (o.kind !== "Restore") covered = userNs.includes(m.namespace) ? [m.namespace] : [];
                backups.set(`${o.kind} ${m.name}`, covered);
                if (covered.length && !reviewed.has(label)) {
                    const where =
                        group === "velero.io"
                            ? `backup storage location ${String((o.kind === "Schedule" ? o.obj?.spec?.template : o.obj?.spec)?.storageLocation ?? "default")}`
                            : "its backend";
                    f.violation(
                        `${label} copies namespaces holding user data, ${what(covered)}, to ${where}: a copy of user data outside the cluster, where no NetworkPolicy applies. Allow it after review: config reviewedBackups: ["${label}"]`,
                        r.urn,
                    );
                }
            }
        }
        for (const rs of restores) {
            if (reviewed.has(rs.label)) continue;
            const from =
                typeof rs.spec.backupName === "string"
                    ? `Backup ${rs.spec.backupName}`
                    : typeof rs.spec.scheduleName === "string"
                      ? `Schedule ${rs.spec.scheduleName}`
                      : undefined;
            const covered = from ? backups.get(from) : undefined;
            const allow = `Allow it after review: config reviewedBackups: ["${rs.label}"]`;
            if (covered === undefined) {
                f.violation(
                    `${rs.label} restores ${from ? `${from}, which the stack does not declare` : "a backup it does not name"}: the pack cannot see whether it holds user data, nor which pods will mount what it restores. ${allow}`,
                    rs.urn,
                );
                continue;
            }
            const mapping =
                rs.spec.namespaceMapping && typeof rs.spec.namespaceMapping === "object"
                    ? (rs.spec.namespaceMapping as Record<string, unknown>)
                    : {};
            const moved = veleroCovers(rs.spec, covered).filter((ns) => typeof mapping[ns] === "string" && mapping[ns] !== ns);
            if (moved.length)
                f.violation(
                    `${rs.label} restores user data of ${what(moved)} into ${moved.map((ns) => `namespace ${String(mapping[ns])}`).join(", ")}: a copy of user data in a namespace where other pods may mount it. ${allow}`,
                    rs.urn,
                );
        }
        if (copies === 0) notApplicable(args, "no snapshot, clone, claim template or backup in this stack");
        f.finish();
    },
};
