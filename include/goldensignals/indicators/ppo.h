#pragma once

// Percentage Price Oscillator (TA_PPO with MA type EMA), TA-Lib's definition and lookback.

#include <span>

namespace gs::indicators {

// ppo = 100 * (EMA(fast) - EMA(slow)) / EMA(slow), both EMAs exactly as ema() in core.h
// (k = 2 / (period + 1), seeded with the SMA of the first `period` values: TA_PPO hands
// TA_MA the caller's start, so unlike TA_MACD the fast EMA is not re-seeded at the slow
// one's start). 0 where EMA(slow) is below TA-Lib's zero threshold (kTaEpsilon, 1e-14). Lookback
// max(fast, slow) - 1 from the first value (25 for 12 / 26). The signal line is
// ema(ppo, 9), which starts at PPO's first value as TA-Lib does over PPO's valid part.
void ppo(std::span<const double> in, int fast_period, int slow_period,
         std::span<double> out) noexcept;

}  // namespace gs::indicators
