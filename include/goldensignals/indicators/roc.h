#pragma once

// Rate of change (TA_ROC), with TA-Lib's definition and lookback.

#include <span>

namespace gs::indicators {

// roc = (in / in[period bars ago] - 1) * 100, in percent; 0 where the older value is 0, as
// TA-Lib. Lookback `period` from the first value.
void roc(std::span<const double> in, int period, std::span<double> out) noexcept;

}  // namespace gs::indicators
