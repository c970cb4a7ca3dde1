import { MlabConfig } from "../common/settings";
import { GITEA_HTTP_CONTAINER_PORT, GITEA_SSH_CONTAINER_PORT, GITEA_WORK_DIR } from "@torchpod/contract";
// Gitea's configuration for MLab, as `GITEA__section__KEY` environment variables that the rootless
// image's docker-setup.sh writes into app.ini (environment-to-ini) on every start.
//
// Pinned to Gitea 1.22 (DEFAULT_GITEA_IMAGE, gitea/gitea:1.22.6-rootless); every name below was checked
// against that version's modules/setting/*.go. The rules: MLab holds approved projects only, nobody
// registers, nothing is visible without signing in, and **nothing in Gitea can carry data out**:
// no push mirrors, no webhooks, no migrations at all (approved upstreams arrive through the importer
// Jobs, see ./jobs.ts; MLab itself has no egress), no mail, no avatar or update lookups, no OpenID
// discovery, no Actions runners, no package registry.
//
// Secret values (SECRET_KEY, INTERNAL_TOKEN, [oauth2] JWT_SECRET, the PostgreSQL password) are not
// here: they come from Secrets through secretKeyRef (see ./gitea.ts), so they never appear in the pod
// spec, and Gitea never generates one into its regenerated app.ini.

export interface GiteaSetting {
    /** app.ini section ("" is the default section). */
    readonly section: string;
    readonly key: string;
    readonly value: string;
    /** Why this value: the reason is part of the contract (tests and reviewers read it). */
    readonly why: string;
}

/**
 * The `GITEA__section__KEY` name of a setting. Characters outside [A-Za-z0-9_] are escaped as
 * `_0X<hex>_` (Gitea's config_env.go: decodeEnvSectionKey), e.g. `cron.update_checker` ->
 * `cron_0X2E_update_checker`; the default section is the empty one (`GITEA____APP_NAME`).
 */
export function giteaEnvName(section: string, key: string): string {
    const escape = (s: string) => s.replace(/[^A-Za-z0-9_]/g, (c) => `_0X${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, "0")}_`);
    return `GITEA__${escape(section)}__${escape(key)}`;
}

/** [migrations] ALLOWED_DOMAINS: a host that cannot exist (RFC 2606: .invalid never resolves); migrations are off anyway. */
export const NO_MIGRATION_HOST = "no-migrations.invalid";

/**
 * The access log's line: one JSON object per request, so the record of what leaves can be read by
 * tools. A push over http is `POST /<owner>/<repo>[.git]/git-receive-pack` (`.git` as in the clone URL)
 * with the pusher and the client's address (Gitea trusts no proxy header: REVERSE_PROXY_TRUSTED_PROXIES is
 * loopback only).
 * The URI is quoted with %q (valid JSON for the percent-encoded ASCII a request URI is).
 */
export const ACCESS_LOG_TEMPLATE =
    '{"time":"{{.Start.UTC.Format "2006-01-02T15:04:05.000Z07:00"}}","client":"{{.Ctx.RemoteHost}}","user":"{{.Identity}}",' +
    '"method":"{{.Ctx.Req.Method}}","uri":{{printf "%q" .Ctx.Req.URL.RequestURI}},"status":{{.ResponseWriter.Status}}}';

/** Where the access log lives: [log] ROOT_PATH's default, on the retained data volume. */
export const ACCESS_LOG_FILE = `${GITEA_WORK_DIR}/log/access.log`;

/** The http(s) base a browser or git uses: the port is left out when it is the scheme's default (80). */
export function hostWithPort(host: string, port: number): string {
    return port === 80 ? host : `${host}:${port}`;
}

/**
 * Every non-secret setting, in app.ini order. Pure: the same config gives the same list.
 */
export function giteaSettings(config: MlabConfig): GiteaSetting[] {
    const s = (section: string, key: string, value: string | number | boolean, why: string): GiteaSetting => ({
        section,
        key,
        value: String(value),
        why,
    });
    const rootUrl = `http://${hostWithPort(config.host, config.httpPort)}/`;

    const database: GiteaSetting[] =
        config.database.type === "postgres"
            ? [
                  s("database", "DB_TYPE", "postgres", "external PostgreSQL for larger teams"),
                  s("database", "HOST", config.database.host, "host or host:port of the PostgreSQL server"),
                  s("database", "NAME", config.database.name, "database name"),
                  s("database", "USER", config.database.user, "database user (its password comes from the named Secret)"),
                  s("database", "SSL_MODE", config.database.sslMode, "TLS to the database"),
              ]
            : [
                  s("database", "DB_TYPE", "sqlite3", "embedded SQLite: enough for one team, nothing else to run"),
                  s("database", "PATH", `${GITEA_WORK_DIR}/data/gitea.db`, "on the retained data volume"),
              ];

    return [
        s("", "APP_NAME", "MLab", "the name users see"),
        s("", "RUN_MODE", "prod", "production mode"),

        s("server", "PROTOCOL", "http", "TorchPods reach MLab over plain http inside the cluster (no TLS material to manage there)"),
        s("server", "DOMAIN", config.host, "the host name TorchPods (hostAliases) and office computers use"),
        s("server", "ROOT_URL", rootUrl, "clone URLs and links as users reach MLab"),
        s("server", "HTTP_PORT", GITEA_HTTP_CONTAINER_PORT, "container port; the Service maps the configured httpPort to it"),
        s("server", "SSH_DOMAIN", config.host, "ssh clone URLs use the same host name"),
        s("server", "SSH_PORT", config.sshPort, "the port shown in ssh clone URLs (the Service's ssh port)"),
        s("server", "SSH_LISTEN_PORT", GITEA_SSH_CONTAINER_PORT, "the built-in ssh server listens here (unprivileged)"),
        s("server", "START_SSH_SERVER", true, "the rootless image only supports Gitea's built-in ssh server"),
        s("server", "DISABLE_SSH", false, "ssh clones work for users who upload a key"),
        s("server", "OFFLINE_MODE", true, "no CDN assets and no external avatar services: MLab has no egress at all"),
        s(
            "server",
            "LFS_START_SERVER",
            false,
            "no LFS (datasets travel through the airlock); with it off, Gitea 1.22 neither reads nor generates [server] LFS_JWT_SECRET",
        ),
        s("server", "LANDING_PAGE", "login", "nothing to see before signing in"),

        ...database,

        s("security", "INSTALL_LOCK", true, "never show the web installer: configuration comes from here only"),
        s("security", "DISABLE_WEBHOOKS", true, "webhooks send repository data to URLs users choose: an exfiltration channel"),
        s("security", "DISABLE_GIT_HOOKS", true, "server-side git hooks run arbitrary code in the Gitea pod"),
        s("security", "IMPORT_LOCAL_PATHS", false, "no imports from the server's own file system"),
        s("security", "PASSWORD_CHECK_PWN", false, "the check calls api.pwnedpasswords.com (internet); passwords are random anyway"),
        s("security", "DISABLE_QUERY_AUTH_TOKEN", true, "tokens in URLs end up in logs"),
        s(
            "security",
            "REVERSE_PROXY_TRUSTED_PROXIES",
            "127.0.0.0/8,::1/128",
            "the image's template trusts X-Forwarded-For from anyone; no proxy sits in front of MLab",
        ),

        s("service", "DISABLE_REGISTRATION", true, "accounts are the stack's TorchPod users, created by the reconciler"),
        s("service", "SHOW_REGISTRATION_BUTTON", false, "registration is disabled"),
        s("service", "REQUIRE_SIGNIN_VIEW", true, "approved projects are visible to signed-in users only"),
        s("service", "DEFAULT_ALLOW_CREATE_ORGANIZATION", false, "organisations are approved projects' owners, created by the reconciler"),
        s("service", "DEFAULT_KEEP_EMAIL_PRIVATE", true, "no e-mail addresses on profiles"),
        s("service", "ENABLE_NOTIFY_MAIL", false, "no mail (the mailer is off)"),
        s("service", "REGISTER_EMAIL_CONFIRM", false, "no mail (the mailer is off)"),
        s("service", "ENABLE_CAPTCHA", false, "captcha providers are internet services"),
        s("admin", "DISABLE_REGULAR_ORG_CREATION", true, "only the admin creates organisations"),
        s("openid", "ENABLE_OPENID_SIGNIN", false, "OpenID sign-in fetches user-supplied URLs (outbound requests)"),
        s("openid", "ENABLE_OPENID_SIGNUP", false, "OpenID sign-in fetches user-supplied URLs (outbound requests)"),
        s(
            "oauth2",
            "ENABLED",
            false,
            "MLab is no OAuth2 provider (no apps); Gitea 1.22 still signs CSRF and account tokens with [oauth2] JWT_SECRET, which comes from a Secret",
        ),

        s("repository", "DEFAULT_BRANCH", "main", "default branch of empty repositories"),
        s("repository", "DEFAULT_PRIVATE", "private", "repositories are private by default"),
        s(
            "repository",
            "MAX_CREATION_LIMIT",
            0,
            "users create no repositories, forks or imports of their own: a project appears on MLab only when approved (the admin is exempt)",
        ),
        s("repository", "ENABLE_PUSH_CREATE_USER", false, "a push cannot create a repository"),
        s("repository", "ENABLE_PUSH_CREATE_ORG", false, "a push cannot create a repository"),
        s(
            "repository",
            "DISABLE_MIGRATIONS",
            true,
            "Gitea never fetches from outside (MLab has no egress): approved upstreams are pushed in by the importer Jobs",
        ),

        s("mirror", "ENABLED", false, "no mirrors at all: a push mirror relays repository data out"),
        s("mirror", "DISABLE_NEW_PULL", true, "belt and braces with ENABLED=false"),
        s("mirror", "DISABLE_NEW_PUSH", true, "belt and braces with ENABLED=false"),

        s("webhook", "ALLOWED_HOST_LIST", "loopback", "webhooks are disabled; should any exist, they may only reach the pod itself"),
        s("webhook", "SKIP_TLS_VERIFY", false, "never skip TLS verification"),

        // Never empty: Gitea reads an empty list as "every public host".
        s("migrations", "ALLOWED_DOMAINS", NO_MIGRATION_HOST, "migrations are off; should they be turned on, no host matches"),
        s("migrations", "ALLOW_LOCALNETWORKS", false, "never import from private, loopback or cluster addresses"),
        s("migrations", "SKIP_TLS_VERIFY", false, "never skip TLS verification"),

        s("mailer", "ENABLED", false, "mail is an outbound channel; MLab sends none"),
        s(
            "picture",
            "DISABLE_GRAVATAR",
            true,
            "no avatar lookups on the internet (1.22 honours this as the default of the database setting)",
        ),
        s("picture", "ENABLE_FEDERATED_AVATAR", false, "no libravatar lookups on the internet"),
        s("cron.update_checker", "ENABLED", false, "the update checker calls dl.gitea.com"),
        s("actions", "ENABLED", false, "no CI runners: they would run code and fetch actions from the internet"),
        s("packages", "ENABLED", false, "no package registry: software enters through the airlock"),
        s("federation", "ENABLED", false, "no federation requests to other servers"),
        s("api", "ENABLE_SWAGGER", false, "no API explorer needed"),
        s("log", "LEVEL", "Info", "operational logs on stdout"),
        // The record of what leaves (Gitea's own facilities): every request, pushes included, in an
        // access log on the retained data volume; the ref updates themselves are Gitea's action feed.
        s("log", "ROOT_PATH", `${GITEA_WORK_DIR}/log`, "log files on the retained data volume, so the record survives restarts"),
        s(
            "log",
            "logger.access.MODE",
            "file",
            "the access log (every request with its user and client address) goes to the file writer below",
        ),
        s(
            "log",
            "ACCESS_LOG_TEMPLATE",
            ACCESS_LOG_TEMPLATE,
            "one JSON object per request: time, client address, user, method, URI, status",
        ),
        s("log.file", "MODE", "file", "a file writer: only the access log uses it (operational logs stay on the console)"),
        s("log.file", "FILE_NAME", "access.log", "relative to [log] ROOT_PATH"),
        s("log.file", "DAILY_ROTATE", true, "one file per day, easy to archive"),
        s("log.file", "MAX_DAYS", 3650, "rotated files are kept ten years: Gitea's default (7 days) would delete the record of what left"),
        s("log.file", "COMPRESS", true, "rotated days are gzipped"),
        s("cron.delete_old_actions", "ENABLED", false, "the action feed (who pushed which commits to which branch) is never pruned"),
    ];
}
