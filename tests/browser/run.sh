#!/usr/bin/env bash
# Browser test of the dashboard: starts the service binary with the demo data and web/,
# then drives the page in headless Chromium (dashboard.test.mjs, playwright-core).
#   tests/browser/run.sh path/to/goldensignals [TEST.mjs]
# TEST.mjs (default dashboard.test.mjs) is run against the server: docs.test.mjs opens /docs.
# Needs node >= 20, npm (the first run installs playwright-core from the lock file) and
# Debian's chromium at /usr/bin/chromium (or CHROMIUM_PATH). Screenshots go to a temp dir
# (or SCREENSHOT_DIR) and are kept; the path is printed.
set -euo pipefail

binary="${1:?usage: $0 path/to/goldensignals [TEST.mjs]}"
test_file="${2:-dashboard.test.mjs}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
[[ "$binary" = /* ]] || binary="$PWD/$binary"
[[ -x "$binary" ]] || { echo "error: $binary is not an executable" >&2; exit 2; }

export CHROMIUM_PATH="${CHROMIUM_PATH:-/usr/bin/chromium}"
if [[ ! -x "$CHROMIUM_PATH" ]]; then
  echo "error: $CHROMIUM_PATH not found: the browser test needs Debian's chromium package" \
       "(apt-get install chromium)" >&2
  exit 2
fi
command -v node >/dev/null || { echo "error: node not found (Node.js >= 20 is needed)" >&2; exit 2; }

if [[ ! -d "$here/node_modules/playwright-core" ]]; then
  echo "installing playwright-core (npm ci) in $here"
  (cd "$here" && npm ci --no-audit --no-fund)
fi

work="$(mktemp -d)"
log="$work/server.log"
pid=""
cleanup() {
  if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

: >"$log"  # exists before the loop below reads it
env -u GS_REDIS_URL -u GS_DATABASE_URL -u GS_API_TOKEN "$binary" \
  --port=0 --bind=127.0.0.1 --demo-dir="$repo/data/demo" --static-dir="$repo/web" \
  --access-log=false >"$log" 2>&1 &
pid=$!

port=""
for _ in $(seq 1 200); do
  port="$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9][0-9]*\).*/\1/p' "$log" | head -1)"
  [[ -n "$port" ]] && break
  if ! kill -0 "$pid" 2>/dev/null; then
    echo "error: the server exited at start:" >&2
    cat "$log" >&2
    exit 1
  fi
  sleep 0.1
done
if [[ -z "$port" ]]; then
  echo "error: the server did not log 'listening on 127.0.0.1:PORT' within 20 s:" >&2
  cat "$log" >&2
  exit 1
fi
echo "server pid $pid on http://127.0.0.1:$port"

status=0
(cd "$here" && node "$test_file" "http://127.0.0.1:$port") || status=$?

if [[ $status -ne 0 ]]; then
  echo "--- server log (last 40 lines)" >&2
  tail -n 40 "$log" >&2
fi
exit "$status"
