#pragma once

// MACD (TA_MACD): the difference of a fast and a slow EMA, its signal EMA and the histogram.

#include <span>

namespace gs::indicators {

// TA-Lib's TA_MACD exactly, which is not ema(fast) - ema(slow): both EMAs are seeded on the
// same bar (the slow one's first), the fast one with the SMA of the last `fast_period` values
// of the slow seed window. The signal is the EMA (SMA-seeded) of the MACD line. All three
// outputs start together at lookback (slow_period - 1) + (signal_period - 1) from the first
// value, NaN before (33 for 12/26/9). Periods are swapped if slow < fast, as TA-Lib does.
void macd(std::span<const double> in, int fast_period, int slow_period, int signal_period,
          std::span<double> line, std::span<double> signal, std::span<double> hist) noexcept;

// Number of leading bars without a value (TA_MACD_Lookback).
int macd_lookback(int fast_period, int slow_period, int signal_period) noexcept;

}  // namespace gs::indicators
