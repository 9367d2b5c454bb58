# Helpers shared by the shell tests that run goldensignals instances against private Redis
# and PostgreSQL servers (sourced, not run). The caller sets `binary` and `repo` first.
#
# Gives: `work` (a temp dir, removed at exit), `pids` (killed at exit), and the functions
# below. Hooks the caller may set:
#   instance_env    extra `env` arguments for every instance (e.g. -u GS_WEBHOOK_ALLOW_PRIVATE)
#   instance_flags  flags every instance gets (e.g. the store URLs)
#   fail_logs       glob patterns of files `fail` prints besides $work/*.log
#   fail_tail       lines of each file `fail` prints (20)
#   cleanup_extra   a function run at exit before the services stop (e.g. to stop nginx)
# shellcheck shell=bash

# shellcheck source=scripts/lib/services.sh
source "$repo/scripts/lib/services.sh"

pids=()
instance_env=()
instance_flags=()
fail_logs=()
fail_tail=20
work=$(mktemp -d)

cleanup() {
  local pid
  for pid in "${pids[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
  if declare -F cleanup_extra >/dev/null; then cleanup_extra || true; fi
  stop_services
  rm -rf "$work"
}
trap cleanup EXIT

# fail MESSAGE: says why, shows the end of every log, and ends the test.
fail() {
  echo "FAIL: $*" >&2
  local pattern log
  for pattern in "$work/*.log" "${fail_logs[@]}"; do
    for log in $pattern; do
      [[ -f "$log" ]] || continue
      echo "--- $log" >&2
      tail -"$fail_tail" "$log" >&2
    done
  done
  exit 1
}

# start_instance NAME [flags...]: starts $binary on a free loopback port (log:
# $work/NAME.log) and waits until it listens; sets port_NAME and pid_NAME.
start_instance() {
  local name=$1 port="" pid
  shift
  : >"$work/$name.log"  # exists before the loop below reads it
  env -u GS_API_TOKEN "${instance_env[@]}" "$binary" --port=0 --bind=127.0.0.1 --threads=2 \
    --compute-threads=1 --access-log=false --demo=false --sql-dir="$repo/sql" \
    --static-dir="$repo/web" "${instance_flags[@]}" "$@" >"$work/$name.log" 2>&1 &
  pid=$!
  pids+=("$pid")
  for _ in $(seq 1 300); do
    port=$(sed -n 's/.*listening on 127.0.0.1:\([0-9]*\).*/\1/p' "$work/$name.log" | head -1)
    [[ -n "$port" ]] && break
    kill -0 "$pid" 2>/dev/null || fail "instance $name exited at start"
    sleep 0.1
  done
  [[ -n "$port" ]] || fail "instance $name did not start"
  eval "port_$name=$port pid_$name=$pid"
}

# wait_until SECONDS DESCRIPTION COMMAND...: polls COMMAND until it succeeds.
wait_until() {
  local deadline=$((SECONDS + $1)) what=$2
  shift 2
  until "$@"; do
    ((SECONDS < deadline)) || fail "timed out waiting for: $what"
    sleep 0.2
  done
}

# csv_bars COUNT BASE DRIFT [FIRST_DAY]: daily bars in our CSV format from FIRST_DAY (days
# since the epoch, 17000 = 2016-07-18), closes drifting by DRIFT a day with a weekly wiggle.
csv_bars() {
  echo "time,open,high,low,close,volume"
  awk -v n="$1" -v b="$2" -v d="$3" -v first="${4:-17000}" 'BEGIN {
    for (i = 0; i < n; i++) {
      c = b + i * d + (i % 7 - 3) * 0.5; o = c - 0.3;
      printf "%d,%.2f,%.2f,%.2f,%.2f,%d\n", (first + i) * 86400, o, c + 1, o - 1, c, 10000 + (i % 5) * 1000
    } }'
}

# post_csv PORT SYMBOL CSV_FILE [QUERY]: POSTs the bars, prints the status; the answer's body
# is in $work/post.out.
post_csv() {
  curl -s -o "$work/post.out" -w '%{http_code}' -X POST -H 'Content-Type: text/csv' \
    --data-binary "@$3" "http://127.0.0.1:$1/v1/bars/$2${4:+?$4}"
}

# post_ok PORT SYMBOL CSV_FILE [QUERY]: as post_csv, and fails the test unless it is a 200.
post_ok() {
  local status
  status=$(post_csv "$@")
  [[ "$status" == 200 ]] || fail "POST bars $2 to $1: $status $(cat "$work/post.out")"
}

status_of() { curl -s -o /dev/null -w '%{http_code}' "$@"; }

# psql_q SQL: one query on the test database, unaligned.
psql_q() {
  as_pg_owner "$GS_PG_BIN/psql" -h 127.0.0.1 -p "$GS_PG_PORT" -U postgres -At -c "$1" \
    goldensignals_test
}
