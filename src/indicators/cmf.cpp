#include "goldensignals/indicators/cmf.h"

#include <algorithm>

#include "goldensignals/indicators/ad.h"
#include "goldensignals/indicators/core.h"
#include "goldensignals/indicators/lane_sum.h"

namespace gs::indicators {

// Each value from its own window (O(period) per bar) rather than a running sum: after a
// stretch of large volumes, a running sum that subtracts them again leaves rounding residue,
// and over a window with no volume that residue divided by itself charted nonsense. Window by
// window, the series is also exactly what the agent's verdict sees (cmf_at).
void cmf(std::span<const double> high, std::span<const double> low, std::span<const double> close,
         std::span<const double> volume, int period, std::span<double> out) noexcept {
    for (std::size_t i = 0; i < close.size(); ++i) {
        out[i] = cmf_at(high, low, close, volume, period, i);
    }
}

double cmf_at(std::span<const double> high, std::span<const double> low,
              std::span<const double> close, std::span<const double> volume, int period,
              std::size_t i) noexcept {
    const std::size_t p = static_cast<std::size_t>(std::max(period, 1));
    if (i >= close.size() || i + 1 < p) {
        return kNaN;
    }
    const std::size_t from = i + 1 - p;
    const double sum_mfv = lane_sum_over(p, [&](std::size_t j) {
        return money_flow_volume(high[from + j], low[from + j], close[from + j], volume[from + j]);
    });
    const double sum_v = lane_sum(volume.subspan(from, p));
    return sum_v > 0.0 ? sum_mfv / sum_v : 0.0;
}

}  // namespace gs::indicators
