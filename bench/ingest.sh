#!/usr/bin/env bash
# HTTP ingest: one NEW bar per request (bench/ingest.lua), wrk 32 connections, as issue 12
# measures it. Several builds side by side in one run, rounds alternating (these machines are
# shared and noisy: compare within a run); medians per build.
#   bench/ingest.sh MODE SYMBOLS HELD BINARY[:SQL_DIR] [BINARY[:SQL_DIR]...]
#     MODE     standalone | stores (Redis + PostgreSQL on loopback) | bulk
#     SYMBOLS  series posted to, round-robin; HELD  bars preloaded per series
#   bulk: with Redis + PostgreSQL, one CSV post of HELD 1-minute bars (e.g. 100000) to a new
#   series, SYMBOLS times per round (each its own series); the post's rows/s.
#     SQL_DIR  the migrations that binary applies (default: this checkout's sql/), so that
#              an older build runs with its own schema
# Environment: ROUNDS (3), DURATION (10 s per wrk round), CONNECTIONS (32), SERVER_CPUS (0),
# CLIENT_CPUS (1: wrk, Redis and PostgreSQL), SERVER_ARGS (extra flags), PERF_DIR (when set:
# `perf record` of the server during each wrk run, into PERF_DIR; PERF_ARGS its options,
# default `-F 499 -g`), METRICS_DIR (when set: the server's /metrics after each wrk run, into
# METRICS_DIR/BINARY.ROUND.txt: gs_ingest_stage_seconds and gs_bar_commit_* say where the time
# went), TIMEFRAME (1d) and
# STEP (its seconds, 86400) of the posted series, START (epoch seconds of the first preloaded
# bar; 2000-01-01).
# Each round starts a fresh server (and, with stores, empty tables and an empty Redis),
# preloads SYMBOLS x HELD bars by CSV posts, then runs wrk. With stores it stops the server
# (SIGTERM drains queued signals) and checks PostgreSQL: every acked bar is a row, every new
# bar has its signal (one per bar and as_of), and every series has its signal at its newest bar.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
mode=$1
symbols=$2
held=$3
shift 3
binaries=("$@")
rounds=${ROUNDS:-3}
seconds=${DURATION:-10}
connections=${CONNECTIONS:-32}
server_cpus=${SERVER_CPUS:-0}
client_cpus=${CLIENT_CPUS:-1}
token=bench-ingest-token
timeframe=${TIMEFRAME:-1d}
step=${STEP:-86400}
start=${START:-946684800}  # 2000-01-01: the first preloaded bar
command -v wrk >/dev/null || { echo "wrk is needed (scripts/install_deps.sh test)" >&2; exit 2; }

source "$repo/scripts/lib/services.sh"
work=$(mktemp -d)
gs_pid=""
cleanup() {
  [[ -n "$gs_pid" ]] && kill "$gs_pid" 2>/dev/null || true
  stop_services
  rm -rf "$work"
}
trap cleanup EXIT

psql_q() {  # psql_q DB SQL: one value
  as_pg_owner "$GS_PG_BIN/psql" -h 127.0.0.1 -p "$GS_PG_PORT" -U postgres -qAtX -d "$1" -c "$2"
}

if [[ $mode != standalone ]]; then
  start_redis >/dev/null
  start_postgres >/dev/null
  # The stores share the client's CPU, so the server's CPU is the server's alone.
  taskset -acp "$client_cpus" "$(cat "$GS_SERVICES_DIR/redis/redis.pid")" >/dev/null
  taskset -acp "$client_cpus" "$(head -1 "$GS_SERVICES_DIR/pg/data/postmaster.pid")" >/dev/null
fi

start_server() {  # start_server BINARY[:SQL_DIR]: sets gs_pid and port
  local extra=() binary=${1%%:*} sql_dir="$repo/sql"
  [[ $1 == *:* ]] && sql_dir=${1#*:}
  if [[ $mode != standalone ]]; then
    psql_q postgres "DROP DATABASE IF EXISTS gs_bench" >/dev/null 2>&1
    psql_q postgres "CREATE DATABASE gs_bench" >/dev/null
    redis-cli -p "$GS_REDIS_PORT" flushall >/dev/null
    extra=(--redis-url="redis://127.0.0.1:$GS_REDIS_PORT/0"
      --database-url="postgresql://postgres@127.0.0.1:$GS_PG_PORT/gs_bench")
  fi
  port=$(free_port)
  # Issue 12's figures are the ingest path alone: roll-up off (by the variable, which older
  # builds ignore; GS_ROLLUP=true in the environment measures it, but the PostgreSQL checks
  # below then also count the derived 1w bars).
  # shellcheck disable=SC2086
  GS_ROLLUP=${GS_ROLLUP:-false} GS_API_TOKEN=$token taskset -c "$server_cpus" "$binary" --port="$port" --bind=127.0.0.1 \
    --threads=1 --compute-threads=1 --access-log=false --log-level=warn --demo=false \
    --sql-dir="$sql_dir" --static-dir="$repo/web" "${extra[@]}" ${SERVER_ARGS:-} \
    >"$work/gs.log" 2>&1 &
  gs_pid=$!
  wait_for 30 curl -sf "http://127.0.0.1:$port/readyz" ||
    { echo "service did not get ready" >&2; cat "$work/gs.log" >&2; exit 1; }
}

stop_server() {
  kill -TERM "$gs_pid" 2>/dev/null || true
  wait "$gs_pid" 2>/dev/null || true
  gs_pid=""
}

# Posts CSV bodies over one keep-alive connection: SYMBOLS series x HELD daily bars, or (bulk)
# one series of HELD rows, timed. Prints the seconds the posts took.
post_csv() {  # post_csv SYMBOLS HELD [STEP_SECONDS TIMEFRAME]
  taskset -c "$client_cpus" python3 - "$port" "$token" "$1" "$2" "$start" "${3:-86400}" \
    "${4:-1d}" <<'PY'
import http.client, sys, time
port, token, symbols, held, start = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
step, timeframe = int(sys.argv[6]), sys.argv[7]
conn = http.client.HTTPConnection("127.0.0.1", int(port), timeout=300)
headers = {"Content-Type": "text/csv", "Authorization": "Bearer " + token}
total = 0.0
for s in range(symbols):
    rows = ["time,open,high,low,close,volume"]
    for n in range(held):
        c = 100 + ((s * 7 + n * 13) % 50) / 10
        rows.append("%d,%.2f,%.2f,%.2f,%.2f,%d" % (start + n * step, c - 0.3, c + 0.5, c - 0.8, c, 1000 + n))
    body = ("\n".join(rows) + "\n").encode()
    began = time.perf_counter()
    conn.request("POST", "/v1/bars/S%d?timeframe=%s" % (s, timeframe), body, headers)
    answer = conn.getresponse()
    text = answer.read()
    total += time.perf_counter() - began
    if answer.status != 200:
        sys.exit("preload of S%d failed: %d %s" % (s, answer.status, text[:300]))
print("%.3f" % total)
PY
}

median() { printf '%s\n' "$@" | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
declare -A rates p99s

for r in $(seq 1 "$rounds"); do
  for b in "${binaries[@]}"; do
    start_server "$b"
    if [[ $mode == bulk ]]; then
      secs=$(post_csv "$symbols" "$held" 60 1m)
      rate=$(awk -v n="$((held * symbols))" -v s="$secs" 'BEGIN { printf "%.0f", n / s }')
      echo "$b round $r: $symbols x $held rows in $secs s = $rate rows/s"
      rates[$b]+="$rate "
      stop_server
      continue
    fi
    post_csv "$symbols" "$held" "$step" "$timeframe" >/dev/null
    last=$((start + (held - 1) * step))
    perf_pid=""
    if [[ -n ${PERF_DIR:-} ]]; then  # a profile of the server during wrk, one per binary/round
      mkdir -p "$PERF_DIR"
      # shellcheck disable=SC2086
      perf record -q ${PERF_ARGS:--F 499 -g} -p "$gs_pid" -o "$PERF_DIR/$(basename "$b").$r.data" \
        -- sleep "$seconds" >/dev/null 2>&1 &
      perf_pid=$!
    fi
    out=$(SYMBOLS=$symbols START=$last TIMEFRAME=$timeframe STEP=$step TOKEN=$token THREADS=1 \
      taskset -c "$client_cpus" \
      wrk -t1 -c"$connections" -d"${seconds}s" --latency -s "$repo/bench/ingest.lua" \
      "http://127.0.0.1:$port" 2>"$work/wrk.err")
    [[ -n $perf_pid ]] && wait "$perf_pid"
    rate=$(awk '/Requests\/sec/ { print $2 }' <<<"$out")
    p99=$(awk '/^ +99%/ { v = $2; if (v ~ /us$/) { sub(/us/, "", v); v /= 1000 }
          else if (v ~ /ms$/) { sub(/ms/, "", v) } else if (v ~ /s$/) { sub(/s/, "", v); v *= 1000 }
          printf "%.1f", v }' <<<"$out")
    read -r _ acked _ refused < <(grep '^acked' <<<"$out")
    errors=$(grep -o 'Socket errors:.*' <<<"$out" || true)
    line="$b round $r: $rate bars/s, p99 $p99 ms, acked $acked, refused $refused ${errors}"
    if [[ $mode == stores ]]; then
      # Signals are archived after the ack, by a queue (PgSignalStore): wait until every new
      # bar's signal is in (at most 120 s) and say how long that took; a stop drains only 5 s.
      caught_up=""
      for i in $(seq 0 240); do
        if [[ $(psql_q gs_bench "SELECT (SELECT count(DISTINCT (symbol, timeframe, as_of)) FROM signals
            WHERE as_of > to_timestamp($last)) >= (SELECT count(*) FROM bars
            WHERE time > to_timestamp($last))") == t ]]; then
          caught_up=$(awk -v i="$i" 'BEGIN { printf "%.1f", i / 2 }')
          break
        fi
        sleep 0.5
      done
      line+=", archive caught up ${caught_up:-NOT within 120} s after wrk"
    fi
    # The server's peak resident memory (VmHWM): allocators and caches trade memory for speed.
    peak_mib=$(awk '/^VmHWM/ { printf "%.0f", $2 / 1024 }' "/proc/$gs_pid/status" 2>/dev/null || true)
    line+=", peak RSS ${peak_mib:-?} MiB"
    if [[ -n ${METRICS_DIR:-} ]]; then
      mkdir -p "$METRICS_DIR"
      curl -s "http://127.0.0.1:$port/metrics" >"$METRICS_DIR/$(basename "$b").$r.txt" || true
    fi
    stop_server
    grep -h "not written" "$work/gs.log" >&2 || true
    if [[ $mode == stores ]]; then
      stored=$(psql_q gs_bench "SELECT count(*) FROM bars WHERE time > to_timestamp($last)")
      missing=$(psql_q gs_bench "SELECT count(*) FROM (SELECT symbol, timeframe, max(time) t
        FROM bars GROUP BY 1, 2) b WHERE NOT EXISTS (SELECT 1 FROM signals s WHERE
        s.symbol = b.symbol AND s.timeframe = b.timeframe AND s.as_of = b.t)")
      signals=$(psql_q gs_bench "SELECT count(DISTINCT (symbol, timeframe, as_of)) FROM signals
        WHERE as_of > to_timestamp($last)")
      stale=$(psql_q gs_bench "SELECT count(*) FROM (SELECT symbol, timeframe, max(time) t
        FROM bars GROUP BY 1, 2) b WHERE NOT EXISTS (SELECT 1 FROM latest_signals l WHERE
        l.symbol = b.symbol AND l.timeframe = b.timeframe AND l.as_of = b.t)")
      verdict=ok
      # Every acked bar is a row, every new bar has its signal, every series its newest in
      # the history and in latest_signals.
      ((stored >= acked && signals >= stored && missing == 0 && stale == 0)) || verdict=FAILED
      line+=", PostgreSQL: $stored new bars, $signals new signals, $missing series without"
      line+=" their newest signal, $stale without it in latest_signals: $verdict"
    fi
    echo "$line"
    head -3 "$work/wrk.err" >&2
    rates[$b]+="$rate "
    p99s[$b]+="$p99 "
  done
done

for b in "${binaries[@]}"; do
  # shellcheck disable=SC2086
  if [[ $mode == bulk ]]; then
    echo "median $b: $(median ${rates[$b]}) rows/s"
  else
    echo "median $b: $(median ${rates[$b]}) bars/s, p99 $(median ${p99s[$b]}) ms"
  fi
done
