#pragma once

#include <cstdint>
#include <optional>
#include <string>

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

}  // namespace gs::market
