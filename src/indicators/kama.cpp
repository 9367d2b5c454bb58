#include "goldensignals/indicators/kama.h"

#include <algorithm>
#include <cmath>

#include "goldensignals/indicators/core.h"

namespace gs::indicators {

void kama(std::span<const double> in, int period, std::span<double> out) noexcept {
    const std::size_t n = in.size();
    const std::size_t p = static_cast<std::size_t>(std::max(period, 1));
    const std::size_t start = first_value(in);
    const double const_max = 2.0 / (30.0 + 1.0);
    const double const_diff = 2.0 / (2.0 + 1.0) - const_max;
    for (std::size_t i = 0; i < std::min(n, start + p); ++i) {
        out[i] = kNaN;
    }
    if (start + p >= n) {
        return;
    }
    double sum_roc1 = 0.0;
    for (std::size_t i = start; i < start + p; ++i) {
        sum_roc1 += std::abs(in[i] - in[i + 1]);
    }
    double prev = in[start + p - 1];
    for (std::size_t i = start + p; i < n; ++i) {
        if (i > start + p) {
            // Slide the window of 1-bar changes by one bar.
            sum_roc1 -= std::abs(in[i - p - 1] - in[i - p]);
            sum_roc1 += std::abs(in[i] - in[i - 1]);
        }
        const double period_roc = in[i] - in[i - p];
        // TA_IS_ZERO's absolute epsilon: flat prices count as fully efficient, like TA-Lib.
        const bool flat = ta_is_zero(sum_roc1);
        double er = (sum_roc1 <= period_roc || flat) ? 1.0 : std::abs(period_roc / sum_roc1);
        double sc = er * const_diff + const_max;
        sc *= sc;
        prev = (in[i] - prev) * sc + prev;
        out[i] = prev;
    }
}

}  // namespace gs::indicators
