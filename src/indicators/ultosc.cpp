#include "goldensignals/indicators/ultosc.h"

#include <algorithm>
#include <array>
#include <cmath>

#include "goldensignals/indicators/core.h"

namespace gs::indicators {
namespace {

UltoscTerms terms_at(std::span<const double> high, std::span<const double> low,
                     std::span<const double> close, std::size_t i) noexcept {
    return ultosc_terms(close[i - 1], high[i], low[i], close[i]);
}

}  // namespace

void ultosc(std::span<const double> high, std::span<const double> low,
            std::span<const double> close, int period1, int period2, int period3,
            std::span<double> out) noexcept {
    const std::size_t n = close.size();
    std::array<std::size_t, 3> periods = {static_cast<std::size_t>(std::max(period1, 1)),
                                          static_cast<std::size_t>(std::max(period2, 1)),
                                          static_cast<std::size_t>(std::max(period3, 1))};
    std::sort(periods.begin(), periods.end());
    const std::size_t longest = periods[2];
    constexpr std::array<double, 3> kWeights = {4.0, 2.0, 1.0};
    std::array<double, 3> pressure{};
    std::array<double, 3> range{};
    for (std::size_t i = 0; i < n; ++i) {
        if (i == 0) {
            out[i] = kNaN;
            continue;
        }
        const UltoscTerms t = terms_at(high, low, close, i);
        for (std::size_t k = 0; k < 3; ++k) {
            pressure[k] += t.pressure;
            range[k] += t.range;
            // Window of bars i - period + 1 .. i; the bar that just left it is i - period.
            if (i > periods[k]) {
                const UltoscTerms old = terms_at(high, low, close, i - periods[k]);
                pressure[k] -= old.pressure;
                range[k] -= old.range;
            }
        }
        if (i < longest) {
            out[i] = kNaN;
            continue;
        }
        double sum = 0.0;
        for (std::size_t k = 0; k < 3; ++k) {
            if (!ta_is_zero(range[k])) {
                sum += kWeights[k] * (pressure[k] / range[k]);
            }
        }
        out[i] = 100.0 * (sum / 7.0);
    }
}

}  // namespace gs::indicators
