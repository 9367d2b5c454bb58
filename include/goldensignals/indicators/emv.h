#pragma once

// Arms' Ease of Movement. TA-Lib has no EMV.

#include <span>

namespace gs::indicators {

// Volume per "box" in Arms' formula; volume is divided by 10^8 so a typical stock's EMV
// lands in single digits.
inline constexpr double kEmvVolumeScale = 100'000'000.0;

// One bar's EMV (needs the previous bar):
//   ((high + low) / 2 - (prev_high + prev_low) / 2) / ((volume / 10^8) / (high - low))
// 0 when the bar has no range or no volume (no box to move through).
inline double emv_bar(double high, double low, double prev_high, double prev_low,
                      double volume) noexcept {
    const double range = high - low;
    if (!(range > 0.0) || !(volume > 0.0)) {
        return 0.0;
    }
    const double distance = (high + low) / 2.0 - (prev_high + prev_low) / 2.0;
    return distance * range * kEmvVolumeScale / volume;
}

// SMA(period) of the per-bar EMV, which starts at bar 1. Lookback `period`.
void emv(std::span<const double> high, std::span<const double> low, std::span<const double> volume,
         int period, std::span<double> out) noexcept;

}  // namespace gs::indicators
