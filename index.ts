// TorchPod: a locked-down GPU development platform. The whole stack config is validated before the
// first resource is registered; a bad config registers nothing and names every problem.
import * as pulumi from "@pulumi/pulumi";
import { loadStackConfig } from "./stacks/parse";
import { buildPlatform } from "./platform/buildPlatform";
import { gpusByKind, suspendedUsers } from "./stacks/gpuSummary";

// An async entry point: Pulumi awaits it and takes the object it returns as the stack's outputs.
// It lets the platform build a large team a few users at a time (see platform/buildPlatform.ts).
export = async () => {
    const config = loadStackConfig();
    const platform = await buildPlatform(config);

    const users = Object.values(platform.torchpods);

    /**
     * Per user: `host:port` of each enabled GUI (rdp, browser; vnc only when enabled). A suspended
     * user's entry says `suspended: true`: its Service keeps its address, but no desktop answers there
     * until the user is resumed.
     */
    const endpoints = Object.fromEntries(
        users.map((tp) => [
            tp.user,
            {
                ...(tp.suspended ? { suspended: true } : {}),
                ...(tp.rdpEndpoint ? { rdp: tp.rdpEndpoint } : {}),
                ...(tp.browserEndpoint ? { browser: tp.browserEndpoint } : {}),
                ...(tp.vncEndpoint ? { vnc: tp.vncEndpoint } : {}),
            },
        ]),
    );

    /** Per user: the desktop password (RDP login, browser basic auth). Secret: `pulumi stack output --show-secrets passwords`. */
    const passwords = pulumi.secret(pulumi.all(Object.fromEntries(users.map((tp) => [tp.user, tp.password]))));

    /** The Airlock: login name and endpoints (sftp on the Service's sftp port). */
    const airlock = {
        user: platform.airlock.user,
        sftp: platform.airlock.sftpEndpoint,
        ...(platform.airlock.rdpEndpoint ? { rdp: platform.airlock.rdpEndpoint } : {}),
        ...(platform.airlock.browserEndpoint ? { browser: platform.airlock.browserEndpoint } : {}),
        ...(platform.airlock.vncEndpoint ? { vnc: platform.airlock.vncEndpoint } : {}),
    };
    const airlockPassword = pulumi.secret(platform.airlock.password);

    /** MLab clone URLs (http and ssh forms: prefixes, and per approved project) and the Gitea admin password (secret). */
    const mlabHttpUrl = platform.mlab.httpUrl;
    const mlabSshUrl = platform.mlab.sshUrl;
    const mlabCloneUrls = platform.mlab.cloneUrls;
    const mlabAdminPassword = pulumi.secret(platform.mlab.adminPassword);
    /** Per user: the MLab (git) password, for fetching branches from an office computer. Secret. */
    const mlabPasswords = pulumi.secret(platform.mlab.userPasswords);

    /**
     * How admins read the audit trail: what entered the airlock share (JSON lines, hash chain checked)
     * and the pushes to MLab (Gitea's access log, JSON lines).
     */
    const audit = { enters: platform.airlockAudit.showCommand, leaves: platform.mlab.pushLogCommand };

    const namespaces = { torchpods: platform.namespaces.torchpodsName, mlab: platform.namespaces.mlabName };

    /** GPUs by kind (extended resource name): running, suspended and the quota's entry. */
    const gpus = gpusByKind(config);
    /** The suspended users (scaled to zero; home, password and MLab account kept). */
    const suspended = suspendedUsers(config);
    /** The working hours, when the stack sets them: TorchPods of users who are not suspended run only then. */
    const schedule = config.schedule
        ? { timeZone: config.schedule.timeZone, start: config.schedule.start, stop: config.schedule.stop, days: config.schedule.days }
        : undefined;
    return {
        endpoints,
        passwords,
        airlock,
        airlockPassword,
        mlabHttpUrl,
        mlabSshUrl,
        mlabCloneUrls,
        mlabAdminPassword,
        mlabPasswords,
        audit,
        namespaces,
        gpus,
        suspended,
        ...(schedule ? { schedule } : {}),
    };
};
