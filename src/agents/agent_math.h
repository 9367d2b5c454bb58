#pragma once

#include <array>
#include <cmath>
#include <cstddef>
#include <span>

#include "goldensignals/agents/agent.h"

namespace gs::agents {

// The sum of f(v) over `values`, added in four interleaved lanes (lane k takes values k, k + 4,
// ...; the lanes are then added pairwise): a quarter of the dependent chain a plain loop makes,
// and rules run on every new bar. For an agent's own window arithmetic, shared by its batch and
// streaming forms so they agree to the bit; not the order TA-Lib's kernels add in (that differs
// by rounding only).
template <typename F>
double lane_sum_of(std::span<const double> values, F f) noexcept {
    std::array<double, 4> lane{};
    const std::size_t n = values.size();
    const std::size_t whole = n - n % 4;
    for (std::size_t i = 0; i < whole; i += 4) {
        for (std::size_t k = 0; k < 4; ++k) {
            lane[k] += f(values[i + k]);
        }
    }
    for (std::size_t k = 0; k < n % 4; ++k) {
        lane[k] += f(values[whole + k]);
    }
    return (lane[0] + lane[1]) + (lane[2] + lane[3]);
}

inline double lane_sum(std::span<const double> values) noexcept {
    return lane_sum_of(values, [](double v) { return v; });
}

// Bars since the sign of (a - b) last changed, looking back at most `window` bars;
// returns `window` when there was no change (or values are missing) in that span.
inline std::size_t bars_since_sign_change(std::span<const double> a, std::span<const double> b,
                                          std::size_t window) {
    const std::size_t n = a.size();
    if (n < 2) {
        return window;
    }
    auto sign = [](double x) { return x > 0.0 ? 1 : (x < 0.0 ? -1 : 0); };
    const int now = sign(a[n - 1] - b[n - 1]);
    for (std::size_t back = 1; back <= window && back < n; ++back) {
        const double da = a[n - 1 - back];
        const double db = b[n - 1 - back];
        if (std::isnan(da) || std::isnan(db)) {
            return window;
        }
        if (sign(da - db) != now) {
            return back - 1;
        }
    }
    return window;
}

// Bars since the sign of `s` last changed (against zero), at most `window` (also when history
// runs out or a value is missing).
inline std::size_t bars_since_zero_cross(std::span<const double> s, std::size_t window) {
    const std::size_t n = s.size();
    auto sign = [](double x) { return x > 0.0 ? 1 : (x < 0.0 ? -1 : 0); };
    const int now = sign(s[n - 1]);
    for (std::size_t back = 1; back <= window && back < n; ++back) {
        const double v = s[n - 1 - back];
        if (std::isnan(v)) {
            return window;
        }
        if (sign(v) != now) {
            return back - 1;
        }
    }
    return window;
}

}  // namespace gs::agents
