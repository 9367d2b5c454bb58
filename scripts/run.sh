#!/usr/bin/env bash
# Installs what is missing, builds, and runs the service on port 8080 in its embedded
# default: no Redis, no PostgreSQL, in-process cache and pub/sub. Ctrl-C stops it.
# Extra arguments go to the service (see --help); GS_* environment variables work too.
set -euo pipefail
cd "$(dirname "$0")/.."

./scripts/install_deps.sh build
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"$(nproc)" --target goldensignals
exec ./build/goldensignals "$@"
