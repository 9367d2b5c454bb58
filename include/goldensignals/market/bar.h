#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace gs::market {

// One OHLCV bar; time is the bar's open time, UTC epoch seconds.
struct Bar {
    std::int64_t time = 0;
    double open = 0;
    double high = 0;
    double low = 0;
    double close = 0;
    double volume = 0;
};

// Why a bar cannot be stored (non-finite or non-positive prices, high below max(open,
// close), low above min(open, close), negative volume, time out of range); nullopt if fine.
std::optional<std::string> validate_bar(const Bar& bar);

// validate_bar's reason for a time outside 1970..2200, the time `shown` as text: a parser
// reports it before converting a value no int64_t holds (1e300, 2^64 - 1).
std::string time_range_problem(std::string_view shown);

}  // namespace gs::market
