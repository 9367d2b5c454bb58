#!/usr/bin/env bash
# Installs what is missing, builds, starts a throwaway Redis and PostgreSQL on loopback,
# checks formatting and runs every test with CTest, then the sanitizer stages. Exits
# non-zero on any failure. CI (.ci/run) runs it without flags.
#
#   ./scripts/test.sh          Release build in build/ and all tests, then:
#                                - the whole suite again under ASan+UBSan (clang, build-asan/),
#                                - the concurrency tests under TSan (g++, build-tsan/),
#                                - every libFuzzer target for GS_FUZZ_SECONDS (20) on a copy
#                                  of its seed corpus (build-asan/fuzz/).
#   ./scripts/test.sh --quick  the Release build and tests only (for developers).
# (--sanitize, which used to opt in to the ASan stage, is still accepted and changes nothing.)
set -euo pipefail
cd "$(dirname "$0")/.."

quick=0
for arg in "$@"; do
  case "$arg" in
    --quick) quick=1 ;;
    --sanitize) ;;
    *) echo "usage: $0 [--quick]" >&2; exit 2 ;;
  esac
done

# Wall time of each stage, printed as it ends and summed up at the end.
stage_name=""
stage_start=$SECONDS
timings=()
stage() {
  if [[ -n "$stage_name" ]]; then
    timings+=("$(printf '%-28s %5ds' "$stage_name" $((SECONDS - stage_start)))")
  fi
  stage_name="$1"
  stage_start=$SECONDS
  [[ -n "$1" ]] && echo "== $1"
  return 0
}

stage "dependencies"
./scripts/install_deps.sh test
# The browser test's one npm package (playwright-core, pinned by the lock file).
if [[ ! -d tests/browser/node_modules/playwright-core ]]; then
  (cd tests/browser && npm ci --no-audit --no-fund --loglevel=error)
fi
# The Kubernetes checks' npm packages (kubernetes-models, yaml; pinned by the lock file).
if [[ ! -d tests/k8s/node_modules/kubernetes-models ]]; then
  (cd tests/k8s && npm ci --no-audit --no-fund --loglevel=error)
fi

# The API description's linter and validator (@redocly/cli, ajv; pinned by the lock file).
if [[ ! -d tests/openapi/node_modules/@redocly/cli ]]; then
  (cd tests/openapi && npm ci --no-audit --no-fund --loglevel=error)
fi

stage "deployment files (compose, nginx, Dockerfile)"
./scripts/check_deploy.sh

stage "monitoring (prometheus, alert rules, grafana dashboard)"
./scripts/check_monitoring.sh

stage "kubernetes manifests (deploy/k8s)"
tests/k8s/run.sh

stage "format check"
mapfile -t sources < <(find src include tests bench fuzz -name '*.cpp' -o -name '*.h' | sort)
clang-format --dry-run --Werror "${sources[@]}"

stage "build"
jobs=$(nproc)
# The three builds (Release, ASan+UBSan, TSan) through ccache: a later run, from any checkout
# (paths relative to the checkout), recompiles only what changed. PCH users need the
# sloppiness below to be cached at all.
launcher=()
if command -v ccache >/dev/null; then
  launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache)
  export CCACHE_BASEDIR="${CCACHE_BASEDIR:-$PWD}"
  export CCACHE_SLOPPINESS="${CCACHE_SLOPPINESS:-pch_defines,time_macros,include_file_mtime,include_file_ctime}"
fi
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release "${launcher[@]}" >/dev/null
cmake --build build -j"$jobs"

stage "runtime libraries"
./scripts/check_runtime_libs.sh build/goldensignals

# shellcheck source=scripts/lib/services.sh
source scripts/lib/services.sh
trap stop_services EXIT
stage "services"
start_redis
start_postgres
export GS_BINARY="$PWD/build/goldensignals"

stage "tests"
ctest --test-dir build --output-on-failure -j"$jobs" --timeout 600

if ((quick)); then
  stage ""
  printf '%s\n' "${timings[@]}"
  echo "== all tests passed (quick: sanitizer stages skipped)"
  exit 0
fi

# One clang build serves the ASan+UBSan suite and the fuzzers: everything is compiled with
# -fsanitize=address,undefined,fuzzer-no-link and only the fuzz targets link libFuzzer's
# main(). -O1 keeps the sanitized suite and the fuzzers fast without losing line numbers.
stage "asan+ubsan build (clang)"
CC=clang-14 CXX=clang++-14 cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug \
  -DCMAKE_CXX_FLAGS_DEBUG="-g -O1" -DGS_SANITIZE=address,undefined -DGS_FUZZ=ON \
  -DGS_BUILD_BENCH=OFF "${launcher[@]}" >/dev/null
cmake --build build-asan -j"$jobs"

stage "asan+ubsan tests"
export ASAN_OPTIONS=detect_leaks=1
export LSAN_OPTIONS="suppressions=$PWD/tests/lsan.supp"
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
GS_BINARY="$PWD/build-asan/goldensignals" \
  ctest --test-dir build-asan --output-on-failure -j"$jobs" --timeout 900

# Only the concurrency suites' own binaries (tests/CMakeLists.txt, gs_tsan_*): TSan checks the
# code that shares state between threads, and compiling the whole suite under it cost minutes.
stage "tsan build (g++)"
cmake -S . -B build-tsan -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG="-g -O1" \
  -DGS_SANITIZE=thread -DGS_BUILD_BENCH=OFF "${launcher[@]}" >/dev/null
cmake --build build-tsan -j"$jobs" --target gs_tsan_tests gs_tsan_integration_tests

stage "tsan tests"
# The hub and the stream route, the orchestrator and signal service (compute pool), single
# flight, the Redis client and subscriber, the PostgreSQL pool.
tsan_unit='HubTest.*:DirectWriteTest.*:StreamRouteTest.*:OrchestratorTest.*:SignalServiceTest.*'
tsan_unit+=':SingleFlightTest.*:DirectSendTest.*:RedisBridgeTest.*:LocalPublisherTest.*:WaiterTest.*'
tsan_unit+=':SignalTiersTest.*:BarSyncTest.*:IngestServiceTest.*:StreamingEngineTest.*:BarSeriesLineageTest.*'
tsan_unit+=':BarCommitterTest.*:TrackingTable*:IndicatorColumnsCacheTest.*:JobRegistryTest.*'
tsan_integration='RedisClient*:RedisSubscriber*:PgPoolTest.*:ReadyzIntegrationTest.*:*RedisVersionTracking*'
export TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1:suppressions=$PWD/tests/tsan.supp"
# run_tsan BINARY FILTER: every pattern of the filter must name tests the binary holds, so a
# suite whose file left the binary's list (or a misspelt pattern) fails here instead of being
# skipped without a word.
run_tsan() {
  local binary=$1 filter=$2 pattern listed
  IFS=':' read -ra patterns <<<"$filter"
  for pattern in "${patterns[@]}"; do
    listed=$("$binary" --gtest_list_tests --gtest_filter="$pattern")
    if ! grep -q '^  ' <<<"$listed"; then
      echo "TSan filter '$pattern' matches no test in $binary: add its file to" \
        "tests/CMakeLists.txt's gs_tsan_* list or mend the filter" >&2
      return 1
    fi
  done
  "$binary" --gtest_filter="$filter" --gtest_brief=1
}
run_tsan ./build-tsan/tests/gs_tsan_tests "$tsan_unit"
run_tsan ./build-tsan/tests/gs_tsan_integration_tests "$tsan_integration"
unset TSAN_OPTIONS

# Each target on a copy of its committed seed corpus, so CI never writes into the tree. A
# crash leaves its input in build-asan/fuzz-artifacts/ and fails the run.
stage "fuzz ($(wc -l <build-asan/fuzz_targets.txt) targets)"
fuzz_seconds="${GS_FUZZ_SECONDS:-20}"
mkdir -p build-asan/fuzz-artifacts
while read -r target; do
  [[ -n "$target" ]] || continue
  corpus=$(mktemp -d /tmp/gs-fuzz-corpus.XXXXXX)
  cp -r "fuzz/corpus/$target/." "$corpus/"
  echo "-- $target (${fuzz_seconds}s)"
  if ! "./build-asan/fuzz/${target}_fuzz" -max_total_time="$fuzz_seconds" -timeout=10 \
    -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$PWD/build-asan/fuzz-artifacts/${target}-" "$corpus" \
    </dev/null >"build-asan/fuzz-artifacts/${target}.log" 2>&1; then
    tail -n 60 "build-asan/fuzz-artifacts/${target}.log"
    rm -rf "$corpus"
    echo "fuzz target $target failed; input in build-asan/fuzz-artifacts/" >&2
    exit 1
  fi
  grep -E '^stat::number_of_executed_units|^#[0-9]+.*DONE' \
    "build-asan/fuzz-artifacts/${target}.log" | tail -n 2 || true
  rm -rf "$corpus"
done <build-asan/fuzz_targets.txt

stage ""
printf '%s\n' "${timings[@]}"
echo "== all tests passed"
