#pragma once

// Stochastic oscillators (TA_STOCHF, TA_STOCH, TA_STOCHRSI) with simple-moving-average
// smoothing, TA-Lib's definitions and lookbacks.

#include <span>

namespace gs::indicators {

// Fast stochastic (TA_STOCHF): fast %K = 100 * (close - lowest low) / (highest high - lowest
// low) over the last `fastk_period` bars (0 where that range is 0, as TA-Lib), fast %D =
// SMA(`fastd_period`) of fast %K. TA-Lib starts both outputs where %D starts, so %K is NaN
// there too: lookback fastk_period - 1 + fastd_period - 1 from the first value of `close`
// (inputs may carry a NaN warm-up, as when the inputs are an RSI).
// Fast %K of `close` in a window whose lowest low and highest high are given, as stochf()
// computes it: TA-Lib divides by range / 100 rather than multiplying by 100 (same bits as
// TA-Lib), and writes 0 for a range of 0.
inline double fast_k_of(double close, double lowest, double highest) noexcept {
    const double diff = (highest - lowest) / 100.0;
    return diff != 0.0 ? (close - lowest) / diff : 0.0;
}

void stochf(std::span<const double> high, std::span<const double> low,
            std::span<const double> close, int fastk_period, int fastd_period,
            std::span<double> fast_k, std::span<double> fast_d) noexcept;

// Slow stochastic (TA_STOCH, both MA types SMA): slow %K = SMA(`slowk_period`) of fast %K,
// slow %D = SMA(`slowd_period`) of slow %K. Both outputs start where %D starts: lookback
// fastk_period - 1 + slowk_period - 1 + slowd_period - 1 (17 for 14 / 3 / 3).
void stoch(std::span<const double> high, std::span<const double> low, std::span<const double> close,
           int fastk_period, int slowk_period, int slowd_period, std::span<double> slow_k,
           std::span<double> slow_d) noexcept;

// Stochastic RSI (TA_STOCHRSI, SMA %D): stochf() applied to RSI(`rsi_period`) of the close,
// the RSI standing in for high, low and close. `rsi_out` receives that RSI. Lookback
// rsi_period + fastk_period - 1 + fastd_period - 1 (29 for 14 / 14 / 3) for both outputs.
void stoch_rsi(std::span<const double> close, int rsi_period, int fastk_period, int fastd_period,
               std::span<double> rsi_out, std::span<double> fast_k,
               std::span<double> fast_d) noexcept;

}  // namespace gs::indicators
