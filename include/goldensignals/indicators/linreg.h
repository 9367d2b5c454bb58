#pragma once

// Linear regression slope (TA_LINEARREG_SLOPE).

#include <span>

namespace gs::indicators {

// Least-squares slope, per bar, of the last `period` values against their position. Lookback
// period - 1 (19 for period 20). O(n * period), like TA-Lib: the sums are recomputed for each
// window. Sliding them drifts by rounding, and the slope is a small difference of large sums
// (a flat stretch of a 100-priced series), so the drift cost up to 1e-7 relative after 2000
// bars.
void linreg_slope(std::span<const double> in, int period, std::span<double> out) noexcept;

}  // namespace gs::indicators
