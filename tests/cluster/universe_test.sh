#!/usr/bin/env bash
# The universe routes across two instances sharing a private Redis and PostgreSQL (issue 14):
# a symbol posted on A is listed and scanned on B, both give the same scan, and a DELETE on A
# removes the series from PostgreSQL, Redis's version record and B.
set -euo pipefail
binary="${1:?usage: $0 path/to/goldensignals}"
repo="$(cd "$(dirname "$0")/../.." && pwd)"
# shellcheck source=tests/cluster/lib.sh
source "$repo/tests/cluster/lib.sh"

start_redis >/dev/null
start_postgres >/dev/null
instance_flags=(--redis-url="$GS_TEST_REDIS_URL" --database-url="$GS_TEST_DATABASE_URL")

get() { curl -s "http://127.0.0.1:$1$2"; }

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
post_ok "$port_a" UNIUP "$work/up.csv"
post_ok "$port_a" UNIDOWN "$work/down.csv"
post_ok "$port_b" UNIFLAT "$work/flat.csv"
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
post_ok "$port_c" UNIUP "$work/up.csv"
until_listed "$port_a" UNIUP yes
until_listed "$port_b" UNIUP yes
echo "universe cluster test passed"
