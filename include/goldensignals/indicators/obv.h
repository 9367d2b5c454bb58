#pragma once

// On-balance volume (TA_OBV).

#include <span>

namespace gs::indicators {

// Starts at the first bar's volume (TA-Lib's seed), then adds the volume on an up close,
// subtracts it on a down close and carries it on an unchanged close. Lookback 0.
void obv(std::span<const double> close, std::span<const double> volume,
         std::span<double> out) noexcept;

}  // namespace gs::indicators
