#!/usr/bin/env bash
# The compose topology without containers: the repo's docker/nginx.conf (upstream and
# listen lines rewritten to loopback ports) in front of two instances sharing one Redis and
# one PostgreSQL. REST and SSE work through nginx, and when the instance holding a stream
# stops, the client resumes through the other with nothing missed.
set -euo pipefail
binary="${1:?usage: $0 path/to/goldensignals}"
repo="$(cd "$(dirname "$0")/../.." && pwd)"
# shellcheck source=tests/cluster/lib.sh
source "$repo/tests/cluster/lib.sh"
fail_logs=("$work/nginx/error.log")
fail_tail=15
cleanup_extra() {
  [[ -f "$work/nginx/nginx.pid" ]] && kill "$(cat "$work/nginx/nginx.pid")" 2>/dev/null || true
}

start_redis >/dev/null
start_postgres >/dev/null
instance_flags=(--redis-url="$GS_TEST_REDIS_URL" --database-url="$GS_TEST_DATABASE_URL"
  --heartbeat-ms=500)

start_instance a
start_instance b

# The repo's nginx.conf, its marked lines pointed at loopback and a temp dir.
ngx="$work/nginx"
mkdir -p "$ngx"
nginx_port=$(free_port)
temp_paths="    client_body_temp_path $ngx/client_body;\n    proxy_temp_path $ngx/proxy;"
for module in fastcgi uwsgi scgi; do
  [[ "$(nginx -V 2>&1)" == *"--without-http_${module}_module"* ]] ||
    temp_paths+="\n    ${module}_temp_path $ngx/${module};"
done
sed -E \
  -e "s|^([[:space:]]*)server[[:space:]].*# gs:upstream\$|\\1server 127.0.0.1:$port_a max_fails=1 fail_timeout=2s;\\n\\1server 127.0.0.1:$port_b max_fails=1 fail_timeout=2s;|" \
  -e "s|^([[:space:]]*)listen[[:space:]].*# gs:listen\$|\\1listen 127.0.0.1:$nginx_port;|" \
  -e "s|^([[:space:]]*)pid[[:space:]].*# gs:pid\$|\\1pid $ngx/nginx.pid;|" \
  -e "s|^([[:space:]]*)access_log[[:space:]]+[^[:space:]]+(.*)# gs:access-log\$|\\1access_log $ngx/access.log\\2|" \
  -e "s|^worker_rlimit_nofile.*|worker_rlimit_nofile 4096;|" \
  -e "0,/^http \\{/ s|^http \\{|http {\\n${temp_paths}|" \
  "$repo/docker/nginx.conf" >"$ngx/nginx.conf"
nginx -p "$ngx/" -e "$ngx/error.log" -c "$ngx/nginx.conf" || fail "nginx did not start"
base="http://127.0.0.1:$nginx_port"
wait_for 10 curl -sf "$base/healthz" || fail "nginx does not reach the instances"

echo "== REST through nginx"
{
  echo "time,open,high,low,close,volume"
  for i in $(seq 0 299); do
    echo "$(((18000 + i) * 86400)),$((100 + i % 9)).5,$((110 + i % 9)),$((95 + i % 9)),$((101 + i % 9)),$((1000 + i))"
  done
} >"$work/bars.csv"
code=$(curl -s -o "$work/post.out" -w '%{http_code}' -X POST -H 'Content-Type: text/csv' \
  --data-binary "@$work/bars.csv" "$base/v1/bars/NGX")
[[ "$code" == 200 ]] || fail "POST through nginx: $code $(cat "$work/post.out")"
for _ in 1 2 3 4; do  # both instances answer (least_conn spreads; any order)
  curl -sf "$base/v1/signals/NGX?agents=false" | grep -q '"symbol":"NGX"' || fail "GET through nginx"
done
curl -sf "$base/" -o "$work/index.html" && grep -qi "<html" "$work/index.html" || fail "dashboard through nginx"

echo "== SSE through nginx survives losing the instance that holds it"
curl -sN --max-time 60 "$base/v1/stream?symbols=NGX" >"$work/stream1.txt" &
stream_pid=$!
for _ in $(seq 1 50); do grep -q '^event: signal' "$work/stream1.txt" && break; sleep 0.1; done
grep -q '^event: signal' "$work/stream1.txt" || fail "no snapshot through nginx"
# Which instance holds it: the one with an open stream in its metrics.
holder=""
for name in a b; do
  eval "port=\$port_$name"
  open=$(curl -s "http://127.0.0.1:$port/metrics" | awk '$1 == "gs_sse_streams_open" { print $2 }')
  [[ "${open:-0}" -ge 1 ]] && holder=$name
done
[[ -n "$holder" ]] || fail "no instance reports the open stream"
other=$([[ $holder == a ]] && echo b || echo a)
last_id=$(grep '^id: ' "$work/stream1.txt" | tail -1 | cut -d' ' -f2)
eval "kill -TERM \$pid_$holder"
eval "wait \$pid_$holder" 2>/dev/null || true
wait "$stream_pid" 2>/dev/null || true  # the stream ends with its instance
# Bars arrive while the client is away; nginx sends the POST to the survivor.
printf 'time,open,high,low,close,volume\n%d,120,130,110,125,5000\n' $((18300 * 86400)) >"$work/bar2.csv"
code=""
for _ in $(seq 1 20); do
  code=$(curl -s -o /dev/null -w '%{http_code}' -X POST -H 'Content-Type: text/csv' \
    --data-binary "@$work/bar2.csv" "$base/v1/bars/NGX")
  [[ "$code" == 200 ]] && break
  sleep 0.2
done
[[ "$code" == 200 ]] || fail "POST after losing $holder: $code"
curl -sN --max-time 3 -H "Last-Event-ID: $last_id" "$base/v1/stream?symbols=NGX" \
  >"$work/stream2.txt" || true
events=$(grep -c '^event: signal' "$work/stream2.txt" || true)
[[ "$events" -eq 1 ]] || fail "resumed through nginx: $events signal events, want the 1 missed"
day=$(date -u -d "@$((18300 * 86400))" +%Y-%m-%dT%H:%M:%SZ)
grep -q "$day" "$work/stream2.txt" || fail "resumed stream lacks the missed signal"
eval "survivor_port=\$port_$other"
echo "stream resumed on instance $other (port $survivor_port) after $holder stopped"

echo "== nginx logs paths without query strings (a stream's ?access_token= must not land there)"
curl -s -o /dev/null "$base/v1/signals?symbols=NGX&access_token=secret-in-url" || true
for _ in $(seq 1 20); do grep -q 'GET /v1/signals HTTP/1.1' "$ngx/access.log" && break; sleep 0.1; done
grep -q '"GET /v1/signals HTTP/1.1"' "$ngx/access.log" || fail "access log lacks the request's path"
grep -q '"GET /v1/stream HTTP/1.1"' "$ngx/access.log" || fail "access log lacks the stream's path"
if grep -qE 'secret-in-url|symbols=' "$ngx/access.log"; then
  fail "nginx access log keeps query strings: $(grep -m1 -E 'secret-in-url|symbols=' "$ngx/access.log")"
fi
echo "nginx topology test passed"
