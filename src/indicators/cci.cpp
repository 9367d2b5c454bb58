#include "goldensignals/indicators/cci.h"

#include <algorithm>
#include <cmath>

#include "goldensignals/indicators/core.h"

namespace gs::indicators {

void cci(std::span<const double> high, std::span<const double> low, std::span<const double> close,
         int period, std::span<double> out) noexcept {
    const std::size_t n = close.size();
    const std::size_t p = static_cast<std::size_t>(std::max(period, 1));
    const double pd = static_cast<double>(p);
    // `out` first holds the typical prices; walking backwards, out[i] is overwritten only
    // after every later bar, the only ones whose windows include bar i, is done.
    for (std::size_t i = 0; i < n; ++i) {
        out[i] = (high[i] + low[i] + close[i]) / 3;
    }
    for (std::size_t i = n; i-- > 0;) {
        if (i + 1 < p) {
            out[i] = kNaN;
            continue;
        }
        const std::size_t from = i + 1 - p;
        double mean = 0.0;
        for (std::size_t j = from; j <= i; ++j) {
            mean += out[j];
        }
        mean /= pd;
        double dev = 0.0;
        for (std::size_t j = from; j <= i; ++j) {
            dev += std::fabs(out[j] - mean);
        }
        const double distance = out[i] - mean;
        // Exact zeros, as TA_CCI: an epsilon here would zero the CCI of a low-priced coin.
        out[i] = distance != 0.0 && dev != 0.0 ? distance / (0.015 * (dev / pd)) : 0.0;
    }
}

}  // namespace gs::indicators
