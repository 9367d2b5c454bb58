#include "goldensignals/indicators/willr.h"

#include <algorithm>

#include "goldensignals/indicators/core.h"

namespace gs::indicators {

void willr(std::span<const double> high, std::span<const double> low, std::span<const double> close,
           int period, std::span<double> out) noexcept {
    const std::size_t n = close.size();
    const std::size_t p = static_cast<std::size_t>(std::max(period, 1));
    const std::size_t first_out = p - 1;
    std::fill(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(std::min(n, first_out)), kNaN);
    // Extremes tracked by index, rescanned only when they leave the window (as TA-Lib).
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
        // TA-Lib's operation order: divide by range / -100.
        const double diff = (high[hi] - low[lo]) / -100.0;
        out[i] = diff != 0.0 ? (high[hi] - close[i]) / diff : 0.0;
    }
}

}  // namespace gs::indicators
