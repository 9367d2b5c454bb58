// rsi (momentum): RSI 14 of the close (TA_RSI, Wilder's smoothing), read as mean reversion.
//
// Rule, on the latest bar:
//   the close did not change over the last 15 bars: ABSTAIN (RSI is 0/0 there; TA-Lib
//       prints 0, which would read as deeply oversold)
//   rsi <= 30: BUY,  confidence = 0.3 + 0.7 * min((30 - rsi) / 20, 1)   (full at RSI 10)
//   rsi >= 70: SELL, confidence = 0.3 + 0.7 * min((rsi - 70) / 20, 1)   (full at RSI 90)
//   otherwise: HOLD, confidence = 1 - |rsi - 50| / 20 (1 at 50, 0 at the thresholds),
//       lean = (50 - rsi) / 40 (the oversold side leans to buy)
// Needs 15 bars.
#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "goldensignals/agents/agent.h"
#include "goldensignals/indicators/rsi.h"

namespace gs::agents {
namespace {

constexpr int kPeriod = 14;
constexpr double kOversold = 30.0;
constexpr double kOverbought = 70.0;

AgentResult evaluate(const market::BarsView& bars, Workspace& ws) {
    const std::size_t n = bars.size();
    auto rsi = ws.take(n);
    indicators::rsi(bars.close, kPeriod, rsi);
    const double value = rsi[n - 1];
    const auto recent = bars.close.last(kPeriod + 1);
    const auto [lo, hi] = std::minmax_element(recent.begin(), recent.end());
    AgentResult r;
    if (*lo == *hi) {
        r = abstain("close unchanged over the last 15 bars: RSI undefined");
    } else if (value <= kOversold) {
        r = buy(0.3 + 0.7 * std::min((kOversold - value) / 20.0, 1.0),
                fmt::format("RSI {:.1f} at or below 30 (oversold)", value));
    } else if (value >= kOverbought) {
        r = sell(0.3 + 0.7 * std::min((value - kOverbought) / 20.0, 1.0),
                 fmt::format("RSI {:.1f} at or above 70 (overbought)", value));
    } else {
        r = hold(1.0 - std::abs(value - 50.0) / 20.0, (50.0 - value) / 40.0,
                 fmt::format("RSI {:.1f} between 30 and 70", value));
    }
    r.add("rsi", value);
    return r;
}

void series(const market::BarsView& bars, SeriesSet& out) {
    indicators::rsi(bars.close, kPeriod, out.add("rsi", bars.size()));
}

}  // namespace

extern const AgentDef kRsi = {
    "rsi",
    Category::kMomentum,
    R"({"period":14,"oversold":30,"overbought":70})",
    kPeriod + 1,
    evaluate,
    series,
};

}  // namespace gs::agents
