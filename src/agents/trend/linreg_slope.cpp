// linreg_slope (trend): least-squares slope of the last 20 closes (TA_LINEARREG_SLOPE 20),
// normalised by the close.
//
// Rule, on the latest bar (`linreg_slope` is TA-Lib's raw slope in price units per bar):
//   pct = 100 * slope / close                (% of the price per bar)
//   pct >= 0.1: BUY,  pct <= -0.1: SELL      (0.1 %/bar is about 2 % over the window)
//       confidence = 0.3 + 0.7 * min((|pct| - 0.1) / 0.4, 1)
//   otherwise: HOLD, confidence = 1 - |pct| / 0.1, lean = 0.5 * pct / 0.1.
// Needs 20 bars (lookback 19 + 1).
#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "goldensignals/agents/agent.h"
#include "goldensignals/indicators/linreg.h"

namespace gs::agents {
namespace {

constexpr int kPeriod = 20;
constexpr std::size_t kMinBars = kPeriod;
constexpr double kThreshold = 0.1;

AgentResult evaluate(const market::BarsView& bars, Workspace& ws) {
    const std::size_t n = bars.size();
    if (n < kMinBars) {
        return abstain("fewer than 20 bars");
    }
    auto slope = ws.take(n);
    indicators::linreg_slope(bars.close, kPeriod, slope);
    const double s = slope[n - 1];
    const double c = bars.close[n - 1];
    const double pct = c != 0.0 ? 100.0 * s / std::abs(c) : 0.0;
    const double confidence = 0.3 + 0.7 * std::min((std::abs(pct) - kThreshold) / 0.4, 1.0);
    AgentResult r;
    if (pct >= kThreshold) {
        r = buy(confidence, fmt::format("20-bar regression rising {:+.3f}% a bar", pct));
    } else if (pct <= -kThreshold) {
        r = sell(confidence, fmt::format("20-bar regression falling {:+.3f}% a bar", pct));
    } else {
        r = hold(1.0 - std::abs(pct) / kThreshold, 0.5 * pct / kThreshold,
                 fmt::format("20-bar regression flat ({:+.3f}% a bar)", pct));
    }
    r.add("linreg_slope", s);
    return r;
}

void series(const market::BarsView& bars, SeriesSet& out) {
    indicators::linreg_slope(bars.close, kPeriod, out.add("linreg_slope", bars.size()));
}

}  // namespace

extern const AgentDef kLinregSlope = {
    "linreg_slope", Category::kTrend, R"({"period":20,"threshold_pct":0.1})",
    kMinBars,       evaluate,         series,
};

}  // namespace gs::agents
