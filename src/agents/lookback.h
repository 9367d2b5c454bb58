#pragma once

// The lookbacks of the indicator kernels (leading bars without a value), as constexpr
// functions of their periods so that each agent derives its `min_bars` from its Params
// instead of writing the number down. Each one transcribes the rule stated in the kernel's
// header (TA-Lib's TA_*_Lookback); tests/agents/lookback_test.cpp checks every one against
// the kernel's first defined output, so a kernel change that moves a warm-up fails there.

#include <algorithm>
#include <cstddef>

namespace gs::agents::lookback {

constexpr int sma(int period) noexcept {
    return period - 1;
}
constexpr int ema(int period) noexcept {
    return period - 1;
}
constexpr int stddev(int period) noexcept {
    return period - 1;
}
constexpr int atr(int period) noexcept {
    return period;
}
constexpr int natr(int period) noexcept {
    return period;
}
constexpr int rsi(int period) noexcept {
    return period;
}
constexpr int cmo(int period) noexcept {
    return period;
}
constexpr int cci(int period) noexcept {
    return period - 1;
}
constexpr int willr(int period) noexcept {
    return period - 1;
}
constexpr int mfi(int period) noexcept {
    return period;
}
constexpr int roc(int period) noexcept {
    return period;
}
constexpr int mom(int period) noexcept {
    return period;
}
constexpr int aroon(int period) noexcept {
    return period;
}
constexpr int kama(int period) noexcept {
    return period;
}
constexpr int linreg(int period) noexcept {
    return period - 1;
}
constexpr int midprice(int period) noexcept {
    return period - 1;
}
constexpr int zscore(int period) noexcept {
    return period - 1;
}
constexpr int bbands(int period) noexcept {
    return period - 1;
}
constexpr int cmf(int period) noexcept {
    return period - 1;
}
constexpr int vwap(int period) noexcept {
    return period - 1;
}
constexpr int emv(int period) noexcept {
    return period;
}
constexpr int prior_extreme(int period) noexcept {
    return period;
}  // prior_max / prior_min
constexpr int sar() noexcept {
    return 1;
}
constexpr int floor_pivots() noexcept {
    return 1;
}
constexpr int obv() noexcept {
    return 0;
}
constexpr int ad() noexcept {
    return 0;
}
constexpr int minus_plus_di(int period) noexcept {
    return period;
}
constexpr int adx(int period) noexcept {
    return 2 * period - 1;
}
constexpr int t3(int period) noexcept {
    return 6 * (period - 1);
}
constexpr int trix(int period) noexcept {
    return 3 * (period - 1) + 1;
}
constexpr int ultosc(int longest) noexcept {
    return longest;
}
constexpr int adosc(int fast, int slow) noexcept {
    return std::max(fast, slow) - 1;
}
constexpr int ppo(int fast, int slow) noexcept {
    return std::max(fast, slow) - 1;
}
constexpr int pvo(int slow) noexcept {
    return slow - 1;
}
constexpr int pvo_signal(int slow, int signal) noexcept {
    return slow + signal - 2;
}
constexpr int macd(int fast, int slow, int signal) noexcept {
    return std::max(fast, slow) - 1 + signal - 1;
}
constexpr int keltner(int ema_period, int atr_period) noexcept {
    return std::max(ema_period - 1, atr_period);
}
constexpr int stoch(int fastk, int slowk, int slowd) noexcept {
    return fastk - 1 + slowk - 1 + slowd - 1;
}
constexpr int stochf(int fastk, int fastd) noexcept {
    return fastk - 1 + fastd - 1;
}
constexpr int stoch_rsi(int rsi_period, int fastk, int fastd) noexcept {
    return rsi(rsi_period) + stochf(fastk, fastd);
}
constexpr int supertrend(int atr_period) noexcept {
    return atr(atr_period);
}

// Bars needed for a value on the latest bar: lookback + 1.
constexpr std::size_t bars_for(int lookback) noexcept {
    return static_cast<std::size_t>(lookback) + 1;
}

}  // namespace gs::agents::lookback
