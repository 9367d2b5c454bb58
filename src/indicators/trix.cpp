#include "goldensignals/indicators/trix.h"

#include "goldensignals/indicators/core.h"

namespace gs::indicators {

void trix(std::span<const double> in, int period, std::span<double> out) noexcept {
    const std::size_t n = in.size();
    // ema() may work in place, so the triple EMA needs no scratch buffer.
    ema(in, period, out.first(n));
    ema(out.first(n), period, out.first(n));
    ema(out.first(n), period, out.first(n));
    const std::size_t start = first_value(out.first(n));
    if (start >= n) {
        return;
    }
    // Backwards, so each step still reads the previous bar's EMA.
    for (std::size_t i = n - 1; i > start; --i) {
        const double prev = out[i - 1];
        out[i] = prev != 0.0 ? (out[i] / prev - 1.0) * 100.0 : 0.0;
    }
    out[start] = kNaN;
}

}  // namespace gs::indicators
