#!/usr/bin/env bash
# Runs the real binary as a user would and checks the answers a user sees with curl:
# health, each 4xx error, the server still up after them, a clean exit on SIGTERM, and
# a clear non-zero exit on bad configuration.
set -euo pipefail
binary="${1:?usage: $0 path/to/goldensignals [demo-dir]}"
demo_dir="${2:-$(dirname "$0")/../../data/demo}"
work=$(mktemp -d)
pid=""
cleanup() {
  if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; then
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

fail() {
  echo "FAIL: $*" >&2
  echo "--- server log" >&2
  cat "$work/log" >&2 || true
  exit 1
}

# Bad configuration: non-zero exit and a message naming the option.
if "$binary" --port=notaport >"$work/bad.out" 2>&1; then
  fail "--port=notaport should fail"
fi
grep -q -- "--port" "$work/bad.out" || fail "bad --port message: $(cat "$work/bad.out")"
if GS_LOG_LEVEL=loud "$binary" >"$work/bad.out" 2>&1; then
  fail "GS_LOG_LEVEL=loud should fail"
fi
grep -q "GS_LOG_LEVEL" "$work/bad.out" || fail "bad GS_LOG_LEVEL message"
"$binary" --help | grep -q "GS_DATABASE_URL" || fail "--help lacks GS_DATABASE_URL"

: >"$work/log"  # exists before the loop below reads it
env -u GS_REDIS_URL -u GS_DATABASE_URL -u GS_API_TOKEN "$binary" --port=0 --bind=127.0.0.1 \
  --threads=2 --demo-dir="$demo_dir" \
  >"$work/log" 2>&1 &
pid=$!
port=""
for _ in $(seq 1 100); do
  port=$(sed -n 's/.*listening on 127.0.0.1:\([0-9]*\).*/\1/p' "$work/log" | head -1)
  [[ -n "$port" ]] && break
  kill -0 "$pid" 2>/dev/null || fail "server exited at start"
  sleep 0.1
done
[[ -n "$port" ]] || fail "server did not report its port"
base="http://127.0.0.1:$port"

expect() {  # expect STATUS ERROR_CODE|- CURL_ARGS...
  local want_status=$1 want_code=$2
  shift 2
  local status
  status=$(curl -s -o "$work/body" -w '%{http_code}' "$@") || true
  [[ "$status" == "$want_status" ]] || fail "$* -> $status, want $want_status: $(cat "$work/body")"
  if [[ "$want_code" != "-" ]]; then
    grep -q "\"code\":\"$want_code\"" "$work/body" || fail "$* body: $(cat "$work/body")"
  fi
}

expect 200 - "$base/healthz"
expect 200 - "$base/readyz"
grep -q '"redis":"disabled"' "$work/body" || fail "readyz without redis: $(cat "$work/body")"
expect 200 - "$base/v1/version"
# The allocator it reports is the one it loaded (GS_MALLOC in CMakeLists.txt).
if grep -q '"malloc":"tcmalloc"' "$work/body"; then
  grep -q libtcmalloc_minimal "/proc/$pid/maps" || fail "reports tcmalloc but has not loaded it"
elif grep -q '"malloc":"system"' "$work/body"; then
  ! grep -q libtcmalloc "/proc/$pid/maps" || fail "reports the system malloc but loaded tcmalloc"
else
  fail "/v1/version names no allocator: $(cat "$work/body")"
fi
expect 404 not_found "$base/no/such/path"
expect 405 method_not_allowed -X DELETE "$base/healthz"
curl -s -i -X DELETE "$base/healthz" | grep -qi '^Allow: GET, HEAD' || fail "405 lacks Allow"
# Over the bar route's 10 MB: refused on the declared length, before the body is read.
head -c 11000000 /dev/zero | tr '\0' 'x' >"$work/big"
expect 413 body_too_large -X POST --data-binary "@$work/big" -H 'Content-Type: text/csv' \
  "$base/v1/bars/DEMO"
# A malformed request line straight on the socket.
exec 3<>"/dev/tcp/127.0.0.1/$port"
printf 'NOT A REQUEST\r\n\r\n' >&3
reply=$(timeout 5 cat <&3 || true)
exec 3<&-
[[ "$reply" == "HTTP/1.1 400"* ]] || fail "malformed request answered: $reply"
[[ "$reply" == *'"code":"malformed_request"'* ]] || fail "malformed request body: $reply"
# The demo data gives a real signal with every agent's result at once.
expect 200 - "$base/v1/signals/DEMO"
agents=$(grep -o '"category":' "$work/body" | wc -l)
[[ "$agents" -eq 51 ]] || fail "DEMO signal has $agents agent results, want 51"
grep -q '"as_of":"2004-02-27T00:00:00Z"' "$work/body" || fail "DEMO as_of: $(head -c 300 "$work/body")"
expect 200 - "$base/v1/signals/SIMWALK?agents=false"
expect 404 unknown_symbol "$base/v1/signals/NOSUCH"
expect 400 invalid_bars -X POST -H 'Content-Type: text/csv' --data-binary $'time,open,high,low,close,volume\n1,2,1,1,1,1\n' "$base/v1/bars/DEMO"
expect 415 unsupported_media_type -X POST -H 'Content-Type: text/plain' --data-binary 'x' "$base/v1/bars/DEMO"
# Still up after all of it, and the metrics saw it.
expect 200 - "$base/healthz"
expect 200 - "$base/metrics"
grep -q 'gs_http_requests_total{method="other",route="unmatched",status="404"} 1' "$work/body" ||
  fail "metrics lack the 404"
grep -q '^gs_build_info{' "$work/body" || fail "metrics lack gs_build_info"

kill -TERM "$pid"
status=0
wait "$pid" || status=$?
pid=""
[[ $status -eq 0 ]] || fail "exit status $status after SIGTERM"
grep -q "stopped" "$work/log" || fail "no clean stop in the log"
echo "smoke test passed"
