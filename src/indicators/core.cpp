#include "goldensignals/indicators/core.h"

#include <algorithm>

namespace gs::indicators {

std::size_t first_value(std::span<const double> in) noexcept {
    std::size_t i = 0;
    while (i < in.size() && std::isnan(in[i])) {
        ++i;
    }
    return i;
}

void sma(std::span<const double> in, int period, std::span<double> out) noexcept {
    const std::size_t n = in.size();
    const std::size_t p = static_cast<std::size_t>(std::max(period, 1));
    const std::size_t start = first_value(in);
    double sum = 0.0;
    for (std::size_t i = 0; i < n; ++i) {
        if (i < start) {
            out[i] = kNaN;
            continue;
        }
        sum += in[i];
        if (i >= start + p) {
            sum -= in[i - p];
        }
        out[i] = i + 1 >= start + p ? sum / static_cast<double>(p) : kNaN;
    }
}

void ema(std::span<const double> in, int period, std::span<double> out) noexcept {
    const std::size_t n = in.size();
    const std::size_t p = static_cast<std::size_t>(std::max(period, 1));
    const std::size_t start = first_value(in);
    const double k = 2.0 / (static_cast<double>(p) + 1.0);
    double seed_sum = 0.0;
    double prev = kNaN;
    for (std::size_t i = 0; i < n; ++i) {
        const double x = in[i];
        if (i < start) {
            out[i] = kNaN;
        } else if (i + 1 < start + p) {
            seed_sum += x;
            out[i] = kNaN;
        } else if (i + 1 == start + p) {
            seed_sum += x;
            prev = seed_sum / static_cast<double>(p);
            out[i] = prev;
        } else {
            prev = (x - prev) * k + prev;
            out[i] = prev;
        }
    }
}

void rolling_sum(std::span<const double> in, int period, std::span<double> out) noexcept {
    const std::size_t p = static_cast<std::size_t>(std::max(period, 1));
    double sum = 0.0;
    for (std::size_t i = 0; i < in.size(); ++i) {
        sum += in[i];
        if (i >= p) {
            sum -= in[i - p];
        }
        out[i] = i + 1 >= p ? sum : kNaN;
    }
}

namespace {

// TA-Lib's approach: remember where the extreme is and rescan the window only when it
// slides out. No allocation; amortised O(n) on market data.
template <typename Better>
void rolling_extreme(std::span<const double> in, int period, std::span<double> out,
                     Better better) noexcept {
    const std::size_t p = static_cast<std::size_t>(std::max(period, 1));
    const std::size_t n = in.size();
    std::size_t best = 0;
    bool have_best = false;
    for (std::size_t i = 0; i < n; ++i) {
        if (i + 1 < p) {
            out[i] = kNaN;
            continue;
        }
        const std::size_t trailing = i + 1 - p;
        if (!have_best || best < trailing) {
            best = trailing;
            for (std::size_t j = trailing + 1; j <= i; ++j) {
                if (!better(in[best], in[j])) {
                    best = j;
                }
            }
            have_best = true;
        } else if (!better(in[best], in[i])) {
            best = i;
        }
        out[i] = in[best];
    }
}

}  // namespace

void rolling_max(std::span<const double> in, int period, std::span<double> out) noexcept {
    rolling_extreme(in, period, out, [](double a, double b) { return a > b; });
}

void rolling_min(std::span<const double> in, int period, std::span<double> out) noexcept {
    rolling_extreme(in, period, out, [](double a, double b) { return a < b; });
}

void stddev(std::span<const double> in, int period, std::span<double> out) noexcept {
    const std::size_t p = static_cast<std::size_t>(std::max(period, 1));
    double sum = 0.0;
    double sum_sq = 0.0;
    for (std::size_t i = 0; i < in.size(); ++i) {
        sum += in[i];
        sum_sq += in[i] * in[i];
        if (i >= p) {
            sum -= in[i - p];
            sum_sq -= in[i - p] * in[i - p];
        }
        if (i + 1 >= p) {
            const double mean = sum / static_cast<double>(p);
            const double variance = sum_sq / static_cast<double>(p) - mean * mean;
            // TA_STDDEV's test: rounding can make a flat window's variance a hair below zero,
            // and TA-Lib reports 0 below its epsilon.
            out[i] = !ta_is_zero_or_neg(variance) ? std::sqrt(variance) : 0.0;
        } else {
            out[i] = kNaN;
        }
    }
}

void true_range(std::span<const double> high, std::span<const double> low,
                std::span<const double> close, std::span<double> out) noexcept {
    if (high.empty()) {
        return;
    }
    out[0] = kNaN;
    for (std::size_t i = 1; i < high.size(); ++i) {
        const double prev = close[i - 1];
        out[i] = std::max(high[i], prev) - std::min(low[i], prev);
    }
}

void atr(std::span<const double> high, std::span<const double> low, std::span<const double> close,
         int period, std::span<double> out) noexcept {
    const std::size_t n = high.size();
    const std::size_t p = static_cast<std::size_t>(std::max(period, 1));
    double value = 0.0;
    for (std::size_t i = 0; i < n; ++i) {
        if (i == 0) {
            out[i] = kNaN;
            continue;
        }
        const double prev = close[i - 1];
        const double tr = std::max(high[i], prev) - std::min(low[i], prev);
        if (i < p) {
            value += tr;
            out[i] = kNaN;
        } else if (i == p) {
            value = (value + tr) / static_cast<double>(p);
            out[i] = value;
        } else {
            value = (value * static_cast<double>(p - 1) + tr) / static_cast<double>(p);
            out[i] = value;
        }
    }
}

double last_value(std::span<const double> series) noexcept {
    for (std::size_t i = series.size(); i > 0; --i) {
        if (!std::isnan(series[i - 1])) {
            return series[i - 1];
        }
    }
    return kNaN;
}

}  // namespace gs::indicators
