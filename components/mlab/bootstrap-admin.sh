# MLab admin bootstrap: the init container of the Gitea pod runs this (through the rootless image's
# entrypoint, so docker-setup.sh has written app.ini from the GITEA__* variables first).
#
# Gitea's API cannot create the first administrator; the CLI can, but it needs the database. So before
# Gitea starts, every time: migrate the schema, then create the admin or reset its password to the
# one in the admin Secret. Idempotent; it never prints the password (the CLI prints only the name).
# Flags checked against Gitea 1.22's cmd/admin_user_*.go (`--must-change-password` exists on both
# `create` and `change-password` since 1.22).
set -eu

: "${GITEA_APP_INI:?}" "${MLAB_ADMIN_USER:?}" "${MLAB_ADMIN_EMAIL:?}" "${MLAB_ADMIN_PASSWORD:?}"

gitea --config "$GITEA_APP_INI" migrate
echo "mlab-bootstrap: database schema is current"

admins="$(gitea --config "$GITEA_APP_INI" admin user list --admin)"
if printf '%s\n' "$admins" | awk 'NR > 1 { print $2 }' | grep -qx "$MLAB_ADMIN_USER"; then
    gitea --config "$GITEA_APP_INI" admin user change-password \
        --username "$MLAB_ADMIN_USER" --password "$MLAB_ADMIN_PASSWORD" --must-change-password=false >/dev/null
    echo "mlab-bootstrap: admin $MLAB_ADMIN_USER exists; password set from its Secret"
else
    gitea --config "$GITEA_APP_INI" admin user create --admin \
        --username "$MLAB_ADMIN_USER" --password "$MLAB_ADMIN_PASSWORD" --email "$MLAB_ADMIN_EMAIL" \
        --must-change-password=false >/dev/null
    echo "mlab-bootstrap: admin $MLAB_ADMIN_USER created"
fi
