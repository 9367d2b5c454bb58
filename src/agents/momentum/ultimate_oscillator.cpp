// ultimate_oscillator (momentum): Ultimate Oscillator 7 / 14 / 28 (TA_ULTOSC: buying
// pressure over true range, weighted 4 / 2 / 1), read as mean reversion.
//
// Rule, on the latest bar:
//   true range 0 on each of the last 7 bars: ABSTAIN (TA-Lib then drops the 7-bar term, or
//       all terms, and prints a value biased towards 0)
//   ult <= 30: BUY,  confidence = 0.3 + 0.7 * min((30 - ult) / 15, 1)   (full at 15)
//   ult >= 70: SELL, confidence = 0.3 + 0.7 * min((ult - 70) / 15, 1)   (full at 85)
//   otherwise: HOLD, confidence = 1 - |ult - 50| / 20 (1 at 50, 0 at the thresholds),
//       lean = (50 - ult) / 40
// Needs 29 bars.
#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "goldensignals/agents/agent.h"
#include "goldensignals/indicators/ultosc.h"

namespace gs::agents {
namespace {

constexpr int kShort = 7;
constexpr int kMid = 14;
constexpr int kLong = 28;
constexpr std::size_t kMinBars = kLong + 1;
constexpr double kOversold = 30.0;
constexpr double kOverbought = 70.0;

AgentResult evaluate(const market::BarsView& bars, Workspace& ws) {
    // Windowed sums: the last 29 bars give the latest value.
    const auto recent = bars.last(kMinBars);
    const std::size_t m = recent.size();
    auto ult = ws.take(m);
    indicators::ultosc(recent.high, recent.low, recent.close, kShort, kMid, kLong, ult);
    const double value = ult[m - 1];
    bool moved = false;
    for (std::size_t i = m - kShort; i < m && !moved; ++i) {
        const double prev = recent.close[i - 1];
        moved = std::max(recent.high[i], prev) - std::min(recent.low[i], prev) > 0.0;
    }
    AgentResult r;
    if (!moved) {
        r = abstain("no true range over the last 7 bars: Ultimate Oscillator undefined");
    } else if (value <= kOversold) {
        r = buy(0.3 + 0.7 * std::min((kOversold - value) / 15.0, 1.0),
                fmt::format("Ultimate Oscillator {:.1f} at or below 30 (oversold)", value));
    } else if (value >= kOverbought) {
        r = sell(0.3 + 0.7 * std::min((value - kOverbought) / 15.0, 1.0),
                 fmt::format("Ultimate Oscillator {:.1f} at or above 70 (overbought)", value));
    } else {
        r = hold(1.0 - std::abs(value - 50.0) / 20.0, (50.0 - value) / 40.0,
                 fmt::format("Ultimate Oscillator {:.1f} between 30 and 70", value));
    }
    r.add("ultosc", value);
    return r;
}

void series(const market::BarsView& bars, SeriesSet& out) {
    indicators::ultosc(bars.high, bars.low, bars.close, kShort, kMid, kLong,
                       out.add("ultosc", bars.size()));
}

}  // namespace

extern const AgentDef kUltimateOscillator = {
    "ultimate_oscillator",
    Category::kMomentum,
    R"({"periods":[7,14,28],"oversold":30,"overbought":70})",
    kMinBars,
    evaluate,
    series,
};

}  // namespace gs::agents
