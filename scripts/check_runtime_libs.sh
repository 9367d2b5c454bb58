#!/usr/bin/env bash
# Checks that the runtime image has every shared library a built binary loads, without a
# Docker engine: each library `ldd` resolves must come from a package of
# `scripts/install_deps.sh runtime`, from one of their dependencies, or from Debian's
# "required" set (what debian:bookworm-slim starts with). docker/Dockerfile's
# `goldensignals --help` finds the same gap, but only where images are built.
#
#   scripts/check_runtime_libs.sh BINARY
set -euo pipefail
cd "$(dirname "$0")/.."
binary=${1:?usage: scripts/check_runtime_libs.sh BINARY}

mapfile -t queue < <(scripts/install_deps.sh --list runtime)
# The packages the runtime profile installs, with everything they depend on, from dpkg's
# records of the installed packages (the build installed them all; apt's lists may be gone).
declare -A provided=()
while ((${#queue[@]})); do
  pkg=${queue[0]}
  queue=("${queue[@]:1}")
  [[ -n ${provided[$pkg]:-} ]] && continue
  provided[$pkg]=1
  # "a (>= 1), b | c, d:any" -> a b c d; every alternative counts (one of them is there).
  while read -r dep; do
    [[ -n $dep && -z ${provided[$dep]:-} ]] && queue+=("$dep")
  done < <(dpkg-query -W -f='${Depends},${Pre-Depends}' "$pkg" 2>/dev/null |
    tr ',|' '\n\n' | sed -E 's/\(.*\)//; s/:[a-z0-9]+//; s/[[:space:]]//g')
done

owner() {  # owner PATH: the package that installed PATH (usr-merge: /lib is /usr/lib)
  local path=$1 candidates=("$1")
  [[ $path == /usr/* ]] && candidates+=("${path#/usr}") || candidates+=("/usr$path")
  candidates+=("$(readlink -f "$path")")
  local c
  for c in "${candidates[@]}"; do
    if dpkg -S "$c" 2>/dev/null | head -1 | sed 's/:.*//'; then
      return 0
    fi
  done
}

failures=0
while read -r lib path; do
  pkg=$(owner "$path")
  if [[ -z $pkg ]]; then
    echo "FAIL: $lib ($path) belongs to no Debian package" >&2
    failures=$((failures + 1))
    continue
  fi
  priority=$(dpkg-query -W -f='${Priority}' "$pkg" 2>/dev/null || true)
  if [[ -n ${provided[$pkg]:-} || $priority == required ]]; then
    echo "ok: $lib from $pkg"
  else
    echo "FAIL: $lib ($path) comes from $pkg, which scripts/install_deps.sh runtime" \
      "does not install" >&2
    failures=$((failures + 1))
  fi
done < <(ldd "$binary" | awk '$2 == "=>" && $3 ~ /^\// { print $1, $3 }')

if ((failures)); then
  echo "check_runtime_libs: $failures librar(y/ies) missing from the runtime profile" >&2
  exit 1
fi
echo "== every shared library of $binary is in the runtime profile"
