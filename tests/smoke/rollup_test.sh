#!/usr/bin/env bash
# Roll-up end to end (docs/rollup.md): an instance with a private PostgreSQL takes a 1-minute
# series posted alone (about 3 days, with gaps, in live-sized chunks and one bulk batch), and
# its 5m, 15m, 1h, 4h, 1d and 1w series must equal an independent aggregation
# (tests/smoke/rollup_reference.py, Python's datetime), also after a correction and a late bar;
# then again after a restart (what PostgreSQL kept), and after one more correction that the
# restarted instance's roll-up, resumed from the bars held, re-derives.
set -euo pipefail
binary="${1:?usage: $0 path/to/goldensignals}"
repo="$(cd "$(dirname "$0")/../.." && pwd)"
# shellcheck source=scripts/lib/services.sh
source "$repo/scripts/lib/services.sh"

pid=""
work=$(mktemp -d)
cleanup() {
  [[ -n "$pid" ]] && kill -KILL "$pid" 2>/dev/null || true
  stop_services
  rm -rf "$work"
}
trap cleanup EXIT

fail() {
  echo "FAIL: $*" >&2
  tail -20 "$work/server.log" >&2 || true
  exit 1
}

start_instance() {
  : >"$work/server.log"
  env -u GS_API_TOKEN -u GS_READ_TOKEN -u GS_REDIS_URL "$binary" --port=0 --bind=127.0.0.1 \
    --threads=2 --compute-threads=1 --access-log=false --demo=false --sql-dir="$repo/sql" \
    --static-dir="$repo/web" --database-url="$GS_TEST_DATABASE_URL" >"$work/server.log" 2>&1 &
  pid=$!
  port=""
  for _ in $(seq 1 300); do
    port=$(sed -n 's/.*listening on 127.0.0.1:\([0-9]*\).*/\1/p' "$work/server.log" | head -1)
    [[ -n "$port" ]] && break
    kill -0 "$pid" 2>/dev/null || fail "the instance exited at start"
    sleep 0.1
  done
  [[ -n "$port" ]] || fail "the instance did not start"
  base="http://127.0.0.1:$port"
}

stop_instance() {
  kill -TERM "$pid"
  wait "$pid" || true
  pid=""
}

start_postgres >/dev/null
start_instance
python3 "$repo/tests/smoke/rollup_reference.py" post "$base" "$work" || fail "roll-up differs"

# Derived bars went through the ingest path: written by roll-up, with their signals.
metrics=$(curl -fsS "$base/metrics")
grep -qE '^gs_rollup_bars_total [1-9][0-9]*$' <<<"$metrics" || fail "gs_rollup_bars_total"
grep -q '^gs_rollup_failed_total 0$' <<<"$metrics" || fail "gs_rollup_failed_total"
curl -fsS "$base/v1/signals/RUPE2E?timeframe=1h&agents=false" | grep -q '"action"' ||
  fail "no 1h signal for the rolled-up series"

stop_instance
start_instance
python3 "$repo/tests/smoke/rollup_reference.py" check "$base" "$work" || fail "after a restart"
python3 "$repo/tests/smoke/rollup_reference.py" correct "$base" "$work" ||
  fail "correction after a restart"
stop_instance
echo "rollup: ok"
