#!/usr/bin/env bash
# Installs what is missing, builds, starts a throwaway Redis and PostgreSQL on loopback,
# checks formatting and runs every test with CTest. Exits non-zero on any failure.
#
#   ./scripts/test.sh              Release build in build/, all tests
#   ./scripts/test.sh --sanitize   also an address+undefined sanitizer build in build-asan/
set -euo pipefail
cd "$(dirname "$0")/.."

sanitize=0
for arg in "$@"; do
  case "$arg" in
    --sanitize) sanitize=1 ;;
    *) echo "usage: $0 [--sanitize]" >&2; exit 2 ;;
  esac
done

./scripts/install_deps.sh test
# The browser test's one npm package (playwright-core, pinned by the lock file).
if [[ ! -d tests/browser/node_modules/playwright-core ]]; then
  (cd tests/browser && npm ci --no-audit --no-fund --loglevel=error)
fi

echo "== deployment files (compose, nginx, Dockerfile)"
./scripts/check_deploy.sh

echo "== format check"
mapfile -t sources < <(find src include tests bench -name '*.cpp' -o -name '*.h' | sort)
clang-format --dry-run --Werror "${sources[@]}"

echo "== build"
jobs=$(nproc)
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"$jobs"

# shellcheck source=scripts/lib/services.sh
source scripts/lib/services.sh
trap stop_services EXIT
echo "== services"
start_redis
start_postgres
export GS_BINARY="$PWD/build/goldensignals"

echo "== tests"
ctest --test-dir build --output-on-failure -j"$jobs" --timeout 600

if ((sanitize)); then
  echo "== sanitizer build"
  cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DGS_SANITIZE=address,undefined \
    -DGS_BUILD_BENCH=OFF >/dev/null
  cmake --build build-asan -j"$jobs"
  GS_BINARY="$PWD/build-asan/goldensignals" \
    ASAN_OPTIONS=detect_leaks=1 LSAN_OPTIONS="suppressions=$PWD/tests/lsan.supp" \
    UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
    ctest --test-dir build-asan --output-on-failure -j"$jobs" --timeout 900
fi
echo "== all tests passed"
