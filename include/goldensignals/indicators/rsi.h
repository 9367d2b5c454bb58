#pragma once

// Relative Strength Index (TA_RSI), with TA-Lib's definition and lookback.

#include <span>

namespace gs::indicators {

// Wilder's RSI. The average gain and the average loss are seeded with the simple mean of
// the first `period` changes, then smoothed avg = (prev * (period - 1) + change) / period;
// rsi = 100 * gain / (gain + loss). Lookback `period` from the first value (RSI 14 needs
// 15 prices). Where gain + loss is below TA-Lib's zero threshold (kTaEpsilon, 1e-14), as on flat
// prices, the output is 0, exactly as TA-Lib's. `period` >= 2.
void rsi(std::span<const double> in, int period, std::span<double> out) noexcept;

}  // namespace gs::indicators
