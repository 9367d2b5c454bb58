// sma_cross (trend): SMA 50 vs SMA 200 of the close (TA_SMA), the "golden/death cross".
//
// Rule, on the latest bar:
//   gap       = (sma_50 - sma_200) / sma_200
//   fresh     = 1 - bars_since_cross / 20, floored at 0 (a cross is where the sign of
//               sma_50 - sma_200 changed; looked for in the last 20 bars)
//   strength  = min(|gap| / 0.05, 1)            (a 5 % gap is a fully opened cross)
//   sma_50 > sma_200: BUY,  sma_50 < sma_200: SELL,
//       confidence = 0.3 + 0.4 * strength + 0.3 * fresh
//   equal: HOLD (confidence 1, lean 0).
// Needs 200 bars.
#include <cmath>

#include <fmt/format.h>

#include "agents/agent_math.h"
#include "goldensignals/agents/agent.h"
#include "goldensignals/indicators/core.h"

namespace gs::agents {
namespace {

constexpr int kFast = 50;
constexpr int kSlow = 200;
constexpr std::size_t kFreshWindow = 20;

AgentResult evaluate(const market::BarsView& bars, Workspace& ws) {
    const std::size_t n = bars.size();
    auto fast = ws.take(n);
    auto slow = ws.take(n);
    indicators::sma(bars.close, kFast, fast);
    indicators::sma(bars.close, kSlow, slow);
    const double f = fast[n - 1];
    const double s = slow[n - 1];
    const double gap = (f - s) / s;
    const std::size_t since = bars_since_sign_change(fast, slow, kFreshWindow);
    const double fresh = since >= kFreshWindow
                             ? 0.0
                             : 1.0 - static_cast<double>(since) / static_cast<double>(kFreshWindow);
    const double strength = std::min(std::abs(gap) / 0.05, 1.0);
    AgentResult r;
    if (f > s) {
        r = buy(
            0.3 + 0.4 * strength + 0.3 * fresh,
            fmt::format("SMA 50 above SMA 200 by {:.2f}%{}", gap * 100.0,
                        since < kFreshWindow ? fmt::format(", crossed {} bars ago", since) : ""));
    } else if (f < s) {
        r = sell(
            0.3 + 0.4 * strength + 0.3 * fresh,
            fmt::format("SMA 50 below SMA 200 by {:.2f}%{}", -gap * 100.0,
                        since < kFreshWindow ? fmt::format(", crossed {} bars ago", since) : ""));
    } else {
        r = hold(1.0, 0.0, "SMA 50 equals SMA 200");
    }
    r.add("sma_50", f);
    r.add("sma_200", s);
    return r;
}

void series(const market::BarsView& bars, SeriesSet& out) {
    indicators::sma(bars.close, kFast, out.add("sma_50", bars.size()));
    indicators::sma(bars.close, kSlow, out.add("sma_200", bars.size()));
}

}  // namespace

extern const AgentDef kSmaCross = {
    "sma_cross", Category::kTrend, R"({"fast":50,"slow":200})", kSlow, evaluate, series,
};

}  // namespace gs::agents
