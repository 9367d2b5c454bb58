#include "goldensignals/indicators/stoch.h"

#include <algorithm>

#include "goldensignals/indicators/core.h"
#include "goldensignals/indicators/rsi.h"

namespace gs::indicators {
namespace {

// Raw (fast) %K from the first value of `close` on. Highest and lowest are tracked by index
// and rescanned only when they leave the window, as TA-Lib does: amortised O(n).
void raw_k(std::span<const double> high, std::span<const double> low, std::span<const double> close,
           int period, std::span<double> out) noexcept {
    const std::size_t n = close.size();
    const std::size_t p = static_cast<std::size_t>(std::max(period, 1));
    const std::size_t start = first_value(close);
    const std::size_t first_out = start + p - 1;
    std::fill(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(std::min(n, first_out)), kNaN);
    std::size_t hi = 0;
    std::size_t lo = 0;
    for (std::size_t i = first_out; i < n; ++i) {
        const std::size_t trailing = i + 1 - p;
        if (i == first_out || lo < trailing) {
            lo = trailing;
            for (std::size_t j = trailing + 1; j <= i; ++j) {
                if (low[j] < low[lo]) {
                    lo = j;
                }
            }
        } else if (low[i] <= low[lo]) {
            lo = i;
        }
        if (i == first_out || hi < trailing) {
            hi = trailing;
            for (std::size_t j = trailing + 1; j <= i; ++j) {
                if (high[j] > high[hi]) {
                    hi = j;
                }
            }
        } else if (high[i] >= high[hi]) {
            hi = i;
        }
        out[i] = fast_k_of(close[i], low[lo], high[hi]);
    }
}

// TA-Lib reports %K only from where %D starts.
void align_to(std::span<const double> leader, std::span<double> follower) noexcept {
    const std::size_t start = first_value(leader);
    std::fill(follower.begin(), follower.begin() + static_cast<std::ptrdiff_t>(start), kNaN);
}

}  // namespace

void stochf(std::span<const double> high, std::span<const double> low,
            std::span<const double> close, int fastk_period, int fastd_period,
            std::span<double> fast_k, std::span<double> fast_d) noexcept {
    raw_k(high, low, close, fastk_period, fast_k);
    sma(fast_k, fastd_period, fast_d);
    align_to(fast_d, fast_k);
}

void stoch(std::span<const double> high, std::span<const double> low, std::span<const double> close,
           int fastk_period, int slowk_period, int slowd_period, std::span<double> slow_k,
           std::span<double> slow_d) noexcept {
    // slow_d holds the raw %K until the last step overwrites it; no scratch needed.
    raw_k(high, low, close, fastk_period, slow_d);
    sma(slow_d, slowk_period, slow_k);
    sma(slow_k, slowd_period, slow_d);
    align_to(slow_d, slow_k);
}

void stoch_rsi(std::span<const double> close, int rsi_period, int fastk_period, int fastd_period,
               std::span<double> rsi_out, std::span<double> fast_k,
               std::span<double> fast_d) noexcept {
    rsi(close, rsi_period, rsi_out);
    const std::span<const double> r = rsi_out.first(close.size());
    stochf(r, r, r, fastk_period, fastd_period, fast_k, fast_d);
}

}  // namespace gs::indicators
