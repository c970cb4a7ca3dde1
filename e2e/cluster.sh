#!/usr/bin/env bash
# A throwaway Kubernetes control plane (etcd + kube-apiserver, no nodes, no
# controllers) on 127.0.0.1 for torchpod's end-to-end tests, envtest-style.
#
#   e2e/cluster.sh start [DIR]   start in DIR (default: a new temp dir), wait for
#                                /readyz, print `export` lines (KUBECONFIG, ...)
#   e2e/cluster.sh stop DIR      stop both processes (by their recorded pids)
#                                and delete DIR
#   e2e/cluster.sh run -- CMD... start in a temp dir, run CMD with KUBECONFIG
#                                and TORCHPOD_E2E_CLUSTER_DIR exported, stop
#                                (also on failure or Ctrl-C); exits with CMD's status
#
# Binaries come from `e2e/toolchain.sh --print-env` (build them with
# e2e/toolchain.sh first). Every listener is on 127.0.0.1, on ports the kernel
# picked as free just before start-up. Each run has fresh data, certificates
# and keys; nothing is written outside DIR.
#
# Authentication: a static bearer token (token file) for user "torchpod-e2e" in
# group system:masters; authorization RBAC. The API server generates its own
# self-signed serving certificate in DIR/certs (--cert-dir); the kubeconfig
# trusts it as its certificate authority.
set -euo pipefail
# The whole script is one block, so bash parses all of it before running any:
# editing the file while it runs cannot change what the running copy does.
{

E2E_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
READY_TIMEOUT=${TORCHPOD_E2E_READY_TIMEOUT:-120}

die() { echo "cluster.sh: $*" >&2; exit 1; }
log() { echo "cluster.sh: $*" >&2; }

load_toolchain() {
	if [[ -z ${TORCHPOD_E2E_KUBE_APISERVER:-} || -z ${TORCHPOD_E2E_ETCD:-} ]]; then
		local env
		env=$(TORCHPOD_E2E_ALLOW_DRIFT=1 "$E2E_DIR/toolchain.sh" --print-env kube-apiserver etcd) ||
			die "toolchain missing: run e2e/toolchain.sh first"
		eval "$env"
	fi
	[[ -x $TORCHPOD_E2E_KUBE_APISERVER ]] || die "not executable: $TORCHPOD_E2E_KUBE_APISERVER"
	[[ -x $TORCHPOD_E2E_ETCD ]] || die "not executable: $TORCHPOD_E2E_ETCD"
}

free_port() {
	node -e 'const s = require("net").createServer();
		s.listen(0, "127.0.0.1", () => { process.stdout.write(String(s.address().port)); s.close(); });'
}

alive() { [[ -f $1 ]] && kill -0 "$(cat "$1")" 2>/dev/null; }

stop_pidfile() { # pidfile name
	local pid i
	[[ -f $1 ]] || return 0
	pid=$(cat "$1")
	if kill -0 "$pid" 2>/dev/null; then
		kill -TERM "$pid" 2>/dev/null || true
		for ((i = 0; i < 100; i++)); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		if kill -0 "$pid" 2>/dev/null; then
			log "$2 (pid $pid) did not stop in 10s; killing it"
			kill -KILL "$pid" 2>/dev/null || true
		fi
	fi
	rm -f "$1"
}

cmd_stop() {
	local dir=${1:?usage: cluster.sh stop DIR}
	[[ -d $dir ]] || return 0
	[[ -f $dir/.torchpod-e2e-cluster ]] || die "$dir is not a cluster directory made by cluster.sh"
	stop_pidfile "$dir/kube-apiserver.pid" kube-apiserver
	stop_pidfile "$dir/etcd.pid" etcd
	rm -rf "$dir"
}

cmd_start() {
	load_toolchain
	local dir=${1:-}
	if [[ -z $dir ]]; then
		dir=$(mktemp -d "${TMPDIR:-/tmp}/torchpod-e2e-cluster.XXXXXX")
	else
		mkdir -p "$dir"
		[[ -z $(ls -A "$dir") ]] || die "$dir is not empty"
	fi
	dir=$(cd "$dir" && pwd)
	touch "$dir/.torchpod-e2e-cluster"
	# On any failure (die exits), stop what was started and keep the logs.
	fail=1
	# shellcheck disable=SC2064
	trap "if ((fail)); then stop_pidfile '$dir/kube-apiserver.pid' kube-apiserver; \
		stop_pidfile '$dir/etcd.pid' etcd; log 'start failed; logs kept in $dir'; fi" EXIT

	local etcd_port peer_port api_port token
	etcd_port=$(free_port)
	peer_port=$(free_port)
	api_port=$(free_port)
	while [[ $peer_port == "$etcd_port" ]]; do peer_port=$(free_port); done
	while [[ $api_port == "$etcd_port" || $api_port == "$peer_port" ]]; do api_port=$(free_port); done

	# Service-account signing key, and a static token for the test user.
	openssl genrsa -out "$dir/sa.key" 2048 2>/dev/null
	openssl rsa -in "$dir/sa.key" -pubout -out "$dir/sa.pub" 2>/dev/null
	token=$(openssl rand -hex 24)
	printf '%s,torchpod-e2e,torchpod-e2e,"system:masters"\n' "$token" >"$dir/tokens.csv"
	chmod 600 "$dir/sa.key" "$dir/tokens.csv"

	"$TORCHPOD_E2E_ETCD" \
		--name=e2e \
		--data-dir="$dir/etcd" \
		--listen-client-urls="http://127.0.0.1:$etcd_port" \
		--advertise-client-urls="http://127.0.0.1:$etcd_port" \
		--listen-peer-urls="http://127.0.0.1:$peer_port" \
		--initial-advertise-peer-urls="http://127.0.0.1:$peer_port" \
		--initial-cluster="e2e=http://127.0.0.1:$peer_port" \
		--unsafe-no-fsync=true \
		--log-level=warn \
		>"$dir/etcd.log" 2>&1 </dev/null &
	echo $! >"$dir/etcd.pid"

	local i
	for ((i = 0; i < 100; i++)); do
		alive "$dir/etcd.pid" || die "etcd exited; see $dir/etcd.log: $(tail -5 "$dir/etcd.log")"
		curl -fsS "http://127.0.0.1:$etcd_port/health" 2>/dev/null | grep -q '"health":"true"' && break
		sleep 0.2
	done
	((i < 100)) || die "etcd not healthy after 20s; see $dir/etcd.log"

	"$TORCHPOD_E2E_KUBE_APISERVER" \
		--etcd-servers="http://127.0.0.1:$etcd_port" \
		--bind-address=127.0.0.1 \
		--advertise-address=127.0.0.1 \
		--secure-port="$api_port" \
		--cert-dir="$dir/certs" \
		--token-auth-file="$dir/tokens.csv" \
		--authorization-mode=RBAC \
		--service-cluster-ip-range=10.96.0.0/12 \
		--service-account-issuer=https://kubernetes.default.svc.cluster.local \
		--service-account-key-file="$dir/sa.pub" \
		--service-account-signing-key-file="$dir/sa.key" \
		--disable-admission-plugins=ServiceAccount,StorageObjectInUseProtection \
		--enable-garbage-collector=false \
		--endpoint-reconciler-type=none \
		--allow-privileged=true \
		>"$dir/kube-apiserver.log" 2>&1 </dev/null &
	echo $! >"$dir/kube-apiserver.pid"

	local deadline=$((SECONDS + READY_TIMEOUT))
	until [[ -f $dir/certs/apiserver.crt ]] &&
		curl -fsS --cacert "$dir/certs/apiserver.crt" -H "Authorization: Bearer $token" \
			"https://127.0.0.1:$api_port/readyz" >/dev/null 2>&1; do
		alive "$dir/kube-apiserver.pid" ||
			die "kube-apiserver exited; see $dir/kube-apiserver.log: $(tail -5 "$dir/kube-apiserver.log")"
		((SECONDS < deadline)) || die "kube-apiserver not ready after ${READY_TIMEOUT}s; see $dir/kube-apiserver.log"
		sleep 0.5
	done

	cat >"$dir/kubeconfig" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: torchpod-e2e
  cluster:
    server: https://127.0.0.1:$api_port
    certificate-authority: $dir/certs/apiserver.crt
users:
- name: torchpod-e2e
  user:
    token: $token
contexts:
- name: torchpod-e2e
  context:
    cluster: torchpod-e2e
    user: torchpod-e2e
    namespace: default
current-context: torchpod-e2e
EOF
	chmod 600 "$dir/kubeconfig"
	fail=0
	cat <<EOF
export TORCHPOD_E2E_CLUSTER_DIR=$(printf %q "$dir")
export KUBECONFIG=$(printf %q "$dir/kubeconfig")
export TORCHPOD_E2E_APISERVER=https://127.0.0.1:$api_port
export TORCHPOD_E2E_ETCD_ENDPOINT=http://127.0.0.1:$etcd_port
EOF
}

cmd_run() {
	[[ ${1:-} == -- ]] && shift
	(($#)) || die "usage: cluster.sh run -- CMD..."
	local env dir rc=0
	env=$(cmd_start) || exit 1
	eval "$env"
	dir=$TORCHPOD_E2E_CLUSTER_DIR
	# shellcheck disable=SC2064
	trap "cmd_stop '$dir'" EXIT
	trap 'exit 130' INT TERM
	log "API server $TORCHPOD_E2E_APISERVER ready (dir $dir)"
	export TORCHPOD_E2E_CLUSTER_DIR KUBECONFIG TORCHPOD_E2E_APISERVER TORCHPOD_E2E_ETCD_ENDPOINT
	"$@" || rc=$?
	exit "$rc"
}

case ${1:-} in
start) shift; cmd_start "$@" ;;
stop) shift; cmd_stop "$@" ;;
run) shift; cmd_run "$@" ;;
*) sed -n '2,/^set -euo/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'; exit 2 ;;
esac
exit
}
