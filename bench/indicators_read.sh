#!/usr/bin/env bash
# GET /v1/indicators at 5,000 bars held, binaries side by side (issue 12: kept columns).
#   bench/indicators_read.sh BINARY... (e.g. a build before and one after)
# Each binary in turn: started standalone (one I/O and one compute thread) on SERVER_CPUS,
# loaded with one 5,000-bar daily series, then wrk -t1 -c8 (on CLIENT_CPUS) for each agent in
# AGENTS (limit=500, the dashboard's chart), alternating binaries for ROUNDS rounds; medians.
# No new bar arrives during a run: the figure is a read of a series that did not change since
# the previous request (the columns' copy; bench/columns_bench.cpp measures a request after a
# new bar).
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
binaries=("$@")
rounds=${ROUNDS:-3}
seconds=${DURATION:-10}
agents=${AGENTS:-"sma_cross macd ichimoku bollinger"}
command -v wrk >/dev/null || { echo "wrk is needed (scripts/install_deps.sh test)" >&2; exit 2; }
[[ ${#binaries[@]} -gt 0 ]] || { echo "usage: $0 BINARY..." >&2; exit 2; }
# shellcheck source=bench/lib/peer.sh
source "$repo/bench/lib/peer.sh"  # server_cpus, client_cpus, run_wrk, median

work=$(mktemp -d)
gs_pid=""
cleanup() {
  [[ -n "$gs_pid" ]] && kill "$gs_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# 5,000 daily bars of a random walk from 2000-01-01.
awk 'BEGIN { srand(7); c = 100; print "time,open,high,low,close,volume";
  for (i = 0; i < 5000; i++) { o = c; c = o * (1 + (rand() - 0.5) / 25);
    h = (o > c ? o : c) * (1 + rand() / 100); l = (o < c ? o : c) * (1 - rand() / 100);
    printf "%d,%.4f,%.4f,%.4f,%.4f,%d\n", 946684800 + 86400 * i, o, h, l, c, 1000 + int(rand() * 9000) } }' \
  >"$work/bars.csv"

start_server() {  # start_server BINARY: sets gs_pid and port
  taskset -c "$server_cpus" "$1" --port=0 --bind=127.0.0.1 --threads=1 --compute-threads=1 \
    --access-log=false --log-level=warn --max-bars=5000 --body-limit=8000000 \
    --static-dir="$repo/web" >"$work/gs.log" 2>&1 &
  gs_pid=$!
  port=$(listening_port "$gs_pid")
  [[ -n "$port" ]] || { echo "service did not start" >&2; cat "$work/gs.log" >&2; exit 1; }
  curl -sf -X POST -H 'Content-Type: text/csv' --data-binary @"$work/bars.csv" \
    "http://127.0.0.1:$port/v1/bars/BENCH" -o /dev/null
}
stop_server() {
  kill "$gs_pid" 2>/dev/null || true
  wait "$gs_pid" 2>/dev/null || true
  gs_pid=""
}

declare -A rps p99
for r in $(seq 1 "$rounds"); do
  for b in "${!binaries[@]}"; do
    start_server "${binaries[$b]}"
    for agent in $agents; do
      url="http://127.0.0.1:$port/v1/indicators/BENCH?agent=$agent&limit=500"
      curl -sf "$url" -o "$work/body.$b.$agent.json"
      read -r x y < <(run_wrk "$url" 8)
      rps[$b,$agent]+="$x "
      p99[$b,$agent]+="$y "
      echo "round $r binary $b $agent: $x req/s (p99 $y ms)"
    done
    stop_server
  done
done
for agent in $agents; do
  line="$agent:"
  for b in "${!binaries[@]}"; do
    # shellcheck disable=SC2086
    line+=" [$b] $(median ${rps[$b,$agent]}) req/s (p99 $(median ${p99[$b,$agent]}) ms)"
    if [[ $b -gt 0 ]] && ! cmp -s "$work/body.0.$agent.json" "$work/body.$b.$agent.json"; then
      line+=" BODY DIFFERS"
    fi
  done
  echo "median $line"
done
