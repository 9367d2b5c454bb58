#include "goldensignals/indicators/vwap.h"

#include <algorithm>

#include "goldensignals/indicators/core.h"

namespace gs::indicators {

void vwap(std::span<const double> high, std::span<const double> low, std::span<const double> close,
          std::span<const double> volume, int period, double k, std::span<double> upper,
          std::span<double> middle, std::span<double> lower) noexcept {
    const std::size_t p = static_cast<std::size_t>(std::max(period, 1));
    auto typical = [&](std::size_t i) { return (high[i] + low[i] + close[i]) / 3.0; };
    double sum_v = 0.0;
    double sum_pv = 0.0;
    double sum_ppv = 0.0;
    for (std::size_t i = 0; i < close.size(); ++i) {
        const double tp = typical(i);
        sum_v += volume[i];
        sum_pv += tp * volume[i];
        sum_ppv += tp * tp * volume[i];
        if (i >= p) {
            const double old = typical(i - p);
            sum_v -= volume[i - p];
            sum_pv -= old * volume[i - p];
            sum_ppv -= old * old * volume[i - p];
        }
        if (i + 1 < p || !(sum_v > 0.0)) {
            upper[i] = middle[i] = lower[i] = kNaN;
            continue;
        }
        const double mean = sum_pv / sum_v;
        const double variance = sum_ppv / sum_v - mean * mean;
        // Rounding can make a flat window's variance a hair below zero.
        const double sigma = variance > 0.0 ? std::sqrt(variance) : 0.0;
        middle[i] = mean;
        upper[i] = mean + k * sigma;
        lower[i] = mean - k * sigma;
    }
}

VwapBands vwap_at(std::span<const double> high, std::span<const double> low,
                  std::span<const double> close, std::span<const double> volume, int period,
                  double k, std::size_t i) noexcept {
    const std::size_t p = static_cast<std::size_t>(std::max(period, 1));
    if (i >= close.size() || i + 1 < p) {
        return {kNaN, kNaN, kNaN};
    }
    auto typical = [&](std::size_t j) { return (high[j] + low[j] + close[j]) / 3.0; };
    double sum_v = 0.0;
    double sum_pv = 0.0;
    for (std::size_t j = i + 1 - p; j <= i; ++j) {
        sum_v += volume[j];
        sum_pv += typical(j) * volume[j];
    }
    if (!(sum_v > 0.0)) {
        return {kNaN, kNaN, kNaN};
    }
    const double mean = sum_pv / sum_v;
    double squares = 0.0;
    for (std::size_t j = i + 1 - p; j <= i; ++j) {
        const double d = typical(j) - mean;
        squares += volume[j] * d * d;
    }
    const double sigma = std::sqrt(squares / sum_v);
    return {mean + k * sigma, mean, mean - k * sigma};
}

}  // namespace gs::indicators
