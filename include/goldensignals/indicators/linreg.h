#pragma once

// Linear regression slope (TA_LINEARREG_SLOPE).

#include <span>

namespace gs::indicators {

// Least-squares slope, per bar, of the last `period` values against their position. Lookback
// period - 1 (19 for period 20). O(n): the sums slide instead of being recomputed.
void linreg_slope(std::span<const double> in, int period, std::span<double> out) noexcept;

}  // namespace gs::indicators
