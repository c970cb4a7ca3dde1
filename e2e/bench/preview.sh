#!/usr/bin/env bash
# `npm run bench:preview`: e2e/bench/preview.ts against one loopback cluster (e2e/cluster.sh run), with the
# real-engine toolchain (e2e/toolchain.sh builds what is missing; seconds when cached). Prints figures, asserts
# nothing. Arguments go to preview.ts: [--sizes dev,100] [--runs 3] [--checkout DIR[=LABEL]]... [--prof DIR]
set -euo pipefail
{
E2E_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
REPO_DIR=$(dirname "$E2E_DIR")
cd "$REPO_DIR"
[[ -d node_modules/@pulumi/kubernetes ]] || { echo "bench:preview: no node_modules: run npm ci first" >&2; exit 1; }
TORCHPOD_E2E_ALLOW_DRIFT=1 "$E2E_DIR/toolchain.sh" >&2
eval "$(TORCHPOD_E2E_ALLOW_DRIFT=1 "$E2E_DIR/toolchain.sh" --print-env)"
export TORCHPOD_E2E_CACHE TORCHPOD_E2E_PULUMI_BIN_DIR TORCHPOD_E2E_PULUMI TORCHPOD_E2E_PULUMI_VERSION \
	TORCHPOD_E2E_KUBE_APISERVER TORCHPOD_E2E_KUBE_VERSION TORCHPOD_E2E_ETCD TORCHPOD_E2E_ETCD_VERSION \
	TORCHPOD_E2E_KUBERNETES_PROVIDER TORCHPOD_E2E_KUBERNETES_PROVIDER_VERSION TORCHPOD_E2E_KUBERNETES_PROVIDER_WANTED \
	TORCHPOD_E2E_RANDOM_PROVIDER TORCHPOD_E2E_RANDOM_PROVIDER_VERSION TORCHPOD_E2E_RANDOM_PROVIDER_KIND TORCHPOD_E2E_RANDOM_PROVIDER_WANTED
exec "$E2E_DIR/cluster.sh" run -- node -r "$REPO_DIR/tools/typescript/register.cjs" "$E2E_DIR/bench/preview.ts" "$@"
}
