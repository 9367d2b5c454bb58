#!/usr/bin/env bash
# The API description (web/openapi.json) against the linter and against the server.
#
#   tests/openapi/run.sh lint                        @redocly/cli lint (redocly.yaml): no errors
#   tests/openapi/run.sh validate path/to/goldensignals
#       starts three instances on loopback and checks every answer of validate.test.mjs
#       against the document, and that the server and the document have the same routes:
#         A  standalone with both tokens, --max-symbols=3 --max-streams=1
#         B  with a private Redis and PostgreSQL (scripts/lib/services.sh)
#         C  with a Redis URL nobody listens on (/readyz 503)
#       GS_OPENAPI_STANDALONE=1 starts A and C only (no Redis or PostgreSQL needed);
#       GS_OPENAPI_ACCESS_LOG=true logs each request, GS_OPENAPI_KEEP=1 keeps the logs.
#
# Needs node >= 20.19 and npm (the first run installs the pinned packages with npm ci).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
mode="${1:?usage: $0 lint | validate path/to/goldensignals}"

command -v node >/dev/null || { echo "error: node not found (Node.js >= 20.19 is needed)" >&2; exit 2; }
if [[ ! -d "$here/node_modules/@redocly/cli" || ! -d "$here/node_modules/ajv-formats" ]]; then
  echo "installing @redocly/cli, ajv, ajv-formats (npm ci) in $here"
  (cd "$here" && npm ci --no-audit --no-fund --loglevel=error)
fi

if [[ "$mode" == lint ]]; then
  cd "$here"
  # The CLI's Node.js support notice goes to stderr; the verdict is the exit status.
  exec node_modules/.bin/redocly lint --config redocly.yaml --format=codeframe \
    "$repo/web/openapi.json"
fi
[[ "$mode" == validate ]] || { echo "usage: $0 lint | validate path/to/goldensignals" >&2; exit 2; }

binary="${2:?usage: $0 validate path/to/goldensignals}"
[[ "$binary" = /* ]] || binary="$PWD/$binary"
[[ -x "$binary" ]] || { echo "error: $binary is not an executable" >&2; exit 2; }

# shellcheck source=scripts/lib/services.sh
source "$repo/scripts/lib/services.sh"
work="$(mktemp -d)"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do
    kill -TERM "$pid" 2>/dev/null || true
  done
  for pid in "${pids[@]}"; do
    for _ in $(seq 1 50); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  stop_services
  [[ -n "${GS_OPENAPI_KEEP:-}" ]] && echo "kept $work" || rm -rf "$work"
}
trap cleanup EXIT

write_token=openapi-test-write-token  # validate.test.mjs uses the same two
read_token=openapi-test-read-token

start_instance() {  # start_instance NAME [ENV=VALUE...] -- [FLAG...]: sets port_NAME
  local name=$1 port="" pid
  shift
  local env_args=()
  while [[ $# -gt 0 && "$1" != "--" ]]; do env_args+=("$1"); shift; done
  shift
  : >"$work/$name.log"
  env -u GS_API_TOKEN -u GS_READ_TOKEN -u GS_REDIS_URL -u GS_DATABASE_URL "${env_args[@]}" \
    "$binary" --port=0 --bind=127.0.0.1 --threads=2 --compute-threads=1 --access-log=${GS_OPENAPI_ACCESS_LOG:-false} \
    --demo=false --static-dir="$repo/web" --sql-dir="$repo/sql" "$@" >"$work/$name.log" 2>&1 &
  pid=$!
  pids+=("$pid")
  for _ in $(seq 1 300); do
    port=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9][0-9]*\).*/\1/p' "$work/$name.log" | head -1)
    [[ -n "$port" ]] && break
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "error: instance $name exited at start:" >&2
      cat "$work/$name.log" >&2
      exit 1
    fi
    sleep 0.1
  done
  [[ -n "$port" ]] || { echo "error: instance $name did not start" >&2; cat "$work/$name.log" >&2; exit 1; }
  eval "port_$name=$port"
}

# A counts series against --max-symbols=3: no roll-up, whose derived series would take room.
start_instance A GS_API_TOKEN="$write_token" GS_READ_TOKEN="$read_token" \
  GS_WEBHOOK_ALLOW_PRIVATE=true -- --max-symbols=3 --max-streams=1 --rollup=false
export OPENAPI_A="http://127.0.0.1:$port_A"

dead_port=$(free_port)
start_instance C -- --redis-url="redis://127.0.0.1:$dead_port/0"
export OPENAPI_C="http://127.0.0.1:$port_C"

if [[ "${GS_OPENAPI_STANDALONE:-0}" != 1 ]]; then
  start_redis >/dev/null
  start_postgres >/dev/null
  start_instance B -- --redis-url="$GS_TEST_REDIS_URL" --database-url="$GS_TEST_DATABASE_URL"
  export OPENAPI_B="http://127.0.0.1:$port_B"
fi

status=0
(cd "$here" && node validate.test.mjs) || status=$?
if [[ $status -ne 0 ]]; then
  for log in "$work"/*.log; do
    echo "--- $log (last 20 lines)" >&2
    tail -n 20 "$log" >&2
  done
fi
exit "$status"
