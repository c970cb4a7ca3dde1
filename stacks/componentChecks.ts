// Every component's own check, over the arguments the platform will give it, reported against the
// config keys those arguments came from. Adding a component (or a config key a component reads) means
// one call here: the rule stays the component's, written once.
import { DESKTOP_PORTS, GITEA_HTTP_CONTAINER_PORT, GITEA_SSH_CONTAINER_PORT } from "@torchpod/contract";
import { resourceProblems } from "../components/desktop/validate";
import { validateTorchPodArgs } from "../components/torchpod.validate";
import { validateAirlockArgs } from "../components/airlock.validate";
import { validateNetworkLockdownArgs } from "../components/networkLockdown.validate";
import { validateProbeArgs } from "../components/enforcementProbe.validate";
import { validateNamespacesArgs } from "../components/namespaces.validate";
import { validateWorkingHoursArgs } from "../components/workingHours.validate";
import { Checker } from "./checker";
import { objectNameProblems } from "./objectNames";
import { resourceKeys } from "./sections/computeResources";
import { StackConfig } from "./types";

/**
 * Every component's own check, over the arguments the platform will give it: a config that breaks a
 * component's rule is refused here, before any resource exists, instead of halfway through an update.
 */
export function checkComponents(c: Checker, config: StackConfig): void {
    c.componentProblems(resourceProblems(config.mlab.resources), resourceKeys("mlab"));
    c.componentProblems(validateNamespacesArgs({ names: config.namespaces }), { names: "namespaces" });
    const desktop = { gui: config.gui, mode: config.mode, exposure: config.exposure, officeCidrs: config.officeCidrs };
    config.users.forEach((user, i) => {
        const at = `users[${i}]`;
        c.componentProblems(
            validateTorchPodArgs({
                ...desktop,
                user: user.name,
                image: user.image,
                gpus: user.gpus,
                gpuResource: user.gpuResource,
                resources: user.resources,
                shmSize: user.shmSize,
            }),
            {
                user: `${at}.name`,
                image: `${at}.image`,
                gpus: `${at}.gpus`,
                "gpu.resourceName": `${at}.gpuResource`,
                shmSize: `${at}.shm`,
                ...resourceKeys(at),
                gui: "gui",
                mode: "mode",
            },
        );
    });
    const airlock = config.airlock;
    c.componentProblems(
        validateAirlockArgs({
            ...desktop,
            user: airlock.user,
            image: config.image,
            resources: airlock.resources,
            shmSize: airlock.shmSize,
            sftpPort: airlock.sftpPort,
        }),
        {
            user: "airlock.user",
            image: "image",
            shmSize: "airlock.shm",
            sftpPort: "airlock.sftpPort",
            ...resourceKeys("airlock"),
            gui: "gui",
            mode: "mode",
        },
    );
    c.componentProblems(
        validateNetworkLockdownArgs({
            officeCidrs: config.officeCidrs,
            cluster: config.cluster,
            mlabPorts: { http: GITEA_HTTP_CONTAINER_PORT, ssh: GITEA_SSH_CONTAINER_PORT },
            airlockSftpContainerPort: DESKTOP_PORTS.sftp,
        }),
        { officeCidrs: "officeCidrs", cluster: "cluster" },
    );
    c.componentProblems(
        validateProbeArgs({
            config: config.probe,
            cluster: config.cluster,
            mlab: { port: config.mlab.httpPort, sshPort: config.mlab.sshPort },
            airlock: { port: config.airlock.sftpPort },
        }),
        {
            config: "probe",
            cluster: "cluster",
            "mlab.port": "mlab.httpPort",
            "mlab.sshPort": "mlab.sshPort",
            "airlock.port": "airlock.sftpPort",
        },
    );
    if (config.schedule)
        c.componentProblems(
            validateWorkingHoursArgs({ schedule: config.schedule, otherNamespaces: [config.namespaces.torchpods, config.namespaces.mlab] }),
            {
                timeZone: "schedule.timeZone",
                start: "schedule.start",
                stop: "schedule.stop",
                days: "schedule.days",
                image: "schedule.image",
            },
        );
    c.componentProblems(objectNameProblems(config), {});
}
