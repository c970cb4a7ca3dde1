# MLab admin bootstrap: the init container of the Gitea pod runs this (through the rootless image's
# entrypoint, so docker-setup.sh has written app.ini from the GITEA__* variables first).
#
# Gitea's API cannot create the first administrator; the CLI can, but it needs the database. So before
# Gitea starts, every time: migrate the schema, then create the admin or reset its password to the
# one in the admin Secret. Idempotent; it never prints the password (the CLI prints only the name).
# An account of that name without administrator rights stops the pod with a message saying how to
# restore them (the 1.22 CLI has no command for it).
# Flags checked against Gitea 1.22's cmd/admin_user_*.go (`--must-change-password` exists on both
# `create` and `change-password` since 1.22).
set -eu

: "${GITEA_APP_INI:?}" "${MLAB_ADMIN_USER:?}" "${MLAB_ADMIN_EMAIL:?}" "${MLAB_ADMIN_PASSWORD:?}"

gitea --config "$GITEA_APP_INI" migrate
echo "mlab-bootstrap: database schema is current"

# Every account, with its admin flag (columns: ID Username Email IsActive IsAdmin 2FA); Gitea's names
# are case-insensitive, so the match is too.
is_admin="$(gitea --config "$GITEA_APP_INI" admin user list |
    awk -v u="$MLAB_ADMIN_USER" 'NR > 1 && tolower($2) == tolower(u) { print $5; exit }')"
case "$is_admin" in
    true)
        gitea --config "$GITEA_APP_INI" admin user change-password \
            --username "$MLAB_ADMIN_USER" --password "$MLAB_ADMIN_PASSWORD" --must-change-password=false >/dev/null
        echo "mlab-bootstrap: admin $MLAB_ADMIN_USER exists; password set from its Secret"
        ;;
    "")
        gitea --config "$GITEA_APP_INI" admin user create --admin \
            --username "$MLAB_ADMIN_USER" --password "$MLAB_ADMIN_PASSWORD" --email "$MLAB_ADMIN_EMAIL" \
            --must-change-password=false >/dev/null
        echo "mlab-bootstrap: admin $MLAB_ADMIN_USER created"
        ;;
    *)
        # The account exists but lost its administrator rights: `create` would fail on "user already
        # exists" at every start, and Gitea 1.22's CLI cannot grant the rights back. Stop, and say how.
        echo "mlab-bootstrap: error: the account $MLAB_ADMIN_USER exists but is not an administrator (IsAdmin: $is_admin)." \
            "MLab's reconciler needs it to be one. Restore its rights as another administrator (Site Administration," \
            "User Accounts, $MLAB_ADMIN_USER, Is Administrator), then restart the MLab pod." >&2
        exit 1
        ;;
esac
