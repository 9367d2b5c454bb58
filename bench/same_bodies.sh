#!/usr/bin/env bash
# Whether two builds write the same signal body for the same bars: a 400-bar daily series of a
# coin priced near 1e-4 (numbers in every notation: 0.000123, 5.7e-06, 1234567.0) is posted to
# each build, started standalone in turn, and the full bodies are compared byte for byte with
# "computed_at" (the clock) removed. For changes to the JSON writer, which must not change a
# byte (bench/RESULTS.md section 31).
#   bench/same_bodies.sh OLD_BINARY NEW_BINARY
set -euo pipefail
old=${1:?usage: $0 OLD_BINARY NEW_BINARY}
new=${2:?usage: $0 OLD_BINARY NEW_BINARY}
work=$(mktemp -d)
pid=""
cleanup() {
  [[ -n "$pid" ]] && kill "$pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

python3 - >"$work/bars.csv" <<'PY'
import math, random
random.seed(5)
print("time,open,high,low,close,volume")
close = 0.00012345
for i in range(400):
    open_ = close
    close = max(1e-7, close * math.exp(random.gauss(0, 0.03)))
    high = max(open_, close) * (1 + random.random() * 0.01)
    low = min(open_, close) * (1 - random.random() * 0.01)
    print(f"{1500000000 + i * 86400},{open_:.10g},{high:.10g},{low:.10g},{close:.10g},"
          f"{random.randint(1000, 10**7)}")
PY

port=18931
body() {  # body BINARY OUT
  "$1" --port="$port" --demo=false >"$work/server.log" 2>&1 &
  pid=$!
  for _ in $(seq 1 100); do
    curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break
    sleep 0.1
  done
  curl -sf -X POST --data-binary @"$work/bars.csv" -H 'Content-Type: text/csv' \
    "http://127.0.0.1:$port/v1/bars/COIN?timeframe=1d" >/dev/null
  curl -sf "http://127.0.0.1:$port/v1/signals/COIN" | sed 's/"computed_at":"[^"]*"//' >"$2"
  kill "$pid"
  wait "$pid" 2>/dev/null || true
  pid=""
}
body "$old" "$work/old.json"
body "$new" "$work/new.json"
[[ -s "$work/new.json" ]] || { echo "no body from $new" >&2; exit 1; }
if cmp "$work/old.json" "$work/new.json"; then
  echo "same body: $(wc -c <"$work/new.json") bytes"
else
  exit 1
fi
