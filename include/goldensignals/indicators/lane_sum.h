#pragma once

// Sums over short windows that run on every new bar, added in four interleaved lanes: term j
// goes to lane j % 4 and the lanes are added pairwise at the end. A plain loop is a chain of
// dependent additions (a 20-value window: 20 x the add latency); four lanes cut it to a
// quarter, and the CPU runs the lanes side by side.
//
// The order differs from a plain loop's by rounding only. Use it where a value is our own
// window arithmetic (an agent's rule, a one-bar "_at" kernel), never where TA-Lib's exact
// operation order is the definition (running sums, the candle averages).

#include <array>
#include <cstddef>
#include <span>

namespace gs::indicators {

// The sum of term(j) for j in [0, n).
template <typename Term>
double lane_sum_over(std::size_t n, Term term) noexcept {
    std::array<double, 4> lane{};
    const std::size_t whole = n - n % 4;
    for (std::size_t j = 0; j < whole; j += 4) {
        for (std::size_t k = 0; k < 4; ++k) {
            lane[k] += term(j + k);
        }
    }
    for (std::size_t k = 0; k < n % 4; ++k) {
        lane[k] += term(whole + k);
    }
    return (lane[0] + lane[1]) + (lane[2] + lane[3]);
}

inline double lane_sum(std::span<const double> values) noexcept {
    return lane_sum_over(values.size(), [values](std::size_t j) { return values[j]; });
}

// The sum of f(v) over `values`.
template <typename F>
double lane_sum_of(std::span<const double> values, F f) noexcept {
    return lane_sum_over(values.size(), [values, &f](std::size_t j) { return f(values[j]); });
}

}  // namespace gs::indicators
