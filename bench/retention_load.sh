#!/usr/bin/env bash
# Issue 15 item 4's last clause (docs/retention.md): retention drops partitions while ingest
# and reads go on, without errors and without losing an acked bar. Throwaway PostgreSQL
# (scripts/lib/services.sh), one instance with a retention run every 2 s:
#   - SYMBOLS 1-minute series of HELD bars stored (SQL), ending at the current minute;
#   - for DURATION seconds: wrk posting one new 1m bar per request (bench/ingest.lua, -c16)
#     and a second wrk reading the series' signals (-c8), both on CLIENT_CPUS;
#   - before the start, PARTS partitions of bars_1m and of signals made (by SQL, bars_1m's
#     filled with rows) whose upper bounds pass the retention's cutoff (now - 30 d) one after
#     another during the load, so the service's own retention runs drop them under it. Made
#     before the load, so the DDL under load is the service's DROPs alone.
# Checks: no refused or failed request on either wrk, no failed retention run, every partition
# made was dropped (the rows in them gone), every acked bar stored.
#
#   gs-build bash bench/retention_load.sh build/goldensignals
#   SYMBOLS=200 HELD=300 DURATION=30 SERVER_CPUS=0 CLIENT_CPUS=1 gs-build bash bench/retention_load.sh ...
#   EXPIRE=0 ...: the same load with nothing to drop (the latencies to compare with)
set -euo pipefail
binary=$(realpath "${1:?usage: $0 path/to/goldensignals}")
repo="$(cd "$(dirname "$0")/.." && pwd)"
symbols=${SYMBOLS:-200}
held=${HELD:-300}
duration=${DURATION:-30}
expire=${EXPIRE:-1}  # 0: the same load without partitions to drop (the baseline)
parts=${PARTS:-5}
server_cpus=${SERVER_CPUS:-0}
client_cpus=${CLIENT_CPUS:-1}
command -v wrk >/dev/null || { echo "wrk is needed (scripts/install_deps.sh test)" >&2; exit 2; }
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

newest=$(($(date +%s) / 60 * 60))
psql_q "INSERT INTO bars (symbol, timeframe, time, open, high, low, close, volume)
  SELECT 'S' || s, '1m', to_timestamp($newest) - (i || ' minutes')::interval,
         o, greatest(o, c) + 0.5, least(o, c) - 0.5, c, 1000 + i
    FROM generate_series(0, $symbols - 1) s, generate_series(0, $held - 1) i,
         LATERAL (SELECT 100 + sin(i / 9.0 + s) AS o, 100 + sin((i + 1) / 9.0 + s) AS c) v"
stored_before=$(psql_q "SELECT count(*) FROM bars_1m")

# Partition k (1..PARTS) of each table covers [cut + (k-1) * step, cut + k * step) with cut =
# now + 5 s - 30 d (the first from 10 min earlier) and step = DURATION / (PARTS + 1), so the
# k-th expires k steps into the load; 30 days back no partition of the service's exists (it
# makes months from the current one on, and the preload lies in it).
made=0
if ((expire)); then
  cut=$(($(date +%s) + 5 - 30 * 86400))
  step=$((duration / (parts + 1)))
  for k in $(seq 1 "$parts"); do
    lower=$((k == 1 ? cut - 600 : cut + (k - 1) * step))
    upper=$((cut + k * step))
    psql_q "CREATE TABLE bars_1m_expiring$k PARTITION OF bars_1m
        FOR VALUES FROM (to_timestamp($lower)) TO (to_timestamp($upper));
      INSERT INTO bars_1m_expiring$k (symbol, timeframe, time, open, high, low, close, volume)
        SELECT 'S' || s, '1m', to_timestamp($lower) + (i * 0.05 || ' s')::interval, 1, 1, 1, 1, 1
          FROM generate_series(0, $symbols - 1) s, generate_series(0, 49) i;
      CREATE TABLE signals_expiring$k PARTITION OF signals
        FOR VALUES FROM (to_timestamp($lower)) TO (to_timestamp($upper));" >/dev/null
    made=$((made + 1))
  done
fi
expiring_rows=$(psql_q "SELECT count(*) FROM bars_1m WHERE time < now() - interval '29 days'")

port=$(free_port)
base="http://127.0.0.1:$port"
taskset -c "$server_cpus" "$binary" --port="$port" --bind=127.0.0.1 --threads=1 \
  --compute-threads=1 --access-log=false --demo=false --sql-dir="$repo/sql" \
  --database-url="$url" --max-bars="$held" --rollup=false \
  --bar-retention=1m:30d --signal-retention=30d --retention-interval-s=2 >"$work/server.log" 2>&1 &
pid=$!
for _ in $(seq 1 600); do
  [[ "$(curl -s -o /dev/null -w '%{http_code}' "$base/readyz" || true)" == 200 ]] && break
  sleep 0.05
done
metric() { curl -fsS "$base/metrics" | sed -n "s/^$1 //p"; }
dropped() {  # absent until the first drop
  local value
  value=$(metric "gs_retention_partitions_dropped_total{table=\"$1\"}")
  echo "${value:-0}"
}
dropped_bars_before=$(dropped bars_1m)
dropped_signals_before=$(dropped signals)

cat >"$work/read.lua" <<LUA
math.randomseed(7)
request = function()
  return wrk.format("GET", "/v1/signals/S" .. math.random(0, $symbols - 1) .. "?timeframe=1m&agents=false")
end
LUA
SYMBOLS=$symbols START=$newest TIMEFRAME=1m STEP=60 \
  taskset -c "$client_cpus" wrk -t1 -c16 -d"${duration}s" --latency -s "$repo/bench/ingest.lua" \
  "$base" >"$work/ingest.out" 2>"$work/ingest.err" &
ingest=$!
taskset -c "$client_cpus" wrk -t1 -c8 -d"${duration}s" --latency -s "$work/read.lua" "$base" \
  >"$work/read.out" 2>&1 &
reader=$!

wait "$ingest" "$reader"
sleep 3  # the last retention run

echo "ingest: $(grep -E 'Requests/sec' "$work/ingest.out" | tr -s ' '), $(grep -E '^acked' "$work/ingest.out")," \
  "p99 $(grep -E '^ +99%' "$work/ingest.out" | tr -s ' ' | cut -d' ' -f3), max $(grep -E '^ +Latency' "$work/ingest.out" | tr -s ' ' | cut -d' ' -f5)"
grep -E 'Non-2xx|Socket errors' "$work/ingest.out" || true
echo "reads: $(grep -E 'Requests/sec' "$work/read.out" | tr -s ' '), p99 $(grep -E '^ +99%' "$work/read.out" | tr -s ' ' | cut -d' ' -f3)," \
  "max $(grep -E '^ +Latency' "$work/read.out" | tr -s ' ' | cut -d' ' -f5)"
grep -E 'Non-2xx|Socket errors' "$work/read.out" || true
bars_dropped=$(($(dropped bars_1m) - dropped_bars_before))
signals_dropped=$(($(dropped signals) - dropped_signals_before))
left=$(psql_q "SELECT count(*) FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE c.relname LIKE '%expiring%'")
old_rows=$(psql_q "SELECT count(*) FROM bars_1m WHERE time < now() - interval '29 days'")
acked=$(sed -n 's/^acked \([0-9]*\) refused.*/\1/p' "$work/ingest.out")
refused=$(sed -n 's/^acked [0-9]* refused \([0-9]*\).*/\1/p' "$work/ingest.out")
stored_new=$(($(psql_q "SELECT count(*) FROM bars_1m WHERE time > to_timestamp($newest)")))
echo "retention under load: $made partitions per table expiring during it ($expiring_rows bars);" \
  "dropped bars_1m $bars_dropped, signals $signals_dropped; left $left, their rows left $old_rows;" \
  "runs $(metric 'gs_retention_runs_total{result="done"}') done," \
  "$(metric 'gs_retention_runs_total{result="failed"}') failed"
# wrk stops with requests in flight: those are stored, not counted as acked (at most -c16).
echo "acked bars $acked, refused $refused, stored after the preload $stored_new (preload $stored_before)"
non2xx=$(cat "$work/ingest.out" "$work/read.out" | grep -c 'Non-2xx\|Socket errors' || true)
failed_runs=$(metric 'gs_retention_runs_total{result="failed"}')
if (((made > 0 || !expire) && ${failed_runs:-1} == 0 && bars_dropped >= made && signals_dropped >= made && left == 0 && old_rows == 0 &&
  refused == 0 && non2xx == 0 && stored_new >= acked && stored_new <= acked + 16)); then
  echo "check: ok"
else
  echo "check: FAILED" >&2
  grep -iE 'error|warn' "$work/server.log" | head -20 >&2
  exit 1
fi
