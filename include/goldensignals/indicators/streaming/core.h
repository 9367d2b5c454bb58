#pragma once

// Streaming forms of the core.h kernels: one small state per indicator, `update(...)` takes
// the next bar and returns that bar's output (NaN during the warm-up, as the batch kernel),
// O(1) amortised. Each state performs the batch kernel's floating-point operations in the
// batch kernel's order, so its outputs are bit-identical to the batch kernel's at every
// index (tests/indicators/streaming_parity_test.cpp). States are values: copy one to branch
// a series (a correction rebuilds from a copy taken before the corrected bar).
//
// Leading NaN inputs (the warm-up of another indicator, e.g. a signal line over MACD) are
// skipped exactly where the batch kernel skips them (first_value()); a NaN after the first
// value propagates as it does in the batch kernel.
//
// Recursive indicators and --max-bars (issue 12). EMA, Wilder averages (RSI, ATR, ADX), KAMA,
// T3, TRIX, MACD and SAR depend on every bar seen; a state rebuilt from only the last N bars
// held differs. Measured (StreamingWindow.RecursiveIndicatorsRebuiltFromTheLastNBars, the
// worst relative gap at the last bar over five 10,000-bar walks at 100; "regime" walks have
// flat stretches of up to 400 bars, zero volume and gaps, "liquid" ones move 1 % every bar):
//
//                    N = 300             N = 500             N = 5,000
//                 liquid   regime     liquid   regime     liquid   regime
//   EMA 12        0        0          0        0          0        0
//   EMA 26        4.8e-12  9.0e-11    0        0          0        0
//   EMA 50        4.8e-07  3.8e-06    4.8e-10  1.5e-09    0        0
//   EMA 200       1.2e-02  1.1e-01    1.8e-03  7.6e-03    0        0
//   MACD 12/26/9  1.1e-09  3.7e-01*   0        0          0        0
//   TRIX 15       0        1.0e-01*   0        0          0        0
//   T3 5          0        0          0        0          0        0
//   KAMA 10       1.1e-12  6.8e-14    0        0          0        0
//   RSI 14        3.6e-10  1.4e-01    0        7.7e-09    0        0
//   ATR 14        8.8e-11  3.2e-02*   6.1e-16  6.8e-08    0        0
//   ADX 14        1.3e-08  2.4e-01    4.2e-15  2.7e-08    0        0
//   SAR .02/.2    0        0          0        0          0        0
//   ADOSC 3/10    3.6e-12  9.9e-01*   3.5e-12  9.9e-01*   2.3e-12  7.5e-01*
//   OBV, AD       level offset by everything before the window: never converges
//   (* the value is near 0 there; the absolute gaps are 1e-8 (MACD), 3e-14 (TRIX), 2e-9 (ATR),
//   3e-6 (ADOSC, rounding of an A/D line of ~1e8))
//
// "0" is bit-identical. A flat stretch freezes the relative error of a Wilder average (gain
// and loss decay alike), so RSI/ADX over N = 300 can be far off on illiquid series; EMA 200
// is off by 1e-3 even at N = 500. So the window is not a safe definition of a recursive
// state: keep the state over everything seen (an append is O(1) anyway), and for corrections
// keep a second copy of each state as of the oldest bar held (advanced by the bar leaving the
// window, O(1)): a rebuild replays the held bars from that copy and equals the
// everything-seen state exactly. OBV and AD are cumulative levels whatever is done; agents
// should read their changes, not their levels.

#include <algorithm>
#include <cmath>
#include <cstddef>

#include "goldensignals/indicators/core.h"
#include "goldensignals/indicators/streaming/window.h"

namespace gs::indicators::streaming {

inline std::size_t clamp_period(int period, int minimum = 1) noexcept {
    return static_cast<std::size_t>(std::max(period, minimum));
}

// TA_SMA. sum += x, then -= the value leaving, then / period: sma()'s order.
class Sma {
  public:
    explicit Sma(int period) : p_(clamp_period(period)), window_(p_) {}

    double update(double x) noexcept {
        if (!started_) {
            if (std::isnan(x)) {
                return kNaN;
            }
            started_ = true;
        }
        const bool full = window_.full();
        const double leaving = full ? window_.oldest() : 0.0;
        sum_ += x;
        if (full) {
            sum_ -= leaving;
        }
        window_.push(x);
        return window_.full() ? sum_ / static_cast<double>(p_) : kNaN;
    }

  private:
    std::size_t p_;
    Ring window_;
    double sum_ = 0.0;
    bool started_ = false;
};

// TA_EMA: seeded with the SMA of the first `period` values, then (x - prev) * k + prev.
class Ema {
  public:
    explicit Ema(int period)
        : p_(clamp_period(period)), k_(2.0 / (static_cast<double>(p_) + 1.0)) {}

    double update(double x) noexcept {
        if (count_ == 0 && std::isnan(x)) {
            return kNaN;
        }
        if (count_ < p_) {
            seed_sum_ += x;
            if (++count_ < p_) {
                return kNaN;
            }
            value_ = seed_sum_ / static_cast<double>(p_);
            return value_;
        }
        value_ = (x - value_) * k_ + value_;
        return value_;
    }
    bool ready() const noexcept { return count_ >= p_; }
    double value() const noexcept { return ready() ? value_ : kNaN; }

  private:
    std::size_t p_;
    double k_;
    std::size_t count_ = 0;
    double seed_sum_ = 0.0;
    double value_ = kNaN;
};

// rolling_sum(): from the first bar (no NaN skipping, as the batch kernel).
class RollingSum {
  public:
    explicit RollingSum(int period) : window_(clamp_period(period)) {}

    double update(double x) noexcept {
        const bool full = window_.full();
        const double leaving = full ? window_.oldest() : 0.0;
        sum_ += x;
        if (full) {
            sum_ -= leaving;
        }
        window_.push(x);
        return window_.full() ? sum_ : kNaN;
    }

  private:
    Ring window_;
    double sum_ = 0.0;
};

// TA_MAX / TA_MIN over the last `period` bars (monotonic deque; same values as the batch
// kernel's index-and-rescan for non-NaN input).
template <typename Deque>
class RollingExtreme {
  public:
    explicit RollingExtreme(int period) : p_(clamp_period(period)), deque_(p_) {}

    double update(double x) noexcept {
        deque_.push(count_, x);
        return ++count_ >= p_ ? deque_.value() : kNaN;
    }

  private:
    std::size_t p_;
    Deque deque_;
    std::uint64_t count_ = 0;
};
using RollingMax = RollingExtreme<RollingHigh>;
using RollingMin = RollingExtreme<RollingLow>;

// TA_STDDEV (nbdev 1): sqrt(E[x^2] - E[x]^2) from running sums, 0 below TA-Lib's epsilon.
class StdDev {
  public:
    explicit StdDev(int period) : p_(clamp_period(period)), window_(p_) {}

    double update(double x) noexcept {
        const bool full = window_.full();
        const double leaving = full ? window_.oldest() : 0.0;
        sum_ += x;
        sum_sq_ += x * x;
        if (full) {
            sum_ -= leaving;
            sum_sq_ -= leaving * leaving;
        }
        window_.push(x);
        if (!window_.full()) {
            return kNaN;
        }
        const double mean = sum_ / static_cast<double>(p_);
        const double variance = sum_sq_ / static_cast<double>(p_) - mean * mean;
        return !ta_is_zero_or_neg(variance) ? std::sqrt(variance) : 0.0;
    }

  private:
    std::size_t p_;
    Ring window_;
    double sum_ = 0.0;
    double sum_sq_ = 0.0;
};

// TA_ATR: the mean of the first `period` true ranges, then Wilder's step
// (prev * (period - 1) + tr) / period. Lookback `period`.
class Atr {
  public:
    explicit Atr(int period) : p_(clamp_period(period)) {}

    double update(double high, double low, double close) noexcept {
        const std::size_t i = count_++;
        const double prev = prev_close_;
        prev_close_ = close;
        if (i == 0) {
            return kNaN;
        }
        const double tr = std::max(high, prev) - std::min(low, prev);
        if (i < p_) {
            value_ += tr;
            return kNaN;
        }
        if (i == p_) {
            value_ = (value_ + tr) / static_cast<double>(p_);
        } else {
            value_ = (value_ * static_cast<double>(p_ - 1) + tr) / static_cast<double>(p_);
        }
        return value_;
    }

  private:
    std::size_t p_;
    std::size_t count_ = 0;
    double prev_close_ = kNaN;
    double value_ = 0.0;
};

// TA_NATR: ATR / close * 100 (0 where the close is ~0).
class Natr {
  public:
    explicit Natr(int period) : atr_(period) {}

    double update(double high, double low, double close) noexcept {
        const double a = atr_.update(high, low, close);
        if (std::isnan(a)) {
            return a;
        }
        return !ta_is_zero(close) ? a / close * 100.0 : 0.0;
    }

  private:
    Atr atr_;
};

// Bollinger Bands (TA_BBANDS, SMA middle): bbands() is sma() and stddev() combined per bar.
struct BandsValue {
    double upper;
    double middle;
    double lower;
};

class Bbands {
  public:
    Bbands(int period, double k_up, double k_down)
        : sma_(period), sd_(period), k_up_(k_up), k_down_(k_down) {}

    BandsValue update(double close) noexcept {
        const double middle = sma_.update(close);
        const double sd = sd_.update(close);
        return {middle + k_up_ * sd, middle, middle - k_down_ * sd};
    }

  private:
    Sma sma_;
    StdDev sd_;
    double k_up_;
    double k_down_;
};

}  // namespace gs::indicators::streaming
