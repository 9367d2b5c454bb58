#!/usr/bin/env bash
# Two builds side by side in one run, rounds alternating (these machines are shared and noisy:
# the ratio within a run is the figure). Each folder holds goldensignals, gs_agents_bench and
# gs_sse_load (copy them out of build/ and build/bench/ at each commit).
#   bench/before_after.sh BEFORE_DIR AFTER_DIR [cached-read rounds]
# 1. all 51 agents + consensus (gs_agents_bench, pinned to CPU 1), 3 alternations;
# 2. cached reads: both servers pinned to CPU 0 (1 I/O thread, no access log), wrk -t1 -c64
#    pinned to CPU 1, 5 s rounds alternating; medians;
# 3. latency by tier (bench/tier_latency.sh), 2 alternations;
# 4. SSE: gs_sse_load --serve from each folder, 5,000 streams, 100 events/s, the BEFORE client.
set -u
repo="$(cd "$(dirname "$0")/.." && pwd)"
before=$1
after=$2
rounds=${3:-9}

echo "== agents"
for r in 1 2 3; do
  for d in "$before" "$after"; do
    echo "-- $d round $r"
    taskset -c 1 "$d/gs_agents_bench" --benchmark_filter='AllAgents|Consensus$' \
      --benchmark_repetitions=5 --benchmark_report_aggregates_only=true 2>/dev/null | grep median
  done
done

echo "== cached reads"
start_server() {  # BINARY PORT: prints the pid
  taskset -c 0 "$1" --port="$2" --bind=127.0.0.1 --threads=1 --compute-threads=1 \
    --access-log=false --log-level=warn --demo-dir="$repo/data/demo" \
    --static-dir="$repo/web" >/dev/null 2>&1 &
  echo $!
}
pid_before=$(start_server "$before/goldensignals" 18301)
pid_after=$(start_server "$after/goldensignals" 18302)
sleep 1
for port in 18301 18302; do curl -s -o /dev/null "http://127.0.0.1:$port/v1/signals/DEMO"; done
declare -A rates
for r in $(seq 1 "$rounds"); do
  for port in 18301 18302; do
    out=$(taskset -c 1 wrk -t1 -c64 -d5s --latency "http://127.0.0.1:$port/v1/signals/DEMO")
    rate=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
    echo "port $port round $r: $rate req/s p99 $(echo "$out" | awk '$1=="99%" {print $2}')"
    rates[$port]+="$rate "
  done
done
kill "$pid_before" "$pid_after"
for port in 18301 18302; do
  echo "port $port median: $(tr ' ' '\n' <<<"${rates[$port]}" | grep . | sort -n |
    awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}') req/s"
done

echo "== tier latency"
for r in 1 2; do
  for d in "$before" "$after"; do
    echo "-- $d round $r"
    "$repo/bench/tier_latency.sh" "$d/goldensignals" 50 2>&1 | tail -4
  done
done

echo "== SSE, 5,000 streams"
for r in 1 2; do
  for d in "$before" "$after"; do
    echo "-- $d round $r"
    "$d/gs_sse_load" --serve --port 18769 --streams 5000 --rate 100 --symbols 100 \
      --duration 40 >/dev/null 2>&1 &
    serve_pid=$!
    sleep 1
    "$before/gs_sse_load" --port 18769 --streams 5000 --symbols 100 --per-stream 10 \
      --duration 20 --connect-rate 500 2>&1 | tail -6
    kill "$serve_pid" 2>/dev/null
    wait "$serve_pid" 2>/dev/null
  done
done
