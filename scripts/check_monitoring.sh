#!/usr/bin/env bash
# Offline checks of the compose stack's monitoring (docs/deployment.md, "Monitoring"); no
# container engine needed. Exits non-zero naming each failure.
#
#   prometheus  docker/prometheus/prometheus.yml passes `promtool check config` (which checks
#               the rule files it loads too), its DNS service discovery names the compose
#               service and its port; the alert rules pass `promtool check rules` and their
#               unit tests `promtool test rules`
#   grafana     the provisioning files point at the compose service and folder they need; the
#               dashboard is valid JSON whose every query, like every alert rule, names only
#               metrics the service exports (scripts/lib/check_dashboard.py, from the sources)
#
# Needs promtool (Debian's prometheus package: `scripts/install_deps.sh test`) and python3.
# A live check of the same names against a running instance's /metrics is the CTest test
# monitoring_metrics (tests/smoke/monitoring_metrics_test.sh).
set -euo pipefail
cd "$(dirname "$0")/.."

prom_dir=docker/prometheus
grafana_dir=docker/grafana
compose_file=docker/docker-compose.yml
dashboards=("$grafana_dir"/dashboards/*.json)
rules=("$prom_dir"/rules/*.yml)

failures=0
fail() {
  echo "FAIL: $*" >&2
  failures=$((failures + 1))
}
ok() {
  echo "ok:   $*"
}

if ! command -v promtool >/dev/null 2>&1; then
  echo "check_monitoring: promtool not found; run scripts/install_deps.sh test (prometheus)" >&2
  exit 1
fi
tmp=$(mktemp -d /tmp/goldensignals-check-monitoring.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

echo "== prometheus: $prom_dir ($(promtool --version 2>&1 | head -n 1 | awk '{print $3}'))"
if promtool check config "$prom_dir/prometheus.yml" >"$tmp/config.log" 2>&1; then
  ok "promtool check config $prom_dir/prometheus.yml ($(grep -c 'rules found' "$tmp/config.log") rule file(s) loaded)"
else
  fail "promtool check config $prom_dir/prometheus.yml:"
  sed 's/^/    /' "$tmp/config.log" >&2
fi
if promtool check rules "${rules[@]}" >"$tmp/rules.log" 2>&1; then
  ok "promtool check rules: $(grep -oE '[0-9]+ rules found' "$tmp/rules.log" | paste -sd, -)"
else
  fail "promtool check rules ${rules[*]}:"
  sed 's/^/    /' "$tmp/rules.log" >&2
fi
if promtool test rules "$prom_dir"/tests/*.yml >"$tmp/test.log" 2>&1; then
  ok "promtool test rules: $(cat "$prom_dir"/tests/*.yml | grep -c '^  - name:') test group(s) pass"
else
  fail "promtool test rules $prom_dir/tests/*.yml:"
  sed 's/^/    /' "$tmp/test.log" >&2
fi

# The scrape job finds the service's replicas: its DNS name is the compose service, its port
# the one the service exposes.
sd_name=$(sed -n 's/^[[:space:]]*- names: \[\([a-z0-9_-]*\)\].*/\1/p' "$prom_dir/prometheus.yml" | head -n 1)
sd_port=$(awk '/dns_sd_configs:/ {inside = 1} inside && /port:/ {print $2; exit}' "$prom_dir/prometheus.yml")
expose=$(awk -v svc="  ${sd_name}:" '$0 == svc {inside = 1; next}
  inside && /^  [a-z]/ {exit}
  inside && /expose:/ {gsub(/[^0-9]/, ""); print; exit}' "$compose_file")
if [[ -n "$sd_name" && "$expose" == "$sd_port" ]]; then
  ok "dns_sd_configs: compose service '$sd_name', port $sd_port (its expose)"
else
  fail "$prom_dir/prometheus.yml: dns_sd_configs names '$sd_name' port '$sd_port'," \
    "but $compose_file's service '$sd_name' exposes '${expose:-nothing}'"
fi

echo "== grafana: $grafana_dir"
grep -qE 'url:[[:space:]]+http://prometheus:9090' "$grafana_dir/provisioning/datasources/prometheus.yml" ||
  fail "the Grafana data source does not point at http://prometheus:9090 (the compose service)"
grep -qE '^[[:space:]]+prometheus:$' "$compose_file" || fail "$compose_file has no prometheus service"
grep -qE '^[[:space:]]+grafana:$' "$compose_file" || fail "$compose_file has no grafana service"
provider_path=$(sed -n 's/^[[:space:]]*path:[[:space:]]*//p' "$grafana_dir/provisioning/dashboards/"*.yml)
grep -qF -- "./grafana/dashboards:${provider_path}:ro" "$compose_file" ||
  fail "the dashboard provider reads $provider_path, which $compose_file does not mount from ./grafana/dashboards"
# Every bind mount of the compose file exists (a missing one becomes an empty directory).
while read -r src; do
  [[ -e "docker/$src" ]] || fail "$compose_file mounts ./$src, which does not exist"
done < <(grep -oE '^[[:space:]]+- \./[^:]+:' "$compose_file" | sed -E 's/^[[:space:]]+- \.\/(.*):$/\1/')
# Image tags pinned (no :latest, no bare name) for the monitoring services.
for var in PROMETHEUS_IMAGE GRAFANA_IMAGE; do
  image=$(grep -oE "\\\$\\{${var}:-[^}]+\\}" "$compose_file" | sed -E 's/.*:-(.*)\}/\1/')
  if [[ "$image" =~ :v?[0-9]+\.[0-9]+\.[0-9]+$ ]]; then
    ok "$var pinned: $image"
  else
    fail "$var default '$image' is not pinned to a version (x.y.z)"
  fi
done
if python3 scripts/lib/check_dashboard.py "${dashboards[@]}" --rules "${rules[@]}" --src src; then
  :
else
  fail "dashboard or rule queries (above)"
fi

if ((failures)); then
  echo "check_monitoring: $failures failure(s)" >&2
  exit 1
fi
echo "== monitoring checks passed"
