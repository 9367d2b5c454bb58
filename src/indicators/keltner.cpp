#include "goldensignals/indicators/keltner.h"

#include "goldensignals/indicators/core.h"

namespace gs::indicators {

void keltner(std::span<const double> high, std::span<const double> low,
             std::span<const double> close, int ema_period, int atr_period, double mult,
             std::span<double> upper, std::span<double> middle, std::span<double> lower) noexcept {
    // The ATR goes through `upper` so no scratch buffer is needed.
    atr(high, low, close, atr_period, upper);
    ema(close, ema_period, middle);
    for (std::size_t i = 0; i < close.size(); ++i) {
        const double band = mult * upper[i];
        upper[i] = middle[i] + band;
        lower[i] = middle[i] - band;
    }
}

}  // namespace gs::indicators
