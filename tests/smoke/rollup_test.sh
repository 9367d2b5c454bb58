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
# shellcheck source=tests/cluster/lib.sh
source "$repo/tests/cluster/lib.sh"
instance_env=(-u GS_READ_TOKEN -u GS_REDIS_URL)

# start_server: one instance on the private PostgreSQL; sets base.
start_server() {
  start_instance server --database-url="$GS_TEST_DATABASE_URL"
  # shellcheck disable=SC2154  # set by start_instance
  base="http://127.0.0.1:$port_server"
}

stop_server() {
  # shellcheck disable=SC2154
  kill -TERM "$pid_server"
  wait "$pid_server" || true
}

start_postgres >/dev/null
start_server
python3 "$repo/tests/smoke/rollup_reference.py" post "$base" "$work" || fail "roll-up differs"

# Derived bars went through the ingest path: written by roll-up, with their signals.
metrics=$(curl -fsS "$base/metrics")
grep -qE '^gs_rollup_bars_total [1-9][0-9]*$' <<<"$metrics" || fail "gs_rollup_bars_total"
grep -q '^gs_rollup_failed_total 0$' <<<"$metrics" || fail "gs_rollup_failed_total"
curl -fsS "$base/v1/signals/RUPE2E?timeframe=1h&agents=false" | grep -q '"action"' ||
  fail "no 1h signal for the rolled-up series"

stop_server
start_server
python3 "$repo/tests/smoke/rollup_reference.py" check "$base" "$work" || fail "after a restart"
python3 "$repo/tests/smoke/rollup_reference.py" correct "$base" "$work" ||
  fail "correction after a restart"
stop_server
echo "rollup: ok"
