#pragma once

// Momentum (TA_MOM), with TA-Lib's definition and lookback.

#include <span>

namespace gs::indicators {

// mom = in - in[period bars ago], in price units. Lookback `period` from the first value.
void mom(std::span<const double> in, int period, std::span<double> out) noexcept;

}  // namespace gs::indicators
