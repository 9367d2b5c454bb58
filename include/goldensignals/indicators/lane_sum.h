#pragma once

// Sums over short windows that run on every new bar, added in four interleaved lanes: term j
// goes to lane j % 4 and the lanes are added pairwise at the end. A plain loop is a chain of
// dependent additions (a 20-value window: 20 x the add latency); four lanes cut it to a
// quarter, and the CPU runs the lanes side by side.
//
// The order differs from a plain loop's by rounding only. Use it where a value is our own
// window arithmetic (an agent's rule, a one-bar "_at" kernel), never where TA-Lib's exact
// operation order is the definition (running sums, the candle averages).

#include <cstddef>
#include <span>

namespace gs::indicators {

// The sum of term(j) for j in [0, n).
template <typename Term>
double lane_sum_over(std::size_t n, Term term) noexcept {
    // Four named accumulators, not an array: the compiler keeps them in registers, where an
    // array's lanes went through the stack and back (a store-forwarding stall per lane).
    double l0 = 0.0;
    double l1 = 0.0;
    double l2 = 0.0;
    double l3 = 0.0;
    const std::size_t whole = n - n % 4;
    for (std::size_t j = 0; j < whole; j += 4) {
        l0 += term(j);
        l1 += term(j + 1);
        l2 += term(j + 2);
        l3 += term(j + 3);
    }
    switch (n % 4) {
        case 3:
            l2 += term(whole + 2);
            [[fallthrough]];
        case 2:
            l1 += term(whole + 1);
            [[fallthrough]];
        case 1:
            l0 += term(whole);
            break;
        default:
            break;
    }
    return (l0 + l1) + (l2 + l3);
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
