#!/usr/bin/env bash
# `npm run test:e2e`: the real-engine tier. Ensures the toolchain (e2e/toolchain.sh, with
# TORCHPOD_E2E_ALLOW_DRIFT=1: the drift is printed, and the versions spec reports it by name), starts ONE
# loopback cluster (e2e/cluster.sh), runs e2e/**/*.e2e.ts with mocha, stops the cluster, and ends with
# `N passed, N failed`. Exit status non-zero when any test fails.
set -euo pipefail
{
E2E_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_DIR=$(dirname "$E2E_DIR")
cd "$REPO_DIR"
[[ -d node_modules/@pulumi/kubernetes ]] || { echo "run.sh: no node_modules: run npm ci first" >&2; exit 1; }

t0=$(date +%s)
echo "== toolchain (e2e/toolchain.sh)"
TORCHPOD_E2E_ALLOW_DRIFT=1 "$E2E_DIR/toolchain.sh"
eval "$(TORCHPOD_E2E_ALLOW_DRIFT=1 "$E2E_DIR/toolchain.sh" --print-env)"
export TORCHPOD_E2E_CACHE TORCHPOD_E2E_PULUMI_BIN_DIR TORCHPOD_E2E_PULUMI TORCHPOD_E2E_PULUMI_VERSION \
	TORCHPOD_E2E_KUBE_APISERVER TORCHPOD_E2E_KUBE_VERSION TORCHPOD_E2E_ETCD TORCHPOD_E2E_ETCD_VERSION \
	TORCHPOD_E2E_KUBERNETES_PROVIDER TORCHPOD_E2E_KUBERNETES_PROVIDER_VERSION TORCHPOD_E2E_KUBERNETES_PROVIDER_WANTED \
	TORCHPOD_E2E_RANDOM_PROVIDER TORCHPOD_E2E_RANDOM_PROVIDER_VERSION TORCHPOD_E2E_RANDOM_PROVIDER_KIND TORCHPOD_E2E_RANDOM_PROVIDER_WANTED
t1=$(date +%s)
echo "== versions under test"
echo "  pulumi CLI + language host $TORCHPOD_E2E_PULUMI_VERSION (package-lock.json @pulumi/pulumi: $TORCHPOD_E2E_PULUMI_VERSION)"
echo "  kubernetes provider $TORCHPOD_E2E_KUBERNETES_PROVIDER_VERSION (package-lock.json @pulumi/kubernetes: $TORCHPOD_E2E_KUBERNETES_PROVIDER_WANTED)"
echo "  random provider $TORCHPOD_E2E_RANDOM_PROVIDER_VERSION ${TORCHPOD_E2E_RANDOM_PROVIDER_KIND:+[$TORCHPOD_E2E_RANDOM_PROVIDER_KIND, not the real provider] }(package-lock.json @pulumi/random: $TORCHPOD_E2E_RANDOM_PROVIDER_WANTED)"
echo "  kube-apiserver $TORCHPOD_E2E_KUBE_VERSION, etcd $TORCHPOD_E2E_ETCD_VERSION"
[[ $TORCHPOD_E2E_KUBERNETES_PROVIDER_VERSION == "$TORCHPOD_E2E_KUBERNETES_PROVIDER_WANTED" ]] ||
	echo "  DRIFT: kubernetes provider $TORCHPOD_E2E_KUBERNETES_PROVIDER_VERSION runs, package-lock.json has $TORCHPOD_E2E_KUBERNETES_PROVIDER_WANTED"
[[ -z $TORCHPOD_E2E_RANDOM_PROVIDER_KIND ]] ||
	echo "  DRIFT: random provider is torchpod's stand-in (RandomPassword, RandomString, RandomBytes), not pulumi-random $TORCHPOD_E2E_RANDOM_PROVIDER_WANTED"

result=$(mktemp "${TMPDIR:-/tmp}/torchpod-e2e-result.XXXXXX")
trap 'rm -f "$result"' EXIT
rc=0
TORCHPOD_E2E_RESULT=$result "$E2E_DIR/cluster.sh" run -- npx mocha --config "$E2E_DIR/.mocharc.json" "$@" || rc=$?
t2=$(date +%s)
echo "== build (toolchain) $((t1 - t0))s, tests (cluster + scenarios) $((t2 - t1))s"
read -r passed failed <"$result" || { passed=0; failed=1; echo "run.sh: mocha ended without a result (exit $rc)"; }
((rc == 0 && failed == 0)) || { ((failed > 0)) || failed=1; rc=1; }
echo "$passed passed, $failed failed"
exit "$rc"
}
