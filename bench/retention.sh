#!/usr/bin/env bash
# Issue 15 item 2 (docs/retention.md): what migration 0006 costs on a schema-5 database
# holding ROWS 1-minute bars, and what a retention run costs when it drops the months older
# than 30 days of them. Throwaway PostgreSQL (scripts/lib/services.sh).
#
#   ROWS=1000000 gs-build bash bench/retention.sh build/goldensignals
set -euo pipefail
binary=$(realpath "${1:?usage: $0 path/to/goldensignals}")
repo="$(cd "$(dirname "$0")/.." && pwd)"
rows=${ROWS:-1000000}
symbols=8
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

# Schema 5 (the migrations before 0006), then the bars: $symbols series of one bar a minute,
# ending now, so that about 30 days are kept and the older months dropped.
mkdir "$work/sql5"
for f in "$repo"/sql/000[1-5]_*.sql; do cp "$f" "$work/sql5/"; done
"$binary" --migrate-only --database-url="$url" --sql-dir="$work/sql5" >"$work/m5.log" 2>&1
per_symbol=$((rows / symbols))
psql_q "INSERT INTO bars SELECT 'S' || s, '1m', date_trunc('minute', now()) - (i || ' min')::interval,
  100 + (i % 97), 101 + (i % 97), 99 + (i % 97), 100.5 + (i % 97), i % 1000
  FROM generate_series(1, $symbols) s, generate_series(0, $per_symbol - 1) i"
psql_q "VACUUM ANALYZE bars"
echo "schema 5: $(psql_q "SELECT count(*) FROM bars") bars, $(psql_q "SELECT pg_size_pretty(pg_total_relation_size('bars'))")," \
  "$(psql_q "SELECT min(time)::date || ' .. ' || max(time)::date FROM bars")"

start=$(date +%s%N)
"$binary" --migrate-only --database-url="$url" --sql-dir="$repo/sql" >"$work/m6.log" 2>&1
end=$(date +%s%N)
ms=$(((end - start) / 1000000))
echo "migration 0006 (+ partitions ahead): ${ms} ms, $((rows * 1000 / (ms > 0 ? ms : 1))) bars/s"
echo "bars_1m partitions: $(psql_q "SELECT string_agg(c.relname || '=' || c.reltuples::bigint, ' ' ORDER BY c.relname)
  FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'bars_1m'::regclass")"

# A retention run at start: 1m bars kept 30 days.
"$binary" --port=0 --bind=127.0.0.1 --threads=1 --compute-threads=1 --access-log=false \
  --demo=false --sql-dir="$repo/sql" --database-url="$url" --bar-retention=1m:30d \
  >"$work/server.log" 2>&1 &
pid=$!
port=""
for _ in $(seq 1 600); do
  port=$(sed -n 's/.*listening on 127.0.0.1:\([0-9]*\).*/\1/p' "$work/server.log" | head -1)
  [[ -n "$port" ]] && break
  sleep 0.1
done
[[ -n "$port" ]] || { cat "$work/server.log"; exit 1; }
for _ in $(seq 1 600); do
  curl -s "http://127.0.0.1:$port/metrics" >"$work/metrics"
  grep -q 'gs_retention_runs_total{result="done"} 1' "$work/metrics" && break
  sleep 0.1
done
grep -E '^gs_retention_(runs_total|last_run_duration_seconds|partitions_dropped_total\{table="bars_1m"\}|rows_deleted_total\{table="bars_1m"\})' "$work/metrics"
echo "bars left: $(psql_q "SELECT count(*) FROM bars") ($(psql_q "SELECT min(time)::date FROM bars") on)"
