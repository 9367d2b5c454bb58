#!/usr/bin/env python3
"""GoldenSignals from Python with the standard library only (urllib, json, argparse).

    python3 signals.py [--url URL] signal AAPL [--timeframe 1d] [--agents 5]
    python3 signals.py [--url URL] scan [--action BUY] [--min-confidence 0.5] [--sort -score] [--limit 20]
    python3 signals.py [--url URL] history AAPL [--limit 50] [--all]
    python3 signals.py ... --json      (the service's JSON as is)

GS_READ_TOKEN (or GS_API_TOKEN) is sent as `Authorization: Bearer` when set. Exit status 0 on
success, 1 when the service answers an error (its code and message are printed), 2 when it
cannot be reached.
"""

import argparse
import json
import os
import sys
import urllib.error
import urllib.parse
import urllib.request


class ServiceError(Exception):
    def __init__(self, status, code, message):
        super().__init__(f"{status} {code}: {message}")
        self.status = status


def get(base, path, params=None):
    query = urllib.parse.urlencode({k: v for k, v in (params or {}).items() if v is not None})
    url = f"{base}{path}" + (f"?{query}" if query else "")
    request = urllib.request.Request(url, headers={"Accept": "application/json"})
    token = os.environ.get("GS_READ_TOKEN") or os.environ.get("GS_API_TOKEN")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.load(response)
    except urllib.error.HTTPError as e:
        # Every error of the service is {"error": {"code", "message"}}.
        try:
            error = json.load(e).get("error", {})
        except ValueError:
            error = {}
        raise ServiceError(e.code, error.get("code", "?"), error.get("message", e.reason))


def show_signal(args):
    signal = get(args.url, f"/v1/signals/{urllib.parse.quote(args.symbol)}",
                 {"timeframe": args.timeframe})
    if args.json:
        return signal
    print(f"{signal['symbol']} {signal['timeframe']} as of {signal['as_of']}: "
          f"{signal['action']} ({signal['strength']}), score {signal['score']:+.3f}, "
          f"confidence {signal['confidence']:.2f}")
    votes = signal.get("votes", {})
    print("votes: " + ", ".join(f"{k} {v}" for k, v in votes.items()))
    for name, category in signal.get("categories", {}).items():
        print(f"  {name:<12} {category.get('action', ''):<5} score {category.get('score', 0):+.3f}")
    agents = sorted(signal.get("agents", []), key=lambda a: -abs(a.get("score", 0)))
    if agents and args.agents:
        print(f"strongest {min(args.agents, len(agents))} agents:")
        for agent in agents[: args.agents]:
            print(f"  {agent['name']:<22} {agent['action']:<7} score {agent['score']:+.3f}  "
                  f"{agent.get('reason', '')}")
    return None


def show_scan(args):
    scan = get(args.url, "/v1/scan", {
        "timeframe": args.timeframe, "action": args.action, "min_score": args.min_score,
        "min_confidence": args.min_confidence, "category": args.category, "sort": args.sort,
        "limit": args.limit})
    if args.json:
        return scan
    print(f"{scan['total']} symbols match ({scan['timeframe']}); showing {len(scan['results'])}")
    print(f"{'SYMBOL':<12} {'ACTION':<6} {'STRENGTH':<10} {'SCORE':>7} {'CONF':>5}  AS OF")
    for row in scan["results"]:
        print(f"{row['symbol']:<12} {row['action']:<6} {row['strength']:<10} "
              f"{row['score']:>+7.3f} {row['confidence']:>5.2f}  {row['as_of']}")
    return None


def show_history(args):
    path = f"/v1/signals/{urllib.parse.quote(args.symbol)}/history"
    params = {"timeframe": args.timeframe, "limit": args.limit}
    rows = []
    while True:
        page = get(args.url, path, params)
        rows.extend(page["signals"])
        # Pages are linked by next_cursor; --all follows them to the end.
        if not args.all or not page.get("next_cursor"):
            break
        params["cursor"] = page["next_cursor"]
    if args.json:
        return {"symbol": args.symbol, "signals": rows}
    print(f"{len(rows)} stored signals for {args.symbol.upper()} {args.timeframe}, newest first")
    for row in rows:
        print(f"  {row['as_of']}  {row['action']:<5} {row['strength']:<10} "
              f"score {row['score']:+.3f}  confidence {row['confidence']:.2f}")
    return None


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--url", default=os.environ.get("GS_URL", "http://127.0.0.1:8080"))
    parser.add_argument("--timeframe", default="1d")
    parser.add_argument("--json", action="store_true", help="print the service's JSON")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("signal", help="a symbol's current signal")
    p.add_argument("symbol")
    p.add_argument("--agents", type=int, default=5, help="strongest agents to list")
    p.set_defaults(run=show_signal)
    p = sub.add_parser("scan", help="every symbol's signal, filtered and sorted")
    p.add_argument("--action", choices=["BUY", "SELL", "HOLD"])
    p.add_argument("--min-score", type=float)
    p.add_argument("--min-confidence", type=float)
    p.add_argument("--category")
    p.add_argument("--sort", default="-score")
    p.add_argument("--limit", type=int, default=20)
    p.set_defaults(run=show_scan)
    p = sub.add_parser("history", help="stored signals (needs PostgreSQL)")
    p.add_argument("symbol")
    p.add_argument("--limit", type=int, default=20)
    p.add_argument("--all", action="store_true", help="follow next_cursor to the end")
    p.set_defaults(run=show_history)
    args = parser.parse_args()
    args.url = args.url.rstrip("/")
    try:
        result = args.run(args)
    except ServiceError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    except urllib.error.URLError as e:
        print(f"error: cannot reach {args.url}: {e.reason}", file=sys.stderr)
        return 2
    if result is not None:
        json.dump(result, sys.stdout, indent=2)
        print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
