#!/usr/bin/env bash
# Latency of a signal read by the tier that answers it (X-Cache), measured by the client
# (curl's time_total on loopback, one request at a time), with a private Redis and
# PostgreSQL. 50 symbols of 300 daily bars are posted to instance A; then
#   L2:   the first read of each on instance B (A computed it and put it in Redis),
#   L1:   the second read of each on B,
#   L3:   after FLUSHALL, the first read of each on a fresh instance C (PostgreSQL),
#   MISS: on a fresh instance D with its own consensus config (nothing cached anywhere).
#   bench/tier_latency.sh [build/goldensignals] [symbols]
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
binary="${1:-$repo/build/goldensignals}"
count="${2:-50}"
# shellcheck source=scripts/lib/services.sh
source "$repo/scripts/lib/services.sh"
work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  stop_services
  rm -rf "$work"
}
trap cleanup EXIT
start_redis >/dev/null
start_postgres >/dev/null

start_instance() {  # NAME [flags]: sets port_NAME
  local name=$1 port
  shift
  : >"$work/$name.log"  # exists before the loop below reads it
  "$binary" --port=0 --bind=127.0.0.1 --threads=1 --compute-threads=1 --access-log=false \
    --demo=false --sql-dir="$repo/sql" --redis-url="$GS_TEST_REDIS_URL" \
    --database-url="$GS_TEST_DATABASE_URL" "$@" >"$work/$name.log" 2>&1 &
  pids+=("$!")
  for _ in $(seq 1 300); do
    port=$(sed -n 's/.*listening on 127.0.0.1:\([0-9]*\).*/\1/p' "$work/$name.log" | head -1)
    [[ -n "$port" ]] && break
    sleep 0.1
  done
  eval "port_$name=$port"
}

start_instance a
start_instance b
for i in $(seq 1 "$count"); do
  awk -v s="$i" 'BEGIN { print "time,open,high,low,close,volume";
    for (k = 0; k < 300; k++) { c = 50 + s + k * 0.1 + (k % 7) * 0.3;
      printf "%d,%.2f,%.2f,%.2f,%.2f,%d\n", (17000 + k) * 86400, c - 0.2, c + 1, c - 1.2, c, 1000 + k } }' \
    >"$work/bars.csv"
  curl -sf -o /dev/null -X POST -H 'Content-Type: text/csv' --data-binary "@$work/bars.csv" \
    "http://127.0.0.1:$port_a/v1/bars/T$i"
done
sleep 1  # let the write-behind queue reach PostgreSQL

measure() {  # measure PORT WANT_TIER -> prints median ms; fails on a wrong tier
  local port=$1 want=$2 times=()
  for i in $(seq 1 "$count"); do
    out=$(curl -s -o /dev/null -D - -w 'T=%{time_total}\n' "http://127.0.0.1:$port/v1/signals/T$i")
    tier=$(echo "$out" | tr -d '\r' | sed -n 's/^X-Cache: //p')
    [[ "$tier" == "$want" ]] || { echo "T$i on $port: X-Cache $tier, want $want" >&2; exit 1; }
    times+=("$(echo "$out" | sed -n 's/^T=//p')")
  done
  printf '%s\n' "${times[@]}" | sort -n | awk '{ a[NR] = $1 * 1000 } END {
    printf "median %.2f ms, p90 %.2f ms\n", a[int((NR + 1) / 2)], a[int(NR * 0.9)] }'
}
echo "L2   $(measure "$port_b" L2)"
echo "L1   $(measure "$port_b" L1)"
redis-cli -p "$GS_REDIS_PORT" flushall >/dev/null
start_instance c
echo "L3   $(measure "$port_c" L3)"
echo '{"thresholds": {"buy": 0.11}}' >"$work/other.json"
start_instance d --consensus-config="$work/other.json"
echo "MISS $(measure "$port_d" MISS)"
