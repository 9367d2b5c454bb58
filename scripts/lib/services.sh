# Throwaway Redis and PostgreSQL servers on loopback for the tests: temporary data dirs,
# free ports, stopped on exit. Source it, then call start_redis / start_postgres;
# stop_services runs from the EXIT trap that scripts/test.sh sets.

GS_SERVICES_DIR=""
GS_REDIS_PORT=""
GS_PG_PORT=""
GS_PG_BIN=/usr/lib/postgresql/15/bin

port_in_use() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# A port below the kernel's ephemeral range (outgoing connections of tests running in
# parallel take ports from that range and could take ours between this check and the bind).
free_port() {
  local port low=32768
  if [[ -r /proc/sys/net/ipv4/ip_local_port_range ]]; then
    read -r low _ </proc/sys/net/ipv4/ip_local_port_range
  fi
  if ((low <= 11000)); then
    low=61000  # an unusual range: take any port from 10000
  fi
  for _ in $(seq 1 200); do
    port=$((10000 + RANDOM % (low - 10000)))
    if ! port_in_use "$port"; then
      echo "$port"
      return 0
    fi
  done
  echo "no free port found" >&2
  return 1
}

# Sets GS_SERVICES_DIR once. Call it directly, never inside $(...): a subshell's
# assignment would be lost and the servers could not be found to stop them.
ensure_services_dir() {
  if [[ -z "$GS_SERVICES_DIR" ]]; then
    GS_SERVICES_DIR=$(mktemp -d /tmp/goldensignals-test.XXXXXX)
    chmod 755 "$GS_SERVICES_DIR"
  fi
}

wait_for() {  # wait_for SECONDS COMMAND...
  local deadline=$((SECONDS + $1))
  shift
  until "$@" >/dev/null 2>&1; do
    if ((SECONDS >= deadline)); then
      return 1
    fi
    sleep 0.1
  done
}

start_redis() {
  local dir
  ensure_services_dir
  dir="$GS_SERVICES_DIR/redis"
  mkdir -p "$dir"
  # Another test may bind the port first (parallel runs): then try another one.
  for attempt in 1 2 3 4 5; do
    GS_REDIS_PORT=$(free_port)
    : >"$dir/redis.log"
    redis-server --port "$GS_REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no \
      --daemonize yes --pidfile "$dir/redis.pid" --logfile "$dir/redis.log" --dir "$dir"
    if wait_for 10 redis-cli -p "$GS_REDIS_PORT" ping; then
      break
    fi
    if ((attempt == 5)) || ! grep -q "Address already in use" "$dir/redis.log"; then
      echo "redis did not start; log:" >&2
      cat "$dir/redis.log" >&2
      return 1
    fi
  done
  export GS_TEST_REDIS_URL="redis://127.0.0.1:$GS_REDIS_PORT/0"
  echo "redis on 127.0.0.1:$GS_REDIS_PORT"
}

# initdb refuses to run as root: run the server as the postgres user then.
as_pg_owner() {
  if [[ $(id -u) -eq 0 ]]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

start_postgres() {
  local dir
  ensure_services_dir
  dir="$GS_SERVICES_DIR/pg"
  mkdir -p "$dir"
  if [[ $(id -u) -eq 0 ]]; then
    chown postgres:postgres "$dir"
  fi
  as_pg_owner "$GS_PG_BIN/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 \
    --locale=C.UTF-8 --no-sync >"$GS_SERVICES_DIR/initdb.log" 2>&1 || {
    cat "$GS_SERVICES_DIR/initdb.log" >&2
    return 1
  }
  # Another test may bind the port first (parallel runs): then try another one.
  for attempt in 1 2 3 4 5; do
    GS_PG_PORT=$(free_port)
    rm -f "$dir/postgres.log"  # pg_ctl writes it as postgres
    if as_pg_owner "$GS_PG_BIN/pg_ctl" -D "$dir/data" -l "$dir/postgres.log" -w -t 30 \
      -o "-p $GS_PG_PORT -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200" \
      start >/dev/null; then
      break
    fi
    if ((attempt == 5)) || ! grep -q "Address already in use" "$dir/postgres.log"; then
      cat "$dir/postgres.log" >&2
      return 1
    fi
  done
  as_pg_owner "$GS_PG_BIN/psql" -h 127.0.0.1 -p "$GS_PG_PORT" -U postgres -q \
    -c "CREATE DATABASE goldensignals_test" postgres
  export GS_TEST_DATABASE_URL="postgresql://postgres@127.0.0.1:$GS_PG_PORT/goldensignals_test"
  export GS_TEST_PG_BIN="$GS_PG_BIN"
  export GS_TEST_PG_DATA="$dir/data"
  echo "postgres on 127.0.0.1:$GS_PG_PORT"
}

stop_services() {
  if [[ -n "$GS_REDIS_PORT" ]]; then
    redis-cli -p "$GS_REDIS_PORT" shutdown nosave >/dev/null 2>&1 || true
  fi
  if [[ -n "$GS_PG_PORT" && -d "$GS_SERVICES_DIR/pg/data" ]]; then
    as_pg_owner "$GS_PG_BIN/pg_ctl" -D "$GS_SERVICES_DIR/pg/data" -m immediate stop \
      >/dev/null 2>&1 || true
  fi
  if [[ -n "$GS_SERVICES_DIR" ]]; then
    rm -rf "$GS_SERVICES_DIR"
  fi
}
