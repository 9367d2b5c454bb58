#!/usr/bin/env bash
# Offline checks of the deployment files; no Docker engine needed. Exits non-zero with a
# message naming each failure.
#
#   compose   docker/docker-compose.yml is valid (`config`, as `config -q`) with docker/.env.example
#             and with no .env at all, both give the same result (the example documents
#             the compose defaults), and every variable is documented and used
#   nginx     docker/nginx.conf passes `nginx -t` (upstream hosts rewritten to 127.0.0.1,
#             pid, logs and temp paths in a temporary folder, so it runs unprivileged), and
#             keeps what SSE needs and the marker lines tests rewrite
#   image     docker/Dockerfile installs packages only through scripts/install_deps.sh
#             (build and runtime profiles), builds with scripts/run.sh's cmake commands,
#             and copies files that exist
#
# Needs docker-compose (or the docker compose v2 plugin) and nginx: `scripts/install_deps.sh
# test` installs both (docker-compose, nginx-light).
set -euo pipefail
cd "$(dirname "$0")/.."

compose_file=docker/docker-compose.yml
env_example=docker/.env.example
nginx_conf=docker/nginx.conf
dockerfile=docker/Dockerfile
options_src=src/config/options.cpp

failures=0
fail() {
  echo "FAIL: $*" >&2
  failures=$((failures + 1))
}
ok() {
  echo "ok:   $*"
}
# contains NEEDLE WORD... (no `printf | grep -q`: grep's early exit is a SIGPIPE failure
# under pipefail)
contains() {
  local needle=$1 word
  shift
  for word in "$@"; do
    [[ "$word" == "$needle" ]] && return 0
  done
  return 1
}

tmp=$(mktemp -d /tmp/goldensignals-check-deploy.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

for f in "$compose_file" "$env_example" "$nginx_conf" "$dockerfile" .dockerignore; do
  [[ -f "$f" ]] || fail "$f is missing"
done
if ((failures)); then
  echo "check_deploy: $failures failure(s)" >&2
  exit 1
fi

# Instructions with their continuation lines joined, comments dropped.
instructions=$(grep -vE '^[[:space:]]*#' "$dockerfile" |
  sed -e ':a' -e '/\\$/{N; s/\\\n[[:space:]]*/ /; ba}')

# ------------------------------------------------------------------------------ compose
echo "== compose: $compose_file"
if command -v docker-compose >/dev/null 2>&1; then
  compose=(docker-compose)
elif docker compose version >/dev/null 2>&1; then
  compose=(docker compose)
else
  echo "check_deploy: neither docker-compose nor 'docker compose' found;" \
    "run scripts/install_deps.sh test" >&2
  exit 1
fi

# A clean environment, so the shell's variables cannot stand in for missing defaults.
compose_config() {  # compose_config ENV_FILE [config args...]
  local env_file=$1
  shift
  env -i PATH="$PATH" HOME="$tmp" \
    "${compose[@]}" --env-file "$env_file" -f "$compose_file" config "$@"
}

cp "$env_example" "$tmp/example.env"
: >"$tmp/empty.env"
valid=1
if compose_config "$tmp/example.env" >"$tmp/with-example.yml" 2>"$tmp/compose-example.log"; then
  ok "valid with $env_example"
else
  valid=0
  fail "$compose_file is invalid with $env_example:"
  sed 's/^/    /' "$tmp/compose-example.log" >&2
fi
if compose_config "$tmp/empty.env" >"$tmp/with-defaults.yml" 2>"$tmp/compose-empty.log"; then
  ok "valid with no .env (compose defaults)"
else
  valid=0
  fail "$compose_file is invalid without a .env:"
  sed 's/^/    /' "$tmp/compose-empty.log" >&2
fi
if ((valid)); then
  if diff -u "$tmp/with-defaults.yml" "$tmp/with-example.yml" >"$tmp/defaults.diff"; then
    ok "$env_example holds the compose file's defaults"
  else
    fail "$env_example and the \${VAR:-default} values in $compose_file differ" \
      "(- compose default, + .env.example; GS_* lines stay commented out there):"
    grep '^[-+] ' "$tmp/defaults.diff" | sed 's/^/    /' >&2
  fi
fi

settings_failures=$failures
# Variables: the stack's (active lines of .env.example) and the service's (GS_*).
mapfile -t example_keys < <(grep -E '^[A-Z][A-Z0-9_]*=' "$env_example" | cut -d= -f1 |
  grep -v '^GS_' | sort -u)
mapfile -t compose_vars < <(grep -oE '\$\{[A-Z][A-Z0-9_]*' "$compose_file" | cut -c3- | sort -u)
for key in "${example_keys[@]}"; do
  [[ "$key" == COMPOSE_* ]] && continue  # read by Compose itself
  if ! contains "$key" "${compose_vars[@]}"; then
    fail "$env_example sets $key, which $compose_file never uses"
  fi
done
for var in "${compose_vars[@]}"; do
  if ! contains "$var" "${example_keys[@]}"; then
    fail "$compose_file uses \${$var}, which $env_example does not document with its default"
  fi
done

# Every GS_* setting the binary reads is documented in .env.example, and every one
# documented there reaches the container (compose environment or image ENV).
mapfile -t example_gs < <(grep -oE '^(# ?)?GS_[A-Z0-9_]+=' "$env_example" |
  grep -oE 'GS_[A-Z0-9_]+' | sort -u)
if [[ -f "$options_src" ]]; then
  mapfile -t binary_gs < <(grep -oE '"GS_[A-Z0-9_]+"' "$options_src" | tr -d '"' | sort -u)
  for var in "${binary_gs[@]}"; do
    if ! contains "$var" "${example_gs[@]}"; then
      fail "$options_src reads $var, but $env_example does not list it" \
        "(add it, with its default, and pass it in $compose_file)"
    fi
  done
fi
for var in "${example_gs[@]}"; do
  if ! grep -qE "^[[:space:]]*- ${var}(=|$)" "$compose_file" &&
    ! grep -qE "^ENV[[:space:]].*\<${var}=" <<<"$instructions"; then
    fail "$env_example lists $var, but neither $compose_file's environment nor" \
      "$dockerfile's ENV passes it to the service"
  fi
done
if ((failures == settings_failures)); then
  ok "every setting documented in $env_example and passed to the service"
fi

# ------------------------------------------------------------------------------ nginx
echo "== nginx: $nginx_conf"
if ! command -v nginx >/dev/null 2>&1; then
  echo "check_deploy: nginx not found; run scripts/install_deps.sh test (nginx-light)" >&2
  exit 1
fi

# The marker lines a loopback test rewrites with sed must stay single, marked lines.
for marker in upstream listen pid access-log; do
  n=$(grep -c "# gs:${marker}\$" "$nginx_conf" || true)
  if [[ "$marker" == upstream ]]; then
    ((n >= 1)) || fail "$nginx_conf has no upstream server line marked '# gs:upstream'"
  elif ((n != 1)); then
    fail "$nginx_conf needs exactly one line ending in '# gs:${marker}' (found $n)"
  fi
done
if ! grep -qE '^http \{' "$nginx_conf"; then
  fail "$nginx_conf has no top-level 'http {' line"
fi

# What SSE needs: no buffering and a long read timeout on the stream location, HTTP/1.1
# with keep-alive to the upstream.
stream_block=$(awk '/location[[:space:]]+[^{]*\/v1\/stream/ {inside = 1}
  inside {print}
  inside && /\}/ {exit}' "$nginx_conf")
if [[ -z "$stream_block" ]]; then
  fail "$nginx_conf has no location for /v1/stream"
else
  grep -qE 'proxy_buffering[[:space:]]+off;' <<<"$stream_block" ||
    fail "$nginx_conf: location /v1/stream lacks 'proxy_buffering off;'"
  grep -qE 'proxy_read_timeout[[:space:]]+[0-9]+h;' <<<"$stream_block" ||
    fail "$nginx_conf: location /v1/stream lacks a proxy_read_timeout in hours"
fi
grep -qE '^[[:space:]]*proxy_http_version[[:space:]]+1\.1;' "$nginx_conf" ||
  fail "$nginx_conf lacks 'proxy_http_version 1.1;'"
grep -qE '^[[:space:]]*proxy_set_header[[:space:]]+Connection[[:space:]]+"";' "$nginx_conf" ||
  fail "$nginx_conf lacks 'proxy_set_header Connection \"\";'"
grep -qE '^[[:space:]]*keepalive[[:space:]]+[0-9]+;' "$nginx_conf" ||
  fail "$nginx_conf has no upstream 'keepalive N;'"

# A copy nginx -t can check here: upstream hosts -> 127.0.0.1 (nginx -t resolves them),
# a high loopback port, and every path it opens or creates in $tmp.
ngx="$tmp/nginx"
mkdir -p "$ngx"
temp_paths="    client_body_temp_path $ngx/client_body;\n    proxy_temp_path $ngx/proxy;"
nginx_build=$(nginx -V 2>&1)
for module in fastcgi uwsgi scgi; do
  if [[ "$nginx_build" != *"--without-http_${module}_module"* ]]; then
    temp_paths+="\n    ${module}_temp_path $ngx/${module};"
  fi
done
sed -E \
  -e '/# gs:upstream$/ s/(server[[:space:]]+)[^:[:space:]]+:/\1127.0.0.1:/' \
  -e "s|^([[:space:]]*)listen[[:space:]].*# gs:listen\$|\\1listen 127.0.0.1:18080;|" \
  -e "s|^([[:space:]]*)pid[[:space:]].*# gs:pid\$|\\1pid $ngx/nginx.pid;|" \
  -e "s|^([[:space:]]*)access_log[[:space:]]+[^[:space:]]+(.*)# gs:access-log\$|\\1access_log $ngx/access.log\\2|" \
  -e "0,/^http \\{/ s|^http \\{|http {\\n${temp_paths}|" \
  "$nginx_conf" >"$ngx/nginx.conf"
if nginx -t -q -p "$ngx/" -e "$ngx/error.log" -c "$ngx/nginx.conf" >"$ngx/test.log" 2>&1; then
  ok "nginx -t accepts it (nginx $(nginx -v 2>&1 | sed 's|.*nginx/||'))"
else
  fail "nginx -t rejects $nginx_conf (checked as $ngx/nginx.conf, upstreams on 127.0.0.1):"
  sed 's/^/    /' "$ngx/test.log" >&2
fi

# ------------------------------------------------------------------------------ image
echo "== image: $dockerfile"

grep -qE '^COPY[[:space:]]+scripts/install_deps\.sh[[:space:]]' <<<"$instructions" ||
  fail "$dockerfile does not COPY scripts/install_deps.sh"
for profile in build runtime; do
  run_re="^RUN .*scripts/install_deps\.sh[[:space:]]+${profile}([[:space:]&;|]|$)"
  if grep -qE "$run_re" <<<"$instructions"; then
    ok "installs the '$profile' profile with scripts/install_deps.sh"
  else
    fail "$dockerfile does not RUN scripts/install_deps.sh $profile"
  fi
done
install_re='(apt-get|apt|aptitude)[[:space:]]+([^&;|]*[[:space:]])?install'
install_re+='|dpkg[[:space:]]+(-i|--install)|apk[[:space:]]+add'
if grep -nE "$install_re" <<<"$instructions" >"$tmp/own-install.txt"; then
  fail "$dockerfile installs packages itself; add them to scripts/install_deps.sh instead:"
  sed 's/^/    /' "$tmp/own-install.txt" >&2
else
  ok "no package list of its own"
fi

# The cmake commands of scripts/run.sh, less output redirections, appear as they are.
mapfile -t run_cmds < <(grep -E '^[[:space:]]*cmake[[:space:]]' scripts/run.sh |
  sed -E -e 's/[[:space:]]*[0-9]?>[^[:space:]]*//g' -e 's/^[[:space:]]+//; s/[[:space:]]+$//')
if ((${#run_cmds[@]} == 0)); then
  fail "no cmake command found in scripts/run.sh to compare with"
fi
for cmd in "${run_cmds[@]}"; do
  if grep -qF -- "$cmd" <<<"$instructions"; then
    ok "builds with scripts/run.sh's: $cmd"
  else
    fail "$dockerfile does not run scripts/run.sh's build command: $cmd"
  fi
done

# Sources of COPY from the build context must exist (a missing one fails the build).
while read -r -a words; do
  srcs=("${words[@]:1:${#words[@]}-2}")
  [[ "${srcs[0]:-}" == --* ]] && continue  # --from=... copies from a stage
  for src in "${srcs[@]}"; do
    # Shell glob on purpose: COPY sources may be patterns.
    # shellcheck disable=SC2086
    compgen -G "$src" >/dev/null || fail "$dockerfile copies '$src', which does not exist"
  done
done < <(grep -E '^COPY[[:space:]]' <<<"$instructions")

grep -qE '^FROM[[:space:]]+debian:bookworm[[:space:]]+AS[[:space:]]+build' <<<"$instructions" ||
  fail "$dockerfile: the build stage is not FROM debian:bookworm AS build"
grep -qE '^FROM[[:space:]]+debian:bookworm-slim' <<<"$instructions" ||
  fail "$dockerfile: the runtime stage is not FROM debian:bookworm-slim"
last_user=$(grep -E '^USER[[:space:]]' <<<"$instructions" | tail -n 1 | awk '{print $2}')
if [[ -z "$last_user" || "$last_user" == root || "$last_user" == 0 || "$last_user" == 0:* ]]; then
  fail "$dockerfile does not run as a non-root USER"
fi
grep -qE '^HEALTHCHECK[[:space:]].*/healthz' <<<"$instructions" ||
  fail "$dockerfile has no HEALTHCHECK on /healthz"
for pattern in build .git; do
  grep -qxF "$pattern" .dockerignore || fail ".dockerignore does not exclude $pattern"
done

if ((failures)); then
  echo "check_deploy: $failures failure(s)" >&2
  exit 1
fi
echo "== deployment checks passed"
