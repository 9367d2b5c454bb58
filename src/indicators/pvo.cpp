#include "goldensignals/indicators/pvo.h"

#include "goldensignals/indicators/core.h"

namespace gs::indicators {

void pvo(std::span<const double> volume, int fast, int slow, int signal_period,
         std::span<double> pvo_out, std::span<double> signal_out) noexcept {
    // The fast EMA goes through `signal_out` so no scratch buffer is needed.
    ema(volume, fast, signal_out);
    ema(volume, slow, pvo_out);
    for (std::size_t i = 0; i < volume.size(); ++i) {
        const double f = signal_out[i];
        const double s = pvo_out[i];
        if (std::isnan(f) || std::isnan(s)) {
            pvo_out[i] = kNaN;
        } else {
            // TA-Lib's TA_IS_ZERO tolerance.
            pvo_out[i] = !ta_is_zero(s) ? (f - s) / s * 100.0 : 0.0;
        }
    }
    ema(pvo_out, signal_period, signal_out);
}

}  // namespace gs::indicators
