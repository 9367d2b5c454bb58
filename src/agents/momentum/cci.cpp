// cci (momentum): Commodity Channel Index 20 (TA_CCI: typical price against its SMA, scaled
// by 0.015 x the mean absolute deviation), read as mean reversion.
//
// Rule, on the latest bar:
//   typical price unchanged over the last 20 bars: ABSTAIN (CCI is 0/0 there)
//   cci <= -100: BUY,  confidence = 0.3 + 0.7 * min((-100 - cci) / 100, 1)   (full at -200)
//   cci >= 100:  SELL, confidence = 0.3 + 0.7 * min((cci - 100) / 100, 1)    (full at 200)
//   otherwise:   HOLD, confidence = 1 - |cci| / 100 (1 at 0, 0 at the thresholds),
//       lean = -cci / 200
// Needs 20 bars.
#include <algorithm>
#include <cmath>
#include <limits>

#include <fmt/format.h>

#include "goldensignals/agents/agent.h"
#include "goldensignals/indicators/cci.h"

namespace gs::agents {
namespace {

constexpr int kPeriod = 20;
constexpr double kThreshold = 100.0;

AgentResult evaluate(const market::BarsView& bars, Workspace& ws) {
    // CCI of the latest bar depends on the last 20 bars only.
    const auto recent = bars.last(kPeriod);
    const std::size_t m = recent.size();
    auto cci = ws.take(m);
    indicators::cci(recent.high, recent.low, recent.close, kPeriod, cci);
    const double value = cci[m - 1];
    double lo = std::numeric_limits<double>::infinity();
    double hi = -lo;
    for (std::size_t i = 0; i < m; ++i) {
        const double tp = (recent.high[i] + recent.low[i] + recent.close[i]) / 3;
        lo = std::min(lo, tp);
        hi = std::max(hi, tp);
    }
    AgentResult r;
    if (lo == hi) {
        r = abstain("typical price unchanged over the last 20 bars: CCI undefined");
    } else if (value <= -kThreshold) {
        r = buy(0.3 + 0.7 * std::min((-kThreshold - value) / 100.0, 1.0),
                fmt::format("CCI {:.1f} at or below -100 (oversold)", value));
    } else if (value >= kThreshold) {
        r = sell(0.3 + 0.7 * std::min((value - kThreshold) / 100.0, 1.0),
                 fmt::format("CCI {:.1f} at or above 100 (overbought)", value));
    } else {
        r = hold(1.0 - std::abs(value) / kThreshold, -value / 200.0,
                 fmt::format("CCI {:.1f} between -100 and 100", value));
    }
    r.add("cci", value);
    return r;
}

void series(const market::BarsView& bars, SeriesSet& out) {
    indicators::cci(bars.high, bars.low, bars.close, kPeriod, out.add("cci", bars.size()));
}

}  // namespace

extern const AgentDef kCci = {
    "cci",
    Category::kMomentum,
    R"({"period":20,"oversold":-100,"overbought":100})",
    kPeriod,
    evaluate,
    series,
};

}  // namespace gs::agents
