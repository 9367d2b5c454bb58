#pragma once

// Chaikin's accumulation/distribution line (TA_AD) and oscillator (TA_ADOSC).

#include <cstddef>
#include <span>

namespace gs::indicators {

// Money-flow volume of one bar: ((close - low) - (high - close)) / (high - low) * volume,
// 0 when the bar has no range (TA-Lib adds nothing then).
inline double money_flow_volume(double high, double low, double close, double volume) noexcept {
    const double range = high - low;
    return range > 0.0 ? ((close - low) - (high - close)) / range * volume : 0.0;
}

// Cumulative money-flow volume from the first bar (TA_AD). Lookback 0.
void ad(std::span<const double> high, std::span<const double> low, std::span<const double> close,
        std::span<const double> volume, std::span<double> out) noexcept;

// EMA(fast) - EMA(slow) of the A/D line (TA_ADOSC). Unlike TA_EMA, TA-Lib seeds both EMAs
// with the first A/D value and reports from bar slow - 1 on; lookback max(fast, slow) - 1.
void adosc(std::span<const double> high, std::span<const double> low, std::span<const double> close,
           std::span<const double> volume, int fast, int slow, std::span<double> out) noexcept;

}  // namespace gs::indicators
