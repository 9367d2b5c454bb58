#!/usr/bin/env bash
# Installs every Debian package the build, the tests and the service need.
# One list shared by scripts/run.sh, scripts/test.sh and docker/Dockerfile,
# so the image and the scripts can never drift apart.
#
# Usage: scripts/install_deps.sh [build|runtime|test]   (default: test = everything)
#        scripts/install_deps.sh --list PROFILE          (print the profile's packages only;
#                                                         scripts/check_runtime_libs.sh)
set -euo pipefail

list_only=false
if [[ "${1:-}" == --list ]]; then
  list_only=true
  shift
fi
profile="${1:-test}"

# Build: compiler, CMake, and the libraries (Boost 1.81 headers give Asio and Beast; OpenSSL
# their TLS, for the Binance feed).
build_pkgs=(
  g++ cmake make pkg-config
  libboost1.81-dev
  libhiredis-dev libpqxx-dev libssl-dev libgoogle-perftools-dev
  nlohmann-json3-dev libspdlog-dev libfmt-dev
  libgtest-dev libgmock-dev libbenchmark-dev
)
# Runtime: shared libraries of the binary (libssl3: webhook signatures and https;
# libtcmalloc-minimal4: the heap allocator, GS_MALLOC in CMakeLists.txt), CA
# certificates for https webhooks, and curl for health checks.
runtime_pkgs=(
  libhiredis0.14 libpqxx-6.4 libspdlog1.10 libfmt9 libssl3 libtcmalloc-minimal4
  ca-certificates curl
)
# Test: servers the integration tests start, formatting, load and browser tools, and clang
# with its sanitizer and libFuzzer runtimes for the ASan+UBSan build and the fuzz targets.
# prometheus only for promtool (scripts/check_monitoring.sh): its server must not run here,
# hence the policy-rc.d guard below. ccache: the three builds of scripts/test.sh reuse what an
# earlier run compiled.
test_pkgs=(
  redis-server postgresql-15 clang-format wrk nginx-light docker-compose ccache
  chromium
  prometheus
  clang-14 libclang-rt-14-dev
)

case "$profile" in
  build) wanted=("${build_pkgs[@]}" "${runtime_pkgs[@]}") ;;
  runtime) wanted=("${runtime_pkgs[@]}") ;;
  test) wanted=("${build_pkgs[@]}" "${runtime_pkgs[@]}" "${test_pkgs[@]}") ;;
  *) echo "usage: $0 [--list] [build|runtime|test]" >&2; exit 2 ;;
esac
if $list_only; then
  printf '%s\n' "${wanted[@]}"
  exit 0
fi

missing=()
for pkg in "${wanted[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$pkg")
  fi
done

# Node.js for the browser test: these machines ship one (NodeSource, npm included); take
# Debian's only where there is none, since its npm package conflicts with NodeSource's.
if [[ "$profile" == test ]] && ! command -v npm >/dev/null 2>&1; then
  missing+=(nodejs npm)
fi

# kubectl for the offline checks of deploy/k8s (tests/k8s: `kubectl kustomize` only, no
# cluster): Debian's kubernetes-client (1.20, kustomize v2.0.3; the manifests keep to its
# syntax). Only where there is no kubectl: a kubectl from another source (e.g. Google's
# `kubectl` package) owns /usr/bin/kubectl too, and both render the manifests.
if [[ "$profile" == test ]] && ! command -v kubectl >/dev/null 2>&1; then
  missing+=(kubernetes-client)
fi

if ((${#missing[@]} == 0)); then
  exit 0
fi

if [[ $(id -u) -ne 0 ]]; then
  SUDO=sudo
else
  SUDO=
fi

echo "installing: ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
# Boost 1.81's -dev packages conflict with 1.74's; drop the old ones first.
if dpkg-query -W -f='${Status}' libboost1.74-dev 2>/dev/null | grep -q 'install ok installed'; then
  $SUDO apt-get remove -y -q 'libboost1.74*-dev' libboost-dev || true
fi
# apt must not start services (docker images and CI sandboxes have no init anyway; on a host
# with one, a policy-rc.d that answers 101 keeps the packages' servers, e.g. prometheus, from
# starting; one already there is left as it is).
guard=""
if [[ ! -e /usr/sbin/policy-rc.d ]]; then
  guard=/usr/sbin/policy-rc.d
  printf '#!/bin/sh\n# scripts/install_deps.sh: no service starts during the install\nexit 101\n' |
    $SUDO tee "$guard" >/dev/null
  $SUDO chmod 755 "$guard"
  trap '$SUDO rm -f "$guard"' EXIT
fi
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
# systemd (which ignores policy-rc.d) may still have started it: promtool is all we use.
if [[ " ${missing[*]} " == *" prometheus "* ]] && command -v systemctl >/dev/null 2>&1 &&
  systemctl is-active --quiet prometheus 2>/dev/null; then
  $SUDO systemctl disable --now prometheus || true
fi
