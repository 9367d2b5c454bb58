#include "goldensignals/indicators/sar.h"

#include <algorithm>

#include "goldensignals/indicators/core.h"

namespace gs::indicators {

void sar(std::span<const double> high, std::span<const double> low, double acceleration,
         double maximum, std::span<double> out) noexcept {
    const std::size_t n = high.size();
    if (n == 0) {
        return;
    }
    out[0] = kNaN;
    if (n < 2) {
        return;
    }
    if (acceleration > maximum) {
        acceleration = maximum;
    }
    double af = acceleration;
    // TA_MINUS_DM(1) at bar 1 decides the opening direction.
    const double diff_p = high[1] - high[0];
    const double diff_m = low[0] - low[1];
    bool is_long = !(diff_m > 0 && diff_p < diff_m);
    double ep = is_long ? high[1] : low[1];
    double sar_value = is_long ? low[0] : high[0];
    double new_low = low[1];
    double new_high = high[1];
    for (std::size_t i = 1; i < n; ++i) {
        const double prev_low = new_low;
        const double prev_high = new_high;
        new_low = low[i];
        new_high = high[i];
        if (is_long) {
            if (new_low <= sar_value) {
                // Reversal to short: the SAR jumps to the extreme point of the long run.
                is_long = false;
                sar_value = std::max({ep, prev_high, new_high});
                out[i] = sar_value;
                af = acceleration;
                ep = new_low;
                sar_value = sar_value + af * (ep - sar_value);
                sar_value = std::max({sar_value, prev_high, new_high});
            } else {
                out[i] = sar_value;
                if (new_high > ep) {
                    ep = new_high;
                    af = std::min(af + acceleration, maximum);
                }
                sar_value = sar_value + af * (ep - sar_value);
                sar_value = std::min({sar_value, prev_low, new_low});
            }
        } else if (new_high >= sar_value) {
            // Reversal to long.
            is_long = true;
            sar_value = std::min({ep, prev_low, new_low});
            out[i] = sar_value;
            af = acceleration;
            ep = new_high;
            sar_value = sar_value + af * (ep - sar_value);
            sar_value = std::min({sar_value, prev_low, new_low});
        } else {
            out[i] = sar_value;
            if (new_low < ep) {
                ep = new_low;
                af = std::min(af + acceleration, maximum);
            }
            sar_value = sar_value + af * (ep - sar_value);
            sar_value = std::max({sar_value, prev_high, new_high});
        }
    }
}

}  // namespace gs::indicators
