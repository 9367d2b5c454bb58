#pragma once

// Tillson's T3 moving average (TA_T3).

#include <span>

namespace gs::indicators {

// Six chained EMAs e1..e6 of period `period` (each seeded with the SMA of its first `period`
// inputs, as TA_T3 does), a = vfactor:
//   t3 = -a^3 e6 + (3a^2 + 3a^3) e5 + (-6a^2 - 3a - 3a^3) e4 + (1 + 3a + a^3 + 3a^2) e3.
// Lookback 6 * (period - 1) (24 for T3 5). One pass, no scratch.
void t3(std::span<const double> in, int period, double vfactor, std::span<double> out) noexcept;

}  // namespace gs::indicators
