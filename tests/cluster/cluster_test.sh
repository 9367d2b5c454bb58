#!/usr/bin/env bash
# Two instances sharing a private Redis and PostgreSQL, driven with curl as clients would:
# every cache tier answers (X-Cache), bars posted to A are what B serves, a signal computed
# on A is an L2 hit on B, L3 answers once Redis has forgotten, history pages, and Redis and
# PostgreSQL each stopped and restarted mid-run lose nothing acked.
set -euo pipefail
binary="${1:?usage: $0 path/to/goldensignals}"
repo="$(cd "$(dirname "$0")/../.." && pwd)"
# shellcheck source=tests/cluster/lib.sh
source "$repo/tests/cluster/lib.sh"

start_redis >/dev/null
start_postgres >/dev/null
instance_flags=(--redis-url="$GS_TEST_REDIS_URL" --database-url="$GS_TEST_DATABASE_URL")

post_bars() { post_csv "$1" "$2" "$3" timeframe=1d; }  # post_bars PORT SYMBOL CSV_FILE -> status

# get_signal PORT SYMBOL -> sets cache_tier, as_of
get_signal() {
  curl -s -D "$work/headers" -o "$work/signal.json" "http://127.0.0.1:$1/v1/signals/$2?agents=false"
  cache_tier=$(tr -d '\r' <"$work/headers" | sed -n 's/^X-Cache: //Ip')
  as_of=$(sed -n 's/.*"as_of":"\([^"]*\)".*/\1/p' "$work/signal.json")
}

day() { date -u -d "@$(($1 * 86400))" +%Y-%m-%dT%H:%M:%SZ; }

metric() {  # metric PORT NAME_WITH_LABELS
  curl -s "http://127.0.0.1:$1/metrics" | awk -v m="$2" '$1 == m { print $2 }'
}

start_instance a
start_instance b
echo "instances on $port_a and $port_b"

echo "== bars posted to A are what B serves; A's signal is an L2 hit on B"
csv_bars 300 100 0.2 17000 >"$work/bars1.csv"
[[ $(post_bars "$port_a" ACME "$work/bars1.csv") == 200 ]] || fail "POST to A: $(cat "$work/post.out")"
get_signal "$port_a" ACME
[[ "$cache_tier" == L1 ]] || fail "A after its own POST: X-Cache $cache_tier, want L1"
get_signal "$port_b" ACME
[[ "$cache_tier" == L2 ]] || fail "B first read: X-Cache $cache_tier, want L2"
[[ -n "$as_of" ]] || fail "B answered without as_of"
want_as_of="$as_of"
get_signal "$port_b" ACME
[[ "$cache_tier" == L1 ]] || fail "B second read: X-Cache $cache_tier, want L1"

echo "== B answers A's signal with its agents: the tiers kept A's summary, B recomputes the agents"
curl -s -o "$work/full_a.json" "http://127.0.0.1:$port_a/v1/signals/ACME"
curl -s -o "$work/full_b.json" "http://127.0.0.1:$port_b/v1/signals/ACME"
python3 - "$work/full_a.json" "$work/full_b.json" <<'PY' || fail "B's body with agents is not A's signal"
import json, math, sys
a, b = (json.load(open(path)) for path in sys.argv[1:])
agents_a, agents_b = a.pop("agents"), b.pop("agents")
# The summary (consensus, votes, computed_at) is A's.
assert a == b, (a, b)
assert len(agents_a) == len(agents_b) == 51, (len(agents_a), len(agents_b))
for x, y in zip(agents_a, agents_b):
    # The same bars: the same vote; the numbers equal to the parity tests' 1e-9 relative.
    assert (x["name"], x["action"]) == (y["name"], y["action"]), (x, y)
    for k in ("confidence", "score"):
        same = x[k] == y[k] or (None not in (x[k], y[k]) and
                                math.isclose(x[k], y[k], rel_tol=1e-9, abs_tol=1e-12))
        assert same, (x["name"], k, x[k], y[k])
PY

echo "== a new bar on A: B answers from the new bar at once"
printf 'time,open,high,low,close,volume\n%d,160,175,150,170,50000\n' $((17300 * 86400)) >"$work/bar2.csv"
[[ $(post_bars "$port_a" ACME "$work/bar2.csv") == 200 ]] || fail "second POST"
get_signal "$port_b" ACME
[[ "$as_of" == "$(day 17300)" ]] || fail "B after new bar: as_of $as_of (was $want_as_of)"

echo "== B keeps bar versions locally (CLIENT TRACKING) and still answers from every bar A acked"
# Both instances' invalidation connections: subscribed (P) with broadcast tracking (t, B) on
# themselves.
for _ in $(seq 1 50); do
  tracking=$(redis-cli -p "$GS_REDIS_PORT" client list |
    grep -E 'flags=[A-Za-z]*P' | grep -E 'flags=[A-Za-z]*t' | grep -cE 'flags=[A-Za-z]*B' || true)
  [[ "$tracking" -ge 2 ]] && break
  sleep 0.1
done
[[ "$tracking" -ge 2 ]] || fail "$tracking tracking connections in Redis, want one per instance"
[[ $(post_bars "$port_a" TRK "$work/bars1.csv") == 200 ]] || fail "POST TRK"
# ack_then_read N: B reads (and keeps the version record), A acks bar N, B reads again at once.
ack_then_read() {
  local d=$((17300 + $1))
  get_signal "$port_b" TRK
  printf 'time,open,high,low,close,volume\n%d,160,175,150,%d,50000\n' $((d * 86400)) $((160 + $1 % 10)) >"$work/bar_t.csv"
  [[ $(post_bars "$port_a" TRK "$work/bar_t.csv") == 200 ]] || fail "POST TRK bar $1: $(cat "$work/post.out")"
  get_signal "$port_b" TRK
  [[ "$as_of" == "$(day "$d")" ]] || fail "B right after A acked TRK bar $1: as_of $as_of, want $(day "$d")"
}
for i in $(seq 1 10); do ack_then_read "$i"; done

echo "== L3: Redis forgets, a fresh instance answers from PostgreSQL"
# count_rows URL: signals in a history page; 0 (not an exit under pipefail) when there are none.
count_rows() { curl -s "$1" | { grep -o '"as_of"' || true; } | wc -l; }
for _ in $(seq 1 100); do  # the signal row is written behind the request
  rows=$(count_rows "http://127.0.0.1:$port_a/v1/signals/ACME/history?limit=10")
  [[ "$rows" -ge 2 ]] && break
  sleep 0.1
done
[[ "$rows" -ge 2 ]] || fail "history has $rows rows, want 2"
redis-cli -p "$GS_REDIS_PORT" flushall >/dev/null
start_instance c
get_signal "$port_c" ACME
[[ "$cache_tier" == L3 ]] || fail "C first read after FLUSHALL: X-Cache $cache_tier, want L3"
[[ "$as_of" == "$(day 17300)" ]] || fail "C as_of $as_of"

echo "== a MISS computes once and fills the tiers"
csv_bars 120 50 0.2 18000 >"$work/bars3.csv"
# Straight into PostgreSQL via A, then read by C: C lacks the series and loads it.
[[ $(post_bars "$port_a" NEWCO "$work/bars3.csv") == 200 ]] || fail "POST NEWCO"
redis-cli -p "$GS_REDIS_PORT" flushall >/dev/null
get_signal "$port_c" NEWCO
[[ "$cache_tier" == L3 || "$cache_tier" == MISS ]] || fail "C NEWCO: X-Cache $cache_tier"

echo "== 100 concurrent misses of one key compute once"
echo '{"thresholds": {"buy": 0.12}}' >"$work/other_config.json"
start_instance d --consensus-config="$work/other_config.json"
before=$(metric "$port_d" gs_signal_computations_total)
seq 1 100 | xargs -P 100 -I{} curl -s -o /dev/null "http://127.0.0.1:$port_d/v1/signals/ACME?agents=false"
after=$(metric "$port_d" gs_signal_computations_total)
[[ $((after - before)) -eq 1 ]] || fail "100 concurrent misses computed $((after - before)) times"
kill -TERM "$pid_d"
wait "$pid_d" 2>/dev/null || true

echo "== history pages: newest first, no gap, no duplicate"
for i in $(seq 1 12); do
  printf 'time,open,high,low,close,volume\n%d,160,175,150,%d,50000\n' $(((17300 + i) * 86400)) $((160 + i)) >"$work/bar_i.csv"
  [[ $(post_bars "$port_a" ACME "$work/bar_i.csv") == 200 ]] || fail "POST bar $i"
done
for _ in $(seq 1 50); do
  total=$(count_rows "http://127.0.0.1:$port_b/v1/signals/ACME/history?limit=1000")
  [[ "$total" -ge 14 ]] && break
  sleep 0.1
done
[[ "$total" -ge 14 ]] || fail "history total $total, want >= 14"
# Pages of 5 joined must equal one page of everything: same rows, same order.
python3 - "http://127.0.0.1:$port_b/v1/signals/ACME/history" <<'PY' || fail "history paging"
import json, sys, urllib.request
base = sys.argv[1]
def get(url):
    return json.load(urllib.request.urlopen(url))
everything = [(s["as_of"], s["computed_at"]) for s in get(base + "?limit=1000")["signals"]]
paged, cursor, pages = [], None, 0
while True:
    page = get(base + "?limit=5" + (f"&cursor={cursor}" if cursor else ""))
    paged += [(s["as_of"], s["computed_at"]) for s in page["signals"]]
    pages += 1
    cursor = page["next_cursor"]
    if cursor is None or pages > 50:
        break
assert pages >= 3, f"{pages} pages"
assert paged == everything, "paged history differs from the full page"
assert [a for a, _ in paged] == sorted((a for a, _ in paged), reverse=True), "not newest first"
print(f"history: {len(paged)} rows in {pages} pages")
PY
[[ $(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port_b/v1/signals/ACME/history?cursor=zz") == 400 ]] ||
  fail "bad cursor not 400"

echo "== a stream on B gets a signal made from bars posted to A, and resumes on A after B stops"
curl -sN --max-time 60 "http://127.0.0.1:$port_b/v1/stream?symbols=ACME" >"$work/stream_b.txt" &
stream_pid=$!
for _ in $(seq 1 50); do grep -q '^event: signal' "$work/stream_b.txt" && break; sleep 0.1; done
printf 'time,open,high,low,close,volume\n%d,160,175,150,165,50000\n' $((17350 * 86400)) >"$work/bar_s1.csv"
[[ $(post_bars "$port_a" ACME "$work/bar_s1.csv") == 200 ]] || fail "POST for stream"
for _ in $(seq 1 50); do grep -q "$(day 17350)" "$work/stream_b.txt" && break; sleep 0.1; done
grep -q "$(day 17350)" "$work/stream_b.txt" || fail "B's stream did not get the signal posted to A"
last_id=$(grep '^id: ' "$work/stream_b.txt" | tail -1 | cut -d' ' -f2)
kill "$stream_pid" 2>/dev/null || true
kill -TERM "$pid_b"
wait "$pid_b" 2>/dev/null || true
# Missed while disconnected: it must come on resume, once, with no snapshot first.
printf 'time,open,high,low,close,volume\n%d,160,175,150,166,50000\n' $((17351 * 86400)) >"$work/bar_s2.csv"
[[ $(post_bars "$port_a" ACME "$work/bar_s2.csv") == 200 ]] || fail "POST while B is down"
curl -sN --max-time 3 -H "Last-Event-ID: $last_id" \
  "http://127.0.0.1:$port_a/v1/stream?symbols=ACME" >"$work/stream_a.txt" || true
events=$(grep -c '^event: signal' "$work/stream_a.txt" || true)
[[ "$events" -eq 1 ]] || fail "resumed stream on A sent $events signal events, want exactly the missed one"
grep -q "$(day 17351)" "$work/stream_a.txt" || fail "resumed stream lacks the missed signal"
first_id=$(grep '^id: ' "$work/stream_a.txt" | head -1 | cut -d' ' -f2)
[[ "$first_id" -gt "$last_id" ]] || fail "resumed id $first_id not after $last_id"
start_instance b

echo "== Redis stopped mid-run: every request still answers"
redis-cli -p "$GS_REDIS_PORT" shutdown nosave >/dev/null 2>&1 || true
sleep 0.3
for i in $(seq 1 20); do
  code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "http://127.0.0.1:$port_b/v1/signals/ACME")
  [[ "$code" == 200 ]] || fail "signal with Redis down: $code"
done
printf 'time,open,high,low,close,volume\n%d,160,175,150,171,50000\n' $((17400 * 86400)) >"$work/bar4.csv"
[[ $(post_bars "$port_a" ACME "$work/bar4.csv") == 200 ]] || fail "POST with Redis down: $(cat "$work/post.out")"
code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port_a/readyz")
[[ "$code" == 503 ]] || sleep 2.5
curl -s "http://127.0.0.1:$port_a/readyz" | grep -q '"redis":"down"' || fail "readyz does not say redis down"
redis-server --port "$GS_REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no --daemonize yes \
  --pidfile "$GS_SERVICES_DIR/redis/redis.pid" --logfile "$GS_SERVICES_DIR/redis/redis.log" \
  --dir "$GS_SERVICES_DIR/redis"
wait_for 10 redis-cli -p "$GS_REDIS_PORT" ping || fail "redis restart"
ok=""
for _ in $(seq 1 60); do
  curl -s "http://127.0.0.1:$port_a/readyz" | grep -q '"redis":"up"' && { ok=1; break; }
  sleep 0.2
done
[[ -n "$ok" ]] || fail "redis not back up in readyz"
for _ in $(seq 1 60); do  # B's connections too (its tracking falls back to a read per request meanwhile)
  curl -s "http://127.0.0.1:$port_b/readyz" | grep -q '"redis":"up"' && break
  sleep 0.2
done
# A acked bar4 while Redis was down: no record, no message reached B, and the restart left no
# record at all. B finds the record absent and asks PostgreSQL, which has every acked bar.
get_signal "$port_b" ACME
[[ "$as_of" == "$(day 17400)" ]] || fail "B after A acked with Redis down: as_of $as_of, want $(day 17400)"

echo "== Redis restarted between B's read and A's ack, and between A's ack and B's read"
# B kept TRK's version record before the restart: the restart must not leave it answering from it.
ack_then_read 20
get_signal "$port_b" TRK
printf 'time,open,high,low,close,volume\n%d,160,175,150,171,50000\n' $((17321 * 86400)) >"$work/bar_t.csv"
[[ $(post_bars "$port_a" TRK "$work/bar_t.csv") == 200 ]] || fail "POST TRK bar 21: $(cat "$work/post.out")"
redis-cli -p "$GS_REDIS_PORT" shutdown nosave >/dev/null 2>&1 || true
redis-server --port "$GS_REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no --daemonize yes \
  --pidfile "$GS_SERVICES_DIR/redis/redis.pid" --logfile "$GS_SERVICES_DIR/redis/redis.log" \
  --dir "$GS_SERVICES_DIR/redis"
wait_for 10 redis-cli -p "$GS_REDIS_PORT" ping || fail "redis restart"
get_signal "$port_b" TRK
[[ "$as_of" == "$(day 17321)" ]] || fail "B after A's ack and a Redis restart: as_of $as_of, want $(day 17321)"
for _ in $(seq 1 60); do
  curl -s "http://127.0.0.1:$port_a/readyz" | grep -q '"redis":"up"' &&
    curl -s "http://127.0.0.1:$port_b/readyz" | grep -q '"redis":"up"' && break
  sleep 0.2
done
ack_then_read 22

echo "== PostgreSQL stopped mid-run: reads answer, writes 503, nothing acked lost"
as_pg_owner "$GS_PG_BIN/pg_ctl" -D "$GS_SERVICES_DIR/pg/data" -m fast stop >/dev/null
for i in $(seq 1 10); do
  code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 "http://127.0.0.1:$port_b/v1/signals/ACME")
  [[ "$code" == 200 ]] || fail "signal with PostgreSQL down: $code"
done
printf 'time,open,high,low,close,volume\n%d,160,175,150,172,50000\n' $((17401 * 86400)) >"$work/bar5.csv"
code=$(post_bars "$port_a" ACME "$work/bar5.csv")
[[ "$code" == 503 ]] || fail "POST with PostgreSQL down: $code, want 503"
get_signal "$port_a" ACME
[[ "$as_of" == "$(day 17400)" ]] || fail "refused bar was stored: as_of $as_of"
as_pg_owner "$GS_PG_BIN/pg_ctl" -D "$GS_SERVICES_DIR/pg/data" -l "$GS_SERVICES_DIR/pg/postgres.log" -w \
  -o "-p $GS_PG_PORT -k $GS_SERVICES_DIR/pg -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200" \
  start >/dev/null
# pg_ctl -w returns once PostgreSQL accepts connections: from then on, how long until a write
# is accepted (the pool reconnects on demand; the target is 0.5 s, asserted in
# tests/integration/pg_outage_test.cpp; measured here with curl's own cost included).
back_ns=$(date +%s%N)
code=""
for _ in $(seq 1 250); do
  code=$(post_bars "$port_a" ACME "$work/bar5.csv")
  [[ "$code" == 200 ]] && break
  sleep 0.02
done
[[ "$code" == 200 ]] || fail "POST after PostgreSQL restart: $code"
echo "first write accepted $(( ($(date +%s%N) - back_ns) / 1000000 )) ms after PostgreSQL was back"

echo "== every acked bar and every computed signal is in PostgreSQL"
kill -TERM "$pid_a" "$pid_b" "$pid_c"
wait "$pid_a" "$pid_b" "$pid_c" || fail "an instance did not stop cleanly"
pids=()
# The posted 1d series (its 1w roll-up is stored too: docs/rollup.md).
bars=$(psql_q "SELECT count(*) FROM bars WHERE symbol = 'ACME' AND timeframe = '1d'")
[[ "$bars" -eq 317 ]] || fail "ACME bars in PostgreSQL: $bars, want 317 (every acked bar)"
signals=$(psql_q "SELECT count(DISTINCT as_of) FROM signals WHERE symbol = 'ACME'")
[[ "$signals" -ge 15 ]] || fail "ACME signals in PostgreSQL: $signals distinct as_of, want >= 15"
partition=$(psql_q "SELECT tableoid::regclass FROM signals ORDER BY created_at DESC LIMIT 1")
[[ "$partition" == signals_y* ]] || fail "newest signal row in $partition, want a monthly partition"
echo "cluster test passed"
