#pragma once

// Percentage Volume Oscillator: TA_PPO (EMA) applied to volume, with an EMA signal line.

#include <span>

namespace gs::indicators {

// pvo = 100 * (EMA(volume, fast) - EMA(volume, slow)) / EMA(volume, slow) (0 where the slow
// EMA is zero, as TA-Lib), lookback slow - 1; signal = EMA(pvo, signal_period) from the
// first PVO value, lookback slow + signal_period - 2.
void pvo(std::span<const double> volume, int fast, int slow, int signal_period,
         std::span<double> pvo_out, std::span<double> signal_out) noexcept;

}  // namespace gs::indicators
