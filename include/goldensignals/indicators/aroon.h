#pragma once

// Aroon up / down (TA_AROON).

#include <span>

namespace gs::indicators {

// Over the last period + 1 bars (the current one included): up = 100 * (period - bars since
// the highest high) / period, down the same with the lowest low. Ties go to the most recent
// bar, as in TA-Lib. Lookback `period` (25 for AROON 25).
void aroon(std::span<const double> high, std::span<const double> low, int period,
           std::span<double> up, std::span<double> down) noexcept;

}  // namespace gs::indicators
