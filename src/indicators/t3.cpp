#include "goldensignals/indicators/t3.h"

#include <algorithm>
#include <array>

#include "goldensignals/indicators/core.h"

namespace gs::indicators {

void t3(std::span<const double> in, int period, double vfactor, std::span<double> out) noexcept {
    const std::size_t n = in.size();
    const std::size_t p = static_cast<std::size_t>(std::max(period, 1));
    const double k = 2.0 / (static_cast<double>(p) + 1.0);
    const double one_minus_k = 1.0 - k;
    const double a2 = vfactor * vfactor;
    const double c1 = -a2 * vfactor;
    const double c2 = 3.0 * (a2 - c1);
    const double c3 = -6.0 * a2 - 3.0 * (vfactor - c1);
    const double c4 = 1.0 + 3.0 * vfactor - c1 + 3.0 * a2;
    // Per stage: the EMA (or, until seeded, the running sum of its inputs) and its input count.
    std::array<double, 6> e{};
    std::array<std::size_t, 6> count{};
    const std::size_t start = first_value(in);
    for (std::size_t i = 0; i < n; ++i) {
        out[i] = kNaN;
        if (i < start) {
            continue;
        }
        double x = in[i];
        bool ready = true;
        for (std::size_t s = 0; s < 6; ++s) {
            if (count[s] >= p) {
                e[s] = k * x + one_minus_k * e[s];
            } else {
                e[s] += x;
                if (++count[s] < p) {
                    ready = false;
                    break;
                }
                e[s] /= static_cast<double>(p);
            }
            x = e[s];
        }
        if (ready) {
            out[i] = c1 * e[5] + c2 * e[4] + c3 * e[3] + c4 * e[2];
        }
    }
}

}  // namespace gs::indicators
