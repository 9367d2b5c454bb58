#include "goldensignals/indicators/mfi.h"

#include <algorithm>

#include "goldensignals/indicators/core.h"

namespace gs::indicators {

namespace {

// Bar i's money flow (i >= 1), recomputed when it leaves the window instead of kept in a
// ring buffer: the kernel stays allocation-free.
MoneyFlow flow_at(std::span<const double> high, std::span<const double> low,
                  std::span<const double> close, std::span<const double> volume,
                  std::size_t i) noexcept {
    return money_flow(mfi_typical(high[i], low[i], close[i]),
                      mfi_typical(high[i - 1], low[i - 1], close[i - 1]), volume[i]);
}

// TA-Lib writes 0 when the total flow is below 1 (no money moved).
double mfi_of_sums(double positive, double negative) noexcept {
    const double total = positive + negative;
    return total < 1.0 ? 0.0 : 100.0 * (positive / total);
}

}  // namespace

void mfi(std::span<const double> high, std::span<const double> low, std::span<const double> close,
         std::span<const double> volume, int period, std::span<double> out) noexcept {
    const std::size_t p = static_cast<std::size_t>(std::max(period, 1));
    double positive = 0.0;
    double negative = 0.0;
    for (std::size_t i = 0; i < close.size(); ++i) {
        if (i == 0) {
            out[i] = kNaN;
            continue;
        }
        if (i > p) {
            const MoneyFlow gone = flow_at(high, low, close, volume, i - p);
            positive -= gone.positive;
            negative -= gone.negative;
        }
        const MoneyFlow f = flow_at(high, low, close, volume, i);
        positive += f.positive;
        negative += f.negative;
        if (i < p) {
            out[i] = kNaN;
            continue;
        }
        out[i] = mfi_of_sums(positive, negative);
    }
}

double mfi_at(std::span<const double> high, std::span<const double> low,
              std::span<const double> close, std::span<const double> volume, int period,
              std::size_t i) noexcept {
    const std::size_t p = static_cast<std::size_t>(std::max(period, 1));
    if (i >= close.size() || i < p) {
        return kNaN;
    }
    double positive = 0.0;
    double negative = 0.0;
    for (std::size_t j = i + 1 - p; j <= i; ++j) {
        const MoneyFlow f = flow_at(high, low, close, volume, j);
        positive += f.positive;
        negative += f.negative;
    }
    return mfi_of_sums(positive, negative);
}

double mfi_of_flows(std::span<const double> positive, std::span<const double> negative) noexcept {
    double pos = 0.0;
    double neg = 0.0;
    for (std::size_t j = 0; j < positive.size(); ++j) {
        pos += positive[j];
        neg += negative[j];
    }
    return mfi_of_sums(pos, neg);
}

}  // namespace gs::indicators
