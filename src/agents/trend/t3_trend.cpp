// t3_trend (trend): Tillson T3 5 of the close, volume factor 0.7 (TA_T3).
//
// Rule, on the latest bar:
//   distance  = (close - t3) / t3,   slope = (t3 - t3[1 bar ago]) / t3[1 bar ago]
//   close > t3 and t3 rising: BUY,  close < t3 and t3 falling: SELL,
//       confidence = 0.3 + 0.35 * min(|distance| / 0.02, 1) + 0.35 * min(|slope| / 0.005, 1)
//       (2 % from the average, or an average moving 0.5 % a bar, is full strength)
//   otherwise (price and slope disagree, or flat prices): HOLD,
//       confidence = 1 - 0.5 * min(|distance| / 0.02, 1), lean = 0.5 * clamp(distance / 0.02).
// min_bars: kMinBars below, derived from the lookbacks (lookback.h).
#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "agents/lookback.h"
#include "agents/params.h"
#include "agents/streaming.h"
#include "goldensignals/agents/agent.h"
#include "goldensignals/indicators/streaming/momentum.h"
#include "goldensignals/indicators/t3.h"

namespace gs::agents {
namespace {

struct Params {
    int period = 5;
    double vfactor = 0.7;
    double full_distance = 0.02;
    double full_slope = 0.005;
};
constexpr Params kParams{};
constexpr FixedText kParamsJson =
    params_json({{"period", kParams.period}, {"vfactor", kParams.vfactor}});
// The slope needs the previous bar's T3 too.
constexpr std::size_t kMinBars = lookback::bars_for(lookback::t3(kParams.period)) + 1;
constexpr int kPeriod = kParams.period;
constexpr double kVfactor = kParams.vfactor;
constexpr double kFullDistance = kParams.full_distance;
constexpr double kFullSlope = kParams.full_slope;

AgentResult verdict(double t, double t_prev, double c);

AgentResult evaluate(const market::BarsView& bars, Workspace& ws) {
    const std::size_t n = bars.size();
    if (n < kMinBars) {
        return abstain(Reason("fewer than {} bars", kMinBars));
    }
    auto t3 = ws.take(n);
    indicators::t3(bars.close, kPeriod, kVfactor, t3);
    return verdict(t3[n - 1], t3[n - 2], bars.close[n - 1]);
}

// The rule on the latest T3 `t`, the previous bar's T3 and the latest close.
AgentResult verdict(double t, double t_prev, double c) {
    const double distance = t != 0.0 ? (c - t) / std::abs(t) : 0.0;
    const double slope = t_prev != 0.0 ? (t - t_prev) / std::abs(t_prev) : 0.0;
    const double d_strength = std::min(std::abs(distance) / kFullDistance, 1.0);
    const double confidence =
        0.3 + 0.35 * d_strength + 0.35 * std::min(std::abs(slope) / kFullSlope, 1.0);
    AgentResult r;
    if (c > t && t > t_prev) {
        r = buy(confidence,
                Reason("close {:.6g} above rising T3 {:.6g} ({:+.3f}%/bar)", c, t, slope * 100.0));
    } else if (c < t && t < t_prev) {
        r = sell(confidence, Reason("close {:.6g} below falling T3 {:.6g} ({:+.3f}%/bar)", c, t,
                                    slope * 100.0));
    } else {
        r = hold(
            1.0 - 0.5 * d_strength, 0.5 * std::clamp(distance / kFullDistance, -1.0, 1.0),
            Reason("close {:.6g} vs T3 {:.6g} ({:+.3f}%/bar): no agreement", c, t, slope * 100.0));
    }
    r.add("t3", t);
    return r;
}

class Stream {
  public:
    void update(const market::Bar& bar) {
        prev_ = last_;
        last_ = t3_.update(bar.close);
        close_ = bar.close;
    }
    AgentResult evaluate() const { return verdict(last_, prev_, close_); }

  private:
    indicators::streaming::T3 t3_{kPeriod, kVfactor};
    double last_ = indicators::kNaN;
    double prev_ = indicators::kNaN;
    double close_ = indicators::kNaN;
};

void series(const market::BarsView& bars, SeriesSet& out) {
    indicators::t3(bars.close, kPeriod, kVfactor, out.add("t3", bars.size()));
}

}  // namespace

extern const AgentDef kT3Trend = {
    "t3_trend", Category::kTrend, kParamsJson.view(),  kMinBars,
    evaluate,   series,           &stream_ops<Stream>,
};

}  // namespace gs::agents
