#include "goldensignals/indicators/emv.h"

#include <algorithm>

#include "goldensignals/indicators/core.h"

namespace gs::indicators {

void emv(std::span<const double> high, std::span<const double> low, std::span<const double> volume,
         int period, std::span<double> out) noexcept {
    const std::size_t p = static_cast<std::size_t>(std::max(period, 1));
    auto bar = [&](std::size_t i) {
        return emv_bar(high[i], low[i], high[i - 1], low[i - 1], volume[i]);
    };
    double sum = 0.0;
    for (std::size_t i = 0; i < high.size(); ++i) {
        if (i == 0) {
            out[i] = kNaN;
            continue;
        }
        sum += bar(i);
        // Per-bar EMV starts at bar 1, so the window of bar i is bars i - p + 1 .. i.
        if (i > p) {
            sum -= bar(i - p);
        }
        out[i] = i >= p ? sum / static_cast<double>(p) : kNaN;
    }
}

}  // namespace gs::indicators
