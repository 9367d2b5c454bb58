#pragma once

// Chaikin Money Flow. TA-Lib has no CMF.

#include <cstddef>
#include <span>

namespace gs::indicators {

// sum(money-flow volume, period) / sum(volume, period), with the money-flow volume of
// ad.h (0 for a bar without range); 0 when the window has no volume. Lookback period - 1.
void cmf(std::span<const double> high, std::span<const double> low, std::span<const double> close,
         std::span<const double> volume, int period, std::span<double> out) noexcept;

// The CMF at bar `i` alone, from its own window (O(period)): what an agent needs for the
// latest bar. NaN while i < period - 1. cmf() is this at every bar.
double cmf_at(std::span<const double> high, std::span<const double> low,
              std::span<const double> close, std::span<const double> volume, int period,
              std::size_t i) noexcept;

}  // namespace gs::indicators
