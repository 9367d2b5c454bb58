#!/usr/bin/env bash
# Lazy series under a memory budget, end to end (docs/memory.md): 30 series posted to an
# instance with a private PostgreSQL; after a restart with a 1 MiB budget the instance is ready
# before they are loaded, warms only what fits half the budget, serves every series the same
# signal and bars as before (loaded on first use, evicted and loaded again), merges a write to a
# cold series into its stored history, and keeps a streamed series in memory. Every stored
# series is listed, scanned (from memory) and backtested with "*", resident or not.
set -euo pipefail
binary="${1:?usage: $0 path/to/goldensignals}"
repo="$(cd "$(dirname "$0")/../.." && pwd)"
# shellcheck source=tests/cluster/lib.sh
source "$repo/tests/cluster/lib.sh"
instance_env=(-u GS_READ_TOKEN -u GS_REDIS_URL -u GS_MEMORY_BUDGET)
series=30

metric() { curl -fsS "$base/metrics" | sed -n "s/^$1 //p"; }
stop_server() {
  # shellcheck disable=SC2154  # set by start_instance
  kill -TERM "$pid_server"
  wait "$pid_server" || true
}

start_postgres >/dev/null
instance_flags=(--database-url="$GS_TEST_DATABASE_URL" --rollup=false)
start_instance server
# shellcheck disable=SC2154
base="http://127.0.0.1:$port_server"
for i in $(seq 0 $((series - 1))); do
  csv_bars 300 $((50 + i)) "0.0$((i % 9 + 1))" >"$work/s$i.csv"
  post_ok "$port_server" "LAZY$i" "$work/s$i.csv"
done
for i in $(seq 0 $((series - 1))); do
  curl -fsS "$base/v1/signals/LAZY$i?agents=false" >"$work/signal$i.before"
  curl -fsS "$base/v1/bars/LAZY$i?limit=5000&format=csv" >"$work/bars$i.before"
done
stop_server

echo "== restart with 1 MiB for series: ready before the series are loaded"
start_instance server --memory-budget=66MiB --l1-cache-mb=1  # 1 MiB for series
base="http://127.0.0.1:$port_server"
wait_until 10 "ready" curl -fsS -o /dev/null "$base/readyz"
wait_until 10 "the warm-up's end" grep -q "warm-up:" "$work/server.log"
resident=$(metric gs_series_resident)
((resident > 0 && resident < series / 2)) || fail "after the warm-up $resident series resident, want 0 < n < $((series / 2))"
[[ $(metric gs_memory_budget_bytes) == 1048576 ]] || fail "gs_memory_budget_bytes"

echo "== every stored series is listed, scanned and in a \"*\" backtest, resident or not"
loads=$(metric gs_series_loads_total)
listed=$(curl -fsS "$base/v1/symbols?timeframe=1d&limit=1000" | jq '.symbols | length')
[[ $listed == "$series" ]] || fail "GET /v1/symbols lists $listed of $series stored series"
for i in $(seq 0 $((series - 1))); do
  jq -r '"\(.symbol) \(.action) \(.score) \(.confidence)"' "$work/signal$i.before"
done | sort >"$work/scan.want"
curl -fsS "$base/v1/scan?timeframe=1d&sort=symbol&limit=500" |
  jq -r '.results[] | "\(.symbol) \(.action) \(.score) \(.confidence)"' | sort >"$work/scan.got"
cmp -s "$work/scan.want" "$work/scan.got" || fail "the scan differs from the signals: $(diff "$work/scan.want" "$work/scan.got" | head -5)"
[[ $(metric gs_series_loads_total) == "$loads" ]] || fail "the listing or the scan loaded series"
job=$(curl -fsS -X POST -H 'Content-Type: application/json' -d '{"symbols":"*","timeframe":"1d"}' \
  "$base/v1/backtests" | jq -r .id)
wait_until 60 "the * backtest" bash -c "curl -fsS $base/v1/backtests/$job | jq -e '.status == \"done\"' >/dev/null"
curl -fsS "$base/v1/backtests/$job" >"$work/job.json"
[[ $(jq '.results | length' "$work/job.json") == "$series" ]] || fail "the * backtest ran $(jq '.results | length' "$work/job.json") symbols"
[[ $(jq '[.results[] | select(.error)] | length' "$work/job.json") == 0 ]] || fail "the * backtest failed symbols: $(jq -c '[.results[] | select(.error)][0]' "$work/job.json")"

echo "== every series answers as before, loaded on first use"
for round in 1 2; do
  for i in $(seq 0 $((series - 1))); do
    curl -fsS "$base/v1/signals/LAZY$i?agents=false" >"$work/signal$i.after"
    cmp -s "$work/signal$i.before" "$work/signal$i.after" || fail "round $round: LAZY$i's signal differs"
    curl -fsS "$base/v1/bars/LAZY$i?limit=5000&format=csv" >"$work/bars$i.after"
    cmp -s "$work/bars$i.before" "$work/bars$i.after" || fail "round $round: LAZY$i's bars differ"
    bytes=$(metric gs_series_resident_bytes)
    ((bytes <= 1048576)) || fail "resident bytes $bytes over the budget"
  done
done
loads=$(metric gs_series_loads_total)
evictions=$(metric gs_series_evictions_total)
((loads > series)) || fail "gs_series_loads_total $loads: the second round should have reloaded"
((evictions > 0)) || fail "gs_series_evictions_total $evictions"

echo "== a streamed series stays in memory"
curl -sN "$base/v1/stream?symbols=LAZY3" >"$work/stream.out" 2>/dev/null &
stream=$!
pids+=("$stream")
wait_until 10 "the stream's pin" bash -c "[[ \$(curl -fsS $base/metrics | sed -n 's/^gs_series_pinned //p') -ge 1 ]]"
curl -fsS -o /dev/null "$base/v1/bars/LAZY3"
# Every other series read after it: without the pin LAZY3 would be the first to go.
for i in $(seq 0 $((series - 1))); do
  [[ $i == 3 ]] || curl -fsS -o /dev/null "$base/v1/bars/LAZY$i"
done
before=$(metric gs_series_loads_total)
curl -fsS -o /dev/null "$base/v1/bars/LAZY3"
after=$(metric gs_series_loads_total)
((after == before)) || fail "loads $before -> $after: LAZY3 was loaded again while streamed"
kill "$stream" 2>/dev/null || true

echo "== a write to a cold series merges into its stored history"
# LAZY0 is the least recently used of the reads above: evicted by now.
csv_bars 1 60 0 17300 >"$work/one.csv"
post_ok "$port_server" LAZY0 "$work/one.csv"
count=$(curl -fsS "$base/v1/bars/LAZY0?limit=5000&format=csv" | tail -n +2 | wc -l)
[[ "$count" == 301 ]] || fail "LAZY0 holds $count bars after a one-bar write, want 301"
stop_server
echo "lazy series: ok"
