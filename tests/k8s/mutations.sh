#!/usr/bin/env bash
# Shows that manifests.test.mjs can fail: each case copies deploy/k8s, breaks one thing with
# sed or an appended line, and expects the test to fail. Not part of CI (about 1.5 s a case);
# run after changing the test:   tests/k8s/mutations.sh
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
work=$(mktemp -d /tmp/gs-k8s-mutations.XXXXXX)
trap 'rm -rf "$work"' EXIT

# name | file under deploy/k8s | sed expression
cases=(
  "liveness on a route that does not exist|base/deployment.yaml|s#path: /healthz#path: /health#"
  "readiness on /healthz|base/deployment.yaml|0,/path: \/readyz/s#path: /readyz#path: /healthz#"
  "SSE buffered|base/ingress.yaml|s#proxy-buffering: \"off\"#proxy-buffering: \"on\"#"
  "SSE read timeout 60 s|base/ingress.yaml|s#proxy-read-timeout: \"3600\"#proxy-read-timeout: \"60\"#"
  "PDB selects other pods|base/pdb.yaml|s#app.kubernetes.io/component: api#app.kubernetes.io/component: worker#"
  "HPA targets another Deployment|base/hpa.yaml|s#    name: goldensignals#    name: goldensignal#"
  "root filesystem writable|base/deployment.yaml|s#readOnlyRootFilesystem: true#readOnlyRootFilesystem: false#"
  "runs as root|base/deployment.yaml|s#runAsUser: 10001#runAsUser: 0#"
  "password in the database URL|overlays/prod/kustomization.yaml|s#postgresql://goldensignals@#postgresql://goldensignals:hunter2@#"
  "API token in the ConfigMap|overlays/dev/kustomization.yaml|s#- GS_DEMO=true#- GS_DEMO=true\n      - GS_API_TOKEN=dev-only-api-token#"
  "secret value under another key|overlays/dev/kustomization.yaml|s#- GS_DEMO=true#- GS_DEMO=true\n      - GS_FEED=dev-only-api-token#"
  "misspelt option|overlays/dev/kustomization.yaml|s#- GS_L1_CACHE_MB=64#- GS_L1_CACHE_MIB=64#"
  "grace period shorter than the shutdown|base/deployment.yaml|s#terminationGracePeriodSeconds: 45#terminationGracePeriodSeconds: 20#"
  "threads left at the node's CPU count|base/kustomization.yaml|s#- GS_THREADS=2#- GS_THREADS=0#"
  "egress to PostgreSQL open to any address|overlays/prod/patches.yaml|/port: 5432/,/cidr/{/to:/d;/ipBlock/d;/cidr/d}"
  "ingress from another namespace|base/networkpolicy.yaml|s#kubernetes.io/metadata.name: ingress-nginx#kubernetes.io/metadata.name: default#"
  "init container without --migrate-only|base/deployment.yaml|s#args: \[\"--migrate-only\"\]#args: []#"
  "init container on another image|base/deployment.yaml|0,/image: goldensignals$/s,image: goldensignals$,image: goldensignals-migrate,"
  "TLS for another host than the rules|overlays/prod/patches.yaml|0,/hosts: \[\"goldensignals.example.com\"\]/s#hosts: \[\"goldensignals.example.com\"\]#hosts: [\"www.example.com\"]#"
  "an invalid field value (schema)|base/service.yaml|s#type: ClusterIP#type: 7#"
  "ServiceMonitor on a port the Service lacks|monitoring/servicemonitor.yaml|s#- port: http#- port: metrics#"
)

failed=0
for entry in "${cases[@]}"; do
  IFS='|' read -r name file expr <<<"$entry"
  rm -rf "$work/k8s" && cp -r "$repo/deploy/k8s" "$work/k8s"
  sed -i -e "$expr" "$work/k8s/$file"
  if cmp -s "$repo/deploy/k8s/$file" "$work/k8s/$file"; then
    echo "BROKEN CASE (sed changed nothing): $name"; failed=1; continue
  fi
  if GS_K8S_DIR="$work/k8s" node --test "$here/manifests.test.mjs" >"$work/out" 2>&1; then
    echo "NOT CAUGHT: $name"; failed=1
  else
    echo "caught: $name ($(grep -m1 '^not ok' "$work/out" | cut -c1-90))"
  fi
done
exit "$failed"
