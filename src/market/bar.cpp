#include "goldensignals/market/bar.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "goldensignals/market/time_format.h"

namespace gs::market {

std::string time_range_problem(std::string_view shown) {
    return fmt::format("time {} is outside 1970-01-01..2200-01-01 (epoch seconds expected)", shown);
}

std::optional<std::string> validate_bar(const Bar& bar) {
    if (bar.time < kMinBarTime || bar.time >= kMaxBarTime) {
        return time_range_problem(fmt::to_string(bar.time));
    }
    const std::pair<const char*, double> prices[] = {
        {"open", bar.open}, {"high", bar.high}, {"low", bar.low}, {"close", bar.close}};
    for (const auto& [name, value] : prices) {
        if (!std::isfinite(value)) {
            return fmt::format("{} is not a finite number", name);
        }
        if (value <= 0.0) {
            return fmt::format("{} {} is not positive", name, value);
        }
    }
    if (!std::isfinite(bar.volume)) {
        return std::string("volume is not a finite number");
    }
    if (bar.volume < 0.0) {
        return fmt::format("volume {} is negative", bar.volume);
    }
    if (bar.high < std::max(bar.open, bar.close)) {
        return fmt::format("high {} is below max(open, close) {}", bar.high,
                           std::max(bar.open, bar.close));
    }
    if (bar.low > std::min(bar.open, bar.close)) {
        return fmt::format("low {} is above min(open, close) {}", bar.low,
                           std::min(bar.open, bar.close));
    }
    return std::nullopt;
}

}  // namespace gs::market
