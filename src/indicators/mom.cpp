#include "goldensignals/indicators/mom.h"

#include <algorithm>

#include "goldensignals/indicators/core.h"

namespace gs::indicators {

void mom(std::span<const double> in, int period, std::span<double> out) noexcept {
    const std::size_t n = in.size();
    const std::size_t p = static_cast<std::size_t>(std::max(period, 1));
    const std::size_t first_out = first_value(in) + p;
    for (std::size_t i = 0; i < n; ++i) {
        out[i] = i < first_out ? kNaN : in[i] - in[i - p];
    }
}

}  // namespace gs::indicators
