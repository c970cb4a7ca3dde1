#!/bin/sh
# The Airlock's sftp subsystem, for the audit trail. The Airlock mounts this script over the image's
# /usr/lib/openssh/sftp-server, so the image's own sshd (`Subsystem sftp /usr/lib/openssh/sftp-server`)
# runs it for every sftp session, as the logged-in user. It runs the image's real sftp-server (copied
# aside by the Airlock's init container) with OpenSSH's INFO logging on stderr, into one file per
# session on the sftp-log volume, which the audit writer reads: that is how an upload over sftp is
# told apart from a download in the Airlock, and by whom and from where it came.
#
# Fail closed: when the log cannot be written, the session is refused (the client sees the subsystem
# fail); an sftp upload is never unrecorded because the log volume was missing.
set -u

log_dir="${AIRLOCK_SFTP_LOG_DIR:-/var/log/airlock-sftp}"
server="${AIRLOCK_SFTP_SERVER:-/usr/local/lib/airlock-audit/sftp-server}"
start_dir="${AIRLOCK_SFTP_START_DIR:-/opt/public/airlock}"

if [ ! -x "$server" ]; then
    echo "airlock: this image has no sftp-server (looked for $server); sftp is unavailable" >&2
    exit 1
fi

log="$log_dir/$(date -u +%Y%m%dT%H%M%SZ)-$$.log"
if ! (: >>"$log") 2>/dev/null; then
    echo "airlock: cannot write the sftp audit log in $log_dir; sftp is refused until it is writable" >&2
    exit 1
fi

# -e: log to stderr (the file), not syslog; -l INFO: every open, close, rename and remove, and the
# session's user and client address; -d: sessions start in the airlock share.
exec "$server" -e -l INFO -d "$start_dir" "$@" 2>>"$log"
