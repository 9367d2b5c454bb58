#include "goldensignals/indicators/bbands.h"

#include <algorithm>

#include "goldensignals/indicators/core.h"
#include "goldensignals/indicators/lane_sum.h"

namespace gs::indicators {

void bbands(std::span<const double> close, int period, double k_up, double k_down,
            std::span<double> upper, std::span<double> middle, std::span<double> lower) noexcept {
    sma(close, period, middle);
    // The deviation goes through `lower` so no scratch buffer is needed.
    stddev(close, period, lower);
    for (std::size_t i = 0; i < close.size(); ++i) {
        const double sd = lower[i];
        upper[i] = middle[i] + k_up * sd;
        lower[i] = middle[i] - k_down * sd;
    }
}

Bands bbands_at(std::span<const double> close, int period, double k_up, double k_down,
                std::size_t i) noexcept {
    const std::size_t p = static_cast<std::size_t>(std::max(period, 1));
    if (i >= close.size() || i + 1 < p) {
        return {kNaN, kNaN, kNaN};
    }
    // One bar's window, for an agent on every new bar: lane sums (bbands() is TA-Lib's form).
    const auto window = close.subspan(i + 1 - p, p);
    const double mean = lane_sum(window) / static_cast<double>(p);
    const double squares =
        lane_sum_of(window, [mean](double x) { return (x - mean) * (x - mean); });
    const double variance = squares / static_cast<double>(p);
    const double sd = !ta_is_zero_or_neg(variance) ? std::sqrt(variance) : 0.0;
    return {mean + k_up * sd, mean, mean - k_down * sd};
}

void percent_b(std::span<const double> close, std::span<const double> upper,
               std::span<const double> lower, std::span<double> out) noexcept {
    for (std::size_t i = 0; i < close.size(); ++i) {
        const double width = upper[i] - lower[i];
        if (std::isnan(width)) {
            out[i] = kNaN;
        } else {
            out[i] = width > 0.0 ? (close[i] - lower[i]) / width : 0.5;
        }
    }
}

}  // namespace gs::indicators
