#!/usr/bin/env bash
# The GoldenSignals HTTP API from the shell, one curl per route. Each command is printed before
# it runs, so this reads as a transcript.
#   ./curl.sh [BASE_URL]          (default http://127.0.0.1:8080; or GS_URL)
#   GS_API_TOKEN   the write token, when the service has one (POST and DELETE need it)
#   GS_READ_TOKEN  the read token, when the service has one
# It loads 300 synthetic daily bars as CURLEX, reads them back every way, and deletes CURLEX at
# the end. Exit status: non-zero at the first request that fails.
set -euo pipefail
base=${1:-${GS_URL:-http://127.0.0.1:8080}}
symbol=CURLEX
auth=()
read_auth=()
[[ -n "${GS_API_TOKEN:-}" ]] && auth=(-H "Authorization: Bearer $GS_API_TOKEN")
[[ -n "${GS_READ_TOKEN:-}" ]] && read_auth=(-H "Authorization: Bearer $GS_READ_TOKEN")

run() {  # prints the command (tokens as variables), then runs it
  local shown="\$ curl" arg
  for arg in "$@"; do
    # shellcheck disable=SC2016  # the variable names are shown, not expanded
    case $arg in
      "Authorization: Bearer ${GS_API_TOKEN:-}") arg='Authorization: Bearer $GS_API_TOKEN' ;;
      "Authorization: Bearer ${GS_READ_TOKEN:-}") arg='Authorization: Bearer $GS_READ_TOKEN' ;;
    esac
    arg=${arg//$base/\$BASE}
    [[ $arg == *[\ \&\?\$]* ]] && arg="'$arg'"
    shown+=" $arg"
  done
  echo "$shown"
  curl -sS --fail-with-body "$@"
  echo
}

echo "# Is it up? /healthz is the process, /readyz its dependencies."
run "$base/healthz"
run "$base/readyz"

echo "# Load bars: CSV (or a JSON array) with the header time,open,high,low,close,volume."
bars=$(mktemp)
trap 'rm -f "$bars"' EXIT
awk 'BEGIN {
  print "time,open,high,low,close,volume"
  c = 100
  for (i = 0; i < 300; i++) {
    o = c; c = o * (1 + sin(i / 9) * 0.01 + 0.001)
    h = (o > c ? o : c) * 1.004; l = (o < c ? o : c) * 0.996
    printf "%d,%.4f,%.4f,%.4f,%.4f,%d\n", 1704067200 + i * 86400, o, h, l, c, 100000 + i * 250
  } }' >"$bars"
run -X POST "${auth[@]}" -H 'Content-Type: text/csv' --data-binary "@$bars" \
  "$base/v1/bars/$symbol?timeframe=1d"

echo "# The consensus signal (add &agents=true for the 51 agents' own results)."
run "${read_auth[@]}" "$base/v1/signals/$symbol?timeframe=1d&agents=false"
echo "# Several symbols at once; unknown ones are listed under \"missing\"."
run "${read_auth[@]}" "$base/v1/signals?symbols=$symbol,NOSUCH&timeframe=1d"
echo "# One agent's indicator series, aligned with the bars."
run "${read_auth[@]}" "$base/v1/indicators/$symbol?agent=rsi&timeframe=1d&limit=3"
echo "# The universe and a scan over it."
run "${read_auth[@]}" "$base/v1/symbols?prefix=CURL&limit=10"
run "${read_auth[@]}" "$base/v1/scan?timeframe=1d&sort=-score&limit=5"
echo "# The bars back, as CSV that POST takes again."
run "${read_auth[@]}" "$base/v1/bars/$symbol?timeframe=1d&limit=3&format=csv"
echo "# The live stream for 2 seconds: the current signal as a snapshot, then new ones."
echo "\$ curl -N --max-time 2 \$BASE/v1/stream?symbols=$symbol&timeframe=1d"
curl -sS -N --max-time 2 "${read_auth[@]}" "$base/v1/stream?symbols=$symbol&timeframe=1d" || true
echo
echo "# Stored signals, newest first (needs PostgreSQL: 503 storage_unavailable without it)."
echo "\$ curl \$BASE/v1/signals/$symbol/history?timeframe=1d&limit=1"
curl -sS "${read_auth[@]}" "$base/v1/signals/$symbol/history?timeframe=1d&limit=1"
echo
echo "# Errors are JSON with a code: a symbol with no bars."
echo "\$ curl \$BASE/v1/signals/NOSUCH"
curl -sS "${read_auth[@]}" "$base/v1/signals/NOSUCH"
echo
echo "# Remove the series everywhere it is kept."
run -X DELETE "${auth[@]}" "$base/v1/bars/$symbol?timeframe=1d"
