#!/usr/bin/env bash
# The Grafana dashboard and the alert rules query only metrics a live instance exports: an
# instance with a private Redis and PostgreSQL (so the tier and readiness metrics are there)
# takes a POST of bars and a few reads, then scripts/lib/check_dashboard.py checks every
# metric name of docker/grafana/dashboards/*.json and docker/prometheus/rules/*.yml against
# its /metrics page; the new metrics carry what was done (bars ingested, a signal by action,
# both dependencies up).
set -euo pipefail
binary="${1:?usage: $0 path/to/goldensignals}"
repo="$(cd "$(dirname "$0")/../.." && pwd)"
# shellcheck source=scripts/lib/services.sh
source "$repo/scripts/lib/services.sh"

pid=""
work=$(mktemp -d)
cleanup() {
  [[ -n "$pid" ]] && kill -KILL "$pid" 2>/dev/null || true
  stop_services
  rm -rf "$work"
}
trap cleanup EXIT

fail() {
  echo "FAIL: $*" >&2
  tail -20 "$work/server.log" >&2 || true
  exit 1
}

start_redis >/dev/null
start_postgres >/dev/null

: >"$work/server.log"
env -u GS_API_TOKEN "$binary" --port=0 --bind=127.0.0.1 --threads=2 --compute-threads=1 \
  --access-log=false --demo=false --sql-dir="$repo/sql" --static-dir="$repo/web" \
  --redis-url="$GS_TEST_REDIS_URL" --database-url="$GS_TEST_DATABASE_URL" >"$work/server.log" 2>&1 &
pid=$!
port=""
for _ in $(seq 1 300); do
  port=$(sed -n 's/.*listening on 127.0.0.1:\([0-9]*\).*/\1/p' "$work/server.log" | head -1)
  [[ -n "$port" ]] && break
  kill -0 "$pid" 2>/dev/null || fail "the instance exited at start"
  sleep 0.1
done
[[ -n "$port" ]] || fail "the instance did not start"
base="http://127.0.0.1:$port"

# /readyz up first: the readiness metrics follow the same state.
for _ in $(seq 1 100); do
  [[ "$(curl -s -o /dev/null -w '%{http_code}' "$base/readyz")" == 200 ]] && break
  sleep 0.1
done

{
  echo "time,open,high,low,close,volume"
  awk 'BEGIN { for (i = 0; i < 80; i++) { c = 100 + i * 0.4 + (i % 7 - 3) * 0.5;
    printf "%d,%.2f,%.2f,%.2f,%.2f,%d\n", (19000 + i) * 86400, c - 0.3, c + 1, c - 1.3, c, 10000 } }'
} >"$work/bars.csv"
status=$(curl -s -o "$work/post.out" -w '%{http_code}' -X POST -H 'Content-Type: text/csv' \
  --data-binary "@$work/bars.csv" "$base/v1/bars/MONTEST?timeframe=1d")
[[ "$status" == 200 ]] || fail "POST: $status $(cat "$work/post.out")"
curl -fsS -o /dev/null "$base/v1/signals/MONTEST" || fail "GET /v1/signals/MONTEST"
curl -fsS -o /dev/null "$base/v1/scan?timeframe=1d" || fail "GET /v1/scan"
curl -fsS -o "$work/metrics.txt" "$base/metrics" || fail "GET /metrics"

python3 "$repo/scripts/lib/check_dashboard.py" "$repo"/docker/grafana/dashboards/*.json \
  --rules "$repo"/docker/prometheus/rules/*.yml --metrics-file "$work/metrics.txt" ||
  fail "a dashboard or rule query names a metric this instance does not export"

expect() {  # expect REGEX: a line of /metrics matches it
  grep -qE "$1" "$work/metrics.txt" || fail "/metrics has no line matching '$1'"
  echo "ok:   /metrics: $(grep -E "$1" "$work/metrics.txt" | head -n 1)"
}
expect '^gs_ingest_bars_total 80$'
expect '^gs_ingest_batches_total 1$'
# The post and the roll-up's derived 1w batch each went through every ingest step, and their
# bars through the group commit.
expect '^gs_ingest_stage_seconds_count\{stage="store"\} 2$'
expect '^gs_ingest_stage_seconds_count\{stage="signal"\} 2$'
expect '^gs_bar_commit_writes_total [1-9][0-9]*$'
expect '^gs_dependency_up\{dependency="redis"\} 1$'
expect '^gs_dependency_up\{dependency="postgres"\} 1$'
expect '^gs_ready 1$'
# Two signals computed: the posted 1d series' and that of the 1w series roll-up derived from it
# (docs/rollup.md), each under its action (the others at 0).
expect '^gs_rollup_bars_total [1-9][0-9]*$'
computed=$(awk '/^gs_signals_computed_total\{/ {s += $2} END {print s + 0}' "$work/metrics.txt")
[[ "$computed" == 2 ]] || fail "gs_signals_computed_total sums to $computed, want 2"
action=$(curl -fsS "$base/v1/signals/MONTEST" | python3 -c 'import json,sys; print(json.load(sys.stdin)["action"])')
expect "^gs_signals_computed_total\\{action=\"$action\"\\} [12]\$"
echo "monitoring metrics: ok"
