#pragma once

// Streaming forms of the range and trend kernels (willr.h, stoch.h, aroon.h, adx.h, sar.h,
// cci.h, linreg.h, ichimoku.h, supertrend.h); same contract as streaming/core.h. The windowed
// extremes use monotonic deques (window.h) where the batch kernels rescan: the extreme values are
// the same bits, and Aroon's tie rule (the latest bar wins) is the deque's pop rule. Inputs are
// assumed non-NaN here (the batch kernels' NaN behaviour in a window is not a contract).

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>

#include "goldensignals/indicators/core.h"
#include "goldensignals/indicators/streaming/core.h"
#include "goldensignals/indicators/streaming/window.h"

namespace gs::indicators::streaming {

// TA_WILLR: (highest high - close) / ((highest high - lowest low) / -100), 0 on a flat window.
class Willr {
  public:
    explicit Willr(int period) : p_(clamp_period(period)), high_(p_), low_(p_) {}

    double update(double high, double low, double close) noexcept {
        high_.push(count_, high);
        low_.push(count_, low);
        if (++count_ < p_) {
            return kNaN;
        }
        const double hh = high_.value();
        const double diff = (hh - low_.value()) / -100.0;
        return diff != 0.0 ? (hh - close) / diff : 0.0;
    }

  private:
    std::size_t p_;
    RollingHigh high_;
    RollingLow low_;
    std::uint64_t count_ = 0;
};

// Raw (fast) %K from the first value of `close` on (stoch.cpp's raw_k()).
class RawK {
  public:
    explicit RawK(int period) : p_(clamp_period(period)), high_(p_), low_(p_) {}

    double update(double high, double low, double close) noexcept {
        if (count_ == 0 && std::isnan(close)) {
            return kNaN;
        }
        high_.push(count_, high);
        low_.push(count_, low);
        if (++count_ < p_) {
            return kNaN;
        }
        const double ll = low_.value();
        const double diff = (high_.value() - ll) / 100.0;
        return diff != 0.0 ? (close - ll) / diff : 0.0;
    }

  private:
    std::size_t p_;
    RollingHigh high_;
    RollingLow low_;
    std::uint64_t count_ = 0;
};

struct StochValue {
    double k;
    double d;
};

// TA_STOCHF (SMA %D); %K is reported only where %D is.
class Stochf {
  public:
    Stochf(int fastk_period, int fastd_period) : raw_(fastk_period), d_(fastd_period) {}

    StochValue update(double high, double low, double close) noexcept {
        const double k = raw_.update(high, low, close);
        const double d = d_.update(k);
        return {std::isnan(d) ? kNaN : k, d};
    }

  private:
    RawK raw_;
    Sma d_;
};

// TA_STOCH (both MA types SMA); both outputs start where %D starts.
class Stoch {
  public:
    Stoch(int fastk_period, int slowk_period, int slowd_period)
        : raw_(fastk_period), k_(slowk_period), d_(slowd_period) {}

    StochValue update(double high, double low, double close) noexcept {
        const double k = k_.update(raw_.update(high, low, close));
        const double d = d_.update(k);
        return {std::isnan(d) ? kNaN : k, d};
    }

  private:
    RawK raw_;
    Sma k_;
    Sma d_;
};

// TA_AROON over period + 1 bars; on ties the latest extreme counts (TA-Lib). Lookback period.
struct AroonValue {
    double up;
    double down;
};

class Aroon {
  public:
    explicit Aroon(int period)
        : p_(clamp_period(period)),
          factor_(100.0 / static_cast<double>(p_)),
          high_(p_ + 1),
          low_(p_ + 1) {}

    AroonValue update(double high, double low) noexcept {
        const std::uint64_t i = count_++;
        high_.push(i, high);
        low_.push(i, low);
        if (i < p_) {
            return {kNaN, kNaN};
        }
        return {factor_ * static_cast<double>(p_ - (i - high_.index())),
                factor_ * static_cast<double>(p_ - (i - low_.index()))};
    }

  private:
    std::size_t p_;
    double factor_;
    RollingHigh high_;
    RollingLow low_;
    std::uint64_t count_ = 0;
};

// Wilder's DMI (adx.h's dmi()): +DI, -DI (lookback period) and ADX (lookback 2 * period - 1),
// the batch kernel's loop body per bar.
struct DmiValue {
    double plus_di;
    double minus_di;
    double adx;
};

class Dmi {
  public:
    explicit Dmi(int period)
        : p_(clamp_period(period, 2)),
          keep_(1.0 - 1.0 / static_cast<double>(p_)),
          inv_p_(1.0 / static_cast<double>(p_)) {}

    DmiValue update(double high, double low, double close) noexcept {
        const std::size_t i = count_++;
        const double prev_high = prev_high_;
        const double prev_low = prev_low_;
        const double prev_close = prev_close_;
        prev_high_ = high;
        prev_low_ = low;
        prev_close_ = close;
        if (i == 0) {
            return {kNaN, kNaN, kNaN};
        }
        const double diff_p = high - prev_high;
        const double diff_m = prev_low - low;
        double move_plus = 0.0;
        double move_minus = 0.0;
        if (diff_m > 0 && diff_p < diff_m) {
            move_minus = diff_m;
        } else if (diff_p > 0 && diff_p > diff_m) {
            move_plus = diff_p;
        }
        const double tr = std::max(high, prev_close) - std::min(low, prev_close);
        if (i < p_) {
            plus_dm_ += move_plus;
            minus_dm_ += move_minus;
            tr_ += tr;
            return {kNaN, kNaN, kNaN};
        }
        plus_dm_ = plus_dm_ * keep_ + move_plus;
        minus_dm_ = minus_dm_ * keep_ + move_minus;
        tr_ = tr_ * keep_ + tr;
        double pdi = 0.0;
        double mdi = 0.0;
        bool have_dx = false;
        double dx = 0.0;
        if (!ta_is_zero(tr_)) {
            const double scale = 100.0 / tr_;
            pdi = plus_dm_ * scale;
            mdi = minus_dm_ * scale;
            const double sum = pdi + mdi;
            if (!ta_is_zero(sum)) {
                dx = 100.0 * (std::abs(mdi - pdi) / sum);
                have_dx = true;
            }
        }
        double adx = kNaN;
        if (i + 1 < 2 * p_) {
            sum_dx_ += have_dx ? dx : 0.0;
        } else if (i + 1 == 2 * p_) {
            sum_dx_ += have_dx ? dx : 0.0;
            adx_ = sum_dx_ * inv_p_;
            adx = adx_;
        } else {
            if (have_dx) {
                adx_ = adx_ * keep_ + dx * inv_p_;
            }
            adx = adx_;
        }
        return {pdi, mdi, adx};
    }

  private:
    std::size_t p_;
    double keep_;
    double inv_p_;
    std::size_t count_ = 0;
    double prev_high_ = 0.0;
    double prev_low_ = 0.0;
    double prev_close_ = 0.0;
    double plus_dm_ = 0.0;
    double minus_dm_ = 0.0;
    double tr_ = 0.0;
    double sum_dx_ = 0.0;
    double adx_ = 0.0;
};

// TA_SAR (sar.h): TA-Lib's bootstrap on bar 1, then the batch kernel's loop body per bar.
class Sar {
  public:
    Sar(double acceleration, double maximum)
        : acceleration_(std::min(acceleration, maximum)), maximum_(maximum) {}

    double update(double high, double low) noexcept {
        const std::size_t i = count_++;
        if (i == 0) {
            high0_ = high;
            low0_ = low;
            return kNaN;
        }
        if (i == 1) {
            af_ = acceleration_;
            const double diff_p = high - high0_;
            const double diff_m = low0_ - low;
            is_long_ = !(diff_m > 0 && diff_p < diff_m);
            ep_ = is_long_ ? high : low;
            sar_ = is_long_ ? low0_ : high0_;
            new_low_ = low;
            new_high_ = high;
        }
        const double prev_low = new_low_;
        const double prev_high = new_high_;
        new_low_ = low;
        new_high_ = high;
        double out = 0.0;
        if (is_long_) {
            if (new_low_ <= sar_) {
                is_long_ = false;
                sar_ = std::max({ep_, prev_high, new_high_});
                out = sar_;
                af_ = acceleration_;
                ep_ = new_low_;
                sar_ = sar_ + af_ * (ep_ - sar_);
                sar_ = std::max({sar_, prev_high, new_high_});
            } else {
                out = sar_;
                if (new_high_ > ep_) {
                    ep_ = new_high_;
                    af_ = std::min(af_ + acceleration_, maximum_);
                }
                sar_ = sar_ + af_ * (ep_ - sar_);
                sar_ = std::min({sar_, prev_low, new_low_});
            }
        } else if (new_high_ >= sar_) {
            is_long_ = true;
            sar_ = std::min({ep_, prev_low, new_low_});
            out = sar_;
            af_ = acceleration_;
            ep_ = new_high_;
            sar_ = sar_ + af_ * (ep_ - sar_);
            sar_ = std::min({sar_, prev_low, new_low_});
        } else {
            out = sar_;
            if (new_low_ < ep_) {
                ep_ = new_low_;
                af_ = std::min(af_ + acceleration_, maximum_);
            }
            sar_ = sar_ + af_ * (ep_ - sar_);
            sar_ = std::max({sar_, prev_high, new_high_});
        }
        return out;
    }

  private:
    double acceleration_;
    double maximum_;
    std::size_t count_ = 0;
    double high0_ = 0.0;
    double low0_ = 0.0;
    double af_ = 0.0;
    bool is_long_ = true;
    double ep_ = 0.0;
    double sar_ = 0.0;
    double new_low_ = 0.0;
    double new_high_ = 0.0;
};

// TA_CCI. O(period) per update, deliberately: the mean absolute deviation about the current
// window's mean has no exact running form (every term's sign can change with the mean), and
// TA-Lib sums it over the window each bar too. Keeping the window's typical prices and summing
// them oldest first reproduces the batch kernel's bits; for period 20 that is ~40 adds.
class Cci {
  public:
    explicit Cci(int period) : p_(clamp_period(period)), window_(p_) {}

    double update(double high, double low, double close) noexcept {
        const double tp = (high + low + close) / 3;
        window_.push(tp);
        if (!window_.full()) {
            return kNaN;
        }
        const double pd = static_cast<double>(p_);
        double mean = 0.0;
        for (std::size_t j = 0; j < p_; ++j) {
            mean += window_.at(j);
        }
        mean /= pd;
        double dev = 0.0;
        for (std::size_t j = 0; j < p_; ++j) {
            dev += std::fabs(window_.at(j) - mean);
        }
        const double distance = tp - mean;
        return distance != 0.0 && dev != 0.0 ? distance / (0.015 * (dev / pd)) : 0.0;
    }

  private:
    std::size_t p_;
    Ring window_;
};

// TA_LINEARREG_SLOPE. O(period) per update, deliberately, like the batch kernel (linreg.h):
// sliding the sums drifts by rounding and the slope is a small difference of large sums, so
// the window is kept and summed oldest first, which reproduces the batch kernel's bits.
class LinregSlope {
  public:
    explicit LinregSlope(int period) : p_(clamp_period(period, 2)), window_(p_) {
        const double pd = static_cast<double>(p_);
        sum_x_ = pd * (pd - 1.0) * 0.5;
        const double sum_x_sqr = pd * (pd - 1.0) * (2.0 * pd - 1.0) / 6.0;
        divisor_ = sum_x_ * sum_x_ - pd * sum_x_sqr;
    }

    double update(double x) noexcept {
        window_.push(x);
        if (!window_.full()) {
            return kNaN;
        }
        double sum_y = 0.0;
        double sum_xy = 0.0;
        for (std::size_t j = 0; j < p_; ++j) {
            const double y = window_.at(j);
            sum_y += y;
            sum_xy += static_cast<double>(p_ - 1 - j) * y;
        }
        return (static_cast<double>(p_) * sum_xy - sum_x_ * sum_y) / divisor_;
    }

  private:
    std::size_t p_;
    Ring window_;
    double sum_x_ = 0.0;
    double divisor_ = 1.0;
};

// TA_MIDPRICE (ichimoku.h's midprice()): (highest high + lowest low) / 2 over the last
// `period` bars. Lookback period - 1.
class Midprice {
  public:
    explicit Midprice(int period) : p_(clamp_period(period)), high_(p_), low_(p_) {}

    double update(double high, double low) noexcept {
        high_.push(count_, high);
        low_.push(count_, low);
        return ++count_ >= p_ ? (high_.value() + low_.value()) / 2.0 : kNaN;
    }

  private:
    std::size_t p_;
    RollingHigh high_;
    RollingLow low_;
    std::uint64_t count_ = 0;
};

// The Ichimoku lines as computed at each bar, not shifted (ichimoku.h's ichimoku()).
struct IchimokuValue {
    double tenkan;
    double kijun;
    double senkou_a;
    double senkou_b;
};

class Ichimoku {
  public:
    Ichimoku(int tenkan_period, int kijun_period, int senkou_b_period)
        : tenkan_(tenkan_period), kijun_(kijun_period), senkou_b_(senkou_b_period) {}

    IchimokuValue update(double high, double low) noexcept {
        const double t = tenkan_.update(high, low);
        const double k = kijun_.update(high, low);
        return {t, k, (t + k) / 2.0, senkou_b_.update(high, low)};
    }

  private:
    Midprice tenkan_;
    Midprice kijun_;
    Midprice senkou_b_;
};

// SuperTrend on TA_ATR (supertrend.h): the batch kernel's loop body per bar from the first
// ATR value on. Lookback atr_period.
struct SupertrendValue {
    double line;
    double direction;
    double atr;
};

class Supertrend {
  public:
    Supertrend(int atr_period, double multiplier) : atr_(atr_period), multiplier_(multiplier) {}

    SupertrendValue update(double high, double low, double close) noexcept {
        const double a = atr_.update(high, low, close);
        const double prev_close = prev_close_;
        prev_close_ = close;
        if (!started_ && std::isnan(a)) {
            return {kNaN, kNaN, a};
        }
        const double mid = (high + low) / 2.0;
        const double band = multiplier_ * a;
        const double basic_upper = mid + band;
        const double basic_lower = mid - band;
        if (!started_) {
            started_ = true;
            upper_ = basic_upper;
            lower_ = basic_lower;
            dir_ = close < lower_ ? -1.0 : 1.0;
        } else {
            const double prev_upper = upper_;
            const double prev_lower = lower_;
            upper_ =
                (basic_upper < prev_upper || prev_close > prev_upper) ? basic_upper : prev_upper;
            lower_ =
                (basic_lower > prev_lower || prev_close < prev_lower) ? basic_lower : prev_lower;
            if (dir_ < 0.0 && close > prev_upper) {
                dir_ = 1.0;
            } else if (dir_ > 0.0 && close < prev_lower) {
                dir_ = -1.0;
            }
        }
        return {dir_ > 0.0 ? lower_ : upper_, dir_, a};
    }

  private:
    Atr atr_;
    double multiplier_;
    bool started_ = false;
    double prev_close_ = kNaN;
    double upper_ = kNaN;
    double lower_ = kNaN;
    double dir_ = 1.0;
};

}  // namespace gs::indicators::streaming
