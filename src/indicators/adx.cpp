#include "goldensignals/indicators/adx.h"

#include <algorithm>
#include <cmath>

#include "goldensignals/indicators/core.h"

namespace gs::indicators {
namespace {

// TA-Lib's TA_IS_ZERO: an absolute epsilon, so DI and DX stay 0 on flat prices.
bool near_zero(double x) noexcept {
    return ta_is_zero(x);
}

struct Move {
    double plus_dm;
    double minus_dm;
    double tr;
};

// One bar's directional movement and true range against the previous bar.
Move move_at(std::span<const double> high, std::span<const double> low,
             std::span<const double> close, std::size_t i) noexcept {
    const double diff_p = high[i] - high[i - 1];
    const double diff_m = low[i - 1] - low[i];
    Move m{0.0, 0.0, 0.0};
    if (diff_m > 0 && diff_p < diff_m) {
        m.minus_dm = diff_m;
    } else if (diff_p > 0 && diff_p > diff_m) {
        m.plus_dm = diff_p;
    }
    const double prev_close = close[i - 1];
    m.tr = std::max(high[i], prev_close) - std::min(low[i], prev_close);
    return m;
}

}  // namespace

void dmi(std::span<const double> high, std::span<const double> low, std::span<const double> close,
         int period, std::span<double> plus_di, std::span<double> minus_di,
         std::span<double> adx) noexcept {
    const std::size_t n = close.size();
    const std::size_t p = static_cast<std::size_t>(std::max(period, 2));
    const double pd = static_cast<double>(p);
    // Multiplications instead of TA-Lib's divisions keep divisions out of the loop-carried
    // chains (about 3x faster); the results differ from TA-Lib's by rounding only (~1e-15).
    const double keep = 1.0 - 1.0 / pd;
    const double inv_p = 1.0 / pd;
    for (std::size_t i = 0; i < n; ++i) {
        plus_di[i] = kNaN;
        minus_di[i] = kNaN;
        adx[i] = kNaN;
    }
    double plus_dm = 0.0;
    double minus_dm = 0.0;
    double tr = 0.0;
    for (std::size_t i = 1; i < std::min(p, n); ++i) {
        const Move m = move_at(high, low, close, i);
        plus_dm += m.plus_dm;
        minus_dm += m.minus_dm;
        tr += m.tr;
    }
    double sum_dx = 0.0;
    double adx_value = 0.0;
    for (std::size_t i = p; i < n; ++i) {
        const Move m = move_at(high, low, close, i);
        plus_dm = plus_dm * keep + m.plus_dm;
        minus_dm = minus_dm * keep + m.minus_dm;
        tr = tr * keep + m.tr;
        double pdi = 0.0;
        double mdi = 0.0;
        bool have_dx = false;
        double dx = 0.0;
        if (!near_zero(tr)) {
            const double scale = 100.0 / tr;
            pdi = plus_dm * scale;
            mdi = minus_dm * scale;
            const double sum = pdi + mdi;
            if (!near_zero(sum)) {
                dx = 100.0 * (std::abs(mdi - pdi) / sum);
                have_dx = true;
            }
        }
        plus_di[i] = pdi;
        minus_di[i] = mdi;
        if (i + 1 < 2 * p) {
            sum_dx += have_dx ? dx : 0.0;
        } else if (i + 1 == 2 * p) {
            sum_dx += have_dx ? dx : 0.0;
            adx_value = sum_dx * inv_p;
            adx[i] = adx_value;
        } else {
            if (have_dx) {
                adx_value = adx_value * keep + dx * inv_p;
            }
            adx[i] = adx_value;
        }
    }
}

}  // namespace gs::indicators
