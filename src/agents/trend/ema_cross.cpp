// ema_cross (trend): EMA 12 vs EMA 26 of the close (TA_EMA, SMA-seeded).
//
// Rule, on the latest bar:
//   gap       = (ema_12 - ema_26) / ema_26
//   fresh     = 1 - bars_since_cross / 10, floored at 0 (a cross is where the sign of
//               ema_12 - ema_26 changed; looked for in the last 10 bars)
//   strength  = min(|gap| / 0.02, 1)            (a 2 % gap is a fully opened cross)
//   ema_12 > ema_26: BUY,  ema_12 < ema_26: SELL,
//       confidence = 0.3 + 0.4 * strength + 0.3 * fresh
//   equal (flat prices): HOLD (confidence 1, lean 0).
// Needs 26 bars (EMA 26 lookback 25 + 1).
#include <algorithm>
#include <cmath>
#include <string>

#include <fmt/format.h>

#include "agents/agent_math.h"
#include "goldensignals/agents/agent.h"
#include "goldensignals/indicators/core.h"

namespace gs::agents {
namespace {

constexpr int kFast = 12;
constexpr int kSlow = 26;
constexpr std::size_t kFreshWindow = 10;
constexpr double kFullGap = 0.02;

AgentResult evaluate(const market::BarsView& bars, Workspace& ws) {
    const std::size_t n = bars.size();
    if (n < static_cast<std::size_t>(kSlow)) {
        return abstain("fewer than 26 bars");
    }
    auto fast = ws.take(n);
    auto slow = ws.take(n);
    indicators::ema(bars.close, kFast, fast);
    indicators::ema(bars.close, kSlow, slow);
    const double f = fast[n - 1];
    const double s = slow[n - 1];
    const double gap = s != 0.0 ? (f - s) / std::abs(s) : 0.0;
    const std::size_t since = bars_since_sign_change(fast, slow, kFreshWindow);
    const double fresh = since >= kFreshWindow
                             ? 0.0
                             : 1.0 - static_cast<double>(since) / static_cast<double>(kFreshWindow);
    const double strength = std::min(std::abs(gap) / kFullGap, 1.0);
    const auto crossed =
        since < kFreshWindow ? fmt::format(", crossed {} bars ago", since) : std::string();
    AgentResult r;
    if (f > s) {
        r = buy(0.3 + 0.4 * strength + 0.3 * fresh,
                fmt::format("EMA 12 above EMA 26 by {:.2f}%{}", gap * 100.0, crossed));
    } else if (f < s) {
        r = sell(0.3 + 0.4 * strength + 0.3 * fresh,
                 fmt::format("EMA 12 below EMA 26 by {:.2f}%{}", -gap * 100.0, crossed));
    } else {
        r = hold(1.0, 0.0, "EMA 12 equals EMA 26");
    }
    r.add("ema_12", f);
    r.add("ema_26", s);
    return r;
}

void series(const market::BarsView& bars, SeriesSet& out) {
    indicators::ema(bars.close, kFast, out.add("ema_12", bars.size()));
    indicators::ema(bars.close, kSlow, out.add("ema_26", bars.size()));
}

}  // namespace

extern const AgentDef kEmaCross = {
    "ema_cross", Category::kTrend, R"({"fast":12,"slow":26})", kSlow, evaluate, series,
};

}  // namespace gs::agents
