#!/usr/bin/env bash
# Issue 15 item 4 (docs/memory.md): 20,000 series x 500 daily bars stored in a throwaway
# PostgreSQL (written straight into the bars table by SQL, not through the service), then:
#   - restart to ready: from exec to the first 200 of /readyz (three starts);
#   - cold first signal reads: 200 series the warm-up did not load, one curl each (after the
#     warm-up ended), and 50 more while it runs;
#   - RSS while wrk reads random series of the 20,000 for DURATION seconds (sampled every
#     0.5 s from /proc), against --memory-budget (the process's bound; the series get what
#     --l1-cache-mb and the 64 MiB reserve leave of it).
#
#   gs-build bash bench/scale.sh build/goldensignals
#   SERIES=20000 BARS=500 BUDGET=512MiB L1_MB=64 DURATION=30 gs-build bash bench/scale.sh ...
set -euo pipefail
binary=$(realpath "${1:?usage: $0 path/to/goldensignals}")
repo="$(cd "$(dirname "$0")/.." && pwd)"
series=${SERIES:-20000}
bars=${BARS:-500}
budget=${BUDGET:-512MiB}
l1_mb=${L1_MB:-64}
duration=${DURATION:-30}
# shellcheck source=scripts/lib/services.sh
source "$repo/scripts/lib/services.sh"
work=$(mktemp -d)
pid=""
cleanup() {
  [[ -n "$pid" ]] && kill -TERM "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true
  stop_services
  rm -rf "$work"
}
trap cleanup EXIT

start_postgres >/dev/null
url=$GS_TEST_DATABASE_URL
psql_q() { as_pg_owner "$GS_PG_BIN/psql" -X -q -t -A -h 127.0.0.1 -p "$GS_PG_PORT" -U postgres \
  -d goldensignals_test -c "$1"; }
"$binary" --migrate-only --database-url="$url" --sql-dir="$repo/sql" >"$work/migrate.log" 2>&1

t0=$(date +%s%N)
# Daily bars ending yesterday, a different wiggle per series; valid for the table's CHECKs.
psql_q "INSERT INTO bars (symbol, timeframe, time, open, high, low, close, volume)
  SELECT 'S' || s, '1d', date_trunc('day', now()) - ((i + 1) || ' days')::interval,
         o, greatest(o, c) + 1, least(o, c) - 1, c, 10000 + (i * 37 + s) % 5000
    FROM generate_series(0, $series - 1) s, generate_series(0, $bars - 1) i,
         LATERAL (SELECT 50 + s % 200 + 10 * sin(i / 7.0 + s) AS o,
                         50 + s % 200 + 10 * sin((i + 1) / 7.0 + s) AS c) v"
psql_q "VACUUM ANALYZE bars"
t1=$(date +%s%N)
echo "stored: $(psql_q "SELECT count(*) FROM bars") bars of $series series in $(((t1 - t0) / 1000000)) ms," \
  "$(psql_q "SELECT pg_size_pretty(sum(pg_total_relation_size(c.oid))) FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'bars_1d'::regclass")"

port=$(free_port)
base="http://127.0.0.1:$port"
start_server() {
  local log=$1 start end code
  start=$(date +%s%N)
  "$binary" --port="$port" --bind=127.0.0.1 --threads=2 --access-log=false --demo=false \
    --sql-dir="$repo/sql" --database-url="$url" --max-bars="$bars" --memory-budget="$budget" \
    --l1-cache-mb="$l1_mb" --rollup=false >"$work/$log" 2>&1 &
  pid=$!
  for _ in $(seq 1 6000); do
    code=$(curl -s -o /dev/null -w '%{http_code}' "$base/readyz" || true)
    [[ "$code" == 200 ]] && break
    sleep 0.005
  done
  end=$(date +%s%N)
  [[ "$code" == 200 ]] || { tail "$work/$log"; exit 1; }
  ready_ms=$(((end - start) / 1000000))
}
stop_server() {
  kill -TERM "$pid"
  wait "$pid" || true
  pid=""
}
metric() { curl -fsS "$base/metrics" | sed -n "s/^$1 //p"; }
rss_kb() { sed -n 's/^VmRSS:[[:space:]]*\([0-9]*\).*/\1/p' "/proc/$pid/status"; }
# cold_reads FROM COUNT: one curl per series S<FROM>.. (the warm-up loads the series with a
# latest signal, then the others in text order: S0, S1, S10, S100, ... S8000 comes late).
cold_reads() {
  local from=$1 count=$2 i
  for i in $(seq "$from" $((from + count - 1))); do
    curl -s -o /dev/null -w '%{time_total}\n' "$base/v1/signals/S$i?agents=false"
  done | sort -n | awk '{ t[NR] = $1 * 1000 } END {
    printf "n=%d p50=%.1f ms p90=%.1f ms p99=%.1f ms max=%.1f ms\n", NR, t[int(NR * 0.5)],
      t[int(NR * 0.9)], t[int(NR * 0.99)], t[NR] }'
}

echo "== restart to ready (budget $budget, L1 ${l1_mb} MB)"
for run in 1 2 3; do
  start_server "start$run.log"
  echo "start $run: ready in ${ready_ms} ms, resident at ready: $(metric gs_series_resident)"
  if ((run == 1)); then
    echo "cold first reads during the warm-up: $(cold_reads 9000 50)"
  fi
  if ((run < 3)); then
    stop_server
  fi
done
for _ in $(seq 1 600); do
  grep -q "warm-up:" "$work/start3.log" && break
  sleep 0.1
done
grep -o "warm-up:.*" "$work/start3.log" || echo "warm-up still running"
echo "cold first reads after the warm-up: $(cold_reads 8000 200)"
echo "after them: loads $(metric gs_series_loads_total), resident $(metric gs_series_resident)," \
  "RSS $(($(rss_kb) / 1024)) MiB"

echo "== random reads of the $series series for ${duration} s (wrk -t1 -c8)"
cat >"$work/random.lua" <<LUA
math.randomseed(42)
request = function()
  return wrk.format("GET", "/v1/signals/S" .. math.random(0, $series - 1) .. "?agents=false")
end
LUA
: >"$work/rss"
(while kill -0 "$pid" 2>/dev/null; do rss_kb >>"$work/rss"; sleep 0.5; done) &
sampler=$!
wrk -t1 -c8 -d"${duration}s" --latency -s "$work/random.lua" "$base" | grep -E "Requests/sec|50%|99%|Non-2xx|errors" || true
kill "$sampler" 2>/dev/null || true
echo "RSS max $(($(sort -n "$work/rss" | tail -1) / 1024)) MiB, last $(($(tail -1 "$work/rss") / 1024)) MiB;" \
  "resident $(metric gs_series_resident) series ~$(($(metric gs_series_resident_bytes) / 1048576)) MiB" \
  "of their $(($(metric gs_memory_budget_bytes) / 1048576)) MiB share of the $budget budget; loads $(metric gs_series_loads_total)," \
  "evictions $(metric gs_series_evictions_total); L1 $(($(metric gs_l1_bytes) / 1048576)) MiB"
stop_server

echo "== every series signalled once (wrk -t1 -c8, S0 .. S$((series - 1)) in order), then a restart"
cat >"$work/each.lua" <<LUA
local next_series = 0
request = function()
  local i = next_series % $series
  next_series = next_series + 1
  return wrk.format("GET", "/v1/signals/S" .. i .. "?agents=false")
end
LUA
start_server "start4.log"
each_s=$(((series + 199) / 200))  # ~270 cold reads/s above; a little over one pass
wrk -t1 -c8 -d"${each_s}s" --latency -s "$work/each.lua" "$base" | grep -E "Requests/sec|Non-2xx|errors" || true
stop_server
echo "series with a latest signal: $(psql_q "SELECT count(*) FROM latest_signals")"
for run in 5 6 7; do
  start_server "start$run.log"
  echo "start $run: ready in ${ready_ms} ms; $(grep -o 'catalog: .*' "$work/start$run.log")"
  if ((run < 7)); then
    stop_server
  fi
done
echo "listing after the restart: $(curl -fsS "$base/v1/symbols?timeframe=1d&limit=1" >/dev/null && echo ok)," \
  "scan total $(curl -fsS "$base/v1/scan?timeframe=1d&limit=1" | sed -n 's/.*"total":\([0-9]*\).*/\1/p')" \
  "of $series series, resident $(metric gs_series_resident)"
stop_server

echo "== signal history at this scale (item 1's figure)"
rows=$(psql_q "SELECT count(*) FROM signals")
bytes=$(psql_q "SELECT sum(pg_total_relation_size(c.oid)) FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'signals'::regclass")
index_bytes=$(psql_q "SELECT sum(pg_indexes_size(c.oid)) FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'signals'::regclass")
echo "history rows: $rows, $((bytes / (rows > 0 ? rows : 1))) bytes/row with indexes" \
  "($((index_bytes / (rows > 0 ? rows : 1))) of them indexes); latest_signals" \
  "$(psql_q "SELECT pg_size_pretty(pg_total_relation_size('latest_signals'))")"
