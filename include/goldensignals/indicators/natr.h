#pragma once

// Normalised average true range (TA_NATR).

#include <span>

namespace gs::indicators {

// 100 * ATR(period) / close, 0 where the close is zero (as TA-Lib). Lookback `period`.
void natr(std::span<const double> high, std::span<const double> low, std::span<const double> close,
          int period, std::span<double> out) noexcept;

}  // namespace gs::indicators
