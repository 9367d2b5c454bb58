#include "goldensignals/indicators/roc.h"

#include <algorithm>

#include "goldensignals/indicators/core.h"

namespace gs::indicators {

void roc(std::span<const double> in, int period, std::span<double> out) noexcept {
    const std::size_t n = in.size();
    const std::size_t p = static_cast<std::size_t>(std::max(period, 1));
    const std::size_t first_out = first_value(in) + p;
    for (std::size_t i = 0; i < n; ++i) {
        if (i < first_out) {
            out[i] = kNaN;
            continue;
        }
        const double before = in[i - p];
        out[i] = before != 0.0 ? ((in[i] / before) - 1.0) * 100.0 : 0.0;
    }
}

}  // namespace gs::indicators
