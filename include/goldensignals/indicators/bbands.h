#pragma once

// Bollinger Bands (TA_BBANDS with an SMA middle band) and %b.

#include <cstddef>
#include <span>

namespace gs::indicators {

// middle = SMA(close, period); upper/lower = middle +/- k_up/k_down * population standard
// deviation over the same window (TA_BBANDS, MA type SMA). Lookback period - 1.
void bbands(std::span<const double> close, int period, double k_up, double k_down,
            std::span<double> upper, std::span<double> middle, std::span<double> lower) noexcept;

struct Bands {
    double upper;
    double middle;
    double lower;
};

// The bands at bar `i` alone, from its own window (two passes, O(period)): what an agent
// needs for the latest bar. All NaN while i < period - 1. Agrees with bbands() to rounding.
Bands bbands_at(std::span<const double> close, int period, double k_up, double k_down,
                std::size_t i) noexcept;

// %b = (close - lower) / (upper - lower): 0 on the lower band, 1 on the upper band. When the
// bands have collapsed (upper <= lower, a flat window) it is 0.5, so a flat market reads as
// "in the middle" instead of NaN. NaN where a band is NaN.
void percent_b(std::span<const double> close, std::span<const double> upper,
               std::span<const double> lower, std::span<double> out) noexcept;

}  // namespace gs::indicators
