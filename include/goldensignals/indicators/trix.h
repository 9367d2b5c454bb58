#pragma once

// TRIX (TA_TRIX): the 1-bar rate of change of a triple EMA.

#include <span>

namespace gs::indicators {

// e3 = EMA(EMA(EMA(in, period), period), period) (each TA_EMA, SMA-seeded, chained from the
// previous one's first value); trix = 100 * (e3[i] / e3[i-1] - 1), 0 when e3[i-1] is 0
// (TA_ROC). Lookback 3 * (period - 1) + 1 (43 for TRIX 15). `out` may alias `in`.
void trix(std::span<const double> in, int period, std::span<double> out) noexcept;

}  // namespace gs::indicators
