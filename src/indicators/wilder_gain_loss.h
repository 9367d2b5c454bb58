#pragma once

// The smoothed average gain and loss of a series that RSI and CMO share (TA-Lib's
// TA_RSI/TA_CMO): seeded with the plain means of the first `period` changes, then Wilder's
// step. Only the final formula differs, so it is a template parameter and inlines.
#include <algorithm>
#include <span>

#include "goldensignals/indicators/core.h"

namespace gs::indicators::detail {

template <typename Value>
void wilder_gain_loss(std::span<const double> in, int period, std::span<double> out,
                      Value value) noexcept {
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
            out[i] = value(gain, loss);
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
        out[i] = value(gain, loss);
    }
}

}  // namespace gs::indicators::detail
