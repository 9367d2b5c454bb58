#pragma once

// Streaming forms of the volatility and statistics kernels the volatility and statistical
// agents read (keltner.h, statistics.h): Keltner Channel, the extremes of the bars before the
// current one (prior_max / prior_min) and the swing and Fibonacci retracements over them.
// Same contract as core.h: update() takes the next bar and returns that bar's output (NaN
// during the warm-up, as the batch kernel), O(1) amortised, bit-identical to the batch kernel
// at every index (tests/indicators/streaming_parity_test.cpp); states are copyable values.

#include <cmath>
#include <cstddef>
#include <cstdint>

#include "goldensignals/indicators/core.h"
#include "goldensignals/indicators/statistics.h"
#include "goldensignals/indicators/streaming/core.h"
#include "goldensignals/indicators/streaming/window.h"

namespace gs::indicators::streaming {

// keltner(): middle = EMA(close, ema_period), upper/lower = middle +/- mult * ATR(atr_period).
class Keltner {
  public:
    Keltner(int ema_period, int atr_period, double mult)
        : ema_(ema_period), atr_(atr_period), mult_(mult) {}

    BandsValue update(double high, double low, double close) noexcept {
        const double atr = atr_.update(high, low, close);
        const double middle = ema_.update(close);
        const double band = mult_ * atr;
        return {middle + band, middle, middle - band};
    }

  private:
    Ema ema_;
    Atr atr_;
    double mult_;
};

// prior_max() / prior_min(): the extreme of the `period` values before the current one (TA_MAX
// / TA_MIN shifted one bar), NaN for the first `period` bars. index() is the bar number
// (0-based, in update order) of the latest occurrence of that extreme, as find_swing() picks
// it on ties.
template <typename Deque>
class PriorExtreme {
  public:
    explicit PriorExtreme(int period) : p_(clamp_period(period)), deque_(p_) {}

    double update(double x) noexcept {
        if (count_ >= p_) {
            value_ = deque_.value();
            index_ = deque_.index();
        }
        deque_.push(count_++, x);
        return value_;
    }
    double value() const noexcept { return value_; }
    std::uint64_t index() const noexcept { return index_; }

  private:
    std::size_t p_;
    Deque deque_;
    std::uint64_t count_ = 0;
    double value_ = kNaN;
    std::uint64_t index_ = 0;
};
using PriorMax = PriorExtreme<RollingHigh>;
using PriorMin = PriorExtreme<RollingLow>;

// The swing over the `period` bars before the current one, as find_swing() over them: the
// highest high and lowest low (latest occurrence on ties) and which came first. NaN high and
// low, direction 0, during the warm-up.
class PriorSwing {
  public:
    explicit PriorSwing(int period) : high_(period), low_(period) {}

    Swing update(double high, double low) noexcept {
        const double hi = high_.update(high);
        const double lo = low_.update(low);
        const std::uint64_t ih = high_.index();
        const std::uint64_t il = low_.index();
        return {hi, lo, ih > il ? 1 : (ih < il ? -1 : 0)};
    }

  private:
    PriorMax high_;
    PriorMin low_;
};

// fibonacci_retracements(): the retracements of the swing over the `period` bars before the
// current one.
class FibonacciRetracements {
  public:
    explicit FibonacciRetracements(int period) : swing_(period) {}

    FibonacciLevels update(double high, double low) noexcept {
        const Swing s = swing_.update(high, low);
        if (std::isnan(s.high)) {
            return {kNaN, kNaN, kNaN};
        }
        return fibonacci_levels(s);
    }

  private:
    PriorSwing swing_;
};

}  // namespace gs::indicators::streaming
