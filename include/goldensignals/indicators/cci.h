#pragma once

// Commodity Channel Index (TA_CCI), with TA-Lib's definition and lookback.

#include <span>

namespace gs::indicators {

// tp = (high + low + close) / 3; over the last `period` bars, mean = SMA(tp) and
// md = mean |tp - mean| (mean absolute deviation, not the standard deviation);
// cci = (tp - mean) / (0.015 * md). 0 where tp - mean or md is exactly 0, as TA-Lib (no
// epsilon: any price scale keeps its CCI). Lookback period - 1. O(n * period), like TA-Lib: the
// mean absolute deviation has no running update.
void cci(std::span<const double> high, std::span<const double> low, std::span<const double> close,
         int period, std::span<double> out) noexcept;

}  // namespace gs::indicators
