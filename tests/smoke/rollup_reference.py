#!/usr/bin/env python3
"""Roll-up end to end: a 1-minute series posted alone against an independent aggregation.

Standard library only. The periods are found with datetime (UTC calendar fields, weeks from
Monday), not with the service's epoch arithmetic, and OHLCV is folded with plain loops.

  rollup_reference.py post URL DIR     generate ~3 days of 1m bars (gaps, an empty 90-minute
                                       stretch, a weekend and a week boundary), post them in
                                       live-sized chunks and one bulk batch, check every longer
                                       timeframe; post a correction and a late bar, check again;
                                       DIR/bars.json keeps the bars for the next steps
  rollup_reference.py check URL DIR    check again (e.g. after a restart: what PostgreSQL kept)
  rollup_reference.py correct URL DIR  one more correction, then check (a roll-up resumed
                                       from the bars held)
Exits 1 naming the first differing bar.
"""

import json
import random
import sys
import urllib.request
from datetime import datetime, timedelta, timezone

SYMBOL = "RUPE2E"
DERIVED = ["5m", "15m", "1h", "4h", "1d", "1w"]
START = int(datetime(2024, 3, 8, 20, 0, tzinfo=timezone.utc).timestamp())  # a Friday
MINUTES = 3 * 24 * 60


def period_start(t, tf):
    d = datetime.fromtimestamp(t, timezone.utc)
    if tf == "1w":
        d = (d - timedelta(days=d.weekday())).replace(hour=0, minute=0, second=0)
    elif tf == "1d":
        d = d.replace(hour=0, minute=0, second=0)
    elif tf == "4h":
        d = d.replace(hour=d.hour - d.hour % 4, minute=0, second=0)
    elif tf == "1h":
        d = d.replace(minute=0, second=0)
    else:
        n = int(tf[:-1])
        d = d.replace(minute=d.minute - d.minute % n, second=0)
    return int(d.timestamp())


def aggregate(bars, tf):
    periods = {}
    for b in sorted(bars, key=lambda b: b["time"]):
        s = period_start(b["time"], tf)
        p = periods.get(s)
        if p is None:
            periods[s] = dict(b, time=s)
        else:
            p["high"] = max(p["high"], b["high"])
            p["low"] = min(p["low"], b["low"])
            p["close"] = b["close"]
            p["volume"] += b["volume"]
    return [periods[s] for s in sorted(periods)]


def generate():
    rng = random.Random(20261201)
    bars, price = [], 100.0
    for i in range(MINUTES):
        if rng.random() < 0.08 or 600 <= i < 690:  # scattered gaps and one empty stretch
            continue
        o = price
        price = max(1.0, price + rng.gauss(0, 0.2))
        c = round(price, 2)
        bars.append({"time": START + i * 60, "open": round(o, 2),
                     "high": round(max(o, c) + rng.random() * 0.3, 2),
                     "low": round(min(o, c) - rng.random() * 0.3, 2),
                     "close": c, "volume": rng.randint(1, 500)})
    return bars


def request(method, url, body=None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method=method,
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=60) as r:
        return json.loads(r.read())


def post(url, bars):
    body = [dict(b, time=b["time"]) for b in bars]
    answer = request("POST", f"{url}/v1/bars/{SYMBOL}?timeframe=1m", body)
    assert answer["accepted"] == len({b["time"] for b in bars}), answer


def iso(t):
    return datetime.fromtimestamp(t, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def check(url, bars, what):
    for tf in DERIVED:
        want = aggregate(bars, tf)
        got = request("GET", f"{url}/v1/bars/{SYMBOL}?timeframe={tf}&limit=100000")["bars"]
        if len(got) != len(want):
            sys.exit(f"FAIL {what}: {tf}: {len(got)} bars, expected {len(want)}")
        for g, w in zip(got, want):
            if g["time"] != iso(w["time"]):
                sys.exit(f"FAIL {what}: {tf}: bar at {g['time']}, expected {iso(w['time'])}")
            for k in ("open", "high", "low", "close", "volume"):
                if abs(g[k] - w[k]) > 1e-9 * max(1.0, abs(w[k])):
                    sys.exit(f"FAIL {what}: {tf} {g['time']} {k}: {g[k]}, expected {w[k]}")
        print(f"ok: {what}: {tf} {len(want)} bars equal the reference")


def correct(url, bars, index, late_minute):
    """Changes bar `index` (a spike and a new volume) and adds a bar in the gap at `late_minute`."""
    fixed = dict(bars[index], high=bars[index]["high"] + 25, volume=9999)
    late_time = START + late_minute * 60
    assert late_time not in {b["time"] for b in bars}, "the late bar must fill a gap"
    late = {"time": late_time, "open": 50.0, "high": 51.0, "low": 1.5, "close": 50.5, "volume": 7}
    post(url, [fixed, late])
    bars[index] = fixed
    bars.append(late)
    bars.sort(key=lambda b: b["time"])
    return bars


def main():
    mode, url, state = sys.argv[1], sys.argv[2].rstrip("/"), sys.argv[3] + "/bars.json"
    if mode == "post":
        bars = generate()
        for i in range(0, 600, 60):  # live-sized chunks first, then the rest at once
            post(url, bars[i:i + 60])
        post(url, bars[600:])
        check(url, bars, "posted")
        bars = correct(url, bars, 1500, 650)
        check(url, bars, "after a correction and a late bar")
    elif mode == "check":
        bars = json.load(open(state))
        check(url, bars, "after a restart")
    elif mode == "correct":
        bars = json.load(open(state))
        bars = correct(url, bars, 3000, 660)
        check(url, bars, "a correction after a restart")
    else:
        sys.exit(f"unknown mode {mode}")
    json.dump(bars, open(state, "w"))


if __name__ == "__main__":
    main()
