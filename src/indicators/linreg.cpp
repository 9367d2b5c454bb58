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
    for (std::size_t i = 0; i < n; ++i) {
        if (i + 1 < p) {
            out[i] = kNaN;
            continue;
        }
        // TA-Lib's order of summation, oldest value first, so the rounding is the same.
        double sum_y = 0.0;
        double sum_xy = 0.0;
        for (std::size_t age = p; age-- != 0;) {
            const double y = in[i - age];
            sum_y += y;
            sum_xy += static_cast<double>(age) * y;
        }
        out[i] = (pd * sum_xy - sum_x * sum_y) / divisor;
    }
}

}  // namespace gs::indicators
