#!/usr/bin/env python3
"""A webhook receiver for tests/cluster/webhooks_test.sh.

Checks every delivery's X-GoldenSignals-Signature with Python's own hmac module (an
implementation independent of the service's OpenSSL one), answers 500 while the file given
by --fail-file exists and 200 otherwise (400 to a bad signature), and appends one line per
request to --log: "<status> <event id> <path> <check>", where check is "ok" or what failed.
With --cert/--key it serves https.
"""
import argparse
import hashlib
import hmac
import http.server
import json
import os
import ssl
import threading
import time


def check(secret, headers, body):
    """What is wrong with a delivery, or "ok"."""
    fields = dict(p.split("=", 1) for p in headers.get("X-GoldenSignals-Signature", "").split(",")
                  if "=" in p)
    if "t" not in fields or "v1" not in fields:
        return "no-signature"
    expected = hmac.new(secret, fields["t"].encode() + b"." + body, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, fields["v1"]):
        return "bad-signature"
    if abs(time.time() - int(fields["t"])) > 300:
        return "old-timestamp"
    if headers.get("Content-Type") != "application/json":
        return "content-type"
    event = json.loads(body)
    if event.get("id") != headers.get("X-GoldenSignals-Event-Id"):
        return "event-id-header"
    if event.get("type") not in ("signal.created", "signal.action_changed"):
        return "type"
    data = event.get("data", {})
    if "agents" in data or "action" not in data or "symbol" not in data:
        return "data"
    return "ok"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--secret", required=True)
    parser.add_argument("--port-file", required=True)
    parser.add_argument("--log", required=True)
    parser.add_argument("--fail-file", default="")
    parser.add_argument("--cert", default="")
    parser.add_argument("--key", default="")
    args = parser.parse_args()
    secret = args.secret.encode()
    lock = threading.Lock()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            try:
                verdict = check(secret, self.headers, body)
                event_id = json.loads(body).get("id", "-")
            except (ValueError, KeyError) as e:
                verdict, event_id = "unreadable:" + type(e).__name__, "-"
            if verdict != "ok":
                status = 400
            elif args.fail_file and os.path.exists(args.fail_file):
                status = 500
            else:
                status = 200
            with lock, open(args.log, "a") as log:
                log.write(f"{status} {event_id} {self.path} {verdict}\n")
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *_):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    if args.cert:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(args.cert, args.key)
        server.socket = context.wrap_socket(server.socket, server_side=True)
    with open(args.port_file + ".tmp", "w") as f:
        f.write(str(server.server_address[1]))
    os.rename(args.port_file + ".tmp", args.port_file)
    server.serve_forever()


if __name__ == "__main__":
    main()
