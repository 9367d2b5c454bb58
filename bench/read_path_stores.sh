#!/usr/bin/env bash
# bench/read_path_ab.sh with the compose topology's stores: starts a throwaway Redis and
# PostgreSQL (scripts/lib/services.sh), migrates, and passes both to A and B.
#   bench/read_path_stores.sh A_BINARY B_BINARY [rounds] [seconds]
# A_FLAGS, B_FLAGS, METRICS_DIR: as in read_path_ab.sh, e.g. B_FLAGS=--redis-read-lease-ms=2.
# REDIS_RT=N runs Redis (all its threads) at SCHED_FIFO priority N: it uses little CPU, so on a
# 2-core host this is the nearest thing to a core of its own (it answers a barrier's PING at
# once instead of waiting for wrk's or the server's time slice). RESULTS.md section 41.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
# shellcheck source=scripts/lib/services.sh
source "$repo/scripts/lib/services.sh"
trap stop_services EXIT
start_redis >/dev/null
start_postgres >/dev/null
if [[ -n "${REDIS_RT:-}" ]]; then
  chrt -a -f -p "$REDIS_RT" "$(cat "$GS_SERVICES_DIR/redis/redis.pid")"
fi
"$1" --migrate-only --database-url="$GS_TEST_DATABASE_URL" --sql-dir="$repo/sql" >/dev/null
bash "$repo/bench/read_path_ab.sh" "$1" "$2" "${3:-7}" "${4:-5}" -- \
  --redis-url="$GS_TEST_REDIS_URL" --database-url="$GS_TEST_DATABASE_URL" --sql-dir="$repo/sql"
