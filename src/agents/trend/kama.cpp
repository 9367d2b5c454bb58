// kama (trend): Kaufman Adaptive Moving Average 10 of the close (TA_KAMA).
//
// Rule, on the latest bar:
//   distance  = (close - kama) / kama,
//   slope     = (kama - kama[5 bars ago]) / kama[5 bars ago] / 5      (per bar)
//   (a 1-bar slope would add nothing: KAMA moves towards the close, so a close above KAMA
//   always has it rising; over 5 bars a pull-back under a rising KAMA stays a HOLD)
//   close > kama and kama rising: BUY,  close < kama and kama falling: SELL,
//       confidence = 0.3 + 0.35 * min(|distance| / 0.03, 1) + 0.35 * min(|slope| / 0.003, 1)
//       (3 % from the average, or an average moving 0.3 % a bar, is full strength)
//   otherwise (price and slope disagree, or flat prices): HOLD,
//       confidence = 1 - 0.5 * min(|distance| / 0.03, 1), lean = 0.5 * clamp(distance / 0.03).
// min_bars: kMinBars below, derived from the lookbacks (lookback.h).
#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "agents/lookback.h"
#include "agents/params.h"
#include "agents/streaming.h"
#include "agents/tail.h"
#include "goldensignals/agents/agent.h"
#include "goldensignals/indicators/kama.h"
#include "goldensignals/indicators/streaming/momentum.h"

namespace gs::agents {
namespace {

struct Params {
    int period = 10;
    int fast = 2;  // the kernel's fixed TA-Lib constants, served for reference
    int slow = 30;
    std::size_t slope_bars = 5;
    double full_distance = 0.03;
    double full_slope = 0.003;
};
constexpr Params kParams{};
constexpr FixedText kParamsJson =
    params_json({{"period", kParams.period},
                 {"fast", kParams.fast},
                 {"slow", kParams.slow},
                 {"slope_bars", static_cast<int>(kParams.slope_bars)}});
constexpr std::size_t kMinBars =
    lookback::bars_for(lookback::kama(kParams.period)) + kParams.slope_bars;
constexpr int kPeriod = kParams.period;
constexpr std::size_t kSlopeBars = kParams.slope_bars;
constexpr double kFullDistance = kParams.full_distance;
constexpr double kFullSlope = kParams.full_slope;

AgentResult verdict(double k, double k_back, double c);

AgentResult evaluate(const market::BarsView& bars, Workspace& ws) {
    const std::size_t n = bars.size();
    if (n < kMinBars) {
        return abstain(Reason("fewer than {} bars", kMinBars));
    }
    auto kama = ws.take(n);
    indicators::kama(bars.close, kPeriod, kama);
    return verdict(kama[n - 1], kama[n - 1 - kSlopeBars], bars.close[n - 1]);
}

// The rule on the latest KAMA `k`, KAMA slope_bars bars earlier and the latest close.
AgentResult verdict(double k, double k_back, double c) {
    const double distance = k != 0.0 ? (c - k) / std::abs(k) : 0.0;
    const double slope =
        k_back != 0.0 ? (k - k_back) / std::abs(k_back) / static_cast<double>(kSlopeBars) : 0.0;
    const double d_strength = std::min(std::abs(distance) / kFullDistance, 1.0);
    const double confidence =
        0.3 + 0.35 * d_strength + 0.35 * std::min(std::abs(slope) / kFullSlope, 1.0);
    AgentResult r;
    if (c > k && k > k_back) {
        r = buy(confidence, Reason("close {:.6g} above rising KAMA {:.6g} ({:+.3f}%/bar)", c, k,
                                   slope * 100.0));
    } else if (c < k && k < k_back) {
        r = sell(confidence, Reason("close {:.6g} below falling KAMA {:.6g} ({:+.3f}%/bar)", c, k,
                                    slope * 100.0));
    } else {
        r = hold(1.0 - 0.5 * d_strength, 0.5 * std::clamp(distance / kFullDistance, -1.0, 1.0),
                 Reason("close {:.6g} vs KAMA {:.6g} ({:+.3f}%/bar): no agreement", c, k,
                        slope * 100.0));
    }
    r.add("kama", k);
    return r;
}

class Stream {
  public:
    void update(const market::Bar& bar) {
        kama_tail_.push(kama_.update(bar.close));
        close_ = bar.close;
    }
    // Called with at least kMinBars > slope_bars + 1 bars taken: the tail is full.
    static_assert(kMinBars > kSlopeBars + 1);
    AgentResult evaluate() const {
        return verdict(kama_tail_.newest(), kama_tail_.values().front(), close_);
    }

  private:
    indicators::streaming::Kama kama_{kPeriod};
    Tail<kSlopeBars + 1> kama_tail_;
    double close_ = indicators::kNaN;
};

void series(const market::BarsView& bars, SeriesSet& out) {
    indicators::kama(bars.close, kPeriod, out.add("kama", bars.size()));
}

}  // namespace

extern const AgentDef kKama = {
    "kama", Category::kTrend, kParamsJson.view(), kMinBars, evaluate, series, &stream_ops<Stream>,
};

}  // namespace gs::agents
