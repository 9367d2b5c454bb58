#pragma once

// Wilder's Parabolic SAR (TA_SAR).

#include <span>

namespace gs::indicators {

// TA-Lib's bootstrap: the direction for bar 1 is short when bar 1 has a positive -DM (its low
// fell further than its high rose), long otherwise; the first SAR is bar 0's low (long) or
// high (short) and the first extreme point bar 1's high (long) or low (short). Then Wilder's
// recursion sar += af * (ep - sar), af += acceleration on each new extreme up to `maximum`,
// the SAR kept outside the last two bars' range, and a reversal when a bar's range touches
// the SAR (the new SAR is the old extreme point). Lookback 1.
void sar(std::span<const double> high, std::span<const double> low, double acceleration,
         double maximum, std::span<double> out) noexcept;

}  // namespace gs::indicators
