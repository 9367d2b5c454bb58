#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "goldensignals/market/bar.h"
#include "goldensignals/market/timeframe.h"

namespace gs::market {

// Where a bar of a timeframe begins and ends, in UTC epoch seconds. Periods are multiples of
// the timeframe's length counted from the epoch, except weeks, which begin Monday 00:00 UTC
// (the epoch was a Thursday). Every timeframe divides a day and a week begins on a day, so
// each period of a shorter timeframe lies inside exactly one period of every longer one.
std::int64_t period_start(Timeframe timeframe, std::int64_t time) noexcept;
inline std::int64_t period_end(Timeframe timeframe, std::int64_t time) noexcept {
    return period_start(timeframe, time) + seconds_of(timeframe);
}

// The timeframes bars of `base` roll up into: every longer one, shortest first.
std::vector<Timeframe> longer_timeframes(Timeframe base);

// A period's bar from the first bar that falls in it: the bar's prices and volume, stamped
// with the period's start.
Bar open_period(Timeframe timeframe, const Bar& first) noexcept;
// Folds a bar newer than every bar already folded into its period's bar: high = max,
// low = min, close = the newest close, volume = sum (the open stays the first bar's).
void fold(Bar& period, const Bar& newer) noexcept;

// The bars of `timeframe` that `bars` (sorted by time, unique times, of a shorter timeframe)
// make up, oldest first. The last period may be incomplete: the caller decides whether it has
// closed.
std::vector<Bar> aggregate(std::span<const Bar> bars, Timeframe timeframe);

}  // namespace gs::market
