#!/usr/bin/env bash
# One real Kubernetes node on this machine for the live tier: pods run, NetworkPolicies are enforced.
#
#   e2e/live/node.sh start DIR     start everything with fresh state in the empty DIR; print `export` lines
#   e2e/live/node.sh stop DIR      stop everything started in DIR and remove every trace (also after a
#                                  failed or half-done start): processes, pods' containers, mounts,
#                                  network namespaces, links, iptables chains, ipsets, cgroups; then DIR
#   e2e/live/node.sh run -- CMD... start in a new temp dir, run CMD with the environment, stop (always)
#   e2e/live/node.sh stop-network-policy DIR   stop kube-router and remove its rules (the fail-closed scenario)
#   e2e/live/node.sh --install-packages   apt-get install what the node needs when it is missing
#
# Parts (binaries from e2e/toolchain.sh and e2e/live/toolchain.sh; images from e2e/live/images.sh):
#   etcd, kube-apiserver (on the node address), kube-controller-manager, kube-scheduler, containerd + runc
#   (Debian's, root/state/socket under DIR), kubelet, the bridge CNI with host-local IPAM (Debian's
#   plugins), kube-proxy (iptables), kube-router (NetworkPolicy controller only), CoreDNS (a pod), and
#   e2e/live/agent.mjs: the node's GPU capacity (a node status patch, Kubernetes' documented way to
#   advertise an extended resource), load balancer addresses for LoadBalancer Services, and a
#   hostPath provisioner for the default StorageClass.
#
# The outside world lives in two network namespaces the run creates: "internet" (198.51.100.0/26 and
# the metadata address 169.254.169.254: an https git server, an HTTP sink recording every request, a
# DNS resolver; e2e/live/internet.mjs) and "office" (198.51.100.70, in the stack's office CIDR
# 198.51.100.64/26). Load balancer addresses come from 198.51.100.128/25. All from 198.51.100.0/24
# (TEST-NET-2): on these machines 192.0.2.0/24 is the host's own network and 203.0.113.80 is the
# package proxy, so neither is ever routed into the run. A fence (iptables raw table) drops anything
# from pods or those namespaces bound anywhere else, so nothing outside this machine is ever
# contacted, whatever a pod tries.
#
# Only one live node may run at a time on a machine (its links, namespaces and iptables chains have
# fixed names): the node's dummy link is the lock. Every listener of the control plane is on a port the kernel
# picked as free, on 127.0.0.1 or the node address.
set -euo pipefail
{
LIVE_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
E2E_DIR=$(dirname "$LIVE_DIR")
READY_TIMEOUT=${TORCHPOD_LIVE_READY_TIMEOUT:-300}

NODE_NAME=torchpod-live
NODE_IF=tpl-node
NODE_IP=10.200.0.1
BRIDGE=tpl-cni0
POD_CIDR=10.244.0.0/16
NODE_POD_CIDR=10.244.0.0/24
SERVICE_CIDR=10.96.0.0/12
DNS_IP=10.96.0.10
INET_NS=tpl-internet
INET_HOST_IF=tpl-inet-h
INET_LINK_HOST=10.201.0.1
INET_LINK_NS=10.201.0.2
INET_CIDR=198.51.100.0/26
INET_ADDRS="198.51.100.10 198.51.100.20 198.51.100.53"
METADATA_IP=169.254.169.254
OFFICE_NS=tpl-office
OFFICE_HOST_IF=tpl-office-h
OFFICE_LINK_HOST=10.202.0.1
OFFICE_LINK_NS=10.202.0.2
OFFICE_IP=198.51.100.70
OFFICE_CIDR=198.51.100.64/26
LB_CIDR=198.51.100.128/25
FENCE=TORCHPOD-LIVE-FENCE
PACKAGES=(containerd runc containernetworking-plugins iptables ipset conntrack iproute2 debootstrap openssl sshpass openssh-client git curl jq gcc libc6-dev)

die() { echo "node.sh: $*" >&2; exit 1; }
log() { echo "node.sh: $*" >&2; }

install_packages() {
	local missing=() p
	for p in "${PACKAGES[@]}"; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p"); done
	((${#missing[@]} == 0)) && { log "packages present: ${PACKAGES[*]}"; return; }
	log "apt-get install ${missing[*]}"
	DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}" >&2 ||
		{ apt-get update >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}" >&2; }
}

free_port() { # on 127.0.0.1; the node address's ports are as free (nothing else binds it)
	node -e 'const s = require("net").createServer();
		s.listen(0, "127.0.0.1", () => { process.stdout.write(String(s.address().port)); s.close(); });'
}

alive() { [[ -f $1 ]] && kill -0 "$(cat "$1")" 2>/dev/null; }

# start_bg NAME CMD...: a background process, its pid in DIR/pids/NAME.pid, its log in DIR/logs/NAME.log.
start_bg() {
	local name=$1
	shift
	"$@" >"$DIR/logs/$name.log" 2>&1 </dev/null &
	echo $! >"$DIR/pids/$name.pid"
}

stop_pid() { # pidfile name
	local pid i
	[[ -f $1 ]] || return 0
	pid=$(cat "$1")
	if kill -0 "$pid" 2>/dev/null; then
		kill -TERM "$pid" 2>/dev/null || true
		for ((i = 0; i < 100; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
		kill -0 "$pid" 2>/dev/null && { log "$2 (pid $pid) did not stop in 10s; killing it"; kill -KILL "$pid" 2>/dev/null || true; }
	fi
	rm -f "$1"
}

wait_for() { # description seconds command...
	local what=$1 secs=$2 deadline
	shift 2
	deadline=$((SECONDS + secs))
	until "$@" >/dev/null 2>&1; do
		((SECONDS < deadline)) || die "$what not ready after ${secs}s (logs in $DIR/logs)"
		sleep 0.5
	done
}

api_get() { curl -fsS --cacert "$DIR/pki/apiserver.crt" -H "Authorization: Bearer $(cat "$DIR/pki/token")" "$API$1"; }

sysctl_set() { # key value: remembered for stop
	local old
	old=$(sysctl -n "$1" 2>/dev/null) || return 0
	echo "$1 $old" >>"$DIR/sysctl.restore"
	sysctl -qw "$1=$2"
}

# ---------------------------------------------------------------------------------------------------
cmd_start() {
	DIR=${1:?usage: node.sh start DIR}
	mkdir -p "$DIR"
	[[ -z $(ls -A "$DIR") ]] || die "$DIR is not empty"
	DIR=$(cd "$DIR" && pwd)
	[[ $(id -u) == 0 ]] || die "the live node needs root (containerd, iptables, network namespaces)"
	touch "$DIR/.torchpod-live-node"
	mkdir -p "$DIR/pids" "$DIR/logs" "$DIR/pki" "$DIR/volumes" "$DIR/world"
	ls /var/run/netns 2>/dev/null | sort >"$DIR/netns.before" || true
	fail=1
	# shellcheck disable=SC2064
	trap "if ((fail)); then log 'start failed; stopping what was started (logs: $DIR/logs.kept)'; cp -r '$DIR/logs' '$DIR.logs' 2>/dev/null; cmd_stop '$DIR' >&2; fi" EXIT

	eval "$("$E2E_DIR/toolchain.sh" --print-env kube-apiserver etcd 2>/dev/null || TORCHPOD_E2E_ALLOW_DRIFT=1 "$E2E_DIR/toolchain.sh" --print-env kube-apiserver etcd)"
	eval "$("$LIVE_DIR/toolchain.sh" --print-env)"
	declare -A IMG
	local n ref archive
	while read -r n ref archive; do IMG[$n]=$ref; [[ -f $archive ]] || die "image $ref not built (run e2e/live/images.sh)"; done < <("$LIVE_DIR/images.sh" --list)

	# --- kernel and host network -------------------------------------------------------------------
	modprobe br_netfilter 2>/dev/null || true
	[[ -e /proc/sys/net/bridge/bridge-nf-call-iptables ]] || die "br_netfilter is missing: bridged pod traffic would bypass iptables"
	: >"$DIR/sysctl.restore"
	sysctl_set net.ipv4.ip_forward 1
	sysctl_set net.bridge.bridge-nf-call-iptables 1
	sysctl_set net.ipv4.conf.all.rp_filter 0
	sysctl_set net.ipv4.conf.default.rp_filter 0
	# The node's own link is the machine-wide lock: one live node at a time (its names are fixed).
	# (A veth pair: these kernels have no dummy links.)
	ip link add "$NODE_IF" type veth peer name "$NODE_IF-p" 2>/dev/null ||
		die "another live node runs on this machine (link $NODE_IF exists; e2e/live/node.sh stop DIR stops it)"
	touch "$DIR/owns-node"
	ip addr add "$NODE_IP/32" dev "$NODE_IF"
	ip link set "$NODE_IF-p" up
	ip link set "$NODE_IF" up
	# Addresses of the load balancers that nobody holds go nowhere (never out through the default route).
	ip route add blackhole "$LB_CIDR"

	# The fence, before any pod or namespace exists.
	iptables -t raw -N "$FENCE"
	local dst
	for dst in "$POD_CIDR" "$SERVICE_CIDR" "$INET_CIDR" "$OFFICE_CIDR" "$LB_CIDR" "$METADATA_IP/32" "$NODE_IP/32" 10.201.0.0/30 10.202.0.0/30; do
		iptables -t raw -A "$FENCE" -d "$dst" -j RETURN
	done
	iptables -t raw -A "$FENCE" -m addrtype --dst-type LOCAL -j RETURN
	iptables -t raw -A "$FENCE" -j DROP
	iptables -t raw -I PREROUTING 1 -s "$POD_CIDR" -j "$FENCE"
	iptables -t raw -I PREROUTING 1 -i "$INET_HOST_IF" -j "$FENCE"
	iptables -t raw -I PREROUTING 1 -i "$OFFICE_HOST_IF" -j "$FENCE"

	# --- the outside world ----------------------------------------------------------------------------
	ip netns add "$INET_NS"
	ip link add "$INET_HOST_IF" type veth peer name eth0 netns "$INET_NS"
	ip addr add "$INET_LINK_HOST/30" dev "$INET_HOST_IF"
	ip link set "$INET_HOST_IF" up
	ip -n "$INET_NS" addr add "$INET_LINK_NS/30" dev eth0
	for a in $INET_ADDRS $METADATA_IP; do ip -n "$INET_NS" addr add "$a/32" dev eth0; done
	ip -n "$INET_NS" link set lo up
	ip -n "$INET_NS" link set eth0 up
	ip -n "$INET_NS" route add default via "$INET_LINK_HOST"
	ip route add "$INET_CIDR" via "$INET_LINK_NS"
	ip route add "$METADATA_IP/32" via "$INET_LINK_NS"

	ip netns add "$OFFICE_NS"
	ip link add "$OFFICE_HOST_IF" type veth peer name eth0 netns "$OFFICE_NS"
	ip addr add "$OFFICE_LINK_HOST/30" dev "$OFFICE_HOST_IF"
	ip link set "$OFFICE_HOST_IF" up
	ip -n "$OFFICE_NS" addr add "$OFFICE_LINK_NS/30" dev eth0
	ip -n "$OFFICE_NS" addr add "$OFFICE_IP/32" dev eth0
	ip -n "$OFFICE_NS" link set lo up
	ip -n "$OFFICE_NS" link set eth0 up
	# Office clients speak from their office address.
	ip -n "$OFFICE_NS" route add default via "$OFFICE_LINK_HOST" src "$OFFICE_IP"
	ip route add "$OFFICE_CIDR" via "$OFFICE_LINK_NS"

	# The world's servers: a CA and a certificate for the upstream git host, then e2e/live/internet.mjs.
	local W=$DIR/world
	openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=torchpod live tier test CA" \
		-keyout "$W/ca.key" -out "$W/ca.crt" 2>/dev/null
	openssl req -newkey rsa:2048 -nodes -subj "/CN=github.com" -keyout "$W/server.key" -out "$W/server.csr" 2>/dev/null
	printf 'subjectAltName=DNS:github.com,IP:198.51.100.10\n' >"$W/san.ext"
	openssl x509 -req -in "$W/server.csr" -CA "$W/ca.crt" -CAkey "$W/ca.key" -CAcreateserial -days 2 \
		-extfile "$W/san.ext" -out "$W/server.crt" 2>/dev/null
	"$LIVE_DIR/upstream-repo.sh" "$W/git/DeepVAC/deepvac.git" >"$DIR/logs/upstream-repo.log" 2>&1
	start_bg internet ip netns exec "$INET_NS" node "$LIVE_DIR/internet.mjs" --dir "$W" --addresses "$INET_ADDRS $METADATA_IP"
	wait_for "the internet namespace's servers" 30 test -f "$W/ready"

	# --- etcd and kube-apiserver ------------------------------------------------------------------------
	local etcd_port peer_port api_port token
	etcd_port=$(free_port)
	peer_port=$(free_port)
	while [[ $peer_port == "$etcd_port" ]]; do peer_port=$(free_port); done
	api_port=$(free_port)
	while [[ $api_port == "$etcd_port" || $api_port == "$peer_port" ]]; do api_port=$(free_port); done
	openssl genrsa -out "$DIR/pki/sa.key" 2048 2>/dev/null
	openssl rsa -in "$DIR/pki/sa.key" -pubout -out "$DIR/pki/sa.pub" 2>/dev/null
	token=$(openssl rand -hex 24)
	echo "$token" >"$DIR/pki/token"
	printf '%s,torchpod-live,torchpod-live,"system:masters"\n' "$token" >"$DIR/pki/tokens.csv"
	chmod 600 "$DIR/pki/"*
	start_bg etcd "$TORCHPOD_E2E_ETCD" --name=live --data-dir="$DIR/etcd" \
		--listen-client-urls="http://127.0.0.1:$etcd_port" --advertise-client-urls="http://127.0.0.1:$etcd_port" \
		--listen-peer-urls="http://127.0.0.1:$peer_port" --initial-advertise-peer-urls="http://127.0.0.1:$peer_port" \
		--initial-cluster="live=http://127.0.0.1:$peer_port" --unsafe-no-fsync=true --log-level=warn
	wait_for etcd 30 curl -fsS "http://127.0.0.1:$etcd_port/health"
	start_bg kube-apiserver "$TORCHPOD_E2E_KUBE_APISERVER" \
		--etcd-servers="http://127.0.0.1:$etcd_port" --bind-address="$NODE_IP" --advertise-address="$NODE_IP" \
		--secure-port="$api_port" --cert-dir="$DIR/pki/apiserver" --token-auth-file="$DIR/pki/tokens.csv" \
		--authorization-mode=Node,RBAC --service-cluster-ip-range="$SERVICE_CIDR" \
		--service-account-issuer=https://kubernetes.default.svc.cluster.local \
		--service-account-key-file="$DIR/pki/sa.pub" --service-account-signing-key-file="$DIR/pki/sa.key" \
		--allow-privileged=true
	API=https://$NODE_IP:$api_port
	wait_for "kube-apiserver's certificate" 60 test -f "$DIR/pki/apiserver/apiserver.crt"
	cp "$DIR/pki/apiserver/apiserver.crt" "$DIR/pki/apiserver.crt"
	wait_for kube-apiserver "$READY_TIMEOUT" api_get /readyz
	cat >"$DIR/kubeconfig" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: torchpod-live
  cluster:
    server: $API
    certificate-authority: $DIR/pki/apiserver.crt
users:
- name: torchpod-live
  user:
    token: $token
contexts:
- name: torchpod-live
  context: {cluster: torchpod-live, user: torchpod-live, namespace: default}
current-context: torchpod-live
EOF
	chmod 600 "$DIR/kubeconfig"
	local KC=$DIR/kubeconfig

	# --- controllers --------------------------------------------------------------------------------------
	start_bg kube-controller-manager "$TORCHPOD_LIVE_KUBE_CONTROLLER_MANAGER" --kubeconfig="$KC" \
		--authentication-kubeconfig="$KC" --authorization-kubeconfig="$KC" \
		--bind-address=127.0.0.1 --secure-port="$(free_port)" --leader-elect=false \
		--allocate-node-cidrs=true --cluster-cidr="$POD_CIDR" --node-cidr-mask-size=24 \
		--service-cluster-ip-range="$SERVICE_CIDR" --service-account-private-key-file="$DIR/pki/sa.key" \
		--root-ca-file="$DIR/pki/apiserver.crt" --use-service-account-credentials=false --controllers='*'
	start_bg kube-scheduler "$TORCHPOD_LIVE_KUBE_SCHEDULER" --kubeconfig="$KC" \
		--authentication-kubeconfig="$KC" --authorization-kubeconfig="$KC" \
		--bind-address=127.0.0.1 --secure-port="$(free_port)" --leader-elect=false

	# --- containerd ------------------------------------------------------------------------------------------
	mkdir -p "$DIR/containerd" "$DIR/cni/net.d" "$DIR/cni/ipam"
	cat >"$DIR/containerd/config.toml" <<EOF
version = 2
root = "$DIR/containerd/root"
state = "$DIR/containerd/state"
plugin_dir = ""
disabled_plugins = ["io.containerd.internal.v1.opt", "io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.devmapper", "io.containerd.snapshotter.v1.aufs"]
[grpc]
  address = "$DIR/containerd/containerd.sock"
[ttrpc]
  address = "$DIR/containerd/containerd.sock.ttrpc"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "${IMG[pause]}"
  # Root here has no CAP_SYS_RESOURCE: nothing may lower an oom_score_adj.
  restrict_oom_score_adj = true
  disable_apparmor = true
  stream_server_address = "127.0.0.1"
  stream_server_port = "0"
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = false
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "$DIR/cni/net.d"
EOF
	cat >"$DIR/cni/net.d/10-torchpod-live.conflist" <<EOF
{
  "cniVersion": "1.0.0",
  "name": "torchpod-live",
  "plugins": [
    {
      "type": "bridge", "bridge": "$BRIDGE", "isGateway": true, "ipMasq": false, "hairpinMode": true,
      "ipam": {"type": "host-local", "ranges": [[{"subnet": "$NODE_POD_CIDR"}]], "routes": [{"dst": "0.0.0.0/0"}], "dataDir": "$DIR/cni/ipam"}
    },
    {"type": "portmap", "capabilities": {"portMappings": true}}
  ]
}
EOF
	start_bg containerd containerd --config "$DIR/containerd/config.toml"
	local CTR=(ctr --address "$DIR/containerd/containerd.sock" -n k8s.io)
	wait_for containerd 60 "${CTR[@]}" version
	while read -r n ref archive; do
		"${CTR[@]}" images import --no-unpack=false "$archive" >>"$DIR/logs/images.log" 2>&1 || die "importing $ref failed: $(tail -3 "$DIR/logs/images.log")"
	done < <("$LIVE_DIR/images.sh" --list)

	# --- kubelet --------------------------------------------------------------------------------------------------
	printf 'nameserver 198.51.100.53\n' >"$DIR/resolv.conf"
	mkdir -p "$DIR/kubelet"
	cat >"$DIR/kubelet/config.yaml" <<EOF
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
# Cgroups v1 (hybrid) on these machines: allowed explicitly, with the cgroupfs driver.
failCgroupV1: false
cgroupDriver: cgroupfs
containerRuntimeEndpoint: unix://$DIR/containerd/containerd.sock
address: $NODE_IP
port: $(free_port)
readOnlyPort: 0
healthzBindAddress: 127.0.0.1
healthzPort: $(free_port)
authentication:
  anonymous: {enabled: false}
  webhook: {enabled: true}
authorization:
  mode: Webhook
clusterDNS: [$DNS_IP]
clusterDomain: cluster.local
resolvConf: $DIR/resolv.conf
failSwapOn: false
podCIDR: $NODE_POD_CIDR
maxPods: 60
evictionHard: {memory.available: "100Mi", nodefs.available: "1%", imagefs.available: "1%", nodefs.inodesFree: "1%"}
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
serializeImagePulls: false
localStorageCapacityIsolation: false
podLogsDir: $DIR/pod-logs
EOF
	start_bg kubelet "$TORCHPOD_LIVE_KUBELET" --config="$DIR/kubelet/config.yaml" --kubeconfig="$KC" \
		--root-dir="$DIR/kubelet/root" --cert-dir="$DIR/kubelet/pki" --node-ip="$NODE_IP" --hostname-override="$NODE_NAME" \
		--v=1
	wait_for "the node $NODE_NAME" 120 api_get "/api/v1/nodes/$NODE_NAME"

	# --- kube-proxy and kube-router -----------------------------------------------------------------------------------
	cat >"$DIR/kube-proxy.yaml" <<EOF
apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
clientConnection: {kubeconfig: $KC}
mode: iptables
clusterCIDR: $POD_CIDR
hostnameOverride: $NODE_NAME
bindAddress: $NODE_IP
healthzBindAddress: 127.0.0.1:$(free_port)
metricsBindAddress: 127.0.0.1:$(free_port)
conntrack: {maxPerCore: 0, tcpEstablishedTimeout: 0s, tcpCloseWaitTimeout: 0s}
iptables: {localhostNodePorts: false}
nodePortAddresses: ["$NODE_IP/32"]
EOF
	start_bg kube-proxy "$TORCHPOD_LIVE_KUBE_PROXY" --config="$DIR/kube-proxy.yaml"
	if [[ ${TORCHPOD_LIVE_NO_NETWORK_POLICY:-0} != 1 ]]; then
		start_bg kube-router "$TORCHPOD_LIVE_KUBE_ROUTER" --kubeconfig="$KC" --hostname-override="$NODE_NAME" \
			--run-firewall=true --run-router=false --run-service-proxy=false --run-loadbalancer=false \
			--enable-ipv4=true --enable-ipv6=false --health-port=0 --metrics-port=0 --v=1
	else
		log "TORCHPOD_LIVE_NO_NETWORK_POLICY=1: kube-router is NOT started; NetworkPolicies are not enforced"
	fi

	# --- the node agent, the StorageClass and CoreDNS ------------------------------------------------------------------
	start_bg agent node "$LIVE_DIR/agent.mjs" --kubeconfig "$KC" --node "$NODE_NAME" --volumes "$DIR/volumes" \
		--lb-cidr "$LB_CIDR" --gpus "${TORCHPOD_LIVE_GPUS:-4}"
	node "$LIVE_DIR/agent.mjs" --kubeconfig "$KC" --bootstrap --coredns-image "${IMG[coredns]}" --dns-ip "$DNS_IP" \
		--upstream-dns 198.51.100.53 >"$DIR/logs/bootstrap.log" 2>&1 || die "bootstrap failed: $(tail -5 "$DIR/logs/bootstrap.log")"
	wait_for "the node's Ready condition, GPUs and CoreDNS" "$READY_TIMEOUT" node "$LIVE_DIR/agent.mjs" --kubeconfig "$KC" --node "$NODE_NAME" --check-ready
	fail=0
	trap - EXIT
	cat <<EOF
export TORCHPOD_LIVE_DIR=$(printf %q "$DIR")
export KUBECONFIG=$(printf %q "$KC")
export TORCHPOD_LIVE_APISERVER=$API
export TORCHPOD_LIVE_NODE=$NODE_NAME
export TORCHPOD_LIVE_NODE_IP=$NODE_IP
export TORCHPOD_LIVE_CONTAINERD_SOCKET=$(printf %q "$DIR/containerd/containerd.sock")
export TORCHPOD_LIVE_INTERNET_NS=$INET_NS
export TORCHPOD_LIVE_OFFICE_NS=$OFFICE_NS
export TORCHPOD_LIVE_OFFICE_IP=$OFFICE_IP
export TORCHPOD_LIVE_OFFICE_CIDR=$OFFICE_CIDR
export TORCHPOD_LIVE_WORLD=$(printf %q "$DIR/world")
EOF
}

# remove_chains REGEX: every iptables chain whose name matches, in every table, and every jump to one.
remove_chains() {
	local table chain rule
	for table in filter nat mangle raw; do
		iptables -t "$table" -S 2>/dev/null | awk -v re="$1" '$1 == "-A" { for (i = 1; i < NF; i++) if ($i == "-j" && $(i + 1) ~ re) { print; next } }' |
			sed 's/^-A/-D/' | while read -r rule; do eval "iptables -t $table $rule" 2>/dev/null; done
		for chain in $(iptables -t "$table" -S 2>/dev/null | awk -v re="$1" '$1 == "-N" && $2 ~ re {print $2}'); do
			iptables -t "$table" -F "$chain" 2>/dev/null
		done
		for chain in $(iptables -t "$table" -S 2>/dev/null | awk -v re="$1" '$1 == "-N" && $2 ~ re {print $2}'); do
			iptables -t "$table" -X "$chain" 2>/dev/null
		done
	done
	return 0
}

# The fail-closed scenario: stop kube-router and remove its rules and sets (its own --cleanup-config panics
# on a kernel without IPVS), so nothing on the node enforces NetworkPolicy any more.
cmd_stop_network_policy() {
	DIR=${1:?usage: node.sh stop-network-policy DIR}
	[[ -f $DIR/.torchpod-live-node ]] || die "$DIR is not a directory made by node.sh start"
	stop_pid "$DIR/pids/kube-router.pid" kube-router
	set +e +o pipefail
	remove_chains '^KUBE-(ROUTER-|NWPLCY-|POD-FW-)'
	for s in $(ipset list -n 2>/dev/null | grep -E '^(KUBE-SRC-|KUBE-DST-|kube-router)'); do ipset destroy "$s" 2>/dev/null; done
	iptables-save | grep -cE 'KUBE-(ROUTER|NWPLCY|POD-FW)' | grep -qx 0 || die "kube-router's rules are still there"
	log "kube-router stopped; its rules and sets removed: NetworkPolicy is no longer enforced on this node"
}

# ---------------------------------------------------------------------------------------------------
cmd_stop() {
	DIR=${1:?usage: node.sh stop DIR}
	[[ -d $DIR ]] || return 0
	[[ -f $DIR/.torchpod-live-node ]] || die "$DIR is not a directory made by node.sh start"
	DIR=$(cd "$DIR" && pwd)
	local sock=$DIR/containerd/containerd.sock p pid
	if [[ ! -f $DIR/owns-node ]]; then rm -rf "$DIR"; return 0; fi
	# Best effort from here on: every step runs even when an earlier one finds nothing to remove.
	set +e +o pipefail
	# Controllers first, so nothing recreates what is being removed; kubelet before containerd.
	for p in agent kube-router kube-proxy kube-scheduler kube-controller-manager kubelet; do stop_pid "$DIR/pids/$p.pid" "$p"; done
	# The pods' containers: kill every task of this containerd, then its shims (by pid: only the
	# shims whose command line names this containerd's socket).
	if [[ -S $sock ]]; then
		local CTR=(ctr --address "$sock" -n k8s.io)
		for c in $("${CTR[@]}" tasks ls -q 2>/dev/null); do "${CTR[@]}" tasks kill -s SIGKILL "$c" >/dev/null 2>&1 || true; done
		sleep 1
		for c in $("${CTR[@]}" tasks ls -q 2>/dev/null); do "${CTR[@]}" tasks delete -f "$c" >/dev/null 2>&1 || true; done
	fi
	stop_pid "$DIR/pids/containerd.pid" containerd
	for pid in $(pgrep -f "containerd-shim-runc-v2 .*-address $sock" 2>/dev/null || true); do kill -KILL "$pid" 2>/dev/null || true; done
	stop_pid "$DIR/pids/internet.pid" internet
	stop_pid "$DIR/pids/kube-apiserver.pid" kube-apiserver
	stop_pid "$DIR/pids/etcd.pid" etcd
	# kube-proxy's and kube-router's rules and sets, then ours.
	eval "$("$LIVE_DIR/toolchain.sh" --print-env 2>/dev/null)" || true
	[[ -x ${TORCHPOD_LIVE_KUBE_PROXY:-} ]] && "$TORCHPOD_LIVE_KUBE_PROXY" --cleanup >/dev/null 2>&1 || true
	remove_chains '^(KUBE-|TORCHPOD-LIVE)'
	for s in $(ipset list -n 2>/dev/null | grep -E '^(KUBE-|kube-router)' || true); do ipset destroy "$s" 2>/dev/null || true; done
	# Network namespaces: the world's, and the pods' that this run's containerd made.
	ip netns del "$INET_NS" 2>/dev/null || true
	ip netns del "$OFFICE_NS" 2>/dev/null || true
	if [[ -f $DIR/netns.before ]]; then
		for n in $(ls /var/run/netns 2>/dev/null | grep '^cni-' || true); do
			grep -qx "$n" "$DIR/netns.before" || ip netns del "$n" 2>/dev/null || true
		done
	fi
	for l in "$INET_HOST_IF" "$OFFICE_HOST_IF" "$BRIDGE" "$NODE_IF"; do ip link del "$l" 2>/dev/null || true; done
	ip route del blackhole "$LB_CIDR" 2>/dev/null || true
	ip route del "$INET_CIDR" 2>/dev/null || true
	ip route del "$METADATA_IP/32" 2>/dev/null || true
	ip route del "$OFFICE_CIDR" 2>/dev/null || true
	# Mounts under DIR (pod volumes, container root file systems, network namespaces), deepest first.
	findmnt -rn -o TARGET | grep -F "$DIR/" | sort -r | while read -r m; do umount -l "$m" 2>/dev/null || true; done
	# The pods' cgroups (cgroupfs driver, v1 hierarchies and a v2 one when present).
	for c in /sys/fs/cgroup/*/kubepods /sys/fs/cgroup/kubepods; do
		[[ -d $c ]] && find "$c" -depth -type d -exec rmdir {} \; 2>/dev/null || true
	done
	# The kubelet links every container's log into /var/log/containers (a fixed path): remove this run's links.
	find /var/log/containers -maxdepth 1 -lname "$DIR/*" -delete 2>/dev/null
	if [[ -f $DIR/sysctl.restore ]]; then
		while read -r k v; do sysctl -qw "$k=$v" 2>/dev/null || true; done <"$DIR/sysctl.restore"
	fi
	rm -rf "$DIR"
}

cmd_run() {
	[[ ${1:-} == -- ]] && shift
	(($#)) || die "usage: node.sh run -- CMD..."
	local env dir rc=0
	dir=$(mktemp -d "${TMPDIR:-/tmp}/torchpod-live.XXXXXX")
	# shellcheck disable=SC2064
	trap "cmd_stop '$dir'" EXIT
	trap 'exit 130' INT TERM
	env=$(cmd_start "$dir") || exit 1
	eval "$env"
	log "live node ready (dir $dir)"
	export TORCHPOD_LIVE_DIR KUBECONFIG TORCHPOD_LIVE_APISERVER TORCHPOD_LIVE_NODE TORCHPOD_LIVE_NODE_IP TORCHPOD_LIVE_CONTAINERD_SOCKET \
		TORCHPOD_LIVE_INTERNET_NS TORCHPOD_LIVE_OFFICE_NS TORCHPOD_LIVE_OFFICE_IP TORCHPOD_LIVE_OFFICE_CIDR TORCHPOD_LIVE_WORLD
	"$@" || rc=$?
	exit "$rc"
}

case ${1:-} in
start) shift; cmd_start "$@" ;;
stop) shift; cmd_stop "$@" ;;
run) shift; cmd_run "$@" ;;
stop-network-policy) shift; cmd_stop_network_policy "$@" ;;
--install-packages) install_packages ;;
*) sed -n '2,/^set -euo/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'; exit 2 ;;
esac
exit
}
