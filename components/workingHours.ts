// The working-hours schedule: stops TorchPods outside working hours and starts them again, without
// giving any TorchPod (or any other pod of the platform) an API right.
//
// The actor is two CronJobs (start, stop) in a namespace of their own, never the TorchPod namespace.
// Their service account holds one rule, through a RoleBinding in the TorchPod namespace:
// `deployments/scale` get/patch/update on the scheduled TorchPod Deployments by name (a suspended
// user's Deployment is not among them, so the schedule can never start it). Their pods reach nothing
// but the API server (a default deny and one egress rule in their namespace), by the address the
// kubelet gives every pod (no DNS).
//
// `pulumi up` does not fight the schedule: the scheduled TorchPods' Deployments leave `spec.replicas`
// out, so the actor (through the scale subresource) is its only writer and an update of anything else
// never starts a stopped desktop. Suspending a user makes Pulumi set replicas 0 again; those
// Deployments carry `pulumi.com/patchForce`, so Pulumi takes the field back from the actor.
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { WORKING_HOURS_NAMES, WORKING_HOURS_RULE, workloadLabels } from "@torchpod/contract";
import { ClusterConfig, ScheduleConfig } from "./common/settings";
import { restrictedContainerSecurityContext, restrictedPodSecurityContext } from "./common/podSecurity";
import { refuseInvalidArgs } from "./common/argProblems";
import { cronOf, stopDays, validateWorkingHoursArgs } from "./workingHours.validate";
import { namespaceLabels } from "./namespaces";

export { validateWorkingHoursArgs } from "./workingHours.validate";

/** The actor's script, shipped in a ConfigMap and run by `node`. */
export const SCALE_SCRIPT_PATH = path.join(__dirname, "workingHours", "scale.js");

export interface WorkingHoursArgs {
    /** Time zone, hours, days, the schedule's own namespace and image (resolved); no default. */
    readonly schedule: ScheduleConfig;
    /** The TorchPod namespace (the Namespaces component's output): where the Role and RoleBinding live; no default. */
    readonly torchpodNamespace: pulumi.Input<string>;
    /** The TorchPod namespace's name as configured, and MLab's: the schedule's namespace must differ from both. @default [] */
    readonly otherNamespaces?: readonly string[];
    /** The TorchPod Deployments the schedule starts and stops (never a suspended user's); no default. */
    readonly deployments: readonly string[];
    /** The API server's Service IP and the control plane's real addresses: the actor's only egress; no default. */
    readonly cluster: Pick<ClusterConfig, "apiServerIp" | "controlPlaneCidrs">;
    /** `app.kubernetes.io/instance` of its objects (the stack). */
    readonly instance: string;
}

/** The NetworkPolicy egress peers of the API server: its Service IP (before DNAT) and the control plane's addresses (after). */
export function apiServerEgress(cluster: WorkingHoursArgs["cluster"]) {
    const host = (ip: string) => (ip.includes(":") ? `${ip}/128` : `${ip}/32`);
    return [
        { to: [{ ipBlock: { cidr: host(cluster.apiServerIp) } }], ports: [{ protocol: "TCP", port: 443 }] },
        ...(cluster.controlPlaneCidrs.length > 0
            ? [
                  {
                      to: cluster.controlPlaneCidrs.map((cidr) => ({ ipBlock: { cidr } })),
                      ports: [
                          { protocol: "TCP", port: 443 },
                          { protocol: "TCP", port: 6443 },
                      ],
                  },
              ]
            : []),
    ];
}

export class WorkingHours extends pulumi.ComponentResource {
    /** The schedule's namespace. */
    readonly namespace: k8s.core.v1.Namespace;
    /** The only API rights of the platform's pods: scale the named TorchPod Deployments. */
    readonly role: k8s.rbac.v1.Role;
    readonly start: k8s.batch.v1.CronJob;
    readonly stop: k8s.batch.v1.CronJob;

    constructor(name: string, args: WorkingHoursArgs, opts?: pulumi.ComponentResourceOptions) {
        refuseInvalidArgs(
            "WorkingHours",
            validateWorkingHoursArgs({ schedule: args.schedule, otherNamespaces: args.otherNamespaces ?? [] }),
        );
        super("torchpod:index:WorkingHours", name, {}, opts);
        const s = args.schedule;
        const n = WORKING_HOURS_NAMES;
        const labels = workloadLabels("working-hours", args.instance);

        this.namespace = new k8s.core.v1.Namespace(
            `${name}-namespace`,
            { metadata: { name: s.namespace, labels: namespaceLabels("working-hours", args.instance, "restricted", "restricted") } },
            { parent: this },
        );
        const ns = this.namespace.metadata.name;

        const account = new k8s.core.v1.ServiceAccount(
            `${name}-account`,
            { metadata: { name: n.serviceAccount, namespace: ns, labels }, automountServiceAccountToken: false },
            { parent: this },
        );

        // resourceNames pins the rule to these Deployments; an empty list would mean every Deployment,
        // so without any scheduled TorchPod the Role holds no rule at all.
        this.role = new k8s.rbac.v1.Role(
            `${name}-role`,
            {
                metadata: { name: n.role, namespace: args.torchpodNamespace, labels },
                rules:
                    args.deployments.length > 0
                        ? [
                              {
                                  apiGroups: [...WORKING_HOURS_RULE.apiGroups],
                                  resources: [...WORKING_HOURS_RULE.resources],
                                  verbs: [...WORKING_HOURS_RULE.verbs],
                                  resourceNames: [...args.deployments],
                              },
                          ]
                        : [],
            },
            { parent: this },
        );
        const binding = new k8s.rbac.v1.RoleBinding(
            `${name}-binding`,
            {
                metadata: { name: n.role, namespace: args.torchpodNamespace, labels },
                roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: n.role },
                subjects: [{ kind: "ServiceAccount", name: n.serviceAccount, namespace: ns }],
            },
            { parent: this, dependsOn: [this.role, account] },
        );

        // Its namespace's lock-down: nothing in, nothing out but the API server.
        const denyAll = new k8s.networking.v1.NetworkPolicy(
            `${name}-deny-all`,
            { metadata: { name: n.denyAll, namespace: ns, labels }, spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"] } },
            { parent: this },
        );
        const apiOnly = new k8s.networking.v1.NetworkPolicy(
            `${name}-api-server`,
            {
                metadata: { name: n.apiServer, namespace: ns, labels },
                spec: {
                    podSelector: { matchLabels: { "app.kubernetes.io/component": "working-hours" } },
                    policyTypes: ["Egress"],
                    egress: apiServerEgress(args.cluster),
                },
            },
            { parent: this },
        );

        const script = fs.readFileSync(SCALE_SCRIPT_PATH, "utf8");
        const scriptMap = new k8s.core.v1.ConfigMap(
            `${name}-script`,
            {
                metadata: {
                    name: `${n.script}-${crypto.createHash("sha256").update(script).digest("hex").slice(0, 10)}`,
                    namespace: ns,
                    labels,
                },
                immutable: true,
                data: { "scale.js": script },
            },
            { parent: this },
        );

        const cronJob = (which: "start" | "stop") =>
            new k8s.batch.v1.CronJob(
                `${name}-${which}`,
                {
                    metadata: { name: n[which], namespace: ns, labels },
                    spec: {
                        schedule: cronOf(s[which], which === "start" ? s.days : stopDays(s)),
                        timeZone: s.timeZone,
                        concurrencyPolicy: "Replace",
                        // A controller that was down at the hour still acts within it.
                        startingDeadlineSeconds: 3600,
                        successfulJobsHistoryLimit: 1,
                        failedJobsHistoryLimit: 3,
                        jobTemplate: {
                            spec: {
                                backoffLimit: 4,
                                ttlSecondsAfterFinished: 86400,
                                template: {
                                    metadata: { labels },
                                    spec: {
                                        serviceAccountName: n.serviceAccount,
                                        // The one pod of the platform that needs its token: exactly the rule above.
                                        automountServiceAccountToken: true,
                                        enableServiceLinks: false,
                                        restartPolicy: "Never",
                                        securityContext: restrictedPodSecurityContext(1000),
                                        containers: [
                                            {
                                                name: "scale",
                                                image: s.image,
                                                command: ["node", "/working-hours/scale.js"],
                                                env: [
                                                    { name: "TARGET_NAMESPACE", value: args.torchpodNamespace },
                                                    { name: "DEPLOYMENTS", value: args.deployments.join(",") },
                                                    { name: "REPLICAS", value: which === "start" ? "1" : "0" },
                                                ],
                                                securityContext: restrictedContainerSecurityContext(),
                                                resources: {
                                                    requests: { cpu: "10m", memory: "32Mi" },
                                                    limits: { cpu: "200m", memory: "128Mi" },
                                                },
                                                volumeMounts: [{ name: "script", mountPath: "/working-hours", readOnly: true }],
                                            },
                                        ],
                                        volumes: [{ name: "script", configMap: { name: scriptMap.metadata.name, defaultMode: 0o444 } }],
                                    },
                                },
                            },
                        },
                    },
                },
                { parent: this, dependsOn: [binding, denyAll, apiOnly] },
            );
        this.start = cronJob("start");
        this.stop = cronJob("stop");
        this.registerOutputs({ namespace: ns, start: this.start.metadata.name, stop: this.stop.metadata.name });
    }
}
