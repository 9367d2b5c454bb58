#include "goldensignals/indicators/statistics.h"

#include <algorithm>
#include <cmath>

#include "goldensignals/indicators/core.h"

namespace gs::indicators {

void zscore(std::span<const double> in, int period, std::span<double> out) noexcept {
    const std::size_t p = static_cast<std::size_t>(std::max(period, 1));
    const double count = static_cast<double>(p);
    double sum = 0.0;
    double sum_sq = 0.0;
    for (std::size_t i = 0; i < in.size(); ++i) {
        sum += in[i];
        sum_sq += in[i] * in[i];
        if (i >= p) {
            sum -= in[i - p];
            sum_sq -= in[i - p] * in[i - p];
        }
        if (i + 1 < p) {
            out[i] = kNaN;
            continue;
        }
        const double mean = sum / count;
        const double variance = sum_sq / count - mean * mean;
        const double sd = variance > 0.0 ? std::sqrt(variance) : 0.0;
        // Rounding leaves a flat window a hair of variance; it has no dispersion to divide by.
        out[i] = sd > 1e-10 * std::abs(mean) && sd > 0.0 ? (in[i] - mean) / sd : 0.0;
    }
}

void floor_pivot_series(std::span<const double> high, std::span<const double> low,
                        std::span<const double> close, const PivotSeries& out) noexcept {
    const std::size_t n = close.size();
    for (std::size_t i = 0; i < n; ++i) {
        if (i == 0) {
            out.pivot[i] = out.r1[i] = out.s1[i] = out.r2[i] = out.s2[i] = kNaN;
            continue;
        }
        const Pivots v = floor_pivots(high[i - 1], low[i - 1], close[i - 1]);
        out.pivot[i] = v.pivot;
        out.r1[i] = v.r1;
        out.s1[i] = v.s1;
        out.r2[i] = v.r2;
        out.s2[i] = v.s2;
    }
}

namespace {

// Index of the latest extreme in [from, to] by `better_or_equal`.
template <typename BetterOrEqual>
std::size_t scan_extreme(std::span<const double> in, std::size_t from, std::size_t to,
                         BetterOrEqual better_or_equal) noexcept {
    std::size_t best = from;
    for (std::size_t j = from + 1; j <= to; ++j) {
        if (better_or_equal(in[j], in[best])) {
            best = j;
        }
    }
    return best;
}

// Tracks the latest extreme of the `period` bars before bar i as i advances; rescans only
// when the extreme slides out of the window (amortised O(1) on market data).
template <typename BetterOrEqual>
class PriorExtreme {
  public:
    PriorExtreme(std::span<const double> in, std::size_t period, BetterOrEqual better_or_equal)
        : in_(in), period_(period), better_or_equal_(better_or_equal) {}

    // Index of the extreme over [i - period, i - 1]; call with i = period, period + 1, ...
    std::size_t at(std::size_t i) noexcept {
        const std::size_t from = i - period_;
        if (!valid_ || best_ < from) {
            best_ = scan_extreme(in_, from, i - 1, better_or_equal_);
            valid_ = true;
        } else if (better_or_equal_(in_[i - 1], in_[best_])) {
            best_ = i - 1;
        }
        return best_;
    }

  private:
    std::span<const double> in_;
    std::size_t period_;
    BetterOrEqual better_or_equal_;
    std::size_t best_ = 0;
    bool valid_ = false;
};

constexpr auto kHigherOrEqual = [](double a, double b) { return a >= b; };
constexpr auto kLowerOrEqual = [](double a, double b) { return a <= b; };

}  // namespace

Swing find_swing(std::span<const double> high, std::span<const double> low) noexcept {
    const std::size_t ih = scan_extreme(high, 0, high.size() - 1, kHigherOrEqual);
    const std::size_t il = scan_extreme(low, 0, low.size() - 1, kLowerOrEqual);
    return {high[ih], low[il], ih > il ? 1 : (ih < il ? -1 : 0)};
}

void fibonacci_retracements(std::span<const double> high, std::span<const double> low, int period,
                            const FibonacciSeries& out) noexcept {
    const std::size_t n = high.size();
    const std::size_t p = static_cast<std::size_t>(std::max(period, 1));
    PriorExtreme highest(high, p, kHigherOrEqual);
    PriorExtreme lowest(low, p, kLowerOrEqual);
    for (std::size_t i = 0; i < n; ++i) {
        if (i < p) {
            out.fib_382[i] = out.fib_500[i] = out.fib_618[i] = kNaN;
            continue;
        }
        const std::size_t ih = highest.at(i);
        const std::size_t il = lowest.at(i);
        const auto levels = fibonacci_levels({high[ih], low[il], ih > il ? 1 : (ih < il ? -1 : 0)});
        out.fib_382[i] = levels.fib_382;
        out.fib_500[i] = levels.fib_500;
        out.fib_618[i] = levels.fib_618;
    }
}

namespace {

// TA_MAX / TA_MIN over `period`, moved one bar later.
void shift_one_bar(std::span<double> out) noexcept {
    for (std::size_t i = out.size(); i > 1; --i) {
        out[i - 1] = out[i - 2];
    }
    if (!out.empty()) {
        out[0] = kNaN;
    }
}

}  // namespace

void prior_max(std::span<const double> in, int period, std::span<double> out) noexcept {
    rolling_max(in, period, out);
    shift_one_bar(out);
}

void prior_min(std::span<const double> in, int period, std::span<double> out) noexcept {
    rolling_min(in, period, out);
    shift_one_bar(out);
}

}  // namespace gs::indicators
