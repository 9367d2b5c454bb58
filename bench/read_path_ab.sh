#!/usr/bin/env bash
# Cached reads (issue 12): two goldensignals binaries and nginx serving the same bytes, like
# with like. Every server is pinned to CPU 0 with one I/O thread (nginx: one worker), wrk to
# CPU 1; rounds alternate A, B, nginx (the order rotating); medians per server, and the
# median of each round's own ratios.
#   bench/read_path_ab.sh A_BINARY B_BINARY [rounds] [seconds] [-- extra goldensignals flags]
# Extra flags go to both binaries, e.g. `-- --redis-url=redis://127.0.0.1:6379
# --database-url=postgresql://postgres@127.0.0.1:5432/postgres` for the compose topology,
# or `-- --access-log=true` (the default here is off, as in section 3). A_FLAGS and B_FLAGS
# (environment, space-separated) go to one binary only, e.g. B_FLAGS=--redis-tracking=false.
# METRICS_DIR (environment): A's and B's /metrics after the rounds, as METRICS_DIR/{a,b}.txt.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
a_bin=$1
b_bin=$2
rounds=${3:-5}
seconds=${4:-5}
shift $(($# < 4 ? $# : 4))
[[ "${1:-}" == "--" ]] && shift
extra=("$@")
command -v wrk >/dev/null || { echo "wrk is needed" >&2; exit 2; }
command -v nginx >/dev/null || { echo "nginx is needed" >&2; exit 2; }
# shellcheck source=bench/lib/peer.sh
source "$repo/bench/lib/peer.sh"

work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  [[ -f "$work/nginx.pid" ]] && kill "$(cat "$work/nginx.pid")" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

start_gs() {  # start_gs BINARY LOG VAR FLAGS: sets VAR to the port (no subshell: pids must stay)
  # shellcheck disable=SC2086
  taskset -c "$server_cpus" "$1" --port=0 --bind=127.0.0.1 --threads=1 --compute-threads=1 \
    --access-log=false --log-level=warn --demo-dir="$repo/data/demo" \
    --static-dir="$repo/web" "${extra[@]}" $4 >"$2" 2>&1 &
  local pid=$! port
  pids+=("$pid")
  port=$(listening_port "$pid")
  [[ -n "$port" ]] || { echo "$1 did not start" >&2; cat "$2" >&2; exit 1; }
  printf -v "$3" '%s' "$port"
}
start_gs "$a_bin" "$work/a.log" port_a "${A_FLAGS:-}"
start_gs "$b_bin" "$work/b.log" port_b "${B_FLAGS:-}"
url_a="http://127.0.0.1:$port_a/v1/signals/DEMO"
url_b="http://127.0.0.1:$port_b/v1/signals/DEMO"
for url in "$url_a" "$url_b"; do
  curl -sf "$url" -o "$work/signal.json"  # computes once; later reads are L1 hits
  [[ "$(curl -s -D - -o /dev/null "$url" | tr -d '\r' | sed -n 's/^X-Cache: //p')" == L1 ]]
done

mkdir -p "$work/www"
cp "$work/signal.json" "$work/www/signal.json"
nginx_port=$((port_b + 1))
start_nginx_peer "$work" "$nginx_port"
url_n="http://127.0.0.1:$nginx_port/signal.json"
curl -sf "$url_n" -o /dev/null
echo "body $(stat -c %s "$work/signal.json") bytes; A=$a_bin ${A_FLAGS:-} B=$b_bin ${B_FLAGS:-}; extra: ${extra[*]:-none}"
echo "wrk -t1 -c64 -d${seconds}s on CPU $client_cpus, servers on CPU $server_cpus (nginx tuned: bench/lib/peer.sh), $rounds rounds"

ra=(); rb=(); rn=(); pa=(); pb=(); pn=(); qa=(); qb=()
run_server() {  # run_server a|b|n: one wrk run of that server, appended to its arrays
  local x y
  case $1 in
    a) read -r x y < <(run_wrk "$url_a"); ra+=("$x"); pa+=("$y") ;;
    b) read -r x y < <(run_wrk "$url_b"); rb+=("$x"); pb+=("$y") ;;
    n) read -r x y < <(run_wrk "$url_n"); rn+=("$x"); pn+=("$y") ;;
  esac
}
for r in $(seq 1 "$rounds"); do
  # The order rotates (A B nginx, B nginx A, nginx A B) so that no server always runs first
  # after a pause or last in a round.
  case $(((r - 1) % 3)) in
    0) order=(a b n) ;;
    1) order=(b n a) ;;
    2) order=(n a b) ;;
  esac
  for s in "${order[@]}"; do run_server "$s"; done
  # Each round's own ratios: the host's speed drifts between rounds, and a ratio of two runs
  # seconds apart cancels most of that drift; their median is the figure to quote.
  qa+=("$(awk -v a="${ra[-1]}" -v n="${rn[-1]}" 'BEGIN { printf "%.3f", a / n }')")
  qb+=("$(awk -v b="${rb[-1]}" -v n="${rn[-1]}" 'BEGIN { printf "%.3f", b / n }')")
  echo "round $r (${order[*]}): A ${ra[-1]} (p99 ${pa[-1]} ms)  B ${rb[-1]} (p99 ${pb[-1]} ms)  nginx ${rn[-1]} (p99 ${pn[-1]} ms)  A/nginx ${qa[-1]}  B/nginx ${qb[-1]}"
done
ma=$(median "${ra[@]}"); mb=$(median "${rb[@]}"); mn=$(median "${rn[@]}")
echo "median req/s: A $ma (p99 $(median "${pa[@]}") ms), B $mb (p99 $(median "${pb[@]}") ms), nginx $mn (p99 $(median "${pn[@]}") ms)"
awk -v a="$ma" -v b="$mb" -v n="$mn" 'BEGIN { printf "B/A %.3f  A/nginx %.2f  B/nginx %.2f\n", b / a, a / n, b / n }'
echo "median of the rounds' own ratios: A/nginx $(median "${qa[@]}")  B/nginx $(median "${qb[@]}")"
if [[ -n ${METRICS_DIR:-} ]]; then  # each server's /metrics after its rounds, e.g. how strict reads were made fresh
  mkdir -p "$METRICS_DIR"
  curl -s "http://127.0.0.1:$port_a/metrics" >"$METRICS_DIR/a.txt"
  curl -s "http://127.0.0.1:$port_b/metrics" >"$METRICS_DIR/b.txt"
fi
