#include "goldensignals/indicators/rsi.h"

#include <algorithm>

#include "goldensignals/indicators/core.h"

namespace gs::indicators {
namespace {

// TA-Lib's TA_IS_ZERO: its outputs switch to 0 below this, so matching it keeps us equal to
// TA-Lib on near-flat data too.
bool ta_is_zero(double v) noexcept {
    return -1e-8 < v && v < 1e-8;
}

double rsi_value(double gain, double loss) noexcept {
    const double total = gain + loss;
    return ta_is_zero(total) ? 0.0 : 100.0 * (gain / total);
}

}  // namespace

void rsi(std::span<const double> in, int period, std::span<double> out) noexcept {
    const std::size_t n = in.size();
    const std::size_t p = static_cast<std::size_t>(std::max(period, 2));
    const double pd = static_cast<double>(p);
    const std::size_t start = first_value(in);
    const std::size_t first_out = start + p;
    std::fill(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(std::min(n, first_out)), kNaN);
    double gain = 0.0;
    double loss = 0.0;
    for (std::size_t i = start + 1; i < n && i <= first_out; ++i) {
        // Seed: plain sums of the first `period` changes.
        const double change = in[i] - in[i - 1];
        if (change < 0.0) {
            loss -= change;
        } else {
            gain += change;
        }
        if (i == first_out) {
            gain /= pd;
            loss /= pd;
            out[i] = rsi_value(gain, loss);
        }
    }
    // Wilder's step avg = (avg * (period - 1) + x) / period, with the division turned into a
    // multiplication: the loop is bound by this dependency chain and a division is several
    // times slower. The results stay within a few ulps of TA-Lib's (the recursion contracts).
    const double keep = pd - 1.0;
    const double scale = 1.0 / pd;
    for (std::size_t i = first_out + 1; i < n; ++i) {
        const double change = in[i] - in[i - 1];
        gain = (gain * keep + std::max(change, 0.0)) * scale;
        loss = (loss * keep + std::max(-change, 0.0)) * scale;
        out[i] = rsi_value(gain, loss);
    }
}

}  // namespace gs::indicators
