// linreg_slope (trend): least-squares slope of the last 20 closes (TA_LINEARREG_SLOPE 20),
// normalised by the close.
//
// Rule, on the latest bar (`linreg_slope` is TA-Lib's raw slope in price units per bar):
//   pct = 100 * slope / close                (% of the price per bar)
//   pct >= 0.1: BUY,  pct <= -0.1: SELL      (0.1 %/bar is about 2 % over the window)
//       confidence = 0.3 + 0.7 * min((|pct| - 0.1) / 0.4, 1)
//   otherwise: HOLD, confidence = 1 - |pct| / 0.1, lean = 0.5 * pct / 0.1.
// min_bars: kMinBars below, derived from the lookbacks (lookback.h).
#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "agents/lookback.h"
#include "agents/params.h"
#include "agents/streaming.h"
#include "goldensignals/agents/agent.h"
#include "goldensignals/indicators/linreg.h"
#include "goldensignals/indicators/streaming/trend.h"

namespace gs::agents {
namespace {

struct Params {
    int period = 20;
    double threshold_pct = 0.1;    // slope per bar, % of the close
    double full_excess_pct = 0.4;  // past the threshold: full strength
};
constexpr Params kParams{};
constexpr FixedText kParamsJson =
    params_json({{"period", kParams.period}, {"threshold_pct", kParams.threshold_pct}});
constexpr std::size_t kMinBars = lookback::bars_for(lookback::linreg(kParams.period));
constexpr int kPeriod = kParams.period;
constexpr double kThreshold = kParams.threshold_pct;

AgentResult verdict(double s, double c);

AgentResult evaluate(const market::BarsView& bars, Workspace& ws) {
    const std::size_t n = bars.size();
    if (n < kMinBars) {
        return abstain(Reason("fewer than {} bars", kMinBars));
    }
    auto slope = ws.take(n);
    indicators::linreg_slope(bars.close, kPeriod, slope);
    return verdict(slope[n - 1], bars.close[n - 1]);
}

// The rule on the latest slope `s` and close `c`.
AgentResult verdict(double s, double c) {
    const double pct = c != 0.0 ? 100.0 * s / std::abs(c) : 0.0;
    const double confidence =
        0.3 + 0.7 * std::min((std::abs(pct) - kThreshold) / kParams.full_excess_pct, 1.0);
    AgentResult r;
    if (pct >= kThreshold) {
        r = buy(confidence, Reason("{}-bar regression rising {:+.3f}% a bar", kPeriod, pct));
    } else if (pct <= -kThreshold) {
        r = sell(confidence, Reason("{}-bar regression falling {:+.3f}% a bar", kPeriod, pct));
    } else {
        r = hold(1.0 - std::abs(pct) / kThreshold, 0.5 * pct / kThreshold,
                 Reason("{}-bar regression flat ({:+.3f}% a bar)", kPeriod, pct));
    }
    r.add("linreg_slope", s);
    return r;
}

// The slope state sums its 20-bar window each bar, as the batch kernel does (exact bits; see
// streaming/trend.h).
class Stream {
  public:
    void update(const market::Bar& bar) {
        slope_ = linreg_.update(bar.close);
        close_ = bar.close;
    }
    AgentResult evaluate() const { return verdict(slope_, close_); }

  private:
    indicators::streaming::LinregSlope linreg_{kPeriod};
    double slope_ = indicators::kNaN;
    double close_ = indicators::kNaN;
};

void series(const market::BarsView& bars, SeriesSet& out) {
    indicators::linreg_slope(bars.close, kPeriod, out.add("linreg_slope", bars.size()));
}

}  // namespace

extern const AgentDef kLinregSlope = {
    "linreg_slope", Category::kTrend, kParamsJson.view(),  kMinBars,
    evaluate,       series,           &stream_ops<Stream>,
};

}  // namespace gs::agents
