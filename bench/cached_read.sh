#!/usr/bin/env bash
# Cached signal reads against nginx serving a file with the same bytes, side by side in one
# run (the ratio is the figure: these machines are shared and noisy).
#   bench/cached_read.sh [build/goldensignals] [seconds per round] [rounds]
# Both servers on CPU 0 (one I/O thread; nginx one worker, tuned as its docs advise:
# bench/lib/peer.sh), the same client on CPU 1: wrk -t1 -c64 on loopback, alternating rounds;
# medians. For two builds, or with Redis and PostgreSQL configured: bench/read_path_ab.sh.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
binary="${1:-$repo/build/goldensignals}"
seconds="${2:-10}"
rounds="${3:-3}"
command -v wrk >/dev/null || { echo "wrk is needed (scripts/install_deps.sh test)" >&2; exit 2; }
command -v nginx >/dev/null || { echo "nginx is needed (scripts/install_deps.sh test)" >&2; exit 2; }
# shellcheck source=bench/lib/peer.sh
source "$repo/bench/lib/peer.sh"

work=$(mktemp -d)
gs_pid=""
cleanup() {
  [[ -n "$gs_pid" ]] && kill "$gs_pid" 2>/dev/null || true
  [[ -f "$work/nginx.pid" ]] && kill "$(cat "$work/nginx.pid")" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

taskset -c "$server_cpus" "$binary" --port=0 --bind=127.0.0.1 --threads=1 --compute-threads=1 \
  --access-log=false --log-level=warn --demo-dir="$repo/data/demo" --static-dir="$repo/web" \
  >"$work/gs.log" 2>&1 &
gs_pid=$!
port=$(listening_port "$gs_pid")  # the port is logged at info level: ask the OS instead
[[ -n "$port" ]] || { echo "service did not start" >&2; cat "$work/gs.log" >&2; exit 1; }
url_gs="http://127.0.0.1:$port/v1/signals/DEMO"
curl -sf "$url_gs" -o "$work/signal.json"  # computes once; every later read is an L1 hit
[[ "$(curl -s -D - -o /dev/null "$url_gs" | tr -d '\r' | sed -n 's/^X-Cache: //p')" == L1 ]]

mkdir -p "$work/www"
cp "$work/signal.json" "$work/www/signal.json"
nginx_port=$((port + 1))
start_nginx_peer "$work" "$nginx_port"
url_nginx="http://127.0.0.1:$nginx_port/signal.json"
curl -sf "$url_nginx" -o /dev/null
bytes=$(stat -c %s "$work/signal.json")
echo "body: $bytes bytes (DEMO signal with 51 agents); wrk -t1 -c64 -d${seconds}s on CPU $client_cpus, servers on CPU $server_cpus, $rounds rounds each"

gs_rps=()
ng_rps=()
gs_p99=()
ng_p99=()
for r in $(seq 1 "$rounds"); do
  read -r a b < <(run_wrk "$url_gs")
  gs_rps+=("$a"); gs_p99+=("$b")
  read -r c d < <(run_wrk "$url_nginx")
  ng_rps+=("$c"); ng_p99+=("$d")
  echo "round $r: goldensignals $a req/s (p99 $b ms), nginx $c req/s (p99 $d ms)"
done
m_gs=$(median "${gs_rps[@]}")
m_ng=$(median "${ng_rps[@]}")
echo "median: goldensignals $m_gs req/s (p99 $(median "${gs_p99[@]}") ms), nginx $m_ng req/s (p99 $(median "${ng_p99[@]}") ms), ratio $(awk -v a="$m_gs" -v b="$m_ng" 'BEGIN { printf "%.2f", a / b }')"
