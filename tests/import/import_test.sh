#!/usr/bin/env bash
# `goldensignals import` against the real binary (issue 14): Yahoo, Stooq and Stooq ASCII files
# arrive bar for bar (checked with GET /v1/bars against an independent reading of the files),
# a second import changes nothing, the write token is asked for, a bad file is refused with
# FILE:LINE and a non-zero exit while the next file still goes in, and 503s are retried and
# a 500's message shown (a stub server in Python).
# Usage: import_test.sh path/to/goldensignals   (or GS_BINARY=... import_test.sh)
set -euo pipefail
binary="${1:-${GS_BINARY:?usage: $0 path/to/goldensignals}}"
data="$(cd "$(dirname "$0")" && pwd)/data"
work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

fail() {
  echo "FAIL: $*" >&2
  for f in "$work"/*.out "$work"/*.err "$work"/*.log; do
    [[ -f "$f" ]] && { echo "--- $f" >&2; tail -30 "$f" >&2; }
  done
  exit 1
}

wait_port() {  # wait_port LOG PID: prints the port the server logged
  local port=""
  for _ in $(seq 1 300); do
    port=$(sed -n 's/.*listening on 127.0.0.1:\([0-9]*\).*/\1/p' "$1" | head -1)
    [[ -n "$port" ]] && { echo "$port"; return 0; }
    kill -0 "$2" 2>/dev/null || return 1
    sleep 0.1
  done
  return 1
}

: >"$work/server.log"
GS_API_TOKEN=import-secret "$binary" --port=0 --bind=127.0.0.1 --threads=2 --compute-threads=1 \
  --demo=false --access-log=false >"$work/server.log" 2>&1 &
pids+=($!)
port=$(wait_port "$work/server.log" "${pids[0]}") || fail "server did not start"
base="http://127.0.0.1:$port"

files=("$data/AAPL.csv" "$data/MSFT.csv" "$data/googl.us.txt")

# Without the token: 401 for each file, said so, exit 1, nothing stored.
if env -u GS_API_TOKEN "$binary" import --url "$base" "${files[0]}" >"$work/noauth.out" 2>"$work/noauth.err"; then
  fail "import without the token should fail"
fi
grep -q "401 unauthorized" "$work/noauth.err" || fail "no 401 named: $(cat "$work/noauth.err")"
grep -q -- "--token or GS_API_TOKEN" "$work/noauth.err" || fail "no token hint"

# Small chunks: several requests per file over the one connection.
export GS_API_TOKEN=import-secret
"$binary" import --url "$base" --chunk-rows=7 "${files[@]}" >"$work/first.out" 2>"$work/first.err" ||
  fail "import failed"
grep -q "^$data/AAPL.csv: AAPL 1d, yahoo format, 59 rows (1 null rows skipped)" "$work/first.out" ||
  fail "AAPL summary: $(cat "$work/first.out")"
grep -q "^$data/MSFT.csv: MSFT 1d, stooq format, 50 rows" "$work/first.out" || fail "MSFT summary"
grep -q "^$data/googl.us.txt: GOOGL.US 1h, stooq-ascii format, 42 rows" "$work/first.out" ||
  fail "GOOGL.US summary"
grep -q "^imported 3 of 3 files: 151 rows" "$work/first.out" || fail "total line"

# Every row arrived exactly: the service's CSV export against the files read independently.
check_bars() {  # check_bars TAG
  for spec in "AAPL 1d AAPL.csv" "MSFT 1d MSFT.csv" "GOOGL.US 1h googl.us.txt"; do
    read -r symbol tf file <<<"$spec"
    curl -sf "$base/v1/bars/$symbol?timeframe=$tf&limit=100000&format=csv" \
      >"$work/$symbol.$1.csv" || fail "GET bars $symbol"
    python3 - "$data/$file" "$work/$symbol.$1.csv" <<'PY' || fail "bars of $symbol differ from $file"
import csv, datetime, sys
def iso(d, t="000000"):
    return f"{d[:4]}-{d[4:6]}-{d[6:8]}T{t[:2]}:{t[2:4]}:{t[4:]}Z"
rows = list(csv.reader(open(sys.argv[1], newline="")))
head = [h.strip("<>").lower() for h in rows[0]]
want = {}
for r in rows[1:]:
    f = dict(zip(head, r))
    if "ticker" in f:
        t, vol = iso(f["date"], f["time"]), f["vol"]
    else:
        if f["open"] == "null":
            continue
        t, vol = f["date"] + "T00:00:00Z", f["volume"]
    want[t] = [float(f[k]) for k in ("open", "high", "low", "close")] + [float(vol)]
got = {}
for r in list(csv.reader(open(sys.argv[2])))[1:]:
    got[r[0]] = [float(x) for x in r[1:]]
if got != want:
    missing = sorted(set(want) - set(got)); extra = sorted(set(got) - set(want))
    wrong = [t for t in want if t in got and got[t] != want[t]]
    print(f"{len(want)} rows in the file, {len(got)} served; missing {missing[:3]}, "
          f"extra {extra[:3]}, different {wrong[:3]}", file=sys.stderr)
    sys.exit(1)
PY
  done
}
check_bars first

# Again: same answer, same bars (upserts by time).
"$binary" import --url "$base" "${files[@]}" >"$work/second.out" 2>"$work/second.err" ||
  fail "second import failed"
check_bars second
for symbol in AAPL MSFT GOOGL.US; do
  cmp -s "$work/$symbol.first.csv" "$work/$symbol.second.csv" || fail "$symbol changed on re-import"
done

# A bad file between two good ones: named with its lines, nothing of it sent, the next file
# imported, exit 1.
rc=0
"$binary" import --url "$base" --symbol=AGAIN "$data/MSFT.csv" "$data/bad/BAD.csv" \
  >"$work/bad.out" 2>"$work/bad.err" || rc=$?
[[ $rc == 1 ]] || fail "a bad file should exit 1, got $rc"
grep -q "^$data/bad/BAD.csv:4: high .* is below" "$work/bad.err" ||
  grep -q "^$data/bad/BAD.csv:4: " "$work/bad.err" || fail "line 4 not named: $(cat "$work/bad.err")"
grep -q "^$data/bad/BAD.csv:5: expected 7 comma-separated fields, found 6" "$work/bad.err" ||
  fail "line 5 not named: $(cat "$work/bad.err")"
grep -q "not imported, nothing sent: 2 bad rows" "$work/bad.err" || fail "no verdict line"
grep -q "^imported 1 of 2 files" "$work/bad.out" || fail "total of the bad run: $(cat "$work/bad.out")"
# The file's good rows were not sent: AGAIN has exactly MSFT's 50 bars.
bars=$(curl -sf "$base/v1/bars/AGAIN?limit=100000&format=csv" | tail -n +2 | wc -l)
[[ "$bars" == 50 ]] || fail "AGAIN holds $bars bars, want 50"
# A missing file and a file name that is no symbol: their own messages, the rest still runs.
rc=0
"$binary" import --url "$base" "$work/nope.csv" >"$work/missing.out" 2>"$work/missing.err" || rc=$?
[[ $rc == 1 ]] || fail "a missing file should exit 1"
grep -q "nope.csv: cannot read: No such file" "$work/missing.err" || fail "missing file message"
# Usage errors exit 2.
rc=0
"$binary" import --timeframe=2d "$data/AAPL.csv" 2>"$work/usage.err" || rc=$?
[[ $rc == 2 ]] || fail "a bad flag should exit 2, got $rc"
grep -q -- "--timeframe" "$work/usage.err" || fail "usage message"

# The progress bar (forced, as no terminal is attached here): percent, rows/s.
"$binary" import --url "$base" --progress=always --chunk-rows=5 "$data/AAPL.csv" \
  >"$work/bar.out" 2>"$work/bar.err" || fail "import with progress failed"
grep -q "100%  59/59 rows" "$work/bar.err" || fail "no progress bar: $(cat -v "$work/bar.err")"
grep -q "rows/s" "$work/bar.err" || fail "no rate in the bar"

# Nobody listening: retried, then a clear message.
closed=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
rc=0
"$binary" import --url "http://127.0.0.1:$closed" --retries=1 "$data/AAPL.csv" \
  >"$work/down.out" 2>"$work/down.err" || rc=$?
[[ $rc == 1 ]] || fail "no server should exit 1"
grep -q "cannot reach the service" "$work/down.err" || fail "down message: $(cat "$work/down.err")"

# A stub: 503 twice (Retry-After: 0) then 200 for the first file; 500 with a message for the
# second.
cat >"$work/stub.py" <<'PY'
import http.server, json, sys
state = {"n": 0}
class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def log_message(self, *a): pass
    def do_POST(self):
        self.rfile.read(int(self.headers["Content-Length"]))
        state["n"] += 1
        if "/MSFT" in self.path:
            code, body = 500, {"error": {"code": "internal", "message": "stub says no"}}
        elif state["n"] <= 2:
            code, body = 503, {"error": {"code": "storage_unavailable", "message": "later"}}
        else:
            code, body = 200, {"accepted": 1}
        data = json.dumps(body).encode()
        self.send_response(code)
        if code == 503:
            self.send_header("Retry-After", "0")
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
s = http.server.HTTPServer(("127.0.0.1", 0), H)
print(s.server_address[1], flush=True)
s.serve_forever()
PY
python3 "$work/stub.py" >"$work/stub.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 50); do [[ -s "$work/stub.log" ]] && break; sleep 0.1; done
stub=$(head -1 "$work/stub.log")
rc=0
"$binary" import --url "http://127.0.0.1:$stub" "$data/AAPL.csv" "$data/MSFT.csv" \
  >"$work/stub.out" 2>"$work/stub.err" || rc=$?
[[ $rc == 1 ]] || fail "a 500 should exit 1, got $rc"
[[ $(grep -c "HTTP 503; retrying" "$work/stub.err") == 2 ]] || fail "503s not retried twice"
grep -q "^$data/AAPL.csv: AAPL 1d" "$work/stub.out" || fail "AAPL not imported after the 503s"
grep -q "MSFT.csv: rows 1-50 (lines 2-51): the service answered 500 internal: stub says no" \
  "$work/stub.err" || fail "500 message: $(cat "$work/stub.err")"

echo "import test passed"
