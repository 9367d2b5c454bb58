#!/usr/bin/env python3
"""Writes the Binance replay fixtures of tests/feed (run once; the output is committed).

Shapes are Binance's documented ones (binance-spot-api-docs: web-socket-streams.md "Kline/
Candlestick Streams" in the combined-stream wrapper, rest-api.md "Kline/Candlestick data");
the values are a seeded random walk near BTCUSDT and ETHUSDT's prices of 2023-01-01.

  klines_<SYMBOL>.json  what GET /api/v3/klines knows: minutes 0..12 of 2023-01-01, 1m
  ws_session1.jsonl     first connection: a subscription reply, then per minute 0..4 a forming
                        and the closed kline of each symbol, with four malformed messages among
                        them; the server then drops the connection (no close frame)
  ws_session2.jsonl     after the reconnect: minutes 10..12 closed (the backfill already gave
                        them: duplicates), then minute 13 forming
Minutes 5..9 exist only in the REST history: the gap the backfill must fill.
"""
import json
import random

T0 = 1672531200000  # 2023-01-01T00:00:00Z
MINUTE = 60_000
SYMBOLS = {"BTCUSDT": 16541.77, "ETHUSDT": 1196.13}
rng = random.Random(16)


def fmt(x):
    return f"{x:.8f}"


bars = {}
for symbol, price in SYMBOLS.items():
    rows = []
    for m in range(14):
        o = price
        c = round(o * (1 + rng.gauss(0, 0.0015)), 2)
        h = round(max(o, c) * (1 + abs(rng.gauss(0, 0.0005))), 2)
        low = round(min(o, c) * (1 - abs(rng.gauss(0, 0.0005))), 2)
        v = round(rng.uniform(50, 400) if symbol == "BTCUSDT" else rng.uniform(500, 4000), 5)
        rows.append({"m": m, "o": o, "h": h, "l": low, "c": c, "v": v, "n": rng.randint(500, 3000)})
        price = c
    bars[symbol] = rows


def rest_row(b):
    t = T0 + b["m"] * MINUTE
    quote = b["v"] * b["c"]
    return [t, fmt(b["o"]), fmt(b["h"]), fmt(b["l"]), fmt(b["c"]), fmt(b["v"]), t + MINUTE - 1,
            fmt(quote), b["n"], fmt(b["v"] / 2), fmt(quote / 2), "0"]


def ws_message(symbol, b, final, event_offset):
    t = T0 + b["m"] * MINUTE
    if final:
        o, h, low, c, v, n = b["o"], b["h"], b["l"], b["c"], b["v"], b["n"]
    else:  # part way through the minute: the same open, a smaller range and volume
        o, c, v, n = b["o"], round((b["o"] + b["c"]) / 2, 2), round(b["v"] / 3, 5), b["n"] // 3
        h, low = max(o, c), min(o, c)
    data = {
        "e": "kline", "E": t + event_offset, "s": symbol,
        "k": {"t": t, "T": t + MINUTE - 1, "s": symbol, "i": "1m", "f": 100 + b["m"] * 1000,
              "L": 100 + b["m"] * 1000 + n, "o": fmt(o), "c": fmt(c), "h": fmt(h), "l": fmt(low),
              "v": fmt(v), "n": n, "x": final, "q": fmt(v * c), "V": fmt(v / 2),
              "Q": fmt(v * c / 2), "B": "0"}}
    return json.dumps({"stream": f"{symbol.lower()}@kline_1m", "data": data},
                      separators=(",", ":"))


for symbol, rows in bars.items():
    with open(f"klines_{symbol}.json", "w") as f:
        json.dump([rest_row(b) for b in rows[:13]], f, separators=(",", ":"))
        f.write("\n")

session1 = ['{"result":null,"id":1}']
malformed = {
    1: 'this is not json',
    2: '{"stream":"btcusdt@kline_1m"}',
    3: ws_message("BTCUSDT", bars["BTCUSDT"][3], False, 20_000).replace('"o":"', '"o":"x'),
    4: ws_message("ETHUSDT", bars["ETHUSDT"][4], True, 60_000).replace(
        '"h":"', '"h":"0.0', 1),  # high below low: not a valid bar
}
for m in range(5):
    for symbol in SYMBOLS:
        session1.append(ws_message(symbol, bars[symbol][m], False, 30_000))
    if m in malformed:
        session1.append(malformed[m])
    for symbol in SYMBOLS:
        session1.append(ws_message(symbol, bars[symbol][m], True, MINUTE))
with open("ws_session1.jsonl", "w") as f:
    f.write("\n".join(session1) + "\n")

session2 = []
for m in (10, 11, 12):
    for symbol in SYMBOLS:
        session2.append(ws_message(symbol, bars[symbol][m], True, MINUTE))
for symbol in SYMBOLS:
    session2.append(ws_message(symbol, bars[symbol][13], False, 15_000))
with open("ws_session2.jsonl", "w") as f:
    f.write("\n".join(session2) + "\n")
