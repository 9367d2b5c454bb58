// cmo (momentum): Chande Momentum Oscillator 14 of the close (TA_CMO: TA-Lib smooths gains
// and losses with Wilder's averages, as for its RSI), read as mean reversion.
//
// Rule, on the latest bar:
//   the close did not change over the last 15 bars: ABSTAIN (CMO is 0/0 there)
//   cmo <= -50: BUY,  confidence = 0.3 + 0.7 * min((-50 - cmo) / 30, 1)   (full at -80)
//   cmo >= 50:  SELL, confidence = 0.3 + 0.7 * min((cmo - 50) / 30, 1)    (full at 80)
//   otherwise:  HOLD, confidence = 1 - |cmo| / 50 (1 at 0, 0 at the thresholds),
//       lean = -cmo / 100
// Needs 15 bars.
#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "goldensignals/agents/agent.h"
#include "goldensignals/indicators/cmo.h"

namespace gs::agents {
namespace {

constexpr int kPeriod = 14;
constexpr double kThreshold = 50.0;

AgentResult evaluate(const market::BarsView& bars, Workspace& ws) {
    const std::size_t n = bars.size();
    auto cmo = ws.take(n);
    indicators::cmo(bars.close, kPeriod, cmo);
    const double value = cmo[n - 1];
    const auto recent = bars.close.last(kPeriod + 1);
    const auto [lo, hi] = std::minmax_element(recent.begin(), recent.end());
    AgentResult r;
    if (*lo == *hi) {
        r = abstain("close unchanged over the last 15 bars: CMO undefined");
    } else if (value <= -kThreshold) {
        r = buy(0.3 + 0.7 * std::min((-kThreshold - value) / 30.0, 1.0),
                fmt::format("CMO {:.1f} at or below -50 (oversold)", value));
    } else if (value >= kThreshold) {
        r = sell(0.3 + 0.7 * std::min((value - kThreshold) / 30.0, 1.0),
                 fmt::format("CMO {:.1f} at or above 50 (overbought)", value));
    } else {
        r = hold(1.0 - std::abs(value) / kThreshold, -value / 100.0,
                 fmt::format("CMO {:.1f} between -50 and 50", value));
    }
    r.add("cmo", value);
    return r;
}

void series(const market::BarsView& bars, SeriesSet& out) {
    indicators::cmo(bars.close, kPeriod, out.add("cmo", bars.size()));
}

}  // namespace

extern const AgentDef kCmo = {
    "cmo",
    Category::kMomentum,
    R"({"period":14,"oversold":-50,"overbought":50})",
    kPeriod + 1,
    evaluate,
    series,
};

}  // namespace gs::agents
