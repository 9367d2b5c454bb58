#pragma once

// Money Flow Index (TA_MFI).

#include <cstddef>
#include <span>

namespace gs::indicators {

// Typical price tp = (high + low + close) / 3, raw flow = tp * volume, counted positive when
// tp rose from the previous bar and negative when it fell (neither when unchanged).
// mfi = 100 * positive / (positive + negative) over `period` flows; TA-Lib writes 0 when the
// total flow is below 1 (no money moved). Lookback `period`.
void mfi(std::span<const double> high, std::span<const double> low, std::span<const double> close,
         std::span<const double> volume, int period, std::span<double> out) noexcept;

// The MFI at bar `i` alone, from its own window (O(period)): what an agent needs for the
// latest bar. NaN while i < period. Agrees with mfi() to rounding.
double mfi_at(std::span<const double> high, std::span<const double> low,
              std::span<const double> close, std::span<const double> volume, int period,
              std::size_t i) noexcept;

}  // namespace gs::indicators
