#pragma once

// Kaufman Adaptive Moving Average (TA_KAMA).

#include <span>

namespace gs::indicators {

// er = |in[i] - in[i-period]| / sum of |1-bar changes| over the same span (1 when that sum
// is ~0 or not above the change), sc = (er * (2/3 - 2/31) + 2/31)^2, kama = kama[i-1] +
// sc * (in[i] - kama[i-1]), started from in[period - 1]. Lookback `period` (10 for KAMA 10).
void kama(std::span<const double> in, int period, std::span<double> out) noexcept;

}  // namespace gs::indicators
