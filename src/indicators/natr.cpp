#include "goldensignals/indicators/natr.h"

#include "goldensignals/indicators/core.h"

namespace gs::indicators {

void natr(std::span<const double> high, std::span<const double> low, std::span<const double> close,
          int period, std::span<double> out) noexcept {
    atr(high, low, close, period, out);
    for (std::size_t i = 0; i < close.size(); ++i) {
        if (is_value(out[i])) {
            // TA-Lib's TA_IS_ZERO tolerance.
            out[i] = !ta_is_zero(close[i]) ? out[i] / close[i] * 100.0 : 0.0;
        }
    }
}

}  // namespace gs::indicators
