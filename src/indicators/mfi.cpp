#include "goldensignals/indicators/mfi.h"

#include <algorithm>

#include "goldensignals/indicators/core.h"

namespace gs::indicators {

namespace {

double typical(std::span<const double> high, std::span<const double> low,
               std::span<const double> close, std::size_t i) noexcept {
    return (high[i] + low[i] + close[i]) / 3.0;
}

struct Flow {
    double positive = 0.0;
    double negative = 0.0;
};

// Bar i's money flow (i >= 1), recomputed when it leaves the window instead of kept in a
// ring buffer: the kernel stays allocation-free.
Flow flow_at(std::span<const double> high, std::span<const double> low,
             std::span<const double> close, std::span<const double> volume,
             std::size_t i) noexcept {
    const double tp = typical(high, low, close, i);
    const double prev = typical(high, low, close, i - 1);
    const double raw = tp * volume[i];
    if (tp > prev) {
        return {raw, 0.0};
    }
    if (tp < prev) {
        return {0.0, raw};
    }
    return {};
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
            const Flow gone = flow_at(high, low, close, volume, i - p);
            positive -= gone.positive;
            negative -= gone.negative;
        }
        const Flow f = flow_at(high, low, close, volume, i);
        positive += f.positive;
        negative += f.negative;
        if (i < p) {
            out[i] = kNaN;
            continue;
        }
        const double total = positive + negative;
        out[i] = total < 1.0 ? 0.0 : 100.0 * (positive / total);
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
        const Flow f = flow_at(high, low, close, volume, j);
        positive += f.positive;
        negative += f.negative;
    }
    const double total = positive + negative;
    return total < 1.0 ? 0.0 : 100.0 * (positive / total);
}

}  // namespace gs::indicators
