#!/usr/bin/env bash
# docs/examples against a live instance with PostgreSQL (issue 14): the curl transcript runs
# through, the Python script shows a signal, a scan and the stored history, and the Node
# dashboard client gets a signal event after each post and, after its connection is cut,
# resumes with Last-Event-ID without losing or repeating an event.
# Usage: examples_test.sh path/to/goldensignals   (or GS_BINARY=...)
set -euo pipefail
binary="${1:-${GS_BINARY:?usage: $0 path/to/goldensignals}}"
repo="$(cd "$(dirname "$0")/../.." && pwd)"
examples="$repo/docs/examples"
# shellcheck source=tests/cluster/lib.sh
source "$repo/tests/cluster/lib.sh"
fail_logs=("$work/*.out" "$work/*.err")
fail_tail=40
instance_env=(-u GS_READ_TOKEN)

start_postgres >/dev/null
start_instance server --database-url="$GS_TEST_DATABASE_URL"
# shellcheck disable=SC2154  # set by start_instance
port=$port_server
base="http://127.0.0.1:$port"

day=86400
first=1704067200  # 2024-01-01
post_bars() {  # post_bars SYMBOL FROM_INDEX COUNT: daily bars from day FROM_INDEX
  awk -v from="$2" -v n="$3" -v t0="$first" -v d="$day" 'BEGIN {
    print "time,open,high,low,close,volume"
    for (i = from; i < from + n; i++) {
      c = 50 + i * 0.1 + sin(i / 5) * 2; o = c - 0.2
      printf "%d,%.4f,%.4f,%.4f,%.4f,%d\n", t0 + i * d, o, c + 0.5, o - 0.5, c, 1000 + i
    } }' >"$work/post.csv"
  curl -sf -o /dev/null -X POST -H 'Content-Type: text/csv' --data-binary "@$work/post.csv" \
    "$base/v1/bars/$1?timeframe=1d" || fail "POST $1 $2"
}
iso() { date -u -d "@$((first + $1 * day))" +%Y-%m-%dT%H:%M:%SZ; }

# --- curl: the transcript runs to the end and shows what each route answers.
bash "$examples/curl.sh" "$base" >"$work/curl.out" 2>"$work/curl.err" || fail "curl.sh failed"
for want in '"status":"ok"' '{"accepted":300,' \
  '"missing":["NOSUCH"]' '"symbol":"CURLEX","timeframes"' 'event: signal' \
  '"history_format":2' '"code":"unknown_symbol"' '"removed":300'; do
  grep -qF "$want" "$work/curl.out" || fail "curl.sh output lacks $want"
done
grep -qF '$ curl -X POST -H' "$work/curl.out" || fail "curl.sh does not show its commands"

# --- Node: a signal per post, a forced drop, the resume by Last-Event-ID.
post_bars EXA 0 200
for _ in $(seq 1 100); do
  curl -sf -o /dev/null "$base/v1/signals/EXA" && break
  sleep 0.1
done
sleep 0.5  # the signal's event is in the hub: the snapshot is that event
node "$examples/dashboard.mjs" --url "$base" --symbols EXA --json --drop-after 2 \
  --exit-after 5 >"$work/node.out" 2>"$work/node.err" &
node_pid=$!
pids+=("$node_pid")
wait_line() {  # wait_line PATTERN WHAT: until node.out has a matching line
  for _ in $(seq 1 150); do
    grep -q "$1" "$work/node.out" && return 0
    kill -0 "$node_pid" 2>/dev/null || { grep -q "$1" "$work/node.out" && return 0; fail "node exited waiting for $2"; }
    sleep 0.1
  done
  fail "node: no $2"
}
wait_line "\"as_of\":\"$(iso 199)\"" "snapshot signal"
post_bars EXA 200 1
wait_line '"event":"dropping"' "drop after the second signal"
# Published while the client is away (it reconnects after the server's retry: 3000 ms).
post_bars EXA 201 1
post_bars EXA 202 1
wait_line "\"as_of\":\"$(iso 202)\"" "replayed signals"
post_bars EXA 203 1
for _ in $(seq 1 100); do kill -0 "$node_pid" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$node_pid" 2>/dev/null; then
  kill "$node_pid"
  fail "node did not get its 5 signals: $(cat "$work/node.out")"
fi
wait "$node_pid" || fail "node dashboard exited $?"
python3 - "$work/node.out" "$(iso 199)" "$(iso 200)" "$(iso 201)" "$(iso 202)" "$(iso 203)" <<'PY' ||
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
signals = [l for l in lines if l["event"] == "signal"]
opens = [l for l in lines if l["event"] == "open"]
want = sys.argv[2:]
got = [s["as_of"] for s in signals]
assert got == want, f"signals as_of {got}, want {want}"
ids = [int(s["id"]) for s in signals]
assert ids == sorted(ids) and len(set(ids)) == len(ids), f"ids not increasing: {ids}"
assert len(opens) == 2, f"{len(opens)} opens, want 2 (one reconnect)"
drop = next(l for l in lines if l["event"] == "dropping")
assert drop["last_event_id"] == signals[1]["id"], (drop, signals[1])
assert not any(l["event"] == "resync" for l in lines), "resync instead of a replay"
PY
  fail "node events: $(cat "$work/node.out")"
resyncs=$(curl -sf "$base/metrics" | awk '/^gs_sse_resyncs_total/ {print $2}')
[[ "$resyncs" == 0 ]] || fail "resyncs: $resyncs"

# --- Python: a signal, a scan, the history (every post above stored a signal).
python3 "$examples/signals.py" --url "$base" signal EXA >"$work/py_signal.out" 2>&1 ||
  fail "signals.py signal"
grep -q "^EXA 1d as of $(iso 203): \(BUY\|SELL\|HOLD\)" "$work/py_signal.out" ||
  fail "signal output: $(cat "$work/py_signal.out")"
grep -q "strongest 5 agents" "$work/py_signal.out" || fail "no agents in the signal output"
python3 "$examples/signals.py" --url "$base" scan --limit 5 >"$work/py_scan.out" 2>&1 ||
  fail "signals.py scan"
grep -q "^EXA " "$work/py_scan.out" || fail "scan output: $(cat "$work/py_scan.out")"
python3 "$examples/signals.py" --url "$base" --json scan | python3 -c '
import json, sys
scan = json.load(sys.stdin)
assert scan["total"] >= 1 and scan["results"][0]["symbol"] == "EXA", scan' || fail "scan --json"
ok=""
for _ in $(seq 1 50); do  # the history is written behind the response
  python3 "$examples/signals.py" --url "$base" history EXA --all >"$work/py_history.out" 2>&1 ||
    fail "signals.py history: $(cat "$work/py_history.out")"
  if grep -q "^5 stored signals for EXA 1d" "$work/py_history.out"; then ok=1; break; fi
  sleep 0.2
done
[[ -n "$ok" ]] || fail "history output: $(cat "$work/py_history.out")"
grep -q "^  $(iso 203)  " "$work/py_history.out" || fail "newest history row"
rc=0
python3 "$examples/signals.py" --url "$base" signal NOSUCH >"$work/py_err.out" 2>&1 || rc=$?
[[ $rc == 1 ]] || fail "an unknown symbol should exit 1, got $rc"
grep -q "404 unknown_symbol" "$work/py_err.out" || fail "error output: $(cat "$work/py_err.out")"

echo "examples test passed"
