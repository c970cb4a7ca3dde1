#!/usr/bin/env bash
# Smoke test of the real-engine toolchain: a throwaway TypeScript program (a
# Namespace and a ConfigMap) goes through `pulumi preview`, `pulumi up`, a
# second no-change `pulumi up` and `pulumi destroy` against a loopback
# etcd + kube-apiserver started by e2e/cluster.sh. Everything (PULUMI_HOME,
# the file:// state backend, the program, the cluster) lives in one temp dir
# that is deleted afterwards (kept on failure with TORCHPOD_E2E_KEEP=1).
#
#   e2e/toolchain.sh          # once: build the binaries (see that script)
#   e2e/smoke.sh
#
# Needs /work/main-style node_modules (run `npm ci` in the repository first).
set -euo pipefail
# The whole script is one block, so bash parses all of it before running any:
# editing the file while it runs cannot change what the running copy does.
{

E2E_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_DIR=$(dirname "$E2E_DIR")

die() { echo "smoke.sh: $*" >&2; exit 1; }
[[ -d $REPO_DIR/node_modules/@pulumi/kubernetes ]] || die "no $REPO_DIR/node_modules: run npm ci there first"

if [[ -z ${TORCHPOD_E2E_CLUSTER_DIR:-} ]]; then
	# Re-run this script inside a fresh cluster.
	exec "$E2E_DIR/cluster.sh" run -- "$0" "$@"
fi

env=$(TORCHPOD_E2E_ALLOW_DRIFT=1 "$E2E_DIR/toolchain.sh" --print-env) || die "toolchain missing: run e2e/toolchain.sh"
eval "$env"
[[ -n $TORCHPOD_E2E_KUBERNETES_PROVIDER ]] || die "no Kubernetes provider binary"
[[ -n $TORCHPOD_E2E_RANDOM_PROVIDER ]] || die "no random provider binary"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/torchpod-e2e-smoke.XXXXXX")
cleanup() {
	if [[ ${TORCHPOD_E2E_KEEP:-0} == 1 ]]; then echo "smoke.sh: kept $tmp" >&2; else rm -rf "$tmp"; fi
}
trap cleanup EXIT

# The engine environment: no service, no network, no plugin downloads.
export PATH=$TORCHPOD_E2E_PULUMI_BIN_DIR:$PATH # pulumi + pulumi-language-nodejs
export PULUMI_HOME=$tmp/pulumi-home
export PULUMI_BACKEND_URL=file://$tmp/state
export PULUMI_CONFIG_PASSPHRASE=torchpod-e2e
export PULUMI_SKIP_UPDATE_CHECK=true
export PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true
mkdir -p "$PULUMI_HOME" "$tmp/state" "$tmp/program"

echo "== pulumi $(pulumi version); provider kubernetes $TORCHPOD_E2E_KUBERNETES_PROVIDER_VERSION (package-lock.json: $TORCHPOD_E2E_KUBERNETES_PROVIDER_WANTED)"
pulumi plugin install resource kubernetes "$TORCHPOD_E2E_KUBERNETES_PROVIDER_VERSION" -f "$TORCHPOD_E2E_KUBERNETES_PROVIDER"
pulumi plugin install resource random "$TORCHPOD_E2E_RANDOM_PROVIDER_VERSION" -f "$TORCHPOD_E2E_RANDOM_PROVIDER"
pulumi plugin ls

cd "$tmp/program"
ln -s "$REPO_DIR/node_modules" node_modules
echo '{ "name": "torchpod-e2e-smoke", "private": true }' >package.json
cat >Pulumi.yaml <<'EOF'
name: torchpod-e2e-smoke
runtime: nodejs
description: throwaway program of e2e/smoke.sh
EOF
cat >index.ts <<'EOF'
import * as k8s from "@pulumi/kubernetes";
import * as random from "@pulumi/random";

// An explicit provider, pinned to the provider version that the toolchain
// could build (the SDK's default provider would ask for the SDK's own version).
const provider = new k8s.Provider("loopback", {
    kubeconfig: process.env.KUBECONFIG,
}, { version: process.env.TORCHPOD_E2E_KUBERNETES_PROVIDER_VERSION });

// No kube-controller-manager runs, so nothing would ever finish deleting a
// Namespace (its "kubernetes" finalizer stays): skipAwait on everything.
const skipAwait = { "pulumi.com/skipAwait": "true" };
const ns = new k8s.core.v1.Namespace("smoke", {
    metadata: { name: "torchpod-e2e-smoke", annotations: skipAwait },
}, { provider });
const cm = new k8s.core.v1.ConfigMap("smoke", {
    metadata: { namespace: ns.metadata.name, name: "smoke", annotations: skipAwait },
    data: { hello: "loopback" },
}, { provider });

// The random provider is used through the SDK's default provider (its
// version is the one package-lock.json has).
const pw = new random.RandomPassword("smoke", { length: 24, special: false });
const secret = new k8s.core.v1.Secret("smoke", {
    metadata: { namespace: ns.metadata.name, name: "smoke", annotations: skipAwait },
    stringData: { password: pw.result },
}, { provider });

export const namespace = ns.metadata.name;
export const secretName = secret.metadata.name;
export const password = pw.result; // a secret output
export const configMap = cm.metadata.name;
export const uid = cm.metadata.uid;
EOF

pulumi stack init e2e
pulumi preview
pulumi up --yes --skip-preview
pulumi stack output --json

echo "== read back through the API server"
api() { curl -fsS --cacert "$TORCHPOD_E2E_CLUSTER_DIR/certs/apiserver.crt" -H "Authorization: Bearer $(awk -F, '{print $1}' "$TORCHPOD_E2E_CLUSTER_DIR/tokens.csv")" "$TORCHPOD_E2E_APISERVER$1"; }
api /api/v1/namespaces/torchpod-e2e-smoke/configmaps/smoke | node -e '
	let s = ""; process.stdin.on("data", d => s += d).on("end", () => {
		const cm = JSON.parse(s);
		if (cm.data.hello !== "loopback") { console.error("unexpected ConfigMap", cm); process.exit(1); }
		console.log("ConfigMap", cm.metadata.namespace + "/" + cm.metadata.name, "uid", cm.metadata.uid, "managedFields:", cm.metadata.managedFields.map(f => f.manager).join(","));
	});'
want=$(pulumi stack output password --show-secrets)
api /api/v1/namespaces/torchpod-e2e-smoke/secrets/smoke | WANT=$want node -e '
	let s = ""; process.stdin.on("data", d => s += d).on("end", () => {
		const pw = Buffer.from(JSON.parse(s).data.password, "base64").toString();
		if (pw !== process.env.WANT || !/^[A-Za-z0-9]{24}$/.test(pw)) { console.error("Secret does not hold the generated password"); process.exit(1); }
		console.log("Secret torchpod-e2e-smoke/smoke holds the 24-character RandomPassword result");
	});'
if grep -rq -- "$want" "$tmp/state"; then die "the password is in the state backend in clear text"; fi

echo "== second up must change nothing"
pulumi up --yes --skip-preview --expect-no-changes

pulumi destroy --yes --skip-preview
pulumi stack rm --yes
echo "smoke.sh: OK"
exit
}
