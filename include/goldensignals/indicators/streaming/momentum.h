#pragma once

// Streaming forms of the momentum kernels (rsi.h, cmo.h, roc.h, mom.h, macd.h, ppo.h, pvo.h,
// trix.h, kama.h, t3.h); same contract as streaming/core.h: bit-identical to the batch kernel
// at every index, O(1) per update, copyable values.

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <utility>

#include "goldensignals/indicators/core.h"
#include "goldensignals/indicators/streaming/core.h"
#include "goldensignals/indicators/streaming/window.h"

namespace gs::indicators::streaming {

// The smoothed average gain and loss RSI and CMO share (src/indicators/wilder_gain_loss.h):
// plain means of the first `period` changes, then Wilder's step with the division turned
// into a multiplication, as the batch kernel does. Lookback `period` from the first value.
template <typename Value>
class WilderGainLoss {
  public:
    explicit WilderGainLoss(int period)
        : p_(clamp_period(period, 2)),
          keep_(static_cast<double>(p_) - 1.0),
          scale_(1.0 / static_cast<double>(p_)) {}

    double update(double x) noexcept {
        if (changes_ == 0 && !started_) {
            if (std::isnan(x)) {
                return kNaN;
            }
            started_ = true;
            prev_ = x;
            return kNaN;
        }
        const double change = x - prev_;
        prev_ = x;
        ++changes_;
        if (changes_ <= p_) {
            if (change < 0.0) {
                loss_ -= change;
            } else {
                gain_ += change;
            }
            if (changes_ < p_) {
                return kNaN;
            }
            gain_ /= static_cast<double>(p_);
            loss_ /= static_cast<double>(p_);
            return Value{}(gain_, loss_);
        }
        gain_ = (gain_ * keep_ + std::max(change, 0.0)) * scale_;
        loss_ = (loss_ * keep_ + std::max(-change, 0.0)) * scale_;
        return Value{}(gain_, loss_);
    }

  private:
    std::size_t p_;
    double keep_;
    double scale_;
    bool started_ = false;
    std::size_t changes_ = 0;
    double prev_ = 0.0;
    double gain_ = 0.0;
    double loss_ = 0.0;
};

struct RsiValue {
    double operator()(double gain, double loss) const noexcept {
        const double total = gain + loss;
        return ta_is_zero(total) ? 0.0 : 100.0 * (gain / total);
    }
};
struct CmoValue {
    double operator()(double gain, double loss) const noexcept {
        const double total = gain + loss;
        return ta_is_zero(total) ? 0.0 : 100.0 * ((gain - loss) / total);
    }
};
using Rsi = WilderGainLoss<RsiValue>;  // TA_RSI
using Cmo = WilderGainLoss<CmoValue>;  // TA_CMO

// x against the value `period` bars back (TA_MOM, TA_ROC); lookback `period` from the first
// value.
template <typename Value>
class Lagged {
  public:
    explicit Lagged(int period) : window_(clamp_period(period)) {}

    double update(double x) noexcept {
        if (!started_) {
            if (std::isnan(x)) {
                return kNaN;
            }
            started_ = true;
        }
        const bool full = window_.full();
        const double before = full ? window_.oldest() : kNaN;
        window_.push(x);
        return full ? Value{}(x, before) : kNaN;
    }

  private:
    Ring window_;
    bool started_ = false;
};

struct MomValue {
    double operator()(double x, double before) const noexcept { return x - before; }
};
struct RocValue {
    double operator()(double x, double before) const noexcept {
        return before != 0.0 ? ((x / before) - 1.0) * 100.0 : 0.0;
    }
};
using Mom = Lagged<MomValue>;
using Roc = Lagged<RocValue>;

// TA_MACD with TA-Lib's lockstep seeding (macd.h): both EMAs are seeded on the slow one's
// first bar, the fast one with the mean of the last `fast` values of the slow seed window;
// all three outputs start together at (slow - 1) + (signal - 1).
struct MacdValue {
    double line;
    double signal;
    double hist;
};

class Macd {
  public:
    Macd(int fast_period, int slow_period, int signal_period) {
        if (slow_period < fast_period) {
            std::swap(slow_period, fast_period);
        }
        fast_ = clamp_period(fast_period);
        slow_ = clamp_period(slow_period);
        sig_ = clamp_period(signal_period);
        fast_k_ = 2.0 / (static_cast<double>(fast_) + 1.0);
        slow_k_ = 2.0 / (static_cast<double>(slow_) + 1.0);
        sig_k_ = 2.0 / (static_cast<double>(sig_) + 1.0);
    }

    MacdValue update(double x) noexcept {
        constexpr MacdValue kNone{kNaN, kNaN, kNaN};
        if (count_ == 0 && std::isnan(x)) {
            return kNone;
        }
        const std::size_t c = count_++;
        double value = 0.0;
        if (c < slow_) {
            slow_sum_ += x;
            if (c >= slow_ - fast_) {
                fast_sum_ += x;
            }
            if (c + 1 < slow_) {
                return kNone;
            }
            fast_ema_ = fast_sum_ / static_cast<double>(fast_);
            slow_ema_ = slow_sum_ / static_cast<double>(slow_);
            value = fast_ema_ - slow_ema_;
        } else {
            fast_ema_ = (x - fast_ema_) * fast_k_ + fast_ema_;
            slow_ema_ = (x - slow_ema_) * slow_k_ + slow_ema_;
            value = fast_ema_ - slow_ema_;
        }
        if (signal_count_ < sig_) {
            signal_sum_ += value;
            if (++signal_count_ < sig_) {
                return kNone;
            }
            signal_ema_ = signal_sum_ / static_cast<double>(sig_);
        } else {
            signal_ema_ = (value - signal_ema_) * sig_k_ + signal_ema_;
        }
        return {value, signal_ema_, value - signal_ema_};
    }

  private:
    std::size_t fast_ = 1;
    std::size_t slow_ = 1;
    std::size_t sig_ = 1;
    double fast_k_ = 1.0;
    double slow_k_ = 1.0;
    double sig_k_ = 1.0;
    std::size_t count_ = 0;
    double fast_sum_ = 0.0;
    double slow_sum_ = 0.0;
    double fast_ema_ = 0.0;
    double slow_ema_ = 0.0;
    std::size_t signal_count_ = 0;
    double signal_sum_ = 0.0;
    double signal_ema_ = 0.0;
};

// (fast - slow) / slow * 100, 0 where slow is ~0 (TA-Lib's percentage oscillators).
inline double percent_gap(double fast, double slow) noexcept {
    return ta_is_zero(slow) ? 0.0 : (fast - slow) / slow * 100.0;
}

// TA_PPO on EMAs: ppo() fuses two plain TA_EMAs, so two Ema states give its bits.
class Ppo {
  public:
    Ppo(int fast_period, int slow_period)
        : fast_(std::min(fast_period, slow_period)), slow_(std::max(fast_period, slow_period)) {}

    double update(double x) noexcept {
        const double f = fast_.update(x);
        const double s = slow_.update(x);
        return std::isnan(s) ? kNaN : percent_gap(f, s);
    }

  private:
    Ema fast_;
    Ema slow_;
};

// PVO on volume (pvo.h) and its signal EMA.
struct PvoValue {
    double pvo;
    double signal;
};

class Pvo {
  public:
    Pvo(int fast, int slow, int signal_period) : fast_(fast), slow_(slow), signal_(signal_period) {}

    PvoValue update(double volume) noexcept {
        const double f = fast_.update(volume);
        const double s = slow_.update(volume);
        const double value =
            std::isnan(f) || std::isnan(s) ? kNaN : (!ta_is_zero(s) ? (f - s) / s * 100.0 : 0.0);
        return {value, signal_.update(value)};
    }

  private:
    Ema fast_;
    Ema slow_;
    Ema signal_;
};

// TA_TRIX: the 1-bar rate of change, in %, of a triple EMA.
class Trix {
  public:
    explicit Trix(int period) : e1_(period), e2_(period), e3_(period) {}

    double update(double x) noexcept {
        const double e = e3_.update(e2_.update(e1_.update(x)));
        const double prev = prev_;
        prev_ = e;
        if (std::isnan(e) || std::isnan(prev)) {
            return kNaN;
        }
        return prev != 0.0 ? (e / prev - 1.0) * 100.0 : 0.0;
    }

  private:
    Ema e1_;
    Ema e2_;
    Ema e3_;
    double prev_ = kNaN;
};

// TA_KAMA (fast 2, slow 30): the efficiency ratio over `period` bars from a sliding sum of
// 1-bar changes, added and removed in the batch kernel's order. Lookback `period`.
class Kama {
  public:
    explicit Kama(int period) : p_(clamp_period(period)), window_(p_ + 1) {}

    double update(double x) noexcept {
        if (count_ == 0 && std::isnan(x)) {
            return kNaN;
        }
        const std::size_t c = count_++;
        double result = kNaN;
        if (c >= 1 && c <= p_) {
            sum_roc1_ += std::abs(window_.at(window_.size() - 1) - x);
        } else if (c > p_) {
            // The window holds the previous p + 1 values: x[c - p - 1] .. x[c - 1].
            sum_roc1_ -= std::abs(window_.at(0) - window_.at(1));
            sum_roc1_ += std::abs(x - window_.at(window_.size() - 1));
        }
        if (c == p_) {
            prev_ = window_.at(window_.size() - 1);
        }
        if (c >= p_) {
            const double period_roc = x - window_.at(window_.size() - p_);
            const bool flat = ta_is_zero(sum_roc1_);
            const double er =
                (sum_roc1_ <= period_roc || flat) ? 1.0 : std::abs(period_roc / sum_roc1_);
            double sc = er * kConstDiff + kConstMax;
            sc *= sc;
            prev_ = (x - prev_) * sc + prev_;
            result = prev_;
        }
        window_.push(x);
        return result;
    }

  private:
    static constexpr double kConstMax = 2.0 / (30.0 + 1.0);
    static constexpr double kConstDiff = 2.0 / (2.0 + 1.0) - kConstMax;
    std::size_t p_;
    Ring window_;
    std::size_t count_ = 0;
    double sum_roc1_ = 0.0;
    double prev_ = 0.0;
};

// TA_T3: six chained EMAs (each SMA-seeded) and Tillson's combination; the batch kernel's
// loop body, per bar. Lookback 6 * (period - 1).
class T3 {
  public:
    T3(int period, double vfactor)
        : p_(clamp_period(period)),
          k_(2.0 / (static_cast<double>(p_) + 1.0)),
          one_minus_k_(1.0 - k_) {
        const double a2 = vfactor * vfactor;
        c1_ = -a2 * vfactor;
        c2_ = 3.0 * (a2 - c1_);
        c3_ = -6.0 * a2 - 3.0 * (vfactor - c1_);
        c4_ = 1.0 + 3.0 * vfactor - c1_ + 3.0 * a2;
    }

    double update(double x) noexcept {
        if (!started_) {
            if (std::isnan(x)) {
                return kNaN;
            }
            started_ = true;
        }
        for (std::size_t s = 0; s < 6; ++s) {
            if (count_[s] >= p_) {
                e_[s] = k_ * x + one_minus_k_ * e_[s];
            } else {
                e_[s] += x;
                if (++count_[s] < p_) {
                    return kNaN;
                }
                e_[s] /= static_cast<double>(p_);
            }
            x = e_[s];
        }
        return c1_ * e_[5] + c2_ * e_[4] + c3_ * e_[3] + c4_ * e_[2];
    }

  private:
    std::size_t p_;
    double k_;
    double one_minus_k_;
    double c1_ = 0.0;
    double c2_ = 0.0;
    double c3_ = 0.0;
    double c4_ = 0.0;
    bool started_ = false;
    std::array<double, 6> e_{};
    std::array<std::size_t, 6> count_{};
};

}  // namespace gs::indicators::streaming
