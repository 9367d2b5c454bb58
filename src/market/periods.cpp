#include "goldensignals/market/periods.h"

#include <algorithm>

namespace gs::market {
namespace {

constexpr std::int64_t kDay = 86'400;
// 1970-01-05, the first Monday after the epoch (a Thursday).
constexpr std::int64_t kFirstMonday = 4 * kDay;

// Rounds towards minus infinity, so times before an origin land in the period before it.
constexpr std::int64_t floor_to(std::int64_t value, std::int64_t step) noexcept {
    const std::int64_t quotient = value / step;
    return (quotient - (value % step < 0 ? 1 : 0)) * step;
}

}  // namespace

std::int64_t period_start(Timeframe timeframe, std::int64_t time) noexcept {
    const std::int64_t length = seconds_of(timeframe);
    if (timeframe == Timeframe::k1w) {
        return floor_to(time - kFirstMonday, length) + kFirstMonday;
    }
    return floor_to(time, length);
}

std::vector<Timeframe> longer_timeframes(Timeframe base) {
    std::vector<Timeframe> longer;
    for (const Timeframe timeframe : kAllTimeframes) {
        if (seconds_of(timeframe) > seconds_of(base)) {
            longer.push_back(timeframe);
        }
    }
    return longer;
}

Bar open_period(Timeframe timeframe, const Bar& first) noexcept {
    Bar period = first;
    period.time = period_start(timeframe, first.time);
    return period;
}

void fold(Bar& period, const Bar& newer) noexcept {
    period.high = std::max(period.high, newer.high);
    period.low = std::min(period.low, newer.low);
    period.close = newer.close;
    period.volume += newer.volume;
}

std::vector<Bar> aggregate(std::span<const Bar> bars, Timeframe timeframe) {
    std::vector<Bar> periods;
    for (const Bar& bar : bars) {
        if (!periods.empty() && periods.back().time == period_start(timeframe, bar.time)) {
            fold(periods.back(), bar);
        } else {
            periods.push_back(open_period(timeframe, bar));
        }
    }
    return periods;
}

}  // namespace gs::market
