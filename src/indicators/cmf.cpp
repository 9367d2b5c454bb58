#include "goldensignals/indicators/cmf.h"

#include <algorithm>

#include "goldensignals/indicators/ad.h"
#include "goldensignals/indicators/core.h"

namespace gs::indicators {

void cmf(std::span<const double> high, std::span<const double> low, std::span<const double> close,
         std::span<const double> volume, int period, std::span<double> out) noexcept {
    const std::size_t p = static_cast<std::size_t>(std::max(period, 1));
    double sum_mfv = 0.0;
    double sum_v = 0.0;
    for (std::size_t i = 0; i < close.size(); ++i) {
        sum_mfv += money_flow_volume(high[i], low[i], close[i], volume[i]);
        sum_v += volume[i];
        if (i >= p) {
            const std::size_t j = i - p;
            sum_mfv -= money_flow_volume(high[j], low[j], close[j], volume[j]);
            sum_v -= volume[j];
        }
        if (i + 1 < p) {
            out[i] = kNaN;
        } else {
            out[i] = sum_v > 0.0 ? sum_mfv / sum_v : 0.0;
        }
    }
}

double cmf_at(std::span<const double> high, std::span<const double> low,
              std::span<const double> close, std::span<const double> volume, int period,
              std::size_t i) noexcept {
    const std::size_t p = static_cast<std::size_t>(std::max(period, 1));
    if (i >= close.size() || i + 1 < p) {
        return kNaN;
    }
    double sum_mfv = 0.0;
    double sum_v = 0.0;
    for (std::size_t j = i + 1 - p; j <= i; ++j) {
        sum_mfv += money_flow_volume(high[j], low[j], close[j], volume[j]);
        sum_v += volume[j];
    }
    return sum_v > 0.0 ? sum_mfv / sum_v : 0.0;
}

}  // namespace gs::indicators
