#pragma once

// SuperTrend (TA-Lib has no function): ATR bands around the bar midpoint that only tighten
// while the trend lasts.

#include <span>

namespace gs::indicators {

// From bar i with an ATR value (TA_ATR, Wilder), with hl2 = (high + low) / 2:
//   basic_upper = hl2 + multiplier * atr,  basic_lower = hl2 - multiplier * atr
//   upper = basic_upper if basic_upper < upper[i-1] or close[i-1] > upper[i-1], else upper[i-1]
//   lower = basic_lower if basic_lower > lower[i-1] or close[i-1] < lower[i-1], else lower[i-1]
//   direction: +1 on the first bar unless close < lower there; afterwards it turns +1 when
//              close > upper[i-1], -1 when close < lower[i-1], and otherwise stays
//   line = lower when direction is +1, upper when -1
// (TradingView's SuperTrend). `direction` holds +1 / -1, NaN where the line is NaN.
// `atr_values` may alias `line`. Lookback = the ATR's (atr_period).
void supertrend(std::span<const double> high, std::span<const double> low,
                std::span<const double> close, std::span<const double> atr_values,
                double multiplier, std::span<double> line, std::span<double> direction) noexcept;

// The same with the ATR computed here (TA_ATR over atr_period, through `line`).
void supertrend(std::span<const double> high, std::span<const double> low,
                std::span<const double> close, int atr_period, double multiplier,
                std::span<double> line, std::span<double> direction) noexcept;

}  // namespace gs::indicators
