#include "goldensignals/indicators/obv.h"

namespace gs::indicators {

void obv(std::span<const double> close, std::span<const double> volume,
         std::span<double> out) noexcept {
    if (close.empty()) {
        return;
    }
    double value = volume[0];
    out[0] = value;
    for (std::size_t i = 1; i < close.size(); ++i) {
        if (close[i] > close[i - 1]) {
            value += volume[i];
        } else if (close[i] < close[i - 1]) {
            value -= volume[i];
        }
        out[i] = value;
    }
}

}  // namespace gs::indicators
