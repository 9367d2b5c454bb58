#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "goldensignals/market/timeframe.h"

namespace gs::market {

// A live bar source named on the command line:
//   sim:N[:MS]                 N simulated symbols (SIM01..), a new bar each MS ms (1000)
//   replay:FILE[:BARS_PER_S]   the bars of a CSV replayed as if live (default 1 bar/s)
//   binance:SYM[,SYM...][@TF]  Binance spot klines of each symbol (TF 1m..1w, default 1m)
struct FeedSpec {
    enum class Kind { kNone, kSimulated, kReplay, kBinance };
    Kind kind = Kind::kNone;
    std::size_t symbols = 0;               // sim
    std::chrono::milliseconds interval{};  // sim: per bar; replay: 1 s / bars per second
    std::string file;                      // replay
    std::vector<std::string> instruments;  // binance: exchange symbols, upper-case, distinct
    Timeframe timeframe = Timeframe::k1m;  // binance
};

// Throws std::invalid_argument with a message naming the problem.
FeedSpec parse_feed_spec(std::string_view text);

}  // namespace gs::market
