#include "goldensignals/indicators/supertrend.h"

#include "goldensignals/indicators/core.h"

namespace gs::indicators {

void supertrend(std::span<const double> high, std::span<const double> low,
                std::span<const double> close, std::span<const double> atr_values,
                double multiplier, std::span<double> line, std::span<double> direction) noexcept {
    const std::size_t n = close.size();
    const std::size_t start = first_value(atr_values);
    double upper = kNaN;
    double lower = kNaN;
    double dir = 1.0;
    for (std::size_t i = 0; i < n; ++i) {
        if (i < start) {
            line[i] = kNaN;
            direction[i] = kNaN;
            continue;
        }
        const double mid = (high[i] + low[i]) / 2.0;
        const double band = multiplier * atr_values[i];
        const double basic_upper = mid + band;
        const double basic_lower = mid - band;
        if (i == start) {
            upper = basic_upper;
            lower = basic_lower;
            dir = close[i] < lower ? -1.0 : 1.0;
        } else {
            const double prev_upper = upper;
            const double prev_lower = lower;
            const double prev_close = close[i - 1];
            upper =
                (basic_upper < prev_upper || prev_close > prev_upper) ? basic_upper : prev_upper;
            lower =
                (basic_lower > prev_lower || prev_close < prev_lower) ? basic_lower : prev_lower;
            if (dir < 0.0 && close[i] > prev_upper) {
                dir = 1.0;
            } else if (dir > 0.0 && close[i] < prev_lower) {
                dir = -1.0;
            }
        }
        direction[i] = dir;
        line[i] = dir > 0.0 ? lower : upper;
    }
}

void supertrend(std::span<const double> high, std::span<const double> low,
                std::span<const double> close, int atr_period, double multiplier,
                std::span<double> line, std::span<double> direction) noexcept {
    atr(high, low, close, atr_period, line);
    supertrend(high, low, close, line, multiplier, line, direction);
}

}  // namespace gs::indicators
