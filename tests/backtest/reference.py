#!/usr/bin/env python3
"""Independent computation of the backtest figures (docs/backtest.md), standard library only.

Reads tests/backtest/data/fixture.csv (time, close, voters, the consensus' action and score,
and three agent tracks) and writes, for each case below, every figure the C++ module
(src/backtest/figures.cpp) must give, to tests/backtest/data/expected.json. It is written from
the definitions in docs/backtest.md, not from the C++ code.

  reference.py --fixture   regenerate the fixture (seeded, deterministic)
  reference.py             regenerate expected.json from the fixture
  reference.py --check     exit 1 if expected.json differs from what the fixture gives
"""
import csv
import json
import math
import os
import random
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURE = os.path.join(HERE, "data", "fixture.csv")
EXPECTED = os.path.join(HERE, "data", "expected.json")
TRACKS = ["a0", "a1", "a2"]

# name, first index, end index (exclusive), horizon, fee_bps, mode, periods per year
CASES = [
    ("all_h1_free_long_short", 0, 300, 1, 0.0, "long_short", 252.0),
    ("all_h5_fee10_long_short", 0, 300, 5, 10.0, "long_short", 252.0),
    ("range_h3_fee25_long_only", 40, 260, 3, 25.0, "long_only", 52.0),
    ("inside_warmup_h2", 5, 120, 2, 1.5, "long_short", 1638.0),
    ("all_skipped", 0, 15, 1, 0.0, "long_short", 252.0),
    ("two_bars", 100, 102, 1, 5.0, "long_short", 252.0),
]


def make_fixture():
    rng = random.Random(13)
    rows = []
    close = 100.0
    for i in range(300):
        if 150 <= i < 156:
            pass  # a flat stretch: forward returns of 0, neither hits nor misses
        else:
            close = round(close * math.exp(rng.gauss(0.0003, 0.015)), 4)
        rows.append({"time": 1600000000 + 86400 * i, "close": close})
    for i, row in enumerate(rows):
        row["voters"] = 0 if i < 20 else rng.randint(1, 51)
        u = rng.random()
        if i < 20:
            action, score = "HOLD", 0.0
        elif u < 0.35:
            action, score = "BUY", round(rng.uniform(0.1, 1.0), 6)
        elif u < 0.65:
            action, score = "SELL", round(-rng.uniform(0.1, 1.0), 6)
        else:
            action, score = "HOLD", round(rng.uniform(-0.0999, 0.0999), 6)
        row["action"], row["score"] = action, score
        # a0: coarse scores (many ties), abstains while warming up and now and then.
        if i < 30 or rng.random() < 0.05:
            row["a0_action"], row["a0_score"] = "ABSTAIN", 0.0
        else:
            s = round(rng.uniform(-1.0, 1.0), 1)
            row["a0_action"] = "BUY" if s >= 0.5 else ("SELL" if s <= -0.5 else "HOLD")
            row["a0_score"] = s
        # a1: always HOLD with the same lean: no signals, IC undefined.
        row["a1_action"], row["a1_score"] = "HOLD", 0.0
        # a2: knows the next bar (a look-ahead agent, to give an IC near 1).
        if i + 1 < len(rows):
            move = rows[i + 1]["close"] / rows[i]["close"] - 1.0
            row["a2_action"] = "BUY" if move > 0 else ("SELL" if move < 0 else "HOLD")
            row["a2_score"] = round(max(-1.0, min(1.0, move * 20)), 6)
        else:
            row["a2_action"], row["a2_score"] = "HOLD", 0.0
    cols = ["time", "close", "voters", "action", "score"]
    for t in TRACKS:
        cols += [t + "_action", t + "_score"]
    with open(FIXTURE, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=cols, lineterminator="\n")
        w.writeheader()
        for row in rows:
            w.writerow(row)


def load_fixture():
    with open(FIXTURE, newline="") as f:
        rows = list(csv.DictReader(f))
    for row in rows:
        row["time"] = int(row["time"])
        row["close"] = float(row["close"])
        row["voters"] = int(row["voters"])
        row["score"] = float(row["score"])
        for t in TRACKS:
            row[t + "_score"] = float(row[t + "_score"])
    return rows


def mean(xs):
    return sum(xs) / len(xs) if xs else None


def average_ranks(xs):
    order = sorted(range(len(xs)), key=lambda k: xs[k])
    ranks = [0.0] * len(xs)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and xs[order[j + 1]] == xs[order[i]]:
            j += 1
        for k in range(i, j + 1):
            ranks[order[k]] = (i + 1 + j + 1) / 2.0
        i = j + 1
    return ranks


def spearman(xs, ys):
    if len(xs) < 2:
        return None
    rx, ry = average_ranks(xs), average_ranks(ys)
    mx, my = mean(rx), mean(ry)
    cov = sum((a - mx) * (b - my) for a, b in zip(rx, ry))
    vx = sum((a - mx) ** 2 for a in rx)
    vy = sum((b - my) ** 2 for b in ry)
    if vx == 0 or vy == 0:
        return None
    return cov / math.sqrt(vx * vy)


def compute(rows, first, end, horizon, fee_bps, mode, ppy):
    # Skipped: bars of the range before the first bar (of the whole series) with a voter.
    first_vote = next((i for i, r in enumerate(rows) if r["voters"] > 0), len(rows))
    start = min(end, max(first, first_vote))
    scored = list(range(start, end))
    closes = [r["close"] for r in rows]

    def pos(i):
        a = rows[i]["action"]
        if a == "BUY":
            return 1
        if a == "SELL" and mode == "long_short":
            return -1
        return 0

    def fwd(i):
        return closes[i + horizon] / closes[i] - 1.0 if i + horizon < end else None

    # Strategy returns over (t, t+1] for t = start .. end-2; position before start is 0.
    returns, equity_points = [], []
    equity, prev, trades, turnover, exposed = 1.0, 0, 0, 0, 0
    for t in scored:
        equity_points.append(equity)
        if t == end - 1:
            break
        p = pos(t)
        r = p * (closes[t + 1] / closes[t] - 1.0) - fee_bps / 1e4 * abs(p - prev)
        returns.append(r)
        trades += 1 if p != prev else 0
        turnover += abs(p - prev)
        exposed += 1 if p != 0 else 0
        equity *= 1.0 + r
        prev = p
    n = len(returns)
    # Max drawdown over the equity values, the starting 1 included.
    curve = [1.0]
    e = 1.0
    for r in returns:
        e *= 1.0 + r
        curve.append(e)
    peak, mdd = curve[0], 0.0
    for v in curve:
        peak = max(peak, v)
        mdd = max(mdd, 1.0 - v / peak)
    m = mean(returns)
    sharpe = sortino = None
    if n >= 2:
        sd = math.sqrt(sum((r - m) ** 2 for r in returns) / (n - 1))
        sharpe = m / sd * math.sqrt(ppy) if sd > 0 else None
    if n >= 1:
        dd = math.sqrt(sum(min(r, 0.0) ** 2 for r in returns) / n)
        sortino = m / dd * math.sqrt(ppy) if dd > 0 else None
    by_action = {}
    for a in ("BUY", "SELL", "HOLD"):
        idx = [t for t in scored if rows[t]["action"] == a]
        known = [t for t in idx if fwd(t) is not None]
        hits = [t for t in known if (closes[t + horizon] > closes[t] if a == "BUY"
                                     else closes[t + horizon] < closes[t])]
        by_action[a] = {
            "count": len(idx),
            "hit_rate": None if a == "HOLD" or not known else len(hits) / len(known),
            "avg_forward_return": mean([fwd(t) for t in known]),
        }
    calls = [t for t in scored if rows[t]["action"] in ("BUY", "SELL") and fwd(t) is not None]
    hit_count = sum(1 for t in calls if (closes[t + horizon] > closes[t]) ==
                    (rows[t]["action"] == "BUY") and closes[t + horizon] != closes[t])
    tracks = []
    for name in TRACKS:
        voted = [t for t in scored if rows[t][name + "_action"] != "ABSTAIN" and fwd(t) is not None]
        sig = [t for t in voted if rows[t][name + "_action"] in ("BUY", "SELL")]
        follow = [fwd(t) if rows[t][name + "_action"] == "BUY" else -fwd(t) for t in sig]
        wins = [t for t in sig if (closes[t + horizon] > closes[t]
                                   if rows[t][name + "_action"] == "BUY"
                                   else closes[t + horizon] < closes[t])]
        tracks.append({
            "name": name,
            "signals": len(sig),
            "hit_rate": len(wins) / len(sig) if sig else None,
            "avg_forward_return": mean(follow),
            "ic": spearman([rows[t][name + "_score"] for t in voted], [fwd(t) for t in voted]),
        })
    return {
        "bars": len(scored),
        "skipped": start - first,
        "summary": {
            "total_return": equity - 1.0,
            "buy_and_hold_return": closes[end - 1] / closes[start] - 1.0 if scored else None,
            "cagr": equity ** (ppy / n) - 1.0 if n and equity > 0 else None,
            "sharpe": sharpe,
            "sortino": sortino,
            "max_drawdown": mdd,
            "hit_rate": hit_count / len(calls) if calls else None,
            "trades": trades,
            "exposure": exposed / n if n else None,
            "turnover": float(turnover),
        },
        "by_action": by_action,
        "tracks": tracks,
        "positions": [pos(t) for t in scored],
        "forward_returns": [fwd(t) for t in scored],
        "equity": equity_points,
    }


def expected():
    rows = load_fixture()
    out = []
    for name, first, end, horizon, fee, mode, ppy in CASES:
        case = {"name": name, "begin": first, "end": end, "horizon": horizon, "fee_bps": fee,
                "mode": mode, "periods_per_year": ppy}
        case.update(compute(rows, first, end, horizon, fee, mode, ppy))
        out.append(case)
    return json.dumps({"cases": out}, indent=1, sort_keys=True) + "\n"


def main():
    if "--fixture" in sys.argv:
        make_fixture()
        return 0
    text = expected()
    if "--check" in sys.argv:
        with open(EXPECTED) as f:
            if f.read() != text:
                print("expected.json is not what reference.py computes from fixture.csv")
                return 1
        return 0
    with open(EXPECTED, "w") as f:
        f.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
