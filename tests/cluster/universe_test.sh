#!/usr/bin/env bash
# The universe routes across two instances sharing a private Redis and PostgreSQL (issue 14):
# a symbol posted on A is listed and scanned on B, both give the same scan, and a DELETE on A
# removes the series from PostgreSQL, Redis's version record and B.
set -euo pipefail
binary="${1:?usage: $0 path/to/goldensignals}"
repo="$(cd "$(dirname "$0")/../.." && pwd)"
# shellcheck source=scripts/lib/services.sh
source "$repo/scripts/lib/services.sh"

pids=()
work=$(mktemp -d)
cleanup() {
  for pid in "${pids[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
  stop_services
  rm -rf "$work"
}
trap cleanup EXIT

fail() {
  echo "FAIL: $*" >&2
  for log in "$work"/*.log; do echo "--- $log" >&2; tail -20 "$log" >&2; done
  exit 1
}

start_redis >/dev/null
start_postgres >/dev/null

start_instance() {  # start_instance NAME: sets port_NAME
  local name=$1 port="" pid
  : >"$work/$name.log"
  env -u GS_API_TOKEN "$binary" --port=0 --bind=127.0.0.1 --threads=2 --compute-threads=1 \
    --access-log=false --demo=false --sql-dir="$repo/sql" --static-dir="$repo/web" \
    --redis-url="$GS_TEST_REDIS_URL" --database-url="$GS_TEST_DATABASE_URL" >"$work/$name.log" 2>&1 &
  pid=$!
  pids+=("$pid")
  for _ in $(seq 1 300); do
    port=$(sed -n 's/.*listening on 127.0.0.1:\([0-9]*\).*/\1/p' "$work/$name.log" | head -1)
    [[ -n "$port" ]] && break
    kill -0 "$pid" 2>/dev/null || fail "instance $name exited at start"
    sleep 0.1
  done
  [[ -n "$port" ]] || fail "instance $name did not start"
  eval "port_$name=$port"
}

csv_bars() {  # csv_bars COUNT BASE DRIFT
  echo "time,open,high,low,close,volume"
  awk -v n="$1" -v b="$2" -v d="$3" 'BEGIN {
    for (i = 0; i < n; i++) {
      c = b + i * d + (i % 7 - 3) * 0.5; o = c - 0.3;
      printf "%d,%.2f,%.2f,%.2f,%.2f,%d\n", (17000 + i) * 86400, o, c + 1, o - 1, c, 10000 + (i % 5) * 1000
    } }'
}

post() {  # post PORT SYMBOL CSV_FILE
  local status
  status=$(curl -s -o "$work/post.out" -w '%{http_code}' -X POST -H 'Content-Type: text/csv' \
    --data-binary "@$3" "http://127.0.0.1:$1/v1/bars/$2")
  [[ "$status" == 200 ]] || fail "POST $2 to $1: $status $(cat "$work/post.out")"
}
get() { curl -s "http://127.0.0.1:$1$2"; }
status_of() { curl -s -o /dev/null -w '%{http_code}' "$@"; }
psql_q() { as_pg_owner "$GS_PG_BIN/psql" -h 127.0.0.1 -p "$GS_PG_PORT" -U postgres -At -c "$1" goldensignals_test; }

# until_listed PORT SYMBOL yes|no: B learns of A's series by the bar-update message. The 1d
# series only: the 1w series roll-up derives from it is a series of its own, which a DELETE
# of the 1d series leaves (docs/rollup.md).
until_listed() {
  local listed
  for _ in $(seq 1 100); do
    listed=no
    get "$1" "/v1/symbols?prefix=$2&timeframe=1d" | grep -q "\"symbol\":\"$2\"" && listed=yes
    [[ "$listed" == "$3" ]] && return 0
    sleep 0.05
  done
  fail "$2 listed on $1: $listed, want $3"
}

start_instance a
start_instance b
echo "instances on $port_a and $port_b"

echo "== symbols posted to A are listed and scanned on B, with the same answer"
csv_bars 300 100 0.3 >"$work/up.csv"
csv_bars 300 200 -0.2 >"$work/down.csv"
csv_bars 200 50 0.05 >"$work/flat.csv"
post "$port_a" UNIUP "$work/up.csv"
post "$port_a" UNIDOWN "$work/down.csv"
post "$port_b" UNIFLAT "$work/flat.csv"
until_listed "$port_b" UNIUP yes
until_listed "$port_b" UNIDOWN yes
until_listed "$port_a" UNIFLAT yes
get "$port_b" "/v1/symbols?prefix=UNIUP" | grep -q '"bars":300' || fail "B's listing of UNIUP"
for query in "sort=symbol" "sort=-score&limit=2" "category=trend" "action=BUY" "sort=-confidence"; do
  scan_a=$(get "$port_a" "/v1/scan?$query")
  scan_b=$(get "$port_b" "/v1/scan?$query")
  [[ "$scan_a" == "$scan_b" ]] || fail "scan ?$query differs: A $scan_a, B $scan_b"
done
get "$port_b" "/v1/scan?sort=symbol" | grep -q '"total":3' || fail "B scans $(get "$port_b" /v1/scan)"

echo "== DELETE on A removes the series from PostgreSQL, Redis and B"
[[ $(status_of -X DELETE "http://127.0.0.1:$port_a/v1/bars/UNIUP") == 200 ]] || fail "DELETE on A"
[[ $(psql_q "SELECT count(*) FROM bars WHERE symbol = 'UNIUP' AND timeframe = '1d'") == 0 ]] || fail "bars left in PostgreSQL"
[[ $(psql_q "SELECT count(*) FROM latest_signals WHERE symbol = 'UNIUP' AND timeframe = '1d'") == 0 ]] ||
  fail "latest signal left in PostgreSQL"
[[ $(redis-cli -p "$GS_REDIS_PORT" GET gs:barver:1d:UNIUP) == removed ]] || fail "no tombstone in Redis"
# A signal read on B checks the version record first: gone at once, message or not.
[[ $(status_of "http://127.0.0.1:$port_b/v1/signals/UNIUP") == 404 ]] || fail "B still serves UNIUP"
until_listed "$port_b" UNIUP no
scan_a=$(get "$port_a" "/v1/scan?sort=symbol")
scan_b=$(get "$port_b" "/v1/scan?sort=symbol")
[[ "$scan_a" == "$scan_b" ]] || fail "scans differ after DELETE: A $scan_a, B $scan_b"
grep -q '"total":2' <<<"$scan_b" || fail "B scans after DELETE: $scan_b"
[[ $(status_of -X DELETE "http://127.0.0.1:$port_b/v1/bars/UNIUP") == 404 ]] || fail "second DELETE"

echo "== a new instance does not bring the series back; a new POST does"
start_instance c
get "$port_c" "/v1/symbols?prefix=UNI&timeframe=1d" | grep -q UNIUP && fail "C lists the deleted UNIUP"
post "$port_c" UNIUP "$work/up.csv"
until_listed "$port_a" UNIUP yes
until_listed "$port_b" UNIUP yes
echo "universe cluster test passed"
