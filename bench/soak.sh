#!/usr/bin/env bash
# Soak: mixed load on one instance with a private Redis and PostgreSQL for SOAK_SECONDS
# (default 1800), sampling the server's RSS, open descriptors and threads every
# SOAK_SAMPLE seconds (default 60). Redis is restarted at a third of the run, PostgreSQL
# at two thirds. After a warm-up (the first fifth), each measure must stay within 5 % of
# its median; the script prints the table (markdown) and exits non-zero when one does not.
#
# Load: new daily bars (wrk, one per request, round robin over 200 symbols held at
# --max-bars), a read mix (cached signals, signals with agents, bars, indicator series
# computed per request), 1,000 long-lived SSE streams and 1,000 more that reconnect every
# minute (gs_sse_load).
#
#   bench/soak.sh [build/goldensignals] [build/bench/gs_sse_load]
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
binary="${1:-$repo/build/goldensignals}"
sse_load="${2:-$repo/build/bench/gs_sse_load}"
seconds="${SOAK_SECONDS:-1800}"
sample="${SOAK_SAMPLE:-60}"
symbols="${SOAK_SYMBOLS:-200}"
held=300
export SOAK_SYMBOLS="$symbols" SOAK_FIRST_DAY=$((20000 + held))
export GS_API_TOKEN="soak-$RANDOM$RANDOM"
ulimit -n "$(ulimit -Hn)"

# shellcheck source=scripts/lib/services.sh
source "$repo/scripts/lib/services.sh"
work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  stop_services
  rm -rf "$work"
}
trap cleanup EXIT
start_redis >/dev/null
start_postgres >/dev/null

"$binary" --port=0 --bind=127.0.0.1 --access-log=false --demo=false --max-bars="$held" \
  --sql-dir="$repo/sql" --redis-url="$GS_TEST_REDIS_URL" \
  --database-url="$GS_TEST_DATABASE_URL" >"$work/server.log" 2>&1 &
server=$!
pids+=("$server")
port=""
for _ in $(seq 1 300); do
  port=$(sed -n 's/.*listening on 127.0.0.1:\([0-9]*\).*/\1/p' "$work/server.log" | head -1)
  [[ -n "$port" ]] && break
  sleep 0.1
done
[[ -n "$port" ]] || { cat "$work/server.log" >&2; exit 1; }
base="http://127.0.0.1:$port"

# History first, so every series starts at its cap and memory can level off.
for i in $(seq 1 "$symbols"); do
  awk -v s="$i" -v n="$held" 'BEGIN { print "time,open,high,low,close,volume";
    for (k = 0; k < n; k++) { c = 100 + 10 * sin((20000 + k) / 9 + s) + ((20000 + k) % 13) * 0.1;
      printf "%d,%.4f,%.4f,%.4f,%.4f,%d\n", (20000 + k) * 86400, c - 0.3, c + 1, c - 1.1, c, 1000 + k } }' \
    >"$work/bars.csv"
  curl -sf -o /dev/null -X POST -H 'Content-Type: text/csv' -H "Authorization: Bearer $GS_API_TOKEN" \
    --data-binary "@$work/bars.csv" "$base/v1/bars/$(printf 'S%04d' "$i")?timeframe=1d"
done
names=$(seq 1 "$symbols" | xargs printf 'S%04d,' | sed 's/,$//')

wrk -t1 -c4 -d"${seconds}s" -s "$repo/bench/soak/post_bars.lua" "$base" >"$work/wrk_post.txt" 2>&1 &
pids+=("$!")
wrk -t1 -c16 -d"${seconds}s" -s "$repo/bench/soak/read_mix.lua" "$base" >"$work/wrk_read.txt" 2>&1 &
pids+=("$!")
"$sse_load" --port "$port" --streams 1000 --symbols "$symbols" \
  --names "$names" --per-stream 5 --connect-rate 500 --duration "$seconds" \
  >"$work/streams_long.txt" 2>&1 &
pids+=("$!")
(
  end=$((SECONDS + seconds))
  while ((SECONDS + 60 < end)); do
    "$sse_load" --port "$port" --streams 1000 --symbols "$symbols" \
      --names "$names" --per-stream 5 --connect-rate 500 --duration 55 >>"$work/streams_churn.txt" 2>&1 || true
  done
) &
pids+=("$!")

restart_redis() {
  redis-cli -p "$GS_REDIS_PORT" shutdown nosave >/dev/null 2>&1 || true
  sleep 3
  redis-server --port "$GS_REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no \
    --daemonize yes --pidfile "$GS_SERVICES_DIR/redis/redis.pid" \
    --logfile "$GS_SERVICES_DIR/redis/redis.log" --dir "$GS_SERVICES_DIR/redis"
}
restart_postgres() {
  as_pg_owner "$GS_PG_BIN/pg_ctl" -D "$GS_TEST_PG_DATA" -m fast -w stop >/dev/null
  sleep 3
  # The same options as scripts/lib/services.sh: without them it would come back on 5432.
  as_pg_owner "$GS_PG_BIN/pg_ctl" -D "$GS_TEST_PG_DATA" -l "$GS_SERVICES_DIR/pg/postgres.log" \
    -o "-p $GS_PG_PORT -k $GS_SERVICES_DIR/pg -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200" \
    -w start >/dev/null
}
# After a restart: how long until a write is accepted again (a bar of its own symbol, so it
# never collides with the load's). Fails the soak if none is within 30 s.
probe_day=30000
write_recovery() {
  local start_ns code
  start_ns=$(date +%s%N)
  for _ in $(seq 1 1500); do
    probe_day=$((probe_day + 1))
    code=$(printf 'time,open,high,low,close,volume\n%d,10,11,9,10.5,100\n' $((probe_day * 86400)) |
      curl -s -o /dev/null -w '%{http_code}' -X POST -H 'Content-Type: text/csv' \
        -H "Authorization: Bearer $GS_API_TOKEN" --data-binary @- "$base/v1/bars/PROBE?timeframe=1d")
    if [[ "$code" == 200 ]]; then
      echo "writes accepted $(( ($(date +%s%N) - start_ns) / 1000000 )) ms after the restart"
      return 0
    fi
    sleep 0.02
  done
  echo "no write accepted within 30 s of the restart" >&2
  return 1
}

printf '| minute | RSS MiB | descriptors | of them not sockets | threads | open connections | event |\n'
printf '|---|---|---|---|---|---|---|\n'
samples="$work/samples.txt"
: >"$samples"
start=$SECONDS
redis_done=0
pg_done=0
while ((SECONDS - start < seconds)); do
  sleep "$sample"
  elapsed=$((SECONDS - start))
  event=""
  if ((!redis_done && elapsed >= seconds / 3)); then
    restart_redis
    redis_done=1
    event="Redis restarted; $(write_recovery)"
  elif ((!pg_done && elapsed >= 2 * seconds / 3)); then
    restart_postgres
    pg_done=1
    event="PostgreSQL restarted; $(write_recovery)"
  fi
  kill -0 "$server" || { echo "the server died" >&2; tail -50 "$work/server.log" >&2; exit 1; }
  rss=$(awk '/^VmRSS/ { printf "%.0f", $2 / 1024 }' "/proc/$server/status")
  threads=$(awk '/^Threads/ { print $2 }' "/proc/$server/status")
  fds=$(find "/proc/$server/fd" -mindepth 1 -maxdepth 1 | wc -l)
  # Sockets come and go with the streams that reconnect; the rest (files, timers, epoll,
  # eventfds) must not grow at all.
  other_fds=$(find "/proc/$server/fd" -mindepth 1 -maxdepth 1 -printf '%l\n' | grep -vc '^socket:' || true)
  conns=$(curl -s -m 5 "$base/metrics" | awk '/^gs_http_open_connections / { print $2 }')
  printf '| %d | %s | %s | %s | %s | %s | %s |\n' $((elapsed / 60)) "$rss" "$fds" "$other_fds" \
    "$threads" "$conns" "$event"
  echo "$elapsed $rss $other_fds $threads" >>"$samples"
done
wait "${pids[@]:1}" 2>/dev/null || true

echo
grep -E 'Requests/sec|Non-2xx|Socket errors|requests in|answered' "$work/wrk_post.txt" | sed 's/^/posts: /'
grep -E 'Requests/sec|Non-2xx|Socket errors|requests in' "$work/wrk_read.txt" | sed 's/^/reads: /'
tail -3 "$work/streams_long.txt" | sed 's/^/long streams: /'
grep -c 'connected' "$work/streams_churn.txt" | sed 's/^/churn rounds: /' || true
grep -ciE 'error|critical' "$work/server.log" | sed 's/^/server log error lines: /' || true

# Flat after warm-up: every sample after the first fifth within 5 % of the median. The
# descriptors checked are those that are not sockets: the socket count moves with the
# streams that reconnect each minute (it is in the table).
awk -v warm=$((seconds / 5)) '
  $1 >= warm { n++; rss[n] = $2; fds[n] = $3; thr[n] = $4 }
  function median(a, n,   i, j, t, b) { for (i = 1; i <= n; i++) b[i] = a[i];
    for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (b[j] < b[i]) { t = b[i]; b[i] = b[j]; b[j] = t }
    return b[int((n + 1) / 2)] }
  function check(name, a, n,   m, i, worst, d) { m = median(a, n); worst = 0;
    for (i = 1; i <= n; i++) { d = (a[i] - m) / m; if (d < 0) d = -d; if (d > worst) worst = d }
    printf "%s: median %s, largest deviation %.1f %%\n", name, m, worst * 100; return worst <= 0.05 }
  END { if (n < 2) { print "too few samples after warm-up"; exit 1 }
    ok = check("RSS MiB", rss, n); ok = check("descriptors (not sockets)", fds, n) && ok; ok = check("threads", thr, n) && ok
    exit ok ? 0 : 1 }' "$samples"
