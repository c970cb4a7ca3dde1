#!/usr/bin/env bash
# `npm run test:live`: the live tier. Builds what is missing (the real-engine toolchain, e2e/toolchain.sh; the
# node's parts, e2e/live/toolchain.sh; the images, e2e/live/images.sh), prints every part's version, starts ONE
# live node (e2e/live/node.sh run: stopped and cleaned up whatever happens), runs the scenarios
# (e2e/live/scenarios/*.live.ts) and ends with `N passed, N failed`. Needs root. Exit status non-zero when any
# test fails.
set -euo pipefail
{
LIVE_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
E2E_DIR=$(dirname "$LIVE_DIR")
REPO_DIR=$(dirname "$E2E_DIR")
cd "$REPO_DIR"
[[ -d node_modules/@pulumi/kubernetes ]] || { echo "live/run.sh: no node_modules: run npm ci first" >&2; exit 1; }
[[ $(id -u) == 0 ]] || { echo "live/run.sh: the live tier needs root (containerd, iptables, network namespaces)" >&2; exit 1; }

t0=$(date +%s)
echo "== packages (e2e/live/node.sh --install-packages)"
"$LIVE_DIR/node.sh" --install-packages
echo "== toolchain (e2e/toolchain.sh, e2e/live/toolchain.sh)"
TORCHPOD_E2E_ALLOW_DRIFT=1 "$E2E_DIR/toolchain.sh" >/dev/null
eval "$(TORCHPOD_E2E_ALLOW_DRIFT=1 "$E2E_DIR/toolchain.sh" --print-env)"
"$LIVE_DIR/toolchain.sh" | grep -v '^  ' || true
eval "$("$LIVE_DIR/toolchain.sh" --print-env)"
echo "== images (e2e/live/images.sh)"
"$LIVE_DIR/images.sh"
export $(compgen -v | grep -E '^TORCHPOD_(E2E|LIVE)_' | tr '\n' ' ')
t1=$(date +%s)

echo "== versions under test"
echo "  pulumi CLI + language host $TORCHPOD_E2E_PULUMI_VERSION; kubernetes provider $TORCHPOD_E2E_KUBERNETES_PROVIDER_VERSION (package-lock.json: $TORCHPOD_E2E_KUBERNETES_PROVIDER_WANTED); random provider $TORCHPOD_E2E_RANDOM_PROVIDER_VERSION${TORCHPOD_E2E_RANDOM_PROVIDER_KIND:+ [$TORCHPOD_E2E_RANDOM_PROVIDER_KIND, not the real provider]}"
echo "  etcd $TORCHPOD_E2E_ETCD_VERSION; kube-apiserver, kube-controller-manager, kube-scheduler, kubelet, kube-proxy $TORCHPOD_LIVE_KUBE_VERSION"
echo "  kube-router $TORCHPOD_LIVE_KUBE_ROUTER_VERSION (reports $("$TORCHPOD_LIVE_KUBE_ROUTER" --version 2>&1 | grep -o 'version v[^,]*' | head -1)), NetworkPolicy controller only"
echo "  coredns $TORCHPOD_LIVE_COREDNS_VERSION; caddy $TORCHPOD_LIVE_CADDY_VERSION; $("$TORCHPOD_LIVE_GITEA" --version | sed 's/^Gitea version/gitea/')"
echo "  containerd $(containerd --version | cut -d' ' -f3); runc $(runc --version | head -1 | cut -d' ' -f3); CNI plugins $(dpkg-query -W -f='${Version}' containernetworking-plugins) (Debian)"
echo "  images: Debian $(cat /etc/debian_version 2>/dev/null) host; $("$LIVE_DIR/images.sh" --list | awk '{print $2}' | tr '\n' ' ')"
echo "  kernel $(uname -r); node $(node --version)"

result=$(mktemp "${TMPDIR:-/tmp}/torchpod-live-result.XXXXXX")
trap 'rm -f "$result"' EXIT
rc=0
TORCHPOD_E2E_RESULT=$result "$LIVE_DIR/node.sh" run -- npx mocha --config "$LIVE_DIR/.mocharc.json" "$@" || rc=$?
t2=$(date +%s)
echo "== build (toolchains, images) $((t1 - t0))s, live node + scenarios $((t2 - t1))s"
read -r passed failed <"$result" || { passed=0; failed=1; echo "live/run.sh: mocha ended without a result (exit $rc)"; }
((rc == 0 && failed == 0)) || { ((failed > 0)) || failed=1; rc=1; }
echo "$passed passed, $failed failed"
exit "$rc"
}
