#pragma once

// Streaming forms of the composite oscillators (ultosc.h, stoch.h's stoch_rsi()); same
// contract as streaming/core.h: bit-identical to the batch kernel at every index, O(1) per
// update, copyable values.
//
// These equal the batch kernel run over every bar seen. The ultimate_oscillator and stoch_rsi
// agents evaluate their batch kernels over a short window of the last bars instead (the
// running sums then start at that window's first bar and differ in the last bits), so their
// Streams replay the kernel over a Tail; these states serve series kept per bar.

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>

#include "goldensignals/indicators/core.h"
#include "goldensignals/indicators/streaming/core.h"
#include "goldensignals/indicators/streaming/momentum.h"
#include "goldensignals/indicators/streaming/trend.h"
#include "goldensignals/indicators/streaming/window.h"

namespace gs::indicators::streaming {

// TA_ULTOSC: three windowed sums of buying pressure and true range (periods sorted, weights
// 4 / 2 / 1). Each sum adds the new bar's terms and then removes those of the bar leaving its
// window, in ultosc.cpp's order; the terms of the last `longest` bars are kept to be removed.
// Lookback `longest`.
class UltOsc {
  public:
    UltOsc(int period1, int period2, int period3)
        : periods_{clamp_period(period1), clamp_period(period2), clamp_period(period3)} {
        std::sort(periods_.begin(), periods_.end());
        pressures_ = Ring(periods_[2]);
        ranges_ = Ring(periods_[2]);
    }

    double update(double high, double low, double close) noexcept {
        const std::size_t i = count_++;
        const double prev = prev_close_;
        prev_close_ = close;
        if (i == 0) {
            return kNaN;
        }
        // ultosc.cpp's terms_at(), in its operation order.
        const double true_low = std::min(low, prev);
        double range = high - low;
        range = std::max(range, std::fabs(prev - high));
        range = std::max(range, std::fabs(prev - low));
        const double pressure = close - true_low;
        // The ring holds the terms of bars i - size .. i - 1.
        const std::size_t held = pressures_.size();
        for (std::size_t k = 0; k < 3; ++k) {
            pressure_[k] += pressure;
            range_[k] += range;
            if (i > periods_[k]) {
                pressure_[k] -= pressures_.at(held - periods_[k]);
                range_[k] -= ranges_.at(held - periods_[k]);
            }
        }
        pressures_.push(pressure);
        ranges_.push(range);
        if (i < periods_[2]) {
            return kNaN;
        }
        constexpr std::array<double, 3> kWeights = {4.0, 2.0, 1.0};
        double sum = 0.0;
        for (std::size_t k = 0; k < 3; ++k) {
            if (!ta_is_zero(range_[k])) {
                sum += kWeights[k] * (pressure_[k] / range_[k]);
            }
        }
        return 100.0 * (sum / 7.0);
    }

  private:
    std::array<std::size_t, 3> periods_;
    Ring pressures_;
    Ring ranges_;
    std::array<double, 3> pressure_{};
    std::array<double, 3> range_{};
    std::size_t count_ = 0;
    double prev_close_ = kNaN;
};

// TA_STOCHRSI (SMA %D): stoch_rsi() is rsi() then stochf() over the RSI as high, low and
// close; the Stochf state skips the RSI's warm-up as raw_k() and sma() skip leading NaNs.
class StochRsi {
  public:
    StochRsi(int rsi_period, int fastk_period, int fastd_period)
        : rsi_(rsi_period), stochf_(fastk_period, fastd_period) {}

    StochValue update(double close) noexcept {
        const double r = rsi_.update(close);
        return stochf_.update(r, r, r);
    }

  private:
    Rsi rsi_;
    Stochf stochf_;
};

}  // namespace gs::indicators::streaming
