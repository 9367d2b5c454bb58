#pragma once

// Wilder's directional movement system: +DI, -DI (TA_PLUS_DI, TA_MINUS_DI) and ADX (TA_ADX).

#include <span>

namespace gs::indicators {

// All three in one pass, with TA-Lib's arithmetic: +DM/-DM and TR are summed over the first
// period - 1 bars, then smoothed Wilder-style on the sums (s = s * (1 - 1/period) + x); DI = 100 *
// DM / TR (0 when TR is ~0); DX = 100 * |+DI - -DI| / (+DI + -DI); the first ADX is the sum
// of `period` DX divided by period (a bar without a DX, flat prices, adds nothing), then
// adx = (prev * (period - 1) + dx) / period (unchanged on a bar without a DX).
// Lookbacks: DI `period`, ADX 2 * period - 1 (14 and 27 for period 14). period >= 2.
void dmi(std::span<const double> high, std::span<const double> low, std::span<const double> close,
         int period, std::span<double> plus_di, std::span<double> minus_di,
         std::span<double> adx) noexcept;

}  // namespace gs::indicators
