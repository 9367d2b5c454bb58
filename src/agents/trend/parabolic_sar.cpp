// parabolic_sar (trend): Wilder's Parabolic SAR, acceleration 0.02, maximum 0.2 (TA_SAR).
//
// Rule, on the latest bar:
//   fresh     = 1 - bars_since_flip / 10, floored at 0 (a flip is where the close changed
//               side of the SAR; looked for in the last 10 bars)
//   distance  = min(|close - sar| / (0.05 * close), 1)
//   close > sar: BUY,  close < sar: SELL,
//       confidence = 0.4 + 0.4 * fresh + 0.2 * distance
//       (a young trend is where the SAR pays; an old one is close to its stop)
//   close = sar (flat prices): HOLD (confidence 1, lean 0).
// Needs 2 bars (TA_SAR lookback 1 + 1).
#include <algorithm>
#include <cmath>
#include <string>

#include <fmt/format.h>

#include "agents/agent_math.h"
#include "goldensignals/agents/agent.h"
#include "goldensignals/indicators/sar.h"

namespace gs::agents {
namespace {

constexpr double kAcceleration = 0.02;
constexpr double kMaximum = 0.2;
constexpr std::size_t kMinBars = 2;
constexpr std::size_t kFreshWindow = 10;

AgentResult evaluate(const market::BarsView& bars, Workspace& ws) {
    const std::size_t n = bars.size();
    if (n < kMinBars) {
        return abstain("fewer than 2 bars");
    }
    auto sar = ws.take(n);
    indicators::sar(bars.high, bars.low, kAcceleration, kMaximum, sar);
    const double s = sar[n - 1];
    const double c = bars.close[n - 1];
    const std::size_t since = bars_since_sign_change(bars.close, sar, kFreshWindow);
    const double fresh = since >= kFreshWindow
                             ? 0.0
                             : 1.0 - static_cast<double>(since) / static_cast<double>(kFreshWindow);
    const double distance = c > 0.0 ? std::min(std::abs(c - s) / (0.05 * c), 1.0) : 0.0;
    const double confidence = 0.4 + 0.4 * fresh + 0.2 * distance;
    const auto flipped =
        since < kFreshWindow ? fmt::format(", flipped {} bars ago", since) : std::string();
    AgentResult r;
    if (c > s) {
        r = buy(confidence, fmt::format("close {:.6g} above SAR {:.6g}{}", c, s, flipped));
    } else if (c < s) {
        r = sell(confidence, fmt::format("close {:.6g} below SAR {:.6g}{}", c, s, flipped));
    } else {
        r = hold(1.0, 0.0, "close on the SAR");
    }
    r.add("sar", s);
    return r;
}

void series(const market::BarsView& bars, SeriesSet& out) {
    indicators::sar(bars.high, bars.low, kAcceleration, kMaximum, out.add("sar", bars.size()));
}

}  // namespace

extern const AgentDef kParabolicSar = {
    "parabolic_sar", Category::kTrend, R"({"acceleration":0.02,"maximum":0.2})",
    kMinBars,        evaluate,         series,
};

}  // namespace gs::agents
