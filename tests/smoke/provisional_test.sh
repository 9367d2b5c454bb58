#!/usr/bin/env bash
# Provisional signals end to end (docs/rollup.md, "Forming bars and provisional signals"): two
# instances on a private Redis and PostgreSQL. A forming bar posted to A ("final": false) is
# not stored; its provisional signal reaches a stream on B as `event: provisional` (through the
# Redis bridge, no id), is served by A's GET ?provisional=true, and never enters the history;
# the period's final bar then replaces it on the stream, in REST and in the history.
set -euo pipefail
binary="${1:?usage: $0 path/to/goldensignals}"
repo="$(cd "$(dirname "$0")/../.." && pwd)"
# shellcheck source=tests/cluster/lib.sh
source "$repo/tests/cluster/lib.sh"
instance_env=(-u GS_READ_TOKEN)

start_redis >/dev/null
start_postgres >/dev/null
instance_flags=(--redis-url="$GS_TEST_REDIS_URL" --database-url="$GS_TEST_DATABASE_URL"
  --provisional-interval-ms=200)
start_instance a
start_instance b
# shellcheck disable=SC2154  # set by start_instance
a="http://127.0.0.1:$port_a"
# shellcheck disable=SC2154
b="http://127.0.0.1:$port_b"

csv_bars 300 100 0.2 >"$work/bars.csv"
post_ok "$port_a" PROV "$work/bars.csv"
# Day 17300 (2017-05-14): the day after the last posted one.
day=$((17300 * 86400))
iso="2017-05-14T00:00:00Z"

curl -sN "$b/v1/stream?symbols=PROV" >"$work/stream_b.txt" 2>/dev/null &
pids+=("$!")
wait_until 10 "B's stream opened" grep -q '^retry:' "$work/stream_b.txt"

bar() { # bar CLOSE FINAL
  printf '[{"time":%d,"open":159,"high":%s,"low":158,"close":%s,"volume":12000,"final":%s}]' \
    "$day" "$(awk -v c="$1" 'BEGIN { print c + 1 }')" "$1" "$2"
}
post_json() {
  curl -fsS -X POST -H 'Content-Type: application/json' --data-binary "$1" "$a/v1/bars/PROV"
}

answer=$(post_json "$(bar 160 false)")
grep -q '"provisional":"scheduled"' <<<"$answer" || fail "forming POST answered $answer"
grep -q '"accepted":0' <<<"$answer" || fail "a forming bar was counted as stored: $answer"

# On B's stream: its own event type, no id line, provisional: true, as_of the forming bar.
wait_until 20 "event: provisional on B" grep -q '^event: provisional' "$work/stream_b.txt"
event=$(grep -A1 '^event: provisional' "$work/stream_b.txt" | head -2)
grep -q '"provisional":true' <<<"$event" || fail "provisional event without the flag: $event"
grep -q "\"as_of\":\"$iso\"" <<<"$event" || fail "provisional event of another bar: $event"
grep -B1 '^event: provisional' "$work/stream_b.txt" | head -1 | grep -q '^id:' &&
  fail "a provisional event carries an id"

# REST on A: only when asked for; the bars and the final signal are unchanged.
curl -fsS "$a/v1/signals/PROV?provisional=true&agents=false" | grep -q '"provisional":true' ||
  fail "GET ?provisional=true on A"
final=$(curl -fsS "$a/v1/signals/PROV?agents=false")
grep -q '"provisional"' <<<"$final" && fail "the default GET served a provisional signal"
grep -q '"as_of":"2017-05-13T00:00:00Z"' <<<"$final" || fail "final signal moved: $final"
curl -fsS "$b/v1/bars/PROV?limit=1" | grep -q '"time":"2017-05-13T00:00:00Z"' ||
  fail "the forming bar was stored"

# The period closes: the final signal replaces the provisional one everywhere.
post_json "$(bar 161 true)" | grep -q '"accepted":1' || fail "final POST"
final_on_b() { grep -A1 '^event: signal' "$work/stream_b.txt" | grep -q "^data: .*\"as_of\":\"$iso\""; }
wait_until 20 "the final signal of the day on B" final_on_b
closed=$(curl -fsS "$a/v1/signals/PROV?provisional=true&agents=false")
grep -q '"provisional"' <<<"$closed" && fail "provisional signal outlived its final bar"
grep -q "\"as_of\":\"$iso\"" <<<"$closed" || fail "final signal of the day missing: $closed"

# The history holds the final signal of the day once and nothing provisional.
history_ok() {
  curl -fsS "$b/v1/signals/PROV/history?limit=5" >"$work/history.json" &&
    grep -q "\"as_of\":\"$iso\"" "$work/history.json"
}
wait_until 20 "the day's final signal in the history" history_ok
grep -q '"provisional"' "$work/history.json" && fail "provisional signal in the history"
[[ $(grep -o "\"as_of\":\"$iso\"" "$work/history.json" | wc -l) == 1 ]] ||
  fail "the day is in the history more than once: $(cat "$work/history.json")"

metrics=$(curl -fsS "$a/metrics")
grep -qE '^gs_provisional_computed_total [1-9]' <<<"$metrics" || fail "gs_provisional_computed_total"
echo "provisional: ok"
