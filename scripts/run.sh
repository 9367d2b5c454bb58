#!/usr/bin/env bash
# Installs what is missing, builds, and runs the service on port 8080 in its embedded
# default: no Redis, no PostgreSQL, in-process cache and pub/sub, demo bars and a simulated
# feed. Ctrl-C stops it.
# Extra arguments go to the service (see --help); GS_* environment variables work too.
set -euo pipefail
cd "$(dirname "$0")/.."

./scripts/install_deps.sh build
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"$(nproc)" --target goldensignals
# A simulated feed (synthetic random walks, symbols SIM01..SIM05) so signals move on the
# dashboard at http://localhost:8080/ without any set-up; GS_FEED=none turns it off.
export GS_FEED="${GS_FEED:-sim:5:2000}"
[[ "$GS_FEED" == none ]] && export GS_FEED=
exec ./build/goldensignals "$@"
