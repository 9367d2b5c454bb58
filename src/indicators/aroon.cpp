#include "goldensignals/indicators/aroon.h"

#include <algorithm>

#include "goldensignals/indicators/core.h"

namespace gs::indicators {

void aroon(std::span<const double> high, std::span<const double> low, int period,
           std::span<double> up, std::span<double> down) noexcept {
    const std::size_t n = high.size();
    const std::size_t p = static_cast<std::size_t>(std::max(period, 1));
    const double factor = 100.0 / static_cast<double>(p);
    // Remember where the extremes are and rescan only when one slides out (TA-Lib's way).
    std::size_t highest = 0;
    std::size_t lowest = 0;
    bool have = false;
    for (std::size_t i = 0; i < n; ++i) {
        if (i < p) {
            up[i] = kNaN;
            down[i] = kNaN;
            continue;
        }
        const std::size_t trailing = i - p;
        if (!have || lowest < trailing) {
            lowest = trailing;
            for (std::size_t j = trailing + 1; j <= i; ++j) {
                if (low[j] <= low[lowest]) {
                    lowest = j;
                }
            }
        } else if (low[i] <= low[lowest]) {
            lowest = i;
        }
        if (!have || highest < trailing) {
            highest = trailing;
            for (std::size_t j = trailing + 1; j <= i; ++j) {
                if (high[j] >= high[highest]) {
                    highest = j;
                }
            }
        } else if (high[i] >= high[highest]) {
            highest = i;
        }
        have = true;
        up[i] = factor * static_cast<double>(p - (i - highest));
        down[i] = factor * static_cast<double>(p - (i - lowest));
    }
}

}  // namespace gs::indicators
