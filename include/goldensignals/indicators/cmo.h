#pragma once

// Chande Momentum Oscillator (TA_CMO), with TA-Lib's definition and lookback.

#include <span>

namespace gs::indicators {

// TA-Lib's CMO smooths gains and losses exactly as its RSI does (Wilder's averages seeded
// with the simple mean of the first `period` changes), then
// cmo = 100 * (gain - loss) / (gain + loss), in [-100, 100]. Lookback `period` from the
// first value. Where gain + loss is below TA-Lib's zero threshold (kTaEpsilon, 1e-14), as on flat
// prices, the output is 0, exactly as TA-Lib's. `period` >= 2.
void cmo(std::span<const double> in, int period, std::span<double> out) noexcept;

}  // namespace gs::indicators
