#include "goldensignals/indicators/ichimoku.h"

#include <algorithm>

#include "goldensignals/indicators/core.h"

namespace gs::indicators {

void midprice(std::span<const double> high, std::span<const double> low, int period,
              std::span<double> out) noexcept {
    const std::size_t n = high.size();
    const std::size_t p = static_cast<std::size_t>(std::max(period, 1));
    // Track where the extremes are; rescan the window only when one slides out.
    std::size_t highest = 0;
    std::size_t lowest = 0;
    for (std::size_t i = 0; i < n; ++i) {
        if (i + 1 < p) {
            out[i] = kNaN;
            continue;
        }
        const std::size_t trailing = i + 1 - p;
        if (i + 1 == p || highest < trailing) {
            highest = trailing;
            for (std::size_t j = trailing + 1; j <= i; ++j) {
                if (high[j] >= high[highest]) {
                    highest = j;
                }
            }
        } else if (high[i] >= high[highest]) {
            highest = i;
        }
        if (i + 1 == p || lowest < trailing) {
            lowest = trailing;
            for (std::size_t j = trailing + 1; j <= i; ++j) {
                if (low[j] <= low[lowest]) {
                    lowest = j;
                }
            }
        } else if (low[i] <= low[lowest]) {
            lowest = i;
        }
        out[i] = (high[highest] + low[lowest]) / 2.0;
    }
}

void ichimoku(std::span<const double> high, std::span<const double> low, int tenkan_period,
              int kijun_period, int senkou_b_period, std::span<double> tenkan,
              std::span<double> kijun, std::span<double> senkou_a,
              std::span<double> senkou_b) noexcept {
    midprice(high, low, tenkan_period, tenkan);
    midprice(high, low, kijun_period, kijun);
    midprice(high, low, senkou_b_period, senkou_b);
    for (std::size_t i = 0; i < high.size(); ++i) {
        // NaN while either line warms up.
        senkou_a[i] = (tenkan[i] + kijun[i]) / 2.0;
    }
}

}  // namespace gs::indicators
