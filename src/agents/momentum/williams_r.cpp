// williams_r (momentum): Williams' %R 14 (TA_WILLR), in [-100, 0], read as mean reversion.
//
// Rule, on the latest bar:
//   highest high == lowest low over the last 14 bars: ABSTAIN (%R is 0/0 there; TA-Lib
//       prints 0, which would read as overbought)
//   %R <= -80: BUY,  confidence = 0.3 + 0.7 * (-80 - %R) / 20   (full at -100)
//   %R >= -20: SELL, confidence = 0.3 + 0.7 * (%R + 20) / 20    (full at 0)
//   otherwise: HOLD, confidence = 1 - |%R + 50| / 30 (1 at -50, 0 at the thresholds),
//       lean = (-50 - %R) / 60
// Needs 14 bars.
#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "goldensignals/agents/agent.h"
#include "goldensignals/indicators/willr.h"

namespace gs::agents {
namespace {

constexpr int kPeriod = 14;
constexpr double kOversold = -80.0;
constexpr double kOverbought = -20.0;

AgentResult evaluate(const market::BarsView& bars, Workspace& ws) {
    // %R of the latest bar depends on the last 14 bars only.
    const auto recent = bars.last(kPeriod);
    auto willr = ws.take(recent.size());
    indicators::willr(recent.high, recent.low, recent.close, kPeriod, willr);
    const double value = willr[recent.size() - 1];
    const double highest = *std::max_element(recent.high.begin(), recent.high.end());
    const double lowest = *std::min_element(recent.low.begin(), recent.low.end());
    AgentResult r;
    if (highest == lowest) {
        r = abstain("no price range over the last 14 bars: %R undefined");
    } else if (value <= kOversold) {
        r = buy(0.3 + 0.7 * (kOversold - value) / 20.0,
                fmt::format("Williams %R {:.1f} at or below -80 (oversold)", value));
    } else if (value >= kOverbought) {
        r = sell(0.3 + 0.7 * (value - kOverbought) / 20.0,
                 fmt::format("Williams %R {:.1f} at or above -20 (overbought)", value));
    } else {
        r = hold(1.0 - std::abs(value + 50.0) / 30.0, (-50.0 - value) / 60.0,
                 fmt::format("Williams %R {:.1f} between -80 and -20", value));
    }
    r.add("willr", value);
    return r;
}

void series(const market::BarsView& bars, SeriesSet& out) {
    indicators::willr(bars.high, bars.low, bars.close, kPeriod, out.add("willr", bars.size()));
}

}  // namespace

extern const AgentDef kWilliamsR = {
    "williams_r",
    Category::kMomentum,
    R"({"period":14,"oversold":-80,"overbought":-20})",
    kPeriod,
    evaluate,
    series,
};

}  // namespace gs::agents
