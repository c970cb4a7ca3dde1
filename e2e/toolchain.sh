#!/usr/bin/env bash
# Builds the real-engine toolchain for torchpod's end-to-end tests from
# published Go modules (through the Go module proxy only) into a cache outside
# the repository, keyed by version. Binaries that are already in the cache are
# not rebuilt ("cached").
#
#   e2e/toolchain.sh              build what is missing, then print the versions
#   e2e/toolchain.sh --print-env [BINARY...]
#                                 print `export` lines with the binaries' paths
#                                 (builds nothing; fails if one of BINARY, or
#                                 of all binaries when none is named, is missing)
#   e2e/toolchain.sh --versions   print the versions wanted and provided
#
# Environment:
#   TORCHPOD_E2E_CACHE        cache root (default $HOME/.cache/torchpod-e2e)
#   TORCHPOD_E2E_ALLOW_DRIFT  1: build the nearest buildable provider when the
#                             version in package-lock.json cannot be built
#                             (see "Provider versions" below) instead of failing
#   TORCHPOD_E2E_KUBE_VERSION kube-apiserver version (default 1.35.4)
#   TORCHPOD_E2E_ETCD_VERSION etcd version (default 3.6.16)
#
# Layout:   $CACHE/<name>-<version>/bin/<binary>, build dirs in $CACHE/work/.
# Each binary is built from a small wrapper module whose source is committed in
# e2e/toolchain/<name>/ (a go.mod template, and a main.go where the published
# module has no buildable main package); the script fills in the versions in a
# build directory in the cache and runs `go mod tidy` and `go build` there.
#
# Provider versions (what the Go module proxy reachable here serves, checked
# when this script was written):
#   - github.com/pulumi/pulumi/pkg/v3 and sdk/v3: v3.248.0 is served.
#   - github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3: refused
#     (403 "This module version is not available") for every version, so the
#     Node language host is torchpod's own small host (toolchain/
#     pulumi-language-nodejs/main.go) built against sdk/v3.
#   - github.com/pulumi/pulumi-kubernetes/provider/v4: only the pseudo-version
#     of the v4.25.0 release commit is served; the 4.34.2 commit is refused.
#   - github.com/pulumi/pulumi-random/provider/v4: refused for every version;
#     with TORCHPOD_E2E_ALLOW_DRIFT=1 the script builds torchpod's STAND-IN
#     (toolchain/pulumi-resource-random/main.go: RandomPassword and
#     RandomString only) to be installed as the locked @pulumi/random version.
set -euo pipefail
# The whole script is one block, so bash parses all of it before running any:
# editing the file while it runs cannot change what the running copy does.
{

E2E_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_DIR=$(dirname "$E2E_DIR")
WRAPPERS=$E2E_DIR/toolchain
CACHE=${TORCHPOD_E2E_CACHE:-$HOME/.cache/torchpod-e2e}
ALLOW_DRIFT=${TORCHPOD_E2E_ALLOW_DRIFT:-0}
KUBE_VERSION=${TORCHPOD_E2E_KUBE_VERSION:-1.35.4}
ETCD_VERSION=${TORCHPOD_E2E_ETCD_VERSION:-3.6.16}

# The go command must not fetch another Go toolchain, and must only use the
# module proxy.
export GOTOOLCHAIN=local
export GOFLAGS=-buildvcs=false
export GOPROXY=${GOPROXY:-https://proxy.golang.org}

die() { echo "toolchain.sh: $*" >&2; exit 1; }
note() { [[ ${QUIET:-0} == 1 ]] || echo "toolchain.sh: $*" >&2; }
# --print-env and --versions only report; they keep the drift warnings quiet.
case ${1:-} in --print-env | --versions) QUIET=1 ;; esac

# ---------------------------------------------------------------------------
# Versions wanted: read from package-lock.json.
lock_version() {
	node -e '
		const lock = require(process.argv[1]);
		const p = lock.packages && lock.packages["node_modules/" + process.argv[2]];
		if (!p || !p.version) { process.exit(3); }
		process.stdout.write(p.version);
	' "$REPO_DIR/package-lock.json" "$1" || die "cannot read $1's version from $REPO_DIR/package-lock.json"
}
command -v node >/dev/null || die "node is needed to read package-lock.json"
command -v go >/dev/null || die "go is needed"
WANT_PULUMI=$(lock_version @pulumi/pulumi)
WANT_K8S=$(lock_version @pulumi/kubernetes)
WANT_RANDOM=$(lock_version @pulumi/random)

# ---------------------------------------------------------------------------
# What the wrappers support.
#
# Pulumi CLI versions whose pkg/v3 go.mod was checked against the wrapper's
# replace (github.com/atotto/clipboard => github.com/tgummerer/clipboard ...).
SUPPORTED_PULUMI="3.248.0"
# Kubernetes provider: npm/provider version -> "provider/v4 module version, sdk/v4 version".
# A release has a tag vX.Y.Z at the repository root, so provider/v4 only has
# pseudo-versions: v4.0.0-<UTC commit time>-<12 hex of the tag's commit>.
k8s_module_for() {
	case $1 in
	4.25.0) echo "v4.0.0-20260115033456-f47bc2d6f199 v4.25.0" ;;
	*) return 1 ;;
	esac
}
K8S_BUILDABLE="4.25.0"
# Random provider: none (the module is refused by the proxy).
RANDOM_BUILDABLE=""

PROBLEMS=()
PULUMI_VERSION=$WANT_PULUMI
if [[ " $SUPPORTED_PULUMI " != *" $WANT_PULUMI "* ]]; then
	msg="package-lock.json has @pulumi/pulumi $WANT_PULUMI; e2e/toolchain/pulumi supports $SUPPORTED_PULUMI (check pkg/v3 $WANT_PULUMI's go.mod replaces, then add it to SUPPORTED_PULUMI)"
	if [[ $ALLOW_DRIFT == 1 ]]; then note "warning: $msg; trying $WANT_PULUMI anyway"; else PROBLEMS+=("$msg"); PULUMI_VERSION=""; fi
fi

K8S_VERSION=""
if k8s_module_for "$WANT_K8S" >/dev/null; then
	K8S_VERSION=$WANT_K8S
else
	msg="package-lock.json has @pulumi/kubernetes $WANT_K8S, but the Go module proxy does not serve github.com/pulumi/pulumi-kubernetes/provider/v4 at that release; buildable: $K8S_BUILDABLE"
	if [[ $ALLOW_DRIFT == 1 ]]; then
		K8S_VERSION=${K8S_BUILDABLE##* }
		note "warning: $msg; TORCHPOD_E2E_ALLOW_DRIFT=1: building $K8S_VERSION instead"
	else
		PROBLEMS+=("$msg (set TORCHPOD_E2E_ALLOW_DRIFT=1 to build $K8S_BUILDABLE)")
	fi
fi

RANDOM_VERSION=""
RANDOM_KIND=""
if [[ -z $RANDOM_BUILDABLE ]]; then
	msg="package-lock.json has @pulumi/random $WANT_RANDOM, but the Go module proxy refuses github.com/pulumi/pulumi-random/provider/v4 at every version: the real random provider cannot be built"
	if [[ $ALLOW_DRIFT == 1 ]]; then
		RANDOM_VERSION=$WANT_RANDOM
		RANDOM_KIND=standin
		note "warning: $msg; TORCHPOD_E2E_ALLOW_DRIFT=1: building torchpod's stand-in (RandomPassword, RandomString) to install as $WANT_RANDOM"
	else
		PROBLEMS+=("$msg (set TORCHPOD_E2E_ALLOW_DRIFT=1 to build torchpod's stand-in)")
	fi
fi

# ---------------------------------------------------------------------------
# Paths.
PULUMI_BIN_DIR=$CACHE/pulumi-$PULUMI_VERSION/bin
K8S_BIN_DIR=$CACHE/pulumi-resource-kubernetes-$K8S_VERSION/bin
KUBE_BIN_DIR=$CACHE/kube-apiserver-$KUBE_VERSION/bin
ETCD_BIN_DIR=$CACHE/etcd-$ETCD_VERSION/bin
RANDOM_BIN_DIR=$CACHE/pulumi-resource-random-standin-$RANDOM_VERSION-sdk-$PULUMI_VERSION/bin

# Each binary has a stamp file beside it holding a hash of its wrapper's
# committed source; a changed wrapper rebuilds the binary.
wrapper_hash() {
	(cd "$WRAPPERS/$1" && find . -type f | LC_ALL=C sort | xargs sha256sum | sha256sum | cut -c1-16)
}
is_cached() { # bin_dir binary wrapper
	[[ -x $1/$2 && -f $1/.$2.stamp && $(cat "$1/.$2.stamp") == "$(wrapper_hash "$3")" ]]
}

print_versions() {
	echo "Versions (package-lock.json wants: @pulumi/pulumi $WANT_PULUMI, @pulumi/kubernetes $WANT_K8S, @pulumi/random $WANT_RANDOM):"
	local line
	show() { # label bin_dir binary wrapper version
		if [[ -z $5 ]]; then line="(not provided: see the error below)"; elif is_cached "$2" "$3" "$4"; then line="$2/$3"; else line="(not built)"; fi
		printf '  %-35s %-9s %s\n' "$1" "${5:--}" "$line"
	}
	show "pulumi (CLI)" "$PULUMI_BIN_DIR" pulumi pulumi "$PULUMI_VERSION"
	show "pulumi-language-nodejs" "$PULUMI_BIN_DIR" pulumi-language-nodejs pulumi-language-nodejs "$PULUMI_VERSION"
	show "pulumi-resource-kubernetes" "$K8S_BIN_DIR" pulumi-resource-kubernetes pulumi-resource-kubernetes "$K8S_VERSION"
	show "pulumi-resource-random${RANDOM_KIND:+ ($RANDOM_KIND)}" "$RANDOM_BIN_DIR" pulumi-resource-random pulumi-resource-random "$RANDOM_VERSION"
	show "kube-apiserver" "$KUBE_BIN_DIR" kube-apiserver kube-apiserver "$KUBE_VERSION"
	show "etcd" "$ETCD_BIN_DIR" etcd etcd "$ETCD_VERSION"
}

print_env() {
	local missing=0 wanted=" $* "
	need() {
		[[ $wanted == "  " || $wanted == *" $2 "* ]] || return 0
		is_cached "$1" "$2" "$3" || { QUIET=0 note "missing: $1/$2 (run e2e/toolchain.sh)"; missing=1; }
	}
	[[ -n $PULUMI_VERSION ]] || die "no buildable Pulumi CLI for @pulumi/pulumi $WANT_PULUMI"
	need "$PULUMI_BIN_DIR" pulumi pulumi
	need "$PULUMI_BIN_DIR" pulumi-language-nodejs pulumi-language-nodejs
	need "$KUBE_BIN_DIR" kube-apiserver kube-apiserver
	need "$ETCD_BIN_DIR" etcd etcd
	if [[ -n $K8S_VERSION ]]; then need "$K8S_BIN_DIR" pulumi-resource-kubernetes pulumi-resource-kubernetes; fi
	if [[ -n $RANDOM_VERSION ]]; then need "$RANDOM_BIN_DIR" pulumi-resource-random pulumi-resource-random; fi
	((missing == 0)) || exit 1
	# The path of a built binary, or nothing.
	built() { if [[ -n $4 ]] && is_cached "$1" "$2" "$3"; then printf %q "$1/$2"; fi; }
	cat <<EOF
export TORCHPOD_E2E_CACHE=$(printf %q "$CACHE")
export TORCHPOD_E2E_PULUMI_BIN_DIR=$(printf %q "$PULUMI_BIN_DIR")
export TORCHPOD_E2E_PULUMI=$(built "$PULUMI_BIN_DIR" pulumi pulumi "$PULUMI_VERSION")
export TORCHPOD_E2E_PULUMI_VERSION=$PULUMI_VERSION
export TORCHPOD_E2E_KUBE_APISERVER=$(built "$KUBE_BIN_DIR" kube-apiserver kube-apiserver "$KUBE_VERSION")
export TORCHPOD_E2E_KUBE_VERSION=$KUBE_VERSION
export TORCHPOD_E2E_ETCD=$(built "$ETCD_BIN_DIR" etcd etcd "$ETCD_VERSION")
export TORCHPOD_E2E_ETCD_VERSION=$ETCD_VERSION
export TORCHPOD_E2E_KUBERNETES_PROVIDER=$(built "$K8S_BIN_DIR" pulumi-resource-kubernetes pulumi-resource-kubernetes "$K8S_VERSION")
export TORCHPOD_E2E_KUBERNETES_PROVIDER_VERSION=$K8S_VERSION
export TORCHPOD_E2E_KUBERNETES_PROVIDER_WANTED=$WANT_K8S
export TORCHPOD_E2E_RANDOM_PROVIDER=$(built "$RANDOM_BIN_DIR" pulumi-resource-random pulumi-resource-random "$RANDOM_VERSION")
export TORCHPOD_E2E_RANDOM_PROVIDER_VERSION=$RANDOM_VERSION
export TORCHPOD_E2E_RANDOM_PROVIDER_KIND=$RANDOM_KIND
export TORCHPOD_E2E_RANDOM_PROVIDER_WANTED=$WANT_RANDOM
EOF
}

case ${1:-} in
--print-env) shift; print_env "$@"; exit 0 ;;
--versions) print_versions; exit 0 ;;
"") ;;
-h | --help) sed -n '2,/^set -euo/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'; exit 0 ;;
*) die "unknown argument $1 (try --help)" ;;
esac

# ---------------------------------------------------------------------------
# Building.
mkdir -p "$CACHE/work"
TIMINGS=$CACHE/timings.log

# prepare_work <name> <version> <sed expressions...>: a fresh build directory
# with the wrapper's go.mod (versions filled in) and its Go sources.
prepare_work() {
	local name=$1 version=$2
	shift 2
	WORK=$CACHE/work/$name-$version
	rm -rf "$WORK"
	mkdir -p "$WORK"
	sed "$@" "$WRAPPERS/$name/go.mod.in" >"$WORK/go.mod"
	find "$WRAPPERS/$name" -maxdepth 1 -name '*.go' -exec cp {} "$WORK/" \;
}

# go_build <name> <version> <bin_dir> <binary> <package> <ldflags>: runs
# `go mod tidy` and `go build` in $WORK, installs the binary atomically and
# records its stamp and timing.
go_build() {
	local name=$1 version=$2 bin_dir=$3 binary=$4 pkg=$5 ldflags=$6 start end
	start=$(date +%s)
	(cd "$WORK" && go mod tidy)
	mkdir -p "$bin_dir"
	(cd "$WORK" && go build -trimpath -ldflags "-s -w $ldflags" -o "$bin_dir/.$binary.tmp" "$pkg")
	mv -f "$bin_dir/.$binary.tmp" "$bin_dir/$binary"
	wrapper_hash "$name" >"$bin_dir/.$binary.stamp"
	end=$(date +%s)
	echo "built $binary $version in $((end - start))s ($bin_dir/$binary)"
	echo "$(date -u +%FT%TZ) $binary $version $((end - start))s" >>"$TIMINGS"
}

build_pulumi() {
	is_cached "$PULUMI_BIN_DIR" pulumi pulumi && { echo "cached: pulumi $PULUMI_VERSION"; return; }
	echo "building pulumi $PULUMI_VERSION (github.com/pulumi/pulumi/pkg/v3/cmd/pulumi)..."
	prepare_work pulumi "$PULUMI_VERSION" -e "s/@PULUMI_VERSION@/$PULUMI_VERSION/g"
	go_build pulumi "$PULUMI_VERSION" "$PULUMI_BIN_DIR" pulumi github.com/pulumi/pulumi/pkg/v3/cmd/pulumi \
		"-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$PULUMI_VERSION"
}

build_language_host() {
	is_cached "$PULUMI_BIN_DIR" pulumi-language-nodejs pulumi-language-nodejs &&
		{ echo "cached: pulumi-language-nodejs $PULUMI_VERSION"; return; }
	echo "building pulumi-language-nodejs $PULUMI_VERSION (torchpod's host on github.com/pulumi/pulumi/sdk/v3)..."
	prepare_work pulumi-language-nodejs "$PULUMI_VERSION" -e "s/@PULUMI_VERSION@/$PULUMI_VERSION/g"
	go_build pulumi-language-nodejs "$PULUMI_VERSION" "$PULUMI_BIN_DIR" pulumi-language-nodejs . \
		"-X main.version=$PULUMI_VERSION"
}

build_k8s_provider() {
	is_cached "$K8S_BIN_DIR" pulumi-resource-kubernetes pulumi-resource-kubernetes &&
		{ echo "cached: pulumi-resource-kubernetes $K8S_VERSION"; return; }
	local mod sdk dir
	read -r mod sdk < <(k8s_module_for "$K8S_VERSION")
	echo "building pulumi-resource-kubernetes $K8S_VERSION (github.com/pulumi/pulumi-kubernetes/provider/v4@$mod)..."
	prepare_work pulumi-resource-kubernetes "$K8S_VERSION" -e "s/@MODULE_VERSION@/$mod/g" -e "s/@SDK_VERSION@/$sdk/g"
	dir=$(cd "$WORK" && go mod download -json "github.com/pulumi/pulumi-kubernetes/provider/v4@$mod" |
		node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>process.stdout.write(JSON.parse(s).Dir))')
	install -m 0644 "$dir/cmd/pulumi-resource-kubernetes/schema.json" \
		"$dir/cmd/pulumi-resource-kubernetes/terraform-mapping.json" "$WORK/"
	go_build pulumi-resource-kubernetes "$K8S_VERSION" "$K8S_BIN_DIR" pulumi-resource-kubernetes . \
		"-X github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/version.Version=$K8S_VERSION"
}

build_kube_apiserver() {
	is_cached "$KUBE_BIN_DIR" kube-apiserver kube-apiserver && { echo "cached: kube-apiserver $KUBE_VERSION"; return; }
	echo "building kube-apiserver $KUBE_VERSION (k8s.io/kubernetes/cmd/kube-apiserver)..."
	local gomod minor major pkgv=k8s.io/component-base/version
	prepare_work kube-apiserver "$KUBE_VERSION" -e "s/@KUBE_VERSION@/$KUBE_VERSION/g"
	gomod=$(cd "$WORK" && go mod download -json "k8s.io/kubernetes@v$KUBE_VERSION" |
		node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>process.stdout.write(JSON.parse(s).GoMod))')
	# k8s.io/kubernetes has `k8s.io/x => ./staging/src/k8s.io/x` for each
	# staging module; the published copy of k8s.io/x at v0.<minor>.<patch> is
	# the same code.
	awk -v v="v0.${KUBE_VERSION#*.}" '$2 == "=>" && $3 ~ /^\.\/staging\// { print "replace " $1 " => " $1 " " v }' \
		"$gomod" >>"$WORK/go.mod"
	grep -q '^replace k8s.io/apiserver ' "$WORK/go.mod" || die "found no staging replaces in $gomod"
	major=${KUBE_VERSION%%.*}
	minor=${KUBE_VERSION#*.}
	minor=${minor%%.*}
	go_build kube-apiserver "$KUBE_VERSION" "$KUBE_BIN_DIR" kube-apiserver k8s.io/kubernetes/cmd/kube-apiserver \
		"-X $pkgv.gitVersion=v$KUBE_VERSION -X $pkgv.gitMajor=$major -X $pkgv.gitMinor=$minor -X $pkgv.gitTreeState=clean"
}

build_random_standin() {
	is_cached "$RANDOM_BIN_DIR" pulumi-resource-random pulumi-resource-random &&
		{ echo "cached: pulumi-resource-random $RANDOM_VERSION (stand-in)"; return; }
	echo "building pulumi-resource-random $RANDOM_VERSION (torchpod's STAND-IN on github.com/pulumi/pulumi/sdk/v3 $PULUMI_VERSION)..."
	prepare_work pulumi-resource-random "$RANDOM_VERSION" -e "s/@PULUMI_VERSION@/$PULUMI_VERSION/g"
	go_build pulumi-resource-random "$RANDOM_VERSION" "$RANDOM_BIN_DIR" pulumi-resource-random . \
		"-X main.version=$RANDOM_VERSION"
}

build_etcd() {
	is_cached "$ETCD_BIN_DIR" etcd etcd && { echo "cached: etcd $ETCD_VERSION"; return; }
	echo "building etcd $ETCD_VERSION (go.etcd.io/etcd/server/v3)..."
	prepare_work etcd "$ETCD_VERSION" -e "s/@ETCD_VERSION@/$ETCD_VERSION/g"
	go_build etcd "$ETCD_VERSION" "$ETCD_BIN_DIR" etcd go.etcd.io/etcd/server/v3 ""
}

total_start=$(date +%s)
# Sequential on purpose: each go build already uses every core.
if [[ -n $PULUMI_VERSION ]]; then
	build_pulumi
	build_language_host
fi
build_etcd
build_kube_apiserver
if [[ -n $K8S_VERSION ]]; then build_k8s_provider; fi
if [[ -n $RANDOM_VERSION && -n $PULUMI_VERSION ]]; then build_random_standin; fi
echo "toolchain ready in $(($(date +%s) - total_start))s (cache: $CACHE)"
print_versions

if ((${#PROBLEMS[@]})); then
	echo
	for p in "${PROBLEMS[@]}"; do note "error: $p"; done
	exit 2
fi
exit
}
