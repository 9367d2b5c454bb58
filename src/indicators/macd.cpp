#include "goldensignals/indicators/macd.h"

#include <algorithm>
#include <utility>

#include "goldensignals/indicators/core.h"

namespace gs::indicators {

int macd_lookback(int fast_period, int slow_period, int signal_period) noexcept {
    return std::max({fast_period, slow_period, 1}) - 1 + std::max(signal_period, 1) - 1;
}

void macd(std::span<const double> in, int fast_period, int slow_period, int signal_period,
          std::span<double> line, std::span<double> signal, std::span<double> hist) noexcept {
    const std::size_t n = in.size();
    std::fill(line.begin(), line.begin() + static_cast<std::ptrdiff_t>(n), kNaN);
    std::fill(signal.begin(), signal.begin() + static_cast<std::ptrdiff_t>(n), kNaN);
    std::fill(hist.begin(), hist.begin() + static_cast<std::ptrdiff_t>(n), kNaN);
    if (slow_period < fast_period) {
        std::swap(slow_period, fast_period);
    }
    const std::size_t fast = static_cast<std::size_t>(std::max(fast_period, 1));
    const std::size_t slow = static_cast<std::size_t>(std::max(slow_period, 1));
    const std::size_t sig = static_cast<std::size_t>(std::max(signal_period, 1));
    const std::size_t start = first_value(in);
    if (start + (slow - 1) + (sig - 1) >= n) {
        return;
    }
    const double fast_k = 2.0 / (static_cast<double>(fast) + 1.0);
    const double slow_k = 2.0 / (static_cast<double>(slow) + 1.0);
    const double sig_k = 2.0 / (static_cast<double>(sig) + 1.0);

    // Both seed windows end on the slow EMA's first bar (TA-Lib's lockstep seeding).
    double slow_sum = 0.0;
    double fast_sum = 0.0;
    for (std::size_t i = start; i < start + slow; ++i) {
        slow_sum += in[i];
        if (i >= start + slow - fast) {
            fast_sum += in[i];
        }
    }
    double fast_ema = fast_sum / static_cast<double>(fast);
    double slow_ema = slow_sum / static_cast<double>(slow);
    std::size_t i = start + slow - 1;
    double value = fast_ema - slow_ema;
    double signal_sum = value;
    for (std::size_t k = 1; k < sig; ++k) {
        const double x = in[++i];
        fast_ema = (x - fast_ema) * fast_k + fast_ema;
        slow_ema = (x - slow_ema) * slow_k + slow_ema;
        value = fast_ema - slow_ema;
        signal_sum += value;
    }
    double signal_ema = signal_sum / static_cast<double>(sig);
    line[i] = value;
    signal[i] = signal_ema;
    hist[i] = value - signal_ema;
    for (++i; i < n; ++i) {
        const double x = in[i];
        fast_ema = (x - fast_ema) * fast_k + fast_ema;
        slow_ema = (x - slow_ema) * slow_k + slow_ema;
        value = fast_ema - slow_ema;
        signal_ema = (value - signal_ema) * sig_k + signal_ema;
        line[i] = value;
        signal[i] = signal_ema;
        hist[i] = value - signal_ema;
    }
}

}  // namespace gs::indicators
