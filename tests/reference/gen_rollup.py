#!/usr/bin/env python3
"""Writes the roll-up fixtures: 1-minute bars and their aggregation into every higher
timeframe, computed here with Python's datetime (an implementation independent of ours).

  python3 tests/reference/gen_rollup.py   (rewrites the CSVs in tests/reference/data/)

rollup_1m.csv       1m bars, US-equity-like sessions (14:30-21:00 UTC, weekdays) over three
                    weeks with a few missing minutes, plus a Sunday crypto-style stretch.
rollup_1m_corrections.csv  the corrections later posted over rollup_1m.csv: some bars changed, one bar
                    that was missing added late, one duplicate of an unchanged bar.
rollup_expected.csv  timeframe,time,open,high,low,close,volume of every period of rollup_1m.csv.
rollup_expected_corrected.csv  the same with the corrections applied.

Periods: the bar's UTC start floored to the timeframe; weeks start Monday 00:00 UTC.
"""
import csv
import datetime as dt
import os
import random

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data")
UTC = dt.timezone.utc
MINUTES = {"5m": 5, "15m": 15, "30m": 30, "1h": 60, "4h": 240, "1d": 1440}


def period_start(tf, t):
    moment = dt.datetime.fromtimestamp(t, UTC)
    if tf == "1w":
        monday = moment.date() - dt.timedelta(days=moment.weekday())
        return int(dt.datetime(monday.year, monday.month, monday.day, tzinfo=UTC).timestamp())
    day = dt.datetime(moment.year, moment.month, moment.day, tzinfo=UTC)
    minutes = (moment - day).seconds // 60
    return int(day.timestamp()) + (minutes // MINUTES[tf] * MINUTES[tf]) * 60


def make_base(rng):
    bars = {}
    price = 100.0
    start = dt.datetime(2024, 3, 4, tzinfo=UTC)  # a Monday
    for d in range(21):
        day = start + dt.timedelta(days=d)
        if day.weekday() < 5:
            first, count = day + dt.timedelta(hours=14, minutes=30), 390
        elif day.weekday() == 6 and d < 14:
            first, count = day + dt.timedelta(hours=22), 300  # runs past midnight into Monday
        else:
            continue
        for m in range(count):
            if rng.random() < 0.02:
                continue  # a minute without trades
            t = int((first + dt.timedelta(minutes=m)).timestamp())
            o = price
            c = max(1.0, o * (1 + rng.gauss(0, 0.001)))
            h = max(o, c) * (1 + abs(rng.gauss(0, 0.0005)))
            lo = min(o, c) * (1 - abs(rng.gauss(0, 0.0005)))
            v = float(rng.randint(0, 5000))
            bars[t] = (round(o, 4), round(h, 4), round(lo, 4), round(c, 4), v)
            price = c
    return bars


def aggregate(bars):
    out = {}
    for t in sorted(bars):
        o, h, lo, c, v = bars[t]
        for tf in list(MINUTES) + ["1w"]:
            key = (tf, period_start(tf, t))
            if key not in out:
                out[key] = [o, h, lo, c, v]
            else:
                agg = out[key]
                agg[1] = max(agg[1], h)
                agg[2] = min(agg[2], lo)
                agg[3] = c
                agg[4] += v
    return out


def write_bars(name, rows):
    with open(os.path.join(HERE, name), "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["time", "open", "high", "low", "close", "volume"])
        for t, (o, h, lo, c, v) in rows:
            w.writerow([t, repr(o), repr(h), repr(lo), repr(c), repr(v)])


def write_expected(name, agg):
    order = ["5m", "15m", "30m", "1h", "4h", "1d", "1w"]
    with open(os.path.join(HERE, name), "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["timeframe", "time", "open", "high", "low", "close", "volume"])
        for (tf, t) in sorted(agg, key=lambda k: (order.index(k[0]), k[1])):
            o, h, lo, c, v = agg[(tf, t)]
            w.writerow([tf, t, repr(o), repr(h), repr(lo), repr(c), repr(v)])


def main():
    rng = random.Random(20261201)
    base = make_base(rng)
    write_bars("rollup_1m.csv", sorted(base.items()))
    write_expected("rollup_expected.csv", aggregate(base))

    times = sorted(base)
    corrections = {}
    for t in rng.sample(times, 12):  # a changed bar: a new high, a new low, a new close
        o, h, lo, c, v = base[t]
        corrections[t] = (o, round(h * 1.01, 4), round(lo * 0.99, 4), o, v + 7)
    first_day = dt.datetime.fromtimestamp(times[0], UTC)
    for minute in range(1, 390):  # the first minute base.csv lacks arrives late
        t = int((first_day + dt.timedelta(minutes=minute)).timestamp())
        if t not in base:
            corrections[t] = (100.0, 100.5, 99.5, 100.25, 42.0)
            break
    corrections[times[-1]] = base[times[-1]]  # a duplicate that changes nothing
    write_bars("rollup_1m_corrections.csv", sorted(corrections.items()))
    corrected = dict(base)
    corrected.update(corrections)
    write_expected("rollup_expected_corrected.csv", aggregate(corrected))


if __name__ == "__main__":
    main()
