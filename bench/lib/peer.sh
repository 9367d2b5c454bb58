# Shared by the read benchmarks (source it): nginx as the peer, tuned as its docs advise for
# static files, a pinned wrk client and medians. Servers run on SERVER_CPUS (default 0), wrk
# on CLIENT_CPUS (default 1), so both sides of a comparison get the same cores.
server_cpus=${SERVER_CPUS:-0}
client_cpus=${CLIENT_CPUS:-1}

# start_nginx_peer WORKDIR PORT: serves WORKDIR/www on 127.0.0.1:PORT with one worker pinned
# to server_cpus. The tuning nginx's own docs give for static content: sendfile with
# tcp_nopush, open_file_cache (no open/fstat/close per request), and keepalive_requests
# raised so that wrk's connections are not closed every 1,000 requests (the default).
start_nginx_peer() {
  local work=$1 port=$2
  cat >"$work/nginx.conf" <<CONF
worker_processes 1;
pid $work/nginx.pid;
error_log $work/nginx-error.log;
events { worker_connections 1024; }
http {
  access_log off;
  default_type application/json;
  sendfile on;
  tcp_nopush on;
  open_file_cache max=64 inactive=60s;
  open_file_cache_valid 60s;
  keepalive_requests 1000000;
  keepalive_timeout 75s;
  client_body_temp_path $work; proxy_temp_path $work; fastcgi_temp_path $work;
  uwsgi_temp_path $work; scgi_temp_path $work;
  server { listen 127.0.0.1:$port; root $work/www; }
}
CONF
  taskset -c "$server_cpus" nginx -c "$work/nginx.conf" -e "$work/nginx-error.log" 2>/dev/null
}

# run_wrk URL [connections]: prints "req/s p99_ms" (wrk -t1 on client_cpus, `seconds` long).
run_wrk() {
  taskset -c "$client_cpus" wrk -t1 -c"${2:-64}" -d"${seconds}s" --latency "$1" 2>&1 |
    awk '/Requests\/sec/ { rps = $2 } /^ +99%/ { v = $2; if (v ~ /us$/) { sub(/us/, "", v); v /= 1000 }
         else if (v ~ /ms$/) { sub(/ms/, "", v) } else if (v ~ /s$/) { sub(/s/, "", v); v *= 1000 }
         p99 = v } END { printf "%.0f %.2f\n", rps, p99 }'
}

median() { printf '%s\n' "$@" | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }

# listening_port PID: the TCP port PID listens on, once it does (empty after 10 s).
listening_port() {
  local port=""
  for _ in $(seq 1 100); do
    port=$(ss -ltnp 2>/dev/null | awk -v p="pid=$1," '$0 ~ p { split($4, a, ":"); print a[length(a)] }' | head -1)
    [[ -n "$port" ]] && break
    sleep 0.1
  done
  printf '%s' "$port"
}
