#pragma once

// Keltner Channel (the modern, ATR-based form; TA-Lib has no function for it).

#include <span>

namespace gs::indicators {

// middle = EMA(close, ema_period) (TA_EMA), upper/lower = middle +/- mult * ATR(atr_period)
// (TA_ATR, Wilder). Lookback max(ema_period - 1, atr_period).
void keltner(std::span<const double> high, std::span<const double> low,
             std::span<const double> close, int ema_period, int atr_period, double mult,
             std::span<double> upper, std::span<double> middle, std::span<double> lower) noexcept;

}  // namespace gs::indicators
