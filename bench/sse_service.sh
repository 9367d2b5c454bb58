#!/usr/bin/env bash
# The SSE load target against the service itself: one goldensignals instance with its
# simulated feed making 100 signals a second (100 symbols, one bar each per second, spread
# evenly), the whole path of a posted bar (PostgreSQL commit, compute, Redis L2, the Redis
# pub/sub bridge with its shared INCR ids, the hub), and bench/sse_load holding the streams.
#
#   bench/sse_service.sh [--standalone] [STREAMS] [SECONDS]
#
# --standalone runs the instance without Redis and PostgreSQL (in-process hub), as the
# README's run command does. Loss and duplicates are checked per stream from each symbol's
# as_of (the simulated feed steps one day per bar); latency is the server's own
# publish-to-send histogram and its resident memory, read from /metrics.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
standalone=false
if [[ "${1:-}" == "--standalone" ]]; then
  standalone=true
  shift
fi
streams="${1:-10000}"
duration="${2:-30}"
binary="$repo/build/goldensignals"
load="$repo/build/bench/gs_sse_load"
symbols=100
for tool in "$binary" "$load"; do
  [[ -x "$tool" ]] || { echo "build first: $tool missing (cmake --build build)" >&2; exit 1; }
done
# shellcheck source=scripts/lib/services.sh
source "$repo/scripts/lib/services.sh"
work=$(mktemp -d)
server_pid=""
cleanup() {
  [[ -n "$server_pid" ]] && kill -TERM "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
  stop_services
  rm -rf "$work"
}
trap cleanup EXIT

flags=(--port=0 --bind=127.0.0.1 --access-log=false --demo=false
  --feed="sim:$symbols:1000" --max-streams=$((streams + 100)))
if ! $standalone; then
  ensure_services_dir
  start_redis >/dev/null
  start_postgres >/dev/null
  flags+=(--redis-url="$GS_TEST_REDIS_URL" --database-url="$GS_TEST_DATABASE_URL"
    --sql-dir="$repo/sql")
fi
: >"$work/server.log"  # exists before the loop below reads it
"$binary" "${flags[@]}" --log-level=info >"$work/server.log" 2>&1 &
server_pid=$!
port=""
for _ in $(seq 1 300); do
  port=$(sed -n 's/.*listening on 127.0.0.1:\([0-9]*\).*/\1/p' "$work/server.log" | head -1)
  [[ -n "$port" ]] && break
  sleep 0.1
done
[[ -n "$port" ]] || { cat "$work/server.log" >&2; exit 1; }
# The feed first stores each symbol's history; measure once every symbol has a signal.
wait_for 60 sh -c "curl -sf 'http://127.0.0.1:$port/v1/signals/SIM$(printf %02d $symbols)' >/dev/null" || {
  echo "the simulated feed made no signal for SIM$symbols" >&2
  exit 1
}
names=$(for i in $(seq 1 $symbols); do printf 'SIM%02d,' "$i"; done)
echo "goldensignals on 127.0.0.1:$port ($($standalone && echo standalone || echo "Redis + PostgreSQL")), $streams streams"
"$load" --port "$port" --streams "$streams" --names "${names%,}" --per-stream 10 \
  --duration "$duration" --connect-rate 500
grep -E "warn|error|critical" "$work/server.log" | grep -v -e GS_API_TOKEN -e "was disabled" | head -5 || true
curl -s "http://127.0.0.1:$port/metrics" | grep -E "^(gs_sse_events_published_total|gs_sse_duplicate_events_total|process_resident_memory_bytes|process_cpu_seconds_total) "
