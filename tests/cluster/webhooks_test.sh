#!/usr/bin/env bash
# Alert webhooks end to end (issue 14, docs/webhooks.md), against a local receiver
# (webhook_receiver.py) that checks each signature with Python's hmac module:
#   1. PostgreSQL-backed: the receiver fails on purpose (500s), the instance retrying is
#      killed mid-retry, another starts on the same database, the receiver recovers: every
#      event is delivered at least once, none is lost, the outbox ends empty.
#   2. SSRF: without GS_WEBHOOK_ALLOW_PRIVATE a literal loopback URL is refused at
#      registration and a name resolving to loopback (localhost) at delivery.
#   3. https: delivered with a CA the instance trusts through GS_WEBHOOK_CA_FILE; refused
#      (certificate not verified) without it.
# port_NAME, pid_NAME and rport_NAME are set through eval by start_instance and start_receiver.
# shellcheck disable=SC2154
set -euo pipefail
binary="${1:?usage: $0 path/to/goldensignals}"
repo="$(cd "$(dirname "$0")/../.." && pwd)"
# shellcheck source=tests/cluster/lib.sh
source "$repo/tests/cluster/lib.sh"
fail_logs=("$work/received_*")
fail_tail=30
instance_env=(-u GS_WEBHOOK_ALLOW_PRIVATE)
instance_flags=(--webhook-poll-ms=100 --webhook-backoff-ms=200 --webhook-backoff-max-ms=800
  --webhook-timeout-ms=2000)

secret="whsec_0123456789abcdef"
start_postgres >/dev/null

# start_receiver NAME [receiver flags...]: sets rport_NAME; logs to $work/received_NAME.
start_receiver() {
  local name=$1 port=""
  shift
  touch "$work/received_$name"
  python3 "$repo/tests/cluster/webhook_receiver.py" --secret "$secret" \
    --port-file "$work/rport_$name" --log "$work/received_$name" "$@" &
  pids+=($!)
  for _ in $(seq 1 100); do
    [[ -s "$work/rport_$name" ]] && break
    sleep 0.05
  done
  port=$(cat "$work/rport_$name" 2>/dev/null) || fail "receiver $name did not start"
  eval "rport_$name=$port"
}

# register PORT URL: prints the status and leaves the body in $work/register.out.
register() {
  curl -s -o "$work/register.out" -w '%{http_code}' -X POST -H 'Content-Type: application/json' \
    --data "{\"url\":\"$2\",\"secret\":\"$secret\",\"symbols\":[\"*\"],\"timeframes\":[\"1d\"],\"on\":\"every_signal\"}" \
    "http://127.0.0.1:$1/v1/webhooks"
}
webhook_id() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["id"])' "$work/register.out"; }
delivered_ids() { awk '$1 == 200 {print $2}' "$1" | sort -u | wc -l; }

echo "== 1. PostgreSQL outbox: receiver failing, instance killed mid-retry, nothing lost"
start_receiver main --fail-file "$work/failing"
touch "$work/failing"
start_instance a --webhook-allow-private=true --database-url="$GS_TEST_DATABASE_URL"
status=$(register "$port_a" "http://127.0.0.1:$rport_main/hook")
[[ "$status" == 201 ]] || fail "register: $status $(cat "$work/register.out")"
hook=$(webhook_id)
if grep -q "$secret" "$work/register.out"; then fail "the secret is echoed"; fi
python3 - "$work/register.out" <<'PY' || fail "registration answer: $(cat "$work/register.out")"
import json, sys
d = json.load(open(sys.argv[1]))
assert sorted(d) == ["created", "id", "on", "status", "symbols", "timeframes", "url"], sorted(d)
assert d["symbols"] == ["*"] and d["timeframes"] == ["1d"] and d["on"] == "every_signal"
assert d["status"] == "active" and d["id"].startswith("wh_")
PY

# Four symbols, two posts each (the second adds newer bars): eight signals, eight events.
events=0
csv_bars 120 100 0.3 >"$work/first.csv"
csv_bars 160 100 0.3 >"$work/second.csv"
for symbol in WHA WHB WHC WHD; do
  post_ok "$port_a" "$symbol" "$work/first.csv"
  post_ok "$port_a" "$symbol" "$work/second.csv"
  events=$((events + 2))
done
all_tried() { [[ $(psql_q "SELECT count(*) FROM webhook_outbox WHERE attempts >= 1") == "$events" ]]; }
wait_until 30 "every event tried and waiting for a retry" all_tried
grep -q '^500 ' "$work/received_main" || fail "the receiver saw no failing attempt"
[[ $(delivered_ids "$work/received_main") == 0 ]] || fail "delivered while failing"

kill -KILL "$pid_a"
wait "$pid_a" 2>/dev/null || true
rm "$work/failing"
start_instance b --webhook-allow-private=true --database-url="$GS_TEST_DATABASE_URL"
all_delivered() { [[ $(delivered_ids "$work/received_main") == "$events" ]]; }
wait_until 60 "all $events events delivered after the restart" all_delivered
outbox_empty() { [[ $(psql_q "SELECT count(*) FROM webhook_outbox") == 0 ]]; }
wait_until 10 "an empty outbox" outbox_empty
bad=$(awk '$4 != "ok"' "$work/received_main")
[[ -z "$bad" ]] || fail "deliveries failing the receiver's checks: $bad"

curl -s "http://127.0.0.1:$port_b/v1/webhooks/$hook/deliveries?limit=100" >"$work/deliveries.json"
python3 - "$events" "$work/deliveries.json" <<'PY' || fail "deliveries: $(cat "$work/deliveries.json")"
import json, sys
d = json.load(open(sys.argv[2]))["deliveries"]
results = {a["result"] for a in d}
assert {"retry", "delivered"} <= results, results
delivered = {a["event_id"] for a in d if a["result"] == "delivered"}
assert len(delivered) == int(sys.argv[1]), delivered
for a in d:
    assert sorted(a) == ["attempt", "error", "event_id", "latency_ms", "result", "status", "time"], a
    if a["result"] == "retry":
        assert a["status"] == 500 and a["error"] == "HTTP 500", a
PY
metrics=$(curl -s "http://127.0.0.1:$port_b/metrics")
grep -Eq '^gs_webhook_deliveries_total\{result="delivered"\} [1-9]' <<<"$metrics" ||
  fail "no delivered count in /metrics"
for name in gs_webhook_outbox_pending gs_webhook_inflight gs_webhook_delivery_seconds_count; do
  grep -q "^$name" <<<"$metrics" || fail "/metrics lacks $name"
done
[[ $(status_of -X DELETE "http://127.0.0.1:$port_b/v1/webhooks/$hook") == 204 ]] || fail "DELETE"
[[ $(status_of "http://127.0.0.1:$port_b/v1/webhooks/$hook") == 404 ]] || fail "GET after DELETE"
echo "   $events events delivered after $(grep -c '^500 ' "$work/received_main") failing attempts"

echo "== 2. SSRF: loopback refused without GS_WEBHOOK_ALLOW_PRIVATE"
start_instance c
status=$(register "$port_c" "http://127.0.0.1:$rport_main/literal")
[[ "$status" == 400 ]] || fail "a literal loopback URL was accepted: $status"
grep -q '"code":"address_not_allowed"' "$work/register.out" || fail "refusal: $(cat "$work/register.out")"
status=$(register "$port_c" "http://localhost:$rport_main/refused")
[[ "$status" == 201 ]] || fail "register localhost: $status $(cat "$work/register.out")"
refused_hook=$(webhook_id)
csv_bars 120 50 0.1 >"$work/other.csv"
post_ok "$port_c" WHSSRF "$work/other.csv"
refused() {
  curl -s "http://127.0.0.1:$port_c/v1/webhooks/$refused_hook/deliveries" >"$work/refused.json"
  grep -q '"result":"failed"' "$work/refused.json"
}
wait_until 20 "the delivery to localhost refused" refused
grep -q 'loopback' "$work/refused.json" || fail "refusal does not say loopback: $(cat "$work/refused.json")"
if grep -q ' /refused ' "$work/received_main"; then fail "the receiver was reached despite the SSRF rule"; fi

echo "== 3. https with a CA trusted through GS_WEBHOOK_CA_FILE"
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj "/CN=GoldenSignals test CA" \
  -keyout "$work/ca.key" -out "$work/ca.pem" -addext basicConstraints=critical,CA:TRUE \
  -addext keyUsage=critical,keyCertSign >/dev/null 2>&1
openssl req -newkey rsa:2048 -nodes -subj "/CN=localhost" -keyout "$work/tls.key" \
  -out "$work/tls.csr" >/dev/null 2>&1
printf 'subjectAltName=DNS:localhost\nextendedKeyUsage=serverAuth\n' >"$work/tls.ext"
openssl x509 -req -in "$work/tls.csr" -CA "$work/ca.pem" -CAkey "$work/ca.key" -CAcreateserial \
  -days 1 -extfile "$work/tls.ext" -out "$work/tls.pem" >/dev/null 2>&1
start_receiver tls --cert "$work/tls.pem" --key "$work/tls.key"
start_instance d --webhook-allow-private=true --webhook-ca-file="$work/ca.pem"
start_instance e --webhook-allow-private=true
status=$(register "$port_d" "https://localhost:$rport_tls/trusted")
[[ "$status" == 201 ]] || fail "register https on d: $status"
status=$(register "$port_e" "https://localhost:$rport_tls/untrusted")
[[ "$status" == 201 ]] || fail "register https on e: $status"
untrusted_hook=$(webhook_id)
post_ok "$port_d" WHTLS "$work/other.csv"
post_ok "$port_e" WHTLS "$work/other.csv"
tls_delivered() { grep -q '^200 .* /trusted ok$' "$work/received_tls"; }
wait_until 20 "an https delivery with the trusted CA" tls_delivered
untrusted_refused() {
  curl -s "http://127.0.0.1:$port_e/v1/webhooks/$untrusted_hook/deliveries" | grep -q 'tls handshake'
}
wait_until 20 "an https attempt without the CA refused" untrusted_refused
if grep -q ' /untrusted ' "$work/received_tls"; then fail "an unverified receiver got a delivery"; fi
echo "webhooks test passed"
