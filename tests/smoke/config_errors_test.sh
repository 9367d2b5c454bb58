#!/usr/bin/env bash
# Configuration mistakes exit at once, non-zero, with a message naming what is wrong (issue
# 10: a missing migration folder used to be retried for 30 s as "PostgreSQL not ready"); and
# the binary started from another directory still finds sql/, web/ and data/demo.
# Usage: config_errors_test.sh path/to/goldensignals
# With GS_TEST_DATABASE_URL set, the run from another directory also applies the migrations.
set -euo pipefail
binary=$(realpath "${1:?usage: $0 path/to/goldensignals}")
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
  for f in "$work"/out "$work"/log; do
    [[ -f "$f" ]] && { echo "--- $f" >&2; cat "$f" >&2; }
  done
  exit 1
}

# Nothing listens on port 1: a run that got as far as connecting would retry for 30 s.
unreachable_db="postgresql://gs@127.0.0.1:1/gs"

# expect_config_error WHAT MUST_MENTION COMMAND...: exits non-zero within 5 s (the old retry
# loop took 30 s), and the output names MUST_MENTION.
expect_config_error() {
  local what=$1 mention=$2
  shift 2
  local start end status=0
  start=$(date +%s%N)
  timeout 5 "$@" >"$work/out" 2>&1 || status=$?
  end=$(date +%s%N)
  [[ $status -ne 0 ]] || fail "$what: exit status 0"
  [[ $status -ne 124 ]] || fail "$what: still running after 5 s"
  grep -qF -- "$mention" "$work/out" || fail "$what: the message does not name '$mention'"
  echo "ok: $what -> exit $status after $(((end - start) / 1000000)) ms: $(head -1 "$work/out")"
}

cd "$work"
common=(--port=0 --bind=127.0.0.1 --threads=1)

expect_config_error "missing --sql-dir" "$work/no-such-sql" \
  env GS_DATABASE_URL="$unreachable_db" "$binary" "${common[@]}" --sql-dir="$work/no-such-sql"
expect_config_error "missing GS_SQL_DIR" "$work/no-such-sql" \
  env GS_DATABASE_URL="$unreachable_db" GS_SQL_DIR="$work/no-such-sql" "$binary" "${common[@]}"
mkdir "$work/empty-sql"
expect_config_error "migration folder without migrations" "$work/empty-sql" \
  env GS_DATABASE_URL="$unreachable_db" "$binary" "${common[@]}" --sql-dir="$work/empty-sql"
# Retention settings are parsed strictly (docs/retention.md).
expect_config_error "bad --signal-retention" "--signal-retention: '90' is not a retention" \
  "$binary" "${common[@]}" --signal-retention=90
expect_config_error "bad GS_BAR_RETENTION" "GS_BAR_RETENTION: '2m' is not a timeframe" \
  env GS_BAR_RETENTION=1m:30d,2m:1d "$binary" "${common[@]}"
expect_config_error "timeframe twice in --bar-retention" "timeframe 1m is given twice" \
  "$binary" "${common[@]}" --bar-retention=1m:30d,1m:60d
# A binary with no sql/ anywhere near it (a copy in a bare folder, run from there).
mkdir -p "$work/bare/bin"
cp "$binary" "$work/bare/bin/goldensignals"
expect_config_error "no migration folder found" "no migration folder found" \
  env -C "$work/bare" GS_DATABASE_URL="$unreachable_db" "$work/bare/bin/goldensignals" \
  "${common[@]}"

expect_config_error "missing --consensus-config" "$work/no-such.json" \
  "$binary" "${common[@]}" --consensus-config="$work/no-such.json"
echo '{"weights": ' >"$work/broken.json"
expect_config_error "invalid consensus config" "$work/broken.json" \
  "$binary" "${common[@]}" --consensus-config="$work/broken.json"

expect_config_error "missing --demo-dir" "$work/no-such-demo" \
  "$binary" "${common[@]}" --demo-dir="$work/no-such-demo"
expect_config_error "missing GS_DEMO_DIR" "$work/no-such-demo" \
  env GS_DEMO_DIR="$work/no-such-demo" "$binary" "${common[@]}"
expect_config_error "missing --static-dir" "$work/no-such-web" \
  "$binary" "${common[@]}" --static-dir="$work/no-such-web"
echo x >"$work/a-file"
expect_config_error "--static-dir is a file" "$work/a-file" \
  "$binary" "${common[@]}" --static-dir="$work/a-file"

# --migrate-only (the Kubernetes init container's step) needs a database; with one, it applies
# the migrations and exits 0 without listening.
expect_config_error "--migrate-only without a database" "GS_DATABASE_URL" \
  env -u GS_DATABASE_URL "$binary" --migrate-only
if [[ -n "${GS_TEST_DATABASE_URL:-}" ]]; then
  timeout 60 "$binary" --migrate-only --database-url="$GS_TEST_DATABASE_URL" >"$work/out" 2>&1 ||
    fail "--migrate-only exited $?"
  grep -q "PostgreSQL schema ready" "$work/out" || fail "--migrate-only: no migrations"
  grep -q "listening on" "$work/out" && fail "--migrate-only started the server"
  echo "ok: --migrate-only -> exit 0: $(grep 'schema ready' "$work/out" | cut -c1-100)"
fi

# From a directory without sql/, web/ or data/demo: found beside the binary.
mkdir "$work/elsewhere"
cd "$work/elsewhere"
db_args=()
if [[ -n "${GS_TEST_DATABASE_URL:-}" ]]; then
  db_args=(--database-url="$GS_TEST_DATABASE_URL")
fi
: >"$work/log"
env -u GS_REDIS_URL -u GS_DATABASE_URL -u GS_API_TOKEN -u GS_SQL_DIR -u GS_STATIC_DIR \
  -u GS_DEMO_DIR "$binary" "${common[@]}" "${db_args[@]}" >"$work/log" 2>&1 &
pid=$!
port=""
for _ in $(seq 1 150); do
  port=$(sed -n 's/.*listening on 127.0.0.1:\([0-9]*\).*/\1/p' "$work/log" | head -1)
  [[ -n "$port" ]] && break
  kill -0 "$pid" 2>/dev/null || fail "server exited at start from another directory"
  sleep 0.1
done
[[ -n "$port" ]] || fail "server did not report its port"
status=$(curl -s -o "$work/out" -w '%{http_code}' "http://127.0.0.1:$port/")
[[ "$status" == 200 ]] || fail "GET / from another directory -> $status"
grep -qi "<html" "$work/out" || fail "GET / is not the dashboard"
status=$(curl -s -o "$work/out" -w '%{http_code}' "http://127.0.0.1:$port/v1/signals/DEMO")
[[ "$status" == 200 ]] || fail "the demo data was not found from another directory ($status)"
if [[ ${#db_args[@]} -gt 0 ]]; then
  grep -q "PostgreSQL schema ready" "$work/log" || fail "no migrations from another directory"
fi
grep -q "not found\|not loaded" "$work/log" && fail "a warning about a missing folder"
kill -TERM "$pid"
wait "$pid" || fail "exit status $? after SIGTERM"
pid=""
echo "config errors test passed"
