#include "goldensignals/indicators/vwap.h"

#include <algorithm>
#include <cmath>

#include "goldensignals/indicators/core.h"
#include "goldensignals/indicators/lane_sum.h"

namespace gs::indicators {

// Each bar from its own window, two passes (O(period) per bar), for the reason cmf() gives:
// running sums of v, tp*v and tp^2*v leave residue after large volumes leave the window (a
// "VWAP" over a window with no volume, a negative variance), and the one-pass variance
// cancels catastrophically for prices far from zero. Identical to what the agent sees.
void vwap(std::span<const double> high, std::span<const double> low, std::span<const double> close,
          std::span<const double> volume, int period, double k, std::span<double> upper,
          std::span<double> middle, std::span<double> lower) noexcept {
    for (std::size_t i = 0; i < close.size(); ++i) {
        const VwapBands b = vwap_at(high, low, close, volume, period, k, i);
        upper[i] = b.upper;
        middle[i] = b.middle;
        lower[i] = b.lower;
    }
}

namespace {

// Two passes over bar i's window, in lane sums (lane_sum.h); typical(j) gives bar j's typical
// price.
template <typename Typical>
VwapBands bands_at(Typical typical, std::span<const double> volume, std::size_t size, int period,
                   double k, std::size_t i) noexcept {
    const std::size_t p = static_cast<std::size_t>(std::max(period, 1));
    if (i >= size || i + 1 < p) {
        return {kNaN, kNaN, kNaN};
    }
    const std::size_t from = i + 1 - p;
    const double sum_v = lane_sum_over(p, [&](std::size_t j) { return volume[from + j]; });
    const double sum_pv =
        lane_sum_over(p, [&](std::size_t j) { return typical(from + j) * volume[from + j]; });
    if (!(sum_v > 0.0)) {
        return {kNaN, kNaN, kNaN};
    }
    const double mean = sum_pv / sum_v;
    const double squares = lane_sum_over(p, [&](std::size_t j) {
        const double d = typical(from + j) - mean;
        return volume[from + j] * d * d;
    });
    const double sigma = std::sqrt(squares / sum_v);
    return {mean + k * sigma, mean, mean - k * sigma};
}

}  // namespace

VwapBands vwap_at(std::span<const double> high, std::span<const double> low,
                  std::span<const double> close, std::span<const double> volume, int period,
                  double k, std::size_t i) noexcept {
    return bands_at([&](std::size_t j) { return vwap_typical(high[j], low[j], close[j]); }, volume,
                    close.size(), period, k, i);
}

VwapBands vwap_at(std::span<const double> typical, std::span<const double> volume, int period,
                  double k, std::size_t i) noexcept {
    return bands_at([&](std::size_t j) { return typical[j]; }, volume, typical.size(), period, k,
                    i);
}

}  // namespace gs::indicators
