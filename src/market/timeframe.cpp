#include "goldensignals/market/timeframe.h"

namespace gs::market {
namespace {

struct Row {
    Timeframe timeframe;
    std::string_view name;
    std::int64_t seconds;
};

constexpr std::array<Row, 8> kRows = {{{Timeframe::k1m, "1m", 60},
                                       {Timeframe::k5m, "5m", 300},
                                       {Timeframe::k15m, "15m", 900},
                                       {Timeframe::k30m, "30m", 1800},
                                       {Timeframe::k1h, "1h", 3600},
                                       {Timeframe::k4h, "4h", 14400},
                                       {Timeframe::k1d, "1d", 86400},
                                       {Timeframe::k1w, "1w", 604800}}};

}  // namespace

std::string_view to_string(Timeframe timeframe) noexcept {
    return kRows[static_cast<std::size_t>(timeframe)].name;
}

std::optional<Timeframe> parse_timeframe(std::string_view text) noexcept {
    for (const auto& row : kRows) {
        if (row.name == text) {
            return row.timeframe;
        }
    }
    return std::nullopt;
}

std::int64_t seconds_of(Timeframe timeframe) noexcept {
    return kRows[static_cast<std::size_t>(timeframe)].seconds;
}

}  // namespace gs::market
