#pragma once

// The building blocks most indicators share, with TA-Lib's definitions and lookbacks.
// Every kernel writes a full-length output aligned with its input: out[i] is the value at
// bar i, NaN while the indicator warms up (i < lookback) or where an input is NaN.
// Kernels are pure: no allocation, no I/O, `out` may not alias an input unless stated.

#include <cmath>
#include <limits>
#include <span>

namespace gs::indicators {

inline constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

inline bool is_value(double x) noexcept {
    return !std::isnan(x);
}

// TA-Lib's TA_EPSILON (ta_utility.h of the TA-Lib source the reference data comes from,
// tests/reference/README.md). TA-Lib 0.4.0 used 1e-8, which zeroes the RSI, DI or NATR of a
// coin priced at 0.00001; 1e-14 only catches what is zero up to rounding at such prices.
inline constexpr double kTaEpsilon = 1e-14;

// TA-Lib's TA_IS_ZERO: several of its outputs switch to 0 below kTaEpsilon, so matching it
// keeps us equal to TA-Lib on flat data too.
inline bool ta_is_zero(double v) noexcept {
    return -kTaEpsilon < v && v < kTaEpsilon;
}

// TA-Lib's TA_IS_ZERO_OR_NEG: a variance below this gives a standard deviation of 0.
inline bool ta_is_zero_or_neg(double v) noexcept {
    return v < kTaEpsilon;
}

// Index of the first non-NaN input, or in.size() when there is none. Kernels applied to the
// output of another kernel (a signal line over MACD, say) start there, as TA-Lib does when
// it is handed only the valid part of the first output.
std::size_t first_value(std::span<const double> in) noexcept;

// Simple moving average; lookback period - 1 from the first value.
void sma(std::span<const double> in, int period, std::span<double> out) noexcept;

// Exponential moving average with k = 2 / (period + 1), seeded with the SMA of the first
// `period` values (TA-Lib's TA_EMA); lookback period - 1 from the first value.
// `out` may alias `in`.
void ema(std::span<const double> in, int period, std::span<double> out) noexcept;

// Rolling sum over `period`; lookback period - 1.
void rolling_sum(std::span<const double> in, int period, std::span<double> out) noexcept;

// Highest / lowest value over the last `period` bars including the current one (TA_MAX,
// TA_MIN); lookback period - 1.
void rolling_max(std::span<const double> in, int period, std::span<double> out) noexcept;
void rolling_min(std::span<const double> in, int period, std::span<double> out) noexcept;

// Population standard deviation over `period` (TA_STDDEV with nbdev 1); lookback period - 1.
void stddev(std::span<const double> in, int period, std::span<double> out) noexcept;

// True range (TA_TRANGE): max(high, prev close) - min(low, prev close); lookback 1.
void true_range(std::span<const double> high, std::span<const double> low,
                std::span<const double> close, std::span<double> out) noexcept;

// Average true range (TA_ATR): the first value is the mean of `period` true ranges, then
// Wilder's smoothing atr = (prev * (period - 1) + tr) / period; lookback `period`.
void atr(std::span<const double> high, std::span<const double> low, std::span<const double> close,
         int period, std::span<double> out) noexcept;

// The latest non-NaN value of the series, NaN when there is none.
double last_value(std::span<const double> series) noexcept;

}  // namespace gs::indicators
