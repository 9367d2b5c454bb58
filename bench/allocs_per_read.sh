#!/usr/bin/env bash
# malloc calls per request on one keep-alive connection (2,000 requests after a warm-up).
#   bench/allocs_per_read.sh [build/goldensignals] [port] [path]
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
binary="${1:-$repo/build/goldensignals}"
port="${2:-18321}"
path="${3:-/v1/signals/DEMO}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# The counter wraps glibc's malloc: a binary linked with tcmalloc (GS_MALLOC, the default)
# frees through tcmalloc what the counter took from glibc, and its operator new bypasses malloc.
if ldd "$binary" | grep -q libtcmalloc; then
  echo "$binary links tcmalloc: count with a -DGS_MALLOC=system build" >&2
  exit 2
fi
gcc -O2 -shared -fPIC "$repo/bench/malloc_count.c" -o "$work/malloc_count.so"
LD_PRELOAD="$work/malloc_count.so" "$binary" --port="$port" --bind=127.0.0.1 --threads=1 \
  --compute-threads=1 --access-log=false --log-level=warn --demo-dir="$repo/data/demo" \
  --static-dir="$repo/web" 2>"$work/err" >/dev/null &
pid=$!
sleep 1
curl -s -o /dev/null "http://127.0.0.1:$port$path"
curl -s -o /dev/null "http://127.0.0.1:$port$path"
mapfile -t urls < <(for _ in $(seq 1 2000); do echo "http://127.0.0.1:$port$path"; done)
kill -USR2 "$pid"
sleep 0.2
curl -s "${urls[@]}" >/dev/null
kill -USR2 "$pid"
sleep 0.2
kill "$pid"
wait "$pid" 2>/dev/null || true
grep MALLOCS "$work/err" | awk -v b="$binary" \
  'NR==1 {a=$2} NR==2 {printf "%s: %.2f mallocs per request\n", b, ($2-a)/2000}'
