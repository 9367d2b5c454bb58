#!/usr/bin/env bash
# The README's configuration table against the binary's --help: every flag --help prints is a
# row of the table with its GS_* variable, every row is a flag --help prints (or an
# environment-only variable it names), nothing more. And every relative link in README.md
# and docs/*.md leads to a file that exists.
# Usage: docs_test.sh path/to/goldensignals path/to/repository
set -euo pipefail
binary=${1:?usage: $0 path/to/goldensignals path/to/repository}
repo=${2:?usage: $0 path/to/goldensignals path/to/repository}
readme="$repo/README.md"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
status=0

"$binary" --help >"$work/help"

# "--flag GS_VAR" per flag of --help (the variable is on the line after the flag), and
# "(env only) GS_VAR" per environment-only variable.
# A switch without a variable (--migrate-only) may be followed by another flag's line at once.
awk '
  function flush() { if (flag != "" && flag != "--help") print flag, "-"; flag = "" }
  /^  --[a-z0-9-]+/ { flush(); flag = $1; next }
  flag != "" && /^ +env GS_/ { sub(/,$/, "", $2); print flag, $2; flag = ""; next }
  flag != "" { flush() }
  /^GS_[A-Z_]+ \(environment only\)/ { print "(env only)", $1 }
  END { flush() }
' "$work/help" | sort >"$work/from_help"

# The same from the rows of README's "## Configuration" table.
awk '
  /^## / { in_config = ($0 == "## Configuration"); next }
  in_config && /^\| / {
    split($0, cells, "|")
    flag = cells[2]; env = cells[3]
    gsub(/[` ]/, "", flag); gsub(/[` ]/, "", env)
    if (flag == "flag" || flag ~ /^-+$/) next
    if (flag == "(envonly)") flag = "(env only)"
    print flag, env
  }
' "$readme" | sort >"$work/from_readme"

if [[ ! -s "$work/from_help" ]]; then
  echo "FAIL: no flags found in --help" >&2
  exit 1
fi
if ! diff -u --label "--help" --label "README.md ## Configuration" \
    "$work/from_help" "$work/from_readme" >"$work/diff"; then
  echo "FAIL: README's configuration table and --help disagree (- only in --help, + only in the README):" >&2
  cat "$work/diff" >&2
  status=1
fi

# Relative links: [text](path) and [text](path#anchor), not URLs or bare anchors, outside code.
for doc in "$readme" "$repo"/docs/*.md; do
  dir=$(dirname "$doc")
  while IFS= read -r target; do
    path=${target%%#*}
    [[ -z "$path" ]] && continue
    if [[ ! -e "$dir/$path" ]]; then
      echo "FAIL: ${doc#"$repo"/} links to $target, which does not exist" >&2
      status=1
    fi
  done < <(awk '/^```/ { fenced = !fenced; next } !fenced { gsub(/`[^`]*`/, ""); print }' "$doc" |
    grep -o '\]([^)]*)' | sed 's/^](//; s/)$//' | grep -v -E '^(https?:|mailto:|#)' || true)
done

if [[ $status -eq 0 ]]; then
  echo "ok: $(wc -l <"$work/from_help") flags and variables in --help and the README; links resolve"
fi
exit $status
