#pragma once

// Streaming forms of the volume kernels (obv.h, ad.h); same contract as streaming/core.h.

#include <algorithm>
#include <cstddef>

#include "goldensignals/indicators/ad.h"
#include "goldensignals/indicators/core.h"
#include "goldensignals/indicators/lane_sum.h"
#include "goldensignals/indicators/streaming/window.h"

namespace gs::indicators::streaming {

// TA_OBV: starts at the first bar's volume.
class Obv {
  public:
    double update(double close, double volume) noexcept {
        if (count_++ == 0) {
            value_ = volume;
        } else if (close > prev_close_) {
            value_ += volume;
        } else if (close < prev_close_) {
            value_ -= volume;
        }
        prev_close_ = close;
        return value_;
    }

  private:
    std::size_t count_ = 0;
    double prev_close_ = 0.0;
    double value_ = 0.0;
};

// TA_AD: cumulative money-flow volume.
class Ad {
  public:
    double update(double high, double low, double close, double volume) noexcept {
        value_ += money_flow_volume(high, low, close, volume);
        return value_;
    }

  private:
    double value_ = 0.0;
};

// TA_ADOSC: EMAs of the A/D line seeded with its first value; lookback max(fast, slow) - 1.
class Adosc {
  public:
    Adosc(int fast, int slow)
        : lookback_(static_cast<std::size_t>(std::max({fast, slow, 1}) - 1)),
          fast_k_(2.0 / (static_cast<double>(std::max(fast, 1)) + 1.0)),
          slow_k_(2.0 / (static_cast<double>(std::max(slow, 1)) + 1.0)) {}

    double update(double high, double low, double close, double volume) noexcept {
        line_ += money_flow_volume(high, low, close, volume);
        const std::size_t i = count_++;
        if (i == 0) {
            fast_ema_ = line_;
            slow_ema_ = line_;
        } else {
            fast_ema_ = fast_k_ * line_ + (1.0 - fast_k_) * fast_ema_;
            slow_ema_ = slow_k_ * line_ + (1.0 - slow_k_) * slow_ema_;
        }
        return i >= lookback_ ? fast_ema_ - slow_ema_ : kNaN;
    }

  private:
    std::size_t lookback_;
    double fast_k_;
    double slow_k_;
    std::size_t count_ = 0;
    double line_ = 0.0;
    double fast_ema_ = 0.0;
    double slow_ema_ = 0.0;
};

// Chaikin Money Flow (cmf.h) over the last `period` money-flow volumes and volumes kept in
// rings (money_flow_volume is pure: kept values are the bits cmf_at recomputes). Lookback
// period - 1.
class Cmf {
  public:
    explicit Cmf(int period)
        : mfv_(static_cast<std::size_t>(std::max(period, 1))),
          volume_(static_cast<std::size_t>(std::max(period, 1))) {}

    // Sums the window afresh (O(period)) in cmf_at's order (lane sums): a running sum would leave
    // residue after large volumes leave the window (see cmf.cpp), and this stays equal to cmf().
    double update(double high, double low, double close, double volume) noexcept {
        mfv_.push(money_flow_volume(high, low, close, volume));
        volume_.push(volume);
        if (!mfv_.full()) {
            return kNaN;
        }
        const double sum_mfv =
            lane_sum_over(mfv_.size(), [this](std::size_t i) { return mfv_.at(i); });
        const double sum_v =
            lane_sum_over(volume_.size(), [this](std::size_t i) { return volume_.at(i); });
        return sum_v > 0.0 ? sum_mfv / sum_v : 0.0;
    }

  private:
    Ring mfv_;
    Ring volume_;
};

}  // namespace gs::indicators::streaming
