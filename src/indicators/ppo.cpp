#include "goldensignals/indicators/ppo.h"

#include <algorithm>

#include "goldensignals/indicators/core.h"

namespace gs::indicators {
namespace {

double percent_gap(double fast, double slow) noexcept {
    return ta_is_zero(slow) ? 0.0 : (fast - slow) / slow * 100.0;
}

}  // namespace

void ppo(std::span<const double> in, int fast_period, int slow_period,
         std::span<double> out) noexcept {
    const std::size_t n = in.size();
    std::size_t fast_p = static_cast<std::size_t>(std::max(fast_period, 1));
    std::size_t slow_p = static_cast<std::size_t>(std::max(slow_period, 1));
    if (slow_p < fast_p) {
        std::swap(fast_p, slow_p);  // TA-Lib swaps them too
    }
    const std::size_t start = first_value(in);
    const std::size_t first_out = start + slow_p - 1;
    std::fill(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(std::min(n, first_out)), kNaN);
    if (first_out >= n) {
        return;
    }
    // Both EMAs exactly as core.h's ema() computes them (same seeds, same operation order),
    // fused in one pass so no scratch buffer is needed.
    const double k_fast = 2.0 / (static_cast<double>(fast_p) + 1.0);
    const double k_slow = 2.0 / (static_cast<double>(slow_p) + 1.0);
    double fast_sum = 0.0;
    double slow_sum = 0.0;
    double fast = kNaN;
    for (std::size_t i = start; i <= first_out; ++i) {
        const double x = in[i];
        slow_sum += x;
        if (i < start + fast_p) {
            fast_sum += x;
            if (i + 1 == start + fast_p) {
                fast = fast_sum / static_cast<double>(fast_p);
            }
        } else {
            fast = (x - fast) * k_fast + fast;
        }
    }
    double slow = slow_sum / static_cast<double>(slow_p);
    out[first_out] = percent_gap(fast, slow);
    for (std::size_t i = first_out + 1; i < n; ++i) {
        const double x = in[i];
        fast = (x - fast) * k_fast + fast;
        slow = (x - slow) * k_slow + slow;
        out[i] = percent_gap(fast, slow);
    }
}

}  // namespace gs::indicators
