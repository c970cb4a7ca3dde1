#!/usr/bin/env bash
# Builds the live tier's container images as OCI archives (no registry, no image builder), from
# Debian's packages (debootstrap from Debian's mirror) and the binaries e2e/live/toolchain.sh built.
#
#   e2e/live/images.sh            build what is missing into $CACHE/live/images/, print the list
#   e2e/live/images.sh --list     print "REFERENCE ARCHIVE" per image (builds nothing)
#
# Images (all under docker.io/torchpod-live/, never pulled from anywhere):
#   pause           kubernetes' own build/pause/linux/pause.c (from the k8s.io/kubernetes module), static
#   debian          Debian bookworm (minbase) + ca-certificates curl git openssh-server netcat-openbsd
#                   busybox nodejs gettext-base dumb-init: the base of the images below, and itself the
#                   stand-in for the program's small node image (reconciler, probe)
#   torchpod        debian + an entrypoint that makes the login from TORCHPOD_USER/TORCHPOD_PASSWORD,
#                   runs sshd (sftp) on 22 and plain TCP/HTTP listeners on the GUI ports (no desktop)
#   gitea           debian + gitea and environment-to-ini (e2e/live/toolchain.sh) + the rootless image's
#                   scripts and app.ini template from the gitea module (docker/rootless), uid 1000
#   caddy           debian + caddy
#   coredns         coredns alone
# The Debian base is keyed by its package list and rebuilt only when that changes; the rest is keyed
# by the binaries' versions and this directory's scripts.
set -euo pipefail
{
LIVE_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
E2E_DIR=$(dirname "$LIVE_DIR")
CACHE=${TORCHPOD_E2E_CACHE:-$HOME/.cache/torchpod-e2e}
OUT=$CACHE/live/images
SUITE=bookworm
MIRROR=${TORCHPOD_LIVE_DEBIAN_MIRROR:-http://deb.debian.org/debian}
PACKAGES=ca-certificates,curl,git,openssh-server,netcat-openbsd,busybox,nodejs,gettext-base,dumb-init
PREFIX=docker.io/torchpod-live

die() { echo "images.sh: $*" >&2; exit 1; }

# Paths and versions of the node's parts; an image whose binary is missing says so when it is built.
eval "$("$LIVE_DIR/toolchain.sh" --print-env 2>/dev/null || true)"
need() { [[ -x $1 ]] || die "$1 is missing: run e2e/live/toolchain.sh first"; }

key() { printf '%s' "$*" | sha256sum | cut -c1-12; }
# Bump BASE_RECIPE when the base layer's recipe below changes.
BASE_RECIPE=1
BASE_KEY=$(key "$SUITE $PACKAGES $BASE_RECIPE")
SCRIPTS_KEY=$(key "$(cat "$LIVE_DIR/images.sh" "$LIVE_DIR/oci.mjs" "$LIVE_DIR/image/"*)")

declare -A REF ARCHIVE
image() { # short-name tag
	REF[$1]=$PREFIX/$1:$2
	ARCHIVE[$1]=$OUT/$1-$2-$SCRIPTS_KEY.tar
}
# A rebuilt binary makes a new image: its tag carries a hash of the binary.
bin_key() { if [[ -f $1 ]]; then sha256sum "$1" | cut -c1-8; else echo missing; fi; }
image pause "3.10-$TORCHPOD_LIVE_KUBE_VERSION"
image debian "$SUITE-$BASE_KEY"
image torchpod "standin-$BASE_KEY"
image gitea "$TORCHPOD_LIVE_GITEA_VERSION-rootless-$BASE_KEY-$(bin_key "${TORCHPOD_LIVE_GITEA:-}")"
image caddy "$TORCHPOD_LIVE_CADDY_VERSION-$BASE_KEY-$(bin_key "${TORCHPOD_LIVE_CADDY:-}")"
image coredns "$TORCHPOD_LIVE_COREDNS_VERSION-$(bin_key "${TORCHPOD_LIVE_COREDNS:-}")"
NAMES=(pause debian torchpod gitea caddy coredns)

if [[ ${1:-} == --list ]]; then
	for n in "${NAMES[@]}"; do echo "$n ${REF[$n]} ${ARCHIVE[$n]}"; done
	exit 0
fi

mkdir -p "$OUT"
WORK=$(mktemp -d "$CACHE/live/images-work.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
oci() { node "$LIVE_DIR/oci.mjs" "$@"; }
# A layer from a directory: root-owned, numeric ids, fixed times, so equal inputs give equal digests.
layer() { # dir out.tar
	tar --sort=name --numeric-owner --owner=0 --group=0 --mtime=@0 -C "$1" -cf "$2" .
}

# --- The Debian base layer -------------------------------------------------------------------------
BASE_LAYER=$CACHE/live/debian-$SUITE-$BASE_KEY.tar
if [[ ! -f $BASE_LAYER ]]; then
	command -v debootstrap >/dev/null || die "debootstrap is missing (e2e/live/node.sh --install-packages installs it)"
	echo "images.sh: debootstrap $SUITE ($PACKAGES) from $MIRROR ..."
	t=$(date +%s)
	root=$WORK/rootfs
	debootstrap --variant=minbase --include="$PACKAGES" "$SUITE" "$root" "$MIRROR" >"$WORK/debootstrap.log" 2>&1 ||
		die "debootstrap failed: $(tail -20 "$WORK/debootstrap.log")"
	rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/* "$root"/etc/ssh/ssh_host_* "$root"/dev/*
	layer "$root" "$BASE_LAYER.tmp"
	mv -f "$BASE_LAYER.tmp" "$BASE_LAYER"
	rm -rf "$root"
	echo "images.sh: Debian base built in $(($(date +%s) - t))s ($(du -h "$BASE_LAYER" | cut -f1))"
fi

built() { [[ -f ${ARCHIVE[$1]} ]] && { echo "cached: ${REF[$1]}"; }; }

# --- pause -------------------------------------------------------------------------------------------
if ! built pause; then
	src=$(cd "$CACHE" && GOTOOLCHAIN=local GOFLAGS=-mod=mod go mod download -json "k8s.io/kubernetes@v$TORCHPOD_LIVE_KUBE_VERSION" | jq -r .Dir)
	mkdir -p "$WORK/pause"
	gcc -Os -static -DVERSION="v3.10-torchpod" -o "$WORK/pause/pause" "$src/build/pause/linux/pause.c"
	layer "$WORK/pause" "$WORK/pause.tar"
	oci --name "${REF[pause]}" --out "${ARCHIVE[pause]}" --entrypoint '["/pause"]' "$WORK/pause.tar"
	echo "built ${REF[pause]}"
fi

# --- debian (the node image's stand-in) -----------------------------------------------------------------
built debian || { oci --name "${REF[debian]}" --out "${ARCHIVE[debian]}" --cmd '["/bin/sh"]' "$BASE_LAYER" && echo "built ${REF[debian]}"; }

# --- torchpod stand-in ----------------------------------------------------------------------------------
if ! built torchpod; then
	d=$WORK/torchpod
	mkdir -p "$d/usr/local/bin" "$d/srv/novnc" "$d/etc/ssh/sshd_config.d" "$d/run/sshd"
	install -m 0755 "$LIVE_DIR/image/torchpod-standin.sh" "$d/usr/local/bin/torchpod-standin"
	echo '<html><body>noVNC stand-in (torchpod live tier)</body></html>' >"$d/srv/novnc/index.html"
	install -m 0644 "$LIVE_DIR/image/sshd-standin.conf" "$d/etc/ssh/sshd_config.d/torchpod.conf"
	layer "$d" "$WORK/torchpod.tar"
	oci --name "${REF[torchpod]}" --out "${ARCHIVE[torchpod]}" --entrypoint '["/usr/local/bin/torchpod-standin"]' \
		"$BASE_LAYER" "$WORK/torchpod.tar"
	echo "built ${REF[torchpod]}"
fi

# --- gitea (rootless layout) ------------------------------------------------------------------------------
if ! built gitea; then
	src=$(cd "$CACHE" && GOTOOLCHAIN=local go mod download -json "code.gitea.io/gitea@v$TORCHPOD_LIVE_GITEA_VERSION" | jq -r .Dir)
	d=$WORK/gitea
	mkdir -p "$d/app/gitea" "$d/usr/local/bin" "$d/etc/templates" "$d/var/lib/gitea" "$d/etc/gitea" "$d/etc"
	need "$TORCHPOD_LIVE_GITEA"
	need "$TORCHPOD_LIVE_ENVIRONMENT_TO_INI"
	install -m 0755 "$TORCHPOD_LIVE_GITEA" "$d/app/gitea/gitea"
	install -m 0755 "$TORCHPOD_LIVE_ENVIRONMENT_TO_INI" "$d/usr/local/bin/environment-to-ini"
	install -m 0755 "$src/docker/rootless/usr/local/bin/docker-entrypoint.sh" "$src/docker/rootless/usr/local/bin/docker-setup.sh" \
		"$src/docker/rootless/usr/local/bin/gitea" "$d/usr/local/bin/"
	# Built without the `bindata` tag (its generated sources are not in the module), Gitea reads its
	# templates, locales and public files at run time from STATIC_ROOT_PATH: ship them from the module and
	# point the image's app.ini template there (the program regenerates app.ini from it at every start).
	cp -r "$src/options" "$src/templates" "$src/public" "$d/app/gitea/"
	chmod -R u+w,go+rX "$d/app/gitea"
	sed 's|^\[server\]$|[server]\nSTATIC_ROOT_PATH = /app/gitea|' "$src/docker/rootless/etc/templates/app.ini" >"$d/etc/templates/app.ini"
	grep -q '^STATIC_ROOT_PATH = /app/gitea' "$d/etc/templates/app.ini" || die "no [server] section in gitea's app.ini template"
	# The image's git user (uid/gid 1000), as Dockerfile.rootless adds it.
	tar -xf "$BASE_LAYER" -C "$d" ./etc/passwd ./etc/group
	echo 'git:x:1000:1000:Gitea:/var/lib/gitea/git:/bin/bash' >>"$d/etc/passwd"
	echo 'git:x:1000:' >>"$d/etc/group"
	layer "$d" "$WORK/gitea.tar"
	tar --numeric-owner --owner=1000 --group=1000 --mtime=@0 -rf "$WORK/gitea.tar" -C "$d" ./var/lib/gitea ./etc/gitea
	oci --name "${REF[gitea]}" --out "${ARCHIVE[gitea]}" --user 1000:1000 --workdir /var/lib/gitea \
		--entrypoint '["/usr/bin/dumb-init","--","/usr/local/bin/docker-entrypoint.sh"]' \
		--env GITEA_WORK_DIR=/var/lib/gitea --env GITEA_CUSTOM=/var/lib/gitea/custom --env GITEA_TEMP=/tmp/gitea \
		--env TMPDIR=/tmp/gitea --env GITEA_APP_INI=/etc/gitea/app.ini --env HOME=/var/lib/gitea/git \
		"$BASE_LAYER" "$WORK/gitea.tar"
	echo "built ${REF[gitea]}"
fi

# --- caddy ------------------------------------------------------------------------------------------------
if ! built caddy; then
	d=$WORK/caddy
	mkdir -p "$d/usr/bin" "$d/etc/caddy" "$d/config/caddy" "$d/data/caddy"
	need "$TORCHPOD_LIVE_CADDY"
	install -m 0755 "$TORCHPOD_LIVE_CADDY" "$d/usr/bin/caddy"
	layer "$d" "$WORK/caddy.tar"
	oci --name "${REF[caddy]}" --out "${ARCHIVE[caddy]}" --env XDG_CONFIG_HOME=/config --env XDG_DATA_HOME=/data \
		--cmd '["caddy","run","--config","/etc/caddy/Caddyfile","--adapter","caddyfile"]' "$BASE_LAYER" "$WORK/caddy.tar"
	echo "built ${REF[caddy]}"
fi

# --- coredns ----------------------------------------------------------------------------------------------
if ! built coredns; then
	d=$WORK/coredns
	mkdir -p "$d"
	need "$TORCHPOD_LIVE_COREDNS"
	install -m 0755 "$TORCHPOD_LIVE_COREDNS" "$d/coredns"
	layer "$d" "$WORK/coredns.tar"
	oci --name "${REF[coredns]}" --out "${ARCHIVE[coredns]}" --entrypoint '["/coredns"]' "$WORK/coredns.tar"
	echo "built ${REF[coredns]}"
fi

# Archives of older keys are of no further use.
for f in "$OUT"/*.tar; do
	keep=0
	for n in "${NAMES[@]}"; do [[ $f == "${ARCHIVE[$n]}" ]] && keep=1; done
	((keep)) || rm -f "$f"
done
for n in "${NAMES[@]}"; do printf '  %-9s %s (%s)\n' "$n" "${REF[$n]}" "$(du -h "${ARCHIVE[$n]}" | cut -f1)"; done
exit
}
