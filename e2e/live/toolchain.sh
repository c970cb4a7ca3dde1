#!/usr/bin/env bash
# Builds the live tier's node parts from published Go modules (through the Go module proxy only)
# into the real-engine tier's cache, keyed by version, as e2e/toolchain.sh does for the engine:
#
#   kubelet, kube-controller-manager, kube-scheduler, kube-proxy   k8s.io/kubernetes (kube-apiserver's version)
#   kube-router (NetworkPolicy controller only)                   github.com/cloudnativelabs/kube-router/v2
#   coredns                                                       github.com/coredns/coredns
#   caddy (the program's browser proxy version)                   github.com/caddyserver/caddy/v2
#   gitea + environment-to-ini (MLab), tags sqlite sqlite_unlock_notify, cgo   code.gitea.io/gitea
#
#   e2e/live/toolchain.sh [PART...]    build what is missing (of PART: kube-node kube-router coredns caddy
#                                      gitea; default all), then print the versions
#   e2e/live/toolchain.sh --print-env  print `export TORCHPOD_LIVE_...` lines (builds nothing; exits 1 after
#                                      printing them when a part is missing)
#   e2e/live/toolchain.sh --versions   print the versions
#
# Environment: TORCHPOD_E2E_CACHE (cache root, default $HOME/.cache/torchpod-e2e),
# TORCHPOD_E2E_KUBE_VERSION (default 1.35.4, as e2e/toolchain.sh), TORCHPOD_LIVE_KUBE_ROUTER_VERSION
# (default 2.1.0: the only version the Go module proxy here serves), TORCHPOD_LIVE_COREDNS_VERSION
# (default 1.15.0), TORCHPOD_LIVE_GITEA_VERSION (default 1.22.6: the program's pinned Gitea),
# TORCHPOD_LIVE_CADDY_VERSION (default 2.8.4: the program's pinned proxy image), TORCHPOD_LIVE_GITEA_GO (the
# Go release Gitea is built with, default go1.23.12; see build_gitea).
# Wrapper modules: e2e/toolchain/{kube-node,kube-router,coredns,caddy,gitea}/go.mod.in.
set -euo pipefail
{
LIVE_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
E2E_DIR=$(dirname "$LIVE_DIR")
WRAPPERS=$E2E_DIR/toolchain
CACHE=${TORCHPOD_E2E_CACHE:-$HOME/.cache/torchpod-e2e}
KUBE_VERSION=${TORCHPOD_E2E_KUBE_VERSION:-1.35.4}
KUBE_ROUTER_VERSION=${TORCHPOD_LIVE_KUBE_ROUTER_VERSION:-2.1.0}
COREDNS_VERSION=${TORCHPOD_LIVE_COREDNS_VERSION:-1.15.0}
GITEA_VERSION=${TORCHPOD_LIVE_GITEA_VERSION:-1.22.6}
CADDY_VERSION=${TORCHPOD_LIVE_CADDY_VERSION:-2.8.4}
GITEA_GO=${TORCHPOD_LIVE_GITEA_GO:-go1.23.12}

export GOTOOLCHAIN=local
export GOFLAGS=-buildvcs=false
export GOPROXY=${GOPROXY:-https://proxy.golang.org}

die() { echo "live/toolchain.sh: $*" >&2; exit 1; }

KUBE_BIN_DIR=$CACHE/kube-node-$KUBE_VERSION/bin
KUBE_ROUTER_BIN_DIR=$CACHE/kube-router-$KUBE_ROUTER_VERSION/bin
COREDNS_BIN_DIR=$CACHE/coredns-$COREDNS_VERSION/bin
CADDY_BIN_DIR=$CACHE/caddy-$CADDY_VERSION/bin
GITEA_BIN_DIR=$CACHE/gitea-$GITEA_VERSION/bin

wrapper_hash() {
	(cd "$WRAPPERS/$1" && find . -type f | LC_ALL=C sort | xargs sha256sum | sha256sum | cut -c1-16)
}
is_cached() { # bin_dir binary wrapper
	[[ -x $1/$2 && -f $1/.$2.stamp && $(cat "$1/.$2.stamp") == "$(wrapper_hash "$3")" ]]
}

# name bin_dir binary wrapper version
PARTS=(
	"kubelet $KUBE_BIN_DIR kubelet kube-node $KUBE_VERSION"
	"kube-controller-manager $KUBE_BIN_DIR kube-controller-manager kube-node $KUBE_VERSION"
	"kube-scheduler $KUBE_BIN_DIR kube-scheduler kube-node $KUBE_VERSION"
	"kube-proxy $KUBE_BIN_DIR kube-proxy kube-node $KUBE_VERSION"
	"kube-router $KUBE_ROUTER_BIN_DIR kube-router kube-router $KUBE_ROUTER_VERSION"
	"coredns $COREDNS_BIN_DIR coredns coredns $COREDNS_VERSION"
	"caddy $CADDY_BIN_DIR caddy caddy $CADDY_VERSION"
	"gitea $GITEA_BIN_DIR gitea gitea $GITEA_VERSION"
	"environment-to-ini $GITEA_BIN_DIR environment-to-ini gitea $GITEA_VERSION"
)

print_versions() {
	local p name dir bin wrapper version
	echo "Live node parts:"
	for p in "${PARTS[@]}"; do
		read -r name dir bin wrapper version <<<"$p"
		printf '  %-25s %-8s %s\n' "$name" "$version" "$(is_cached "$dir" "$bin" "$wrapper" && echo "$dir/$bin" || echo "(not built)")"
	done
}

print_env() {
	local p name dir bin wrapper version var missing=0
	for p in "${PARTS[@]}"; do
		read -r name dir bin wrapper version <<<"$p"
		is_cached "$dir" "$bin" "$wrapper" || { echo "live/toolchain.sh: missing: $dir/$bin (run e2e/live/toolchain.sh)" >&2; missing=1; }
		var=$(echo "$name" | tr 'a-z-' 'A-Z_')
		echo "export TORCHPOD_LIVE_$var=$(printf %q "$dir/$bin")"
	done
	cat <<EOF
export TORCHPOD_LIVE_KUBE_VERSION=$KUBE_VERSION
export TORCHPOD_LIVE_KUBE_ROUTER_VERSION=$KUBE_ROUTER_VERSION
export TORCHPOD_LIVE_COREDNS_VERSION=$COREDNS_VERSION
export TORCHPOD_LIVE_CADDY_VERSION=$CADDY_VERSION
export TORCHPOD_LIVE_GITEA_VERSION=$GITEA_VERSION
EOF
	((missing == 0)) || exit 1
}

case ${1:-} in
--print-env) print_env; exit 0 ;;
--versions) print_versions; exit 0 ;;
"" | kube-node | kube-router | coredns | caddy | gitea) ;;
-h | --help) sed -n '2,/^set -euo/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'; exit 0 ;;
*) die "unknown argument $1 (try --help)" ;;
esac

command -v go >/dev/null || die "go is needed"
mkdir -p "$CACHE/work"
TIMINGS=$CACHE/timings.log

prepare_work() { # name version sed-expressions...
	local name=$1 version=$2
	shift 2
	WORK=$CACHE/work/$name-$version
	rm -rf "$WORK"
	mkdir -p "$WORK"
	sed "$@" "$WRAPPERS/$name/go.mod.in" >"$WORK/go.mod"
	find "$WRAPPERS/$name" -maxdepth 1 -name '*.go' -exec cp {} "$WORK/" \;
}

mod_file() { # module@version: the path of its go.mod in the module cache
	(cd "$WORK" && go mod download -json "$1" | jq -r .GoMod)
}

# Static (CGO_ENABLED=0) unless CGO=1: coredns runs alone in its image; the node's parts run on the host.
build() { # wrapper version bin_dir "binary package ldflags"... (env: BUILD_TAGS, CGO, GOTOOLCHAIN)
	local wrapper=$1 version=$2 bin_dir=$3 spec binary pkg ldflags start
	shift 3
	start=$(date +%s)
	(cd "$WORK" && go mod tidy)
	mkdir -p "$bin_dir"
	for spec in "$@"; do
		read -r binary pkg ldflags <<<"$spec"
		(cd "$WORK" && CGO_ENABLED=${CGO:-0} go build -trimpath ${BUILD_TAGS:+-tags "$BUILD_TAGS"} \
			-ldflags "-s -w ${ldflags:-}" -o "$bin_dir/.$binary.tmp" "$pkg")
		mv -f "$bin_dir/.$binary.tmp" "$bin_dir/$binary"
		wrapper_hash "$wrapper" >"$bin_dir/.$binary.stamp"
		echo "built $binary $version ($bin_dir/$binary)"
	done
	echo "built $wrapper $version ($(cd "$WORK" && go version)) in $(($(date +%s) - start))s"
	echo "$(date -u +%FT%TZ) $wrapper $version $(($(date +%s) - start))s" >>"$TIMINGS"
}

all_cached() { # bin_dir wrapper binaries...
	local dir=$1 wrapper=$2 b
	shift 2
	for b in "$@"; do is_cached "$dir" "$b" "$wrapper" || return 1; done
}

build_kube_node() {
	all_cached "$KUBE_BIN_DIR" kube-node kubelet kube-controller-manager kube-scheduler kube-proxy &&
		{ echo "cached: kubelet, kube-controller-manager, kube-scheduler, kube-proxy $KUBE_VERSION"; return; }
	echo "building kubelet, kube-controller-manager, kube-scheduler, kube-proxy $KUBE_VERSION (k8s.io/kubernetes)..."
	prepare_work kube-node "$KUBE_VERSION" -e "s/@KUBE_VERSION@/$KUBE_VERSION/g"
	awk -v v="v0.${KUBE_VERSION#*.}" '$2 == "=>" && $3 ~ /^\.\/staging\// { print "replace " $1 " => " $1 " " v }' \
		"$(mod_file "k8s.io/kubernetes@v$KUBE_VERSION")" >>"$WORK/go.mod"
	grep -q '^replace k8s.io/kubelet ' "$WORK/go.mod" || die "found no staging replaces for k8s.io/kubernetes@v$KUBE_VERSION"
	local major=${KUBE_VERSION%%.*} minor=${KUBE_VERSION#*.} pkgv=k8s.io/component-base/version
	minor=${minor%%.*}
	local ld="-X=$pkgv.gitVersion=v$KUBE_VERSION -X=$pkgv.gitMajor=$major -X=$pkgv.gitMinor=$minor -X=$pkgv.gitTreeState=clean"
	local specs=() c
	for c in kubelet kube-controller-manager kube-scheduler kube-proxy; do specs+=("$c k8s.io/kubernetes/cmd/$c $ld"); done
	# cgo as for kube-apiserver (e2e/toolchain.sh): the two share most compiled packages in the Go build cache.
	CGO=1 build kube-node "$KUBE_VERSION" "$KUBE_BIN_DIR" "${specs[@]}"
}

build_kube_router() {
	all_cached "$KUBE_ROUTER_BIN_DIR" kube-router kube-router && { echo "cached: kube-router $KUBE_ROUTER_VERSION"; return; }
	echo "building kube-router $KUBE_ROUTER_VERSION (github.com/cloudnativelabs/kube-router/v2)..."
	prepare_work kube-router "$KUBE_ROUTER_VERSION" -e "s/@KUBE_ROUTER_VERSION@/$KUBE_ROUTER_VERSION/g"
	CGO=1 build kube-router "$KUBE_ROUTER_VERSION" "$KUBE_ROUTER_BIN_DIR" \
		"kube-router github.com/cloudnativelabs/kube-router/v2/cmd/kube-router -X=github.com/cloudnativelabs/kube-router/v2/pkg/version.Version=v$KUBE_ROUTER_VERSION"
}

build_coredns() {
	all_cached "$COREDNS_BIN_DIR" coredns coredns && { echo "cached: coredns $COREDNS_VERSION"; return; }
	echo "building coredns $COREDNS_VERSION (github.com/coredns/coredns)..."
	prepare_work coredns "$COREDNS_VERSION" -e "s/@COREDNS_VERSION@/$COREDNS_VERSION/g"
	build coredns "$COREDNS_VERSION" "$COREDNS_BIN_DIR" "coredns github.com/coredns/coredns"
}

build_caddy() {
	all_cached "$CADDY_BIN_DIR" caddy caddy && { echo "cached: caddy $CADDY_VERSION"; return; }
	echo "building caddy $CADDY_VERSION (github.com/caddyserver/caddy/v2)..."
	prepare_work caddy "$CADDY_VERSION" -e "s/@CADDY_VERSION@/$CADDY_VERSION/g"
	build caddy "$CADDY_VERSION" "$CADDY_BIN_DIR" "caddy github.com/caddyserver/caddy/v2/cmd/caddy"
}

build_gitea() {
	all_cached "$GITEA_BIN_DIR" gitea gitea environment-to-ini && { echo "cached: gitea $GITEA_VERSION"; return; }
	command -v gcc >/dev/null || die "gcc is needed for gitea's sqlite (cgo)"
	echo "building gitea $GITEA_VERSION (code.gitea.io/gitea, tags sqlite sqlite_unlock_notify)..."
	prepare_work gitea "$GITEA_VERSION" -e "s/@GITEA_VERSION@/$GITEA_VERSION/g"
	# Gitea's own replace and exclude directives apply only in its own module: repeat them.
	grep -E '^(replace|exclude) ' "$(mod_file "code.gitea.io/gitea@v$GITEA_VERSION")" >>"$WORK/go.mod"
	# Gitea 1.22 reads the runtime's goroutine labels through go:linkname (modules/log/groutinelabel.go)
	# as a map; Go 1.24 changed their layout, so built with a newer Go it dies at start ("fatal error:
	# concurrent map read and map write"). It is built with the Go release its own CI used, fetched by
	# the go command as a module (golang.org/toolchain) through the module proxy.
	GOTOOLCHAIN=$GITEA_GO CGO=1 BUILD_TAGS="sqlite sqlite_unlock_notify" build gitea "$GITEA_VERSION" "$GITEA_BIN_DIR" \
		"gitea code.gitea.io/gitea -X=main.Version=$GITEA_VERSION -X=main.Tags=sqlite,sqlite_unlock_notify" \
		"environment-to-ini code.gitea.io/gitea/contrib/environment-to-ini"
}

total_start=$(date +%s)
for part in "${@:-kube-node kube-router coredns caddy gitea}"; do
	for p in $part; do "build_${p//-/_}"; done
done
echo "live toolchain ready in $(($(date +%s) - total_start))s (cache: $CACHE)"
print_versions
exit
}
