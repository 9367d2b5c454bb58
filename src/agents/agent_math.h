#pragma once

#include <cmath>
#include <cstddef>
#include <span>

#include "goldensignals/agents/agent.h"
#include "goldensignals/indicators/lane_sum.h"

namespace gs::agents {

// Window sums in an agent's rule (shared by its batch and streaming forms, so both agree to the
// bit): four interleaved lanes, a quarter of a plain loop's dependency chain (lane_sum.h).
using indicators::lane_sum;
using indicators::lane_sum_of;

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
