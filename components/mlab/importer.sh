# MLab importer: brings one approved upstream into its MLab repository. Run by `/bin/sh` in a short-lived
# Job (the pinned Gitea image, for its git), one per project that has an upstream, after the reconciler.
#
# MLab's Gitea has no egress and refuses migrations, so it never fetches anything itself. The reconciler
# creates the repository empty and, while it is empty, an import account that may write that one
# repository and read nothing else. This script clones the upstream (https only, no credentials sent
# there) and pushes its branches and tags into the repository with that account (never --force):
#
#   the repository is empty          -> clone, push the upstream's default branch first (Gitea makes the
#                                       first branch pushed into an empty repository its default), then
#                                       every branch and tag; exit 0
#   the repository has content       -> nothing to import (imported before, or users pushed); exit 0
#   the account is refused (401/404) -> nothing to import: the reconciler grants the account only while
#                                       the repository is empty, and deletes it afterwards; exit 0
#   anything else                    -> a clear error; exit 1 (Pulumi fails the update; the next
#                                       `pulumi up` runs the Job again); exit 2 on missing inputs
#
# Inputs (env): MLAB_URL (Gitea's base URL, the Service's cluster IP: no DNS needed for it),
# MLAB_IMPORT_REPO (owner/repo), MLAB_IMPORT_UPSTREAM (the upstream's URL), MLAB_IMPORT_CREDENTIALS_DIR
# (files `username` and `password` of the import account), MLAB_IMPORT_WORK_DIR (an empty writable
# directory, default /tmp/mlab-import), MLAB_IMPORT_UPSTREAM_PROTOCOLS (git protocols allowed for the
# upstream, colon-separated; default https), MLAB_IMPORT_CONNECT_RETRY_SECONDS (how long a refused
# connection to MLab is retried; default 60). The password is read by a credential helper scoped to
# MLAB_URL, so it is never on a command line, in a URL, in a log line, or sent to the upstream.
set -eu

fail() {
    echo "mlab-importer: error: $1" >&2
    exit "${2:-1}"
}
for v in MLAB_URL MLAB_IMPORT_REPO MLAB_IMPORT_UPSTREAM MLAB_IMPORT_CREDENTIALS_DIR; do
    eval "value=\${$v:-}"
    [ -n "$value" ] || fail "$v is not set" 2
done
creds="$MLAB_IMPORT_CREDENTIALS_DIR"
[ -s "$creds/username" ] && [ -s "$creds/password" ] || fail "the import credential in $creds is missing (expected files username and password)" 2
case "$MLAB_IMPORT_REPO" in
    */*/* | /* | */ | *..* | *[!A-Za-z0-9._/-]*) fail "MLAB_IMPORT_REPO must be owner/repo, got '$MLAB_IMPORT_REPO'" 2 ;;
    */*) ;;
    *) fail "MLAB_IMPORT_REPO must be owner/repo, got '$MLAB_IMPORT_REPO'" 2 ;;
esac
base="${MLAB_URL%/}"
case "$base" in
    http://* | https://*) ;;
    *) fail "MLAB_URL must be an http(s) URL, got '$MLAB_URL'" 2 ;;
esac
target="$base/$MLAB_IMPORT_REPO.git"
work="${MLAB_IMPORT_WORK_DIR:-/tmp/mlab-import}"
upstream_protocols="${MLAB_IMPORT_UPSTREAM_PROTOCOLS:-https}"

# No system or user git configuration (no helpers, no rewrites, no proxies from elsewhere); no prompts.
export GIT_CONFIG_NOSYSTEM=1 GIT_TERMINAL_PROMPT=0 GIT_ASKPASS=/bin/false SSH_ASKPASS=/bin/false
export HOME="$work/home" XDG_CONFIG_HOME="$work/home/.config"
mkdir -p "$HOME"
# The import account's credential, for MLab's URL only; read from the mounted Secret when git asks.
helper='!f() { test "$1" = get || exit 0; printf "username=%s\npassword=%s\n" "$(cat "$MLAB_IMPORT_CREDENTIALS_DIR/username")" "$(cat "$MLAB_IMPORT_CREDENTIALS_DIR/password")"; }; f'
to_mlab() {
    git -c protocol.allow=never -c "protocol.${base%%:*}.allow=always" -c credential.helper= \
        -c "credential.$base.helper=$helper" -c credential.useHttpPath=false "$@"
}

echo "mlab-importer: $MLAB_IMPORT_REPO: checking MLab's repository"
# A new pod's NetworkPolicy allowances are programmed by the network plugin only after the pod has its
# address, so its first connections can be refused: connection failures are retried for
# MLAB_IMPORT_CONNECT_RETRY_SECONDS (default 60); an answer from Gitea never is.
connect_deadline=$(($(date +%s) + ${MLAB_IMPORT_CONNECT_RETRY_SECONDS:-60}))
while ! refs="$(to_mlab ls-remote "$target" 2>"$work/ls-remote.err")"; do
    if grep -qiE "authentication failed|not found|returned error: (401|403|404)" "$work/ls-remote.err"; then
        echo "mlab-importer: $MLAB_IMPORT_REPO: the import account is not (or no longer) granted: the repository already has content; nothing to import"
        exit 0
    fi
    if grep -qiE "failed to connect|couldn't connect|connection refused|timed out" "$work/ls-remote.err" && [ "$(date +%s)" -lt "$connect_deadline" ]; then
        sleep 2
        continue
    fi
    fail "$MLAB_IMPORT_REPO: cannot reach MLab's repository at $target: $(tr '\n' ' ' <"$work/ls-remote.err")"
done
if [ -n "$refs" ]; then
    echo "mlab-importer: $MLAB_IMPORT_REPO: the repository already has content; nothing to import"
    exit 0
fi

echo "mlab-importer: $MLAB_IMPORT_REPO: cloning $MLAB_IMPORT_UPSTREAM"
rm -rf "$work/upstream.git"
# Only the allowed protocols for the upstream, and no credential helper at all: nothing of MLab's goes there.
git -c protocol.allow=never $(printf -- '-c protocol.%s.allow=always ' $(echo "$upstream_protocols" | tr ':' ' ')) \
    -c credential.helper= clone --bare --quiet -- "$MLAB_IMPORT_UPSTREAM" "$work/upstream.git" ||
    fail "$MLAB_IMPORT_REPO: cannot clone $MLAB_IMPORT_UPSTREAM"
cd "$work/upstream.git"
[ -n "$(git for-each-ref --count=1 refs/heads)" ] || fail "$MLAB_IMPORT_REPO: the upstream $MLAB_IMPORT_UPSTREAM has no branch"

head="$(git symbolic-ref --quiet --short HEAD 2>/dev/null || true)"
if [ -n "$head" ] && git show-ref --verify --quiet "refs/heads/$head"; then
    echo "mlab-importer: $MLAB_IMPORT_REPO: pushing the default branch $head"
    to_mlab push --quiet "$target" "refs/heads/$head:refs/heads/$head" || fail "$MLAB_IMPORT_REPO: pushing $head to MLab failed"
fi
echo "mlab-importer: $MLAB_IMPORT_REPO: pushing every branch and tag"
to_mlab push --quiet "$target" "refs/heads/*:refs/heads/*" "refs/tags/*:refs/tags/*" || fail "$MLAB_IMPORT_REPO: pushing to MLab failed"
echo "mlab-importer: $MLAB_IMPORT_REPO: imported $(git for-each-ref refs/heads | wc -l | tr -d ' ') branch(es) and $(git for-each-ref refs/tags | wc -l | tr -d ' ') tag(s) from $MLAB_IMPORT_UPSTREAM"
