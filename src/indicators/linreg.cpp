#include "goldensignals/indicators/linreg.h"

#include <algorithm>

#include "goldensignals/indicators/core.h"

namespace gs::indicators {

void linreg_slope(std::span<const double> in, int period, std::span<double> out) noexcept {
    const std::size_t n = in.size();
    const std::size_t p = static_cast<std::size_t>(std::max(period, 2));
    const double pd = static_cast<double>(p);
    // TA-Lib's x is the age of the value (0 = newest), hence the negative divisor.
    const double sum_x = pd * (pd - 1.0) * 0.5;
    const double sum_x_sqr = pd * (pd - 1.0) * (2.0 * pd - 1.0) / 6.0;
    const double divisor = sum_x * sum_x - pd * sum_x_sqr;
    double sum_y = 0.0;
    double sum_xy = 0.0;
    for (std::size_t i = 0; i < n; ++i) {
        if (i < p) {
            // Filling the first window: every value already in it ages by one bar.
            sum_xy += sum_y;
            sum_y += in[i];
        } else {
            // Everything ages by one bar and the value leaving was `p` bars old.
            sum_xy += sum_y - pd * in[i - p];
            sum_y += in[i] - in[i - p];
        }
        out[i] = i + 1 >= p ? (pd * sum_xy - sum_x * sum_y) / divisor : kNaN;
    }
}

}  // namespace gs::indicators
