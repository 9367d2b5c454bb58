#include "goldensignals/indicators/ad.h"

#include <algorithm>

#include "goldensignals/indicators/core.h"

namespace gs::indicators {

void ad(std::span<const double> high, std::span<const double> low, std::span<const double> close,
        std::span<const double> volume, std::span<double> out) noexcept {
    double value = 0.0;
    for (std::size_t i = 0; i < close.size(); ++i) {
        value += money_flow_volume(high[i], low[i], close[i], volume[i]);
        out[i] = value;
    }
}

void adosc(std::span<const double> high, std::span<const double> low, std::span<const double> close,
           std::span<const double> volume, int fast, int slow, std::span<double> out) noexcept {
    const std::size_t lookback = static_cast<std::size_t>(std::max({fast, slow, 1}) - 1);
    const double fast_k = 2.0 / (static_cast<double>(std::max(fast, 1)) + 1.0);
    const double slow_k = 2.0 / (static_cast<double>(std::max(slow, 1)) + 1.0);
    double line = 0.0;
    double fast_ema = 0.0;
    double slow_ema = 0.0;
    for (std::size_t i = 0; i < close.size(); ++i) {
        line += money_flow_volume(high[i], low[i], close[i], volume[i]);
        if (i == 0) {
            fast_ema = line;
            slow_ema = line;
        } else {
            fast_ema = fast_k * line + (1.0 - fast_k) * fast_ema;
            slow_ema = slow_k * line + (1.0 - slow_k) * slow_ema;
        }
        out[i] = i >= lookback ? fast_ema - slow_ema : kNaN;
    }
}

}  // namespace gs::indicators
