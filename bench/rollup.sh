#!/usr/bin/env bash
# Issue 16's cost figure: roll-up and provisional signals on top of the ingest path, at issue
# 12's ingest load (bench/ingest.sh: wrk, 32 connections, one new bar per request,
# round-robin over the symbols). One binary in three configurations, side by side in one run
# (ingest.sh alternates them round by round; medians per configuration):
#   plain        GS_ROLLUP=false: 1-minute bars ingested alone
#   rollup       GS_ROLLUP=true, provisional signals off: each 1m bar also updates the forming
#                5m..1w bars and closes those that are due; each closed one is ingested (signal
#                computed, cached, streamed) like a posted bar
#   provisional  GS_ROLLUP=true and provisional signals at the default rate (at most one per
#                derived series per second): the forming bars' provisional signals as well
# The bars are live-dated (the preload ends at the current minute) so that the periods rolled
# up are current ones, as with a live feed: past-dated bars would close or correct old periods
# with every post.
#   bench/rollup.sh [MODE [SYMBOLS [HELD [BINARY]]]]
#     defaults: standalone 1000 300 build/goldensignals; MODE as ingest.sh's (stores: with
#     Redis and PostgreSQL; its checks then count the derived bars and signals too)
# Environment: as bench/ingest.sh (ROUNDS, DURATION, SERVER_CPUS, CLIENT_CPUS, ...).
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
mode=${1:-standalone}
symbols=${2:-1000}
held=${3:-300}
binary=$(realpath "${4:-$repo/build/goldensignals}")
[[ -x $binary ]] || { echo "no binary at $binary" >&2; exit 2; }

configs=$(mktemp -d)
trap 'rm -rf "$configs"' EXIT
# One executable per configuration (ingest.sh compares executables): the settings, then exec.
make_config() {  # make_config NAME ROLLUP PROVISIONAL_INTERVAL_MS
  printf '#!/bin/sh\nexec env GS_ROLLUP=%s GS_PROVISIONAL_INTERVAL_MS=%s "%s" "$@"\n' \
    "$2" "$3" "$binary" >"$configs/$1"
  chmod +x "$configs/$1"
}
make_config plain false 0
make_config rollup true 0
make_config provisional true 1000

now=$(date +%s)
START=$((now / 60 * 60 - held * 60)) TIMEFRAME=1m STEP=60 \
  "$repo/bench/ingest.sh" "$mode" "$symbols" "$held" \
  "$configs/plain" "$configs/rollup" "$configs/provisional"
