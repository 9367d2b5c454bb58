#pragma once

// Statistical kernels with no TA-Lib counterpart: z-score, floor pivots, Fibonacci
// retracements, and the extremes of the bars before the current one. Same conventions as
// core.h: full-length outputs aligned with the bars, NaN during warm-up, no allocation.

#include <cstddef>
#include <span>

namespace gs::indicators {

// (x - SMA(period)) / population STDDEV(period), the same window as TA_SMA and TA_STDDEV;
// lookback period - 1. A flat window (standard deviation within 1e-10 of the mean's
// magnitude, i.e. zero up to rounding) gives 0: the value sits at its mean.
void zscore(std::span<const double> in, int period, std::span<double> out) noexcept;

// Classic floor-trader pivots of one bar.
struct Pivots {
    double pivot;  // (high + low + close) / 3
    double r1;     // 2 * pivot - low
    double s1;     // 2 * pivot - high
    double r2;     // pivot + (high - low)
    double s2;     // pivot - (high - low)
};

inline Pivots floor_pivots(double high, double low, double close) noexcept {
    const double p = (high + low + close) / 3.0;
    return {p, 2.0 * p - low, 2.0 * p - high, p + (high - low), p - (high - low)};
}

// Full series of the levels in force at each bar, i.e. computed from the previous bar;
// lookback 1.
struct PivotSeries {
    std::span<double> pivot, r1, s1, r2, s2;
};
void floor_pivot_series(std::span<const double> high, std::span<const double> low,
                        std::span<const double> close, const PivotSeries& out) noexcept;

// A price swing: from the lowest low to the highest high of some bars (the latest occurrence
// of each on ties). direction = +1 when the low came first (an up-swing), -1 when the high
// came first (a down-swing), 0 when one bar holds both.
struct Swing {
    double high;
    double low;
    int direction;
};

// The swing over all of `high` / `low` (same length, not empty).
Swing find_swing(std::span<const double> high, std::span<const double> low) noexcept;

// Fibonacci retracements of a swing, r = 0.382, 0.5, 0.618: an up-swing (or direction 0)
// retraces down from its high, high - r * range; a down-swing up from its low,
// low + r * range.
struct FibonacciLevels {
    double fib_382;
    double fib_500;
    double fib_618;
};

inline FibonacciLevels fibonacci_levels(const Swing& s) noexcept {
    const double range = s.high - s.low;
    if (s.direction < 0) {
        return {s.low + 0.382 * range, s.low + 0.5 * range, s.low + 0.618 * range};
    }
    return {s.high - 0.382 * range, s.high - 0.5 * range, s.high - 0.618 * range};
}

// Full series of the retracements of the swing over the `period` bars before each bar (the
// bar itself excluded, so that it can test them); lookback `period`. O(n) amortised.
struct FibonacciSeries {
    std::span<double> fib_382, fib_500, fib_618;
};
void fibonacci_retracements(std::span<const double> high, std::span<const double> low, int period,
                            const FibonacciSeries& out) noexcept;

// Highest / lowest value of the `period` bars before each bar, the bar itself excluded
// (TA_MAX / TA_MIN shifted by one bar); lookback `period`.
void prior_max(std::span<const double> in, int period, std::span<double> out) noexcept;
void prior_min(std::span<const double> in, int period, std::span<double> out) noexcept;

}  // namespace gs::indicators
