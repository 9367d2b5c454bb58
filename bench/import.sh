#!/usr/bin/env bash
# `goldensignals import` of one 100,000-row file (Yahoo format, hourly bars from 2000), rows/s as
# the importer reports it, ROUNDS times against a fresh server each round.
#   bench/import.sh BINARY [ROWS] [-- SERVER_FLAGS...]
#   STORES=1: with Redis and PostgreSQL on loopback (scripts/lib/services.sh).
#   CHUNK_ROWS: the importer's --chunk-rows (its default otherwise).
# Run it through gs-build (the machine is shared): gs-build bash bench/import.sh build/goldensignals
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
binary=$(realpath "$1")
rows=${2:-100000}
shift $(($# >= 2 ? 2 : 1))
[[ "${1:-}" == "--" ]] && shift
rounds=${ROUNDS:-3}
source "$repo/scripts/lib/services.sh"
work=$(mktemp -d)
pid=""
cleanup() {
  [[ -n "$pid" ]] && kill "$pid" 2>/dev/null || true
  stop_services
  rm -rf "$work"
}
trap cleanup EXIT

python3 - "$rows" >"$work/BENCH.csv" <<'PY'
import datetime, random, sys
random.seed(1)
d, p = datetime.datetime(2000, 1, 1), 100.0
print("Datetime,Open,High,Low,Close,Adj Close,Volume")
for _ in range(int(sys.argv[1])):
    o = p; c = o * (1 + random.uniform(-0.02, 0.02))
    h = max(o, c) * (1 + random.uniform(0, 0.01)); l = min(o, c) * (1 - random.uniform(0, 0.01))
    print(f"{d}+00:00,{o:.6f},{h:.6f},{l:.6f},{c:.6f},{c:.6f},{random.randint(10**6, 10**8)}")
    d += datetime.timedelta(hours=1); p = c
PY

store_flags=()
if [[ -n "${STORES:-}" ]]; then
  start_redis >/dev/null
  start_postgres >/dev/null
  store_flags=(--redis-url="$GS_TEST_REDIS_URL" --database-url="$GS_TEST_DATABASE_URL"
               --sql-dir="$repo/sql")
fi
chunk=()
[[ -n "${CHUNK_ROWS:-}" ]] && chunk=(--chunk-rows="$CHUNK_ROWS")

for round in $(seq 1 "$rounds"); do
  : >"$work/server.log"
  env -u GS_API_TOKEN "$binary" --port=0 --bind=127.0.0.1 --demo=false --access-log=false \
    "${store_flags[@]}" "$@" >"$work/server.log" 2>&1 &
  pid=$!
  port=""
  for _ in $(seq 1 300); do
    port=$(sed -n 's/.*listening on 127.0.0.1:\([0-9]*\).*/\1/p' "$work/server.log" | head -1)
    [[ -n "$port" ]] && break
    sleep 0.1
  done
  [[ -n "$port" ]] || { cat "$work/server.log"; exit 1; }
  env -u GS_API_TOKEN "$binary" import --url "http://127.0.0.1:$port" --progress=never \
    --timeframe=1h --symbol "BENCH$round" "${chunk[@]}" "$work/BENCH.csv" | tail -1
  kill "$pid"
  wait "$pid" || true
  pid=""
  if [[ -n "${STORES:-}" ]]; then
    stored=$(psql "$GS_TEST_DATABASE_URL" -Atc "select count(*) from bars where symbol = 'BENCH$round'" 2>/dev/null || echo "?")
    echo "  rows in PostgreSQL for BENCH$round: $stored"
  fi
done
