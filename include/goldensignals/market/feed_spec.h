#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>

namespace gs::market {

// A live bar source named on the command line:
//   sim:N[:MS]                 N simulated symbols (SIM01..), a new bar each MS ms (1000)
//   replay:FILE[:BARS_PER_S]   the bars of a CSV replayed as if live (default 1 bar/s)
struct FeedSpec {
    enum class Kind { kNone, kSimulated, kReplay };
    Kind kind = Kind::kNone;
    std::size_t symbols = 0;               // sim
    std::chrono::milliseconds interval{};  // sim: per bar; replay: 1 s / bars per second
    std::string file;                      // replay
};

// Throws std::invalid_argument with a message naming the problem.
FeedSpec parse_feed_spec(std::string_view text);

}  // namespace gs::market
