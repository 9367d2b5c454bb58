#pragma once

// Williams' %R (TA_WILLR), with TA-Lib's definition and lookback.

#include <span>

namespace gs::indicators {

// %R = -100 * (highest high - close) / (highest high - lowest low) over the last `period`
// bars, in [-100, 0]; 0 where the range is 0, as TA-Lib. Lookback period - 1.
void willr(std::span<const double> high, std::span<const double> low, std::span<const double> close,
           int period, std::span<double> out) noexcept;

}  // namespace gs::indicators
