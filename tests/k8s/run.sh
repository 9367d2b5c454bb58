#!/usr/bin/env bash
# Offline checks of deploy/k8s: renders every kustomization with `kubectl kustomize`,
# validates each object against the Kubernetes 1.33 schemas (kubernetes-models 4.5.1,
# pinned with the lock file) and asserts the properties in manifests.test.mjs. No cluster.
#   tests/k8s/run.sh            (KUBECTL=/path/to/kubectl to pick the client)
# Needs node >= 18, npm (the first run installs the packages from the lock file) and
# kubectl >= 1.20 (scripts/install_deps.sh test installs Debian's kubernetes-client).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
kubectl="${KUBECTL:-kubectl}"
command -v "$kubectl" >/dev/null || {
  echo "error: $kubectl not found (scripts/install_deps.sh test installs kubernetes-client)" >&2
  exit 2
}
command -v node >/dev/null || { echo "error: node not found" >&2; exit 2; }
if [[ ! -d "$here/node_modules/kubernetes-models" ]]; then
  (cd "$here" && npm ci --no-audit --no-fund --loglevel=error)
fi
cd "$here"
KUBECTL="$kubectl" node --test manifests.test.mjs
