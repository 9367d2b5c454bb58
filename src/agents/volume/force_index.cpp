// force_index (volume): Elder's Force Index 13 = EMA 13 (TA_EMA, SMA-seeded) of the raw force
// (close - prev close) x volume, which starts at bar 1.
//
// Units: unit = 1 % of the close x mean volume of the last 13 bars (a 1 % move on average
// volume).
//   strength = min(|force_index| / unit, 1)
//   fresh    = 1 - bars_since_zero_cross / 10, floored at 0 (a change of sign of the index in
//              the last 10 bars)
// Rule, on the latest bar:
//   strength >= 0.05 and force_index > 0: BUY, < 0: SELL,
//       confidence = 0.3 + 0.4 * strength + 0.3 * fresh
//   otherwise (under 5 % of the unit: no force) HOLD,
//       lean = 0.3 * sign(force_index) * strength / 0.05, confidence = 1 - strength / 0.05.
//   No volume over the last 13 bars (or a zero close): HOLD, confidence 1.
// min_bars: kMinBars below, derived from the lookbacks (lookback.h).
#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "agents/agent_math.h"
#include "agents/lookback.h"
#include "agents/params.h"
#include "goldensignals/agents/agent.h"
#include "goldensignals/indicators/core.h"

namespace gs::agents {
namespace {

struct Params {
    int period = 13;
    std::size_t fresh_window = 10;
    double dead_zone = 0.05;
    double unit_move = 0.01;  // a 1 % move on average volume is one unit
};
constexpr Params kParams{};
constexpr FixedText kParamsJson = params_json({{"period", kParams.period}});
// The raw force starts on the second bar.
constexpr std::size_t kMinBars = 1 + lookback::bars_for(lookback::ema(kParams.period));
constexpr int kPeriod = kParams.period;
constexpr std::size_t kFreshWindow = kParams.fresh_window;
constexpr double kDeadZone = kParams.dead_zone;

void force_index(const market::BarsView& bars, std::span<double> raw, std::span<double> out) {
    const std::size_t n = bars.size();
    if (n == 0) {
        return;
    }
    raw[0] = indicators::kNaN;
    for (std::size_t i = 1; i < n; ++i) {
        raw[i] = (bars.close[i] - bars.close[i - 1]) * bars.volume[i];
    }
    indicators::ema(raw, kPeriod, out);
}

AgentResult evaluate(const market::BarsView& bars, Workspace& ws) {
    const std::size_t n = bars.size();
    auto raw = ws.take(n);
    auto index = ws.take(n);
    force_index(bars, raw, index);
    double volume_sum = 0.0;
    for (std::size_t i = n - kPeriod; i < n; ++i) {
        volume_sum += bars.volume[i];
    }
    const double unit = kParams.unit_move * std::abs(bars.close[n - 1]) * volume_sum / kPeriod;
    const double value = index[n - 1];
    AgentResult r;
    const double strength = unit > 0.0 ? std::min(std::abs(value) / unit, 1.0) : 0.0;
    if (!(unit > 0.0)) {
        r = hold(1.0, 0.0, fmt::format("No volume over the last {} bars", kPeriod));
    } else if (strength < kDeadZone) {
        r = hold(1.0 - strength / kDeadZone, 0.3 * std::copysign(strength / kDeadZone, value),
                 fmt::format("Force Index {} near zero ({:.3f}x a 1% move on average volume)",
                             kPeriod, value / unit));
    } else {
        const std::size_t since = bars_since_zero_cross(index, kFreshWindow);
        const double fresh = 1.0 - static_cast<double>(since) / static_cast<double>(kFreshWindow);
        const double confidence = 0.3 + 0.4 * strength + 0.3 * fresh;
        const auto reason = fmt::format(
            "Force Index {} {} ({:.2f}x a 1% move on average volume){}", kPeriod,
            value > 0.0 ? "positive" : "negative", std::abs(value) / unit,
            since < kFreshWindow ? fmt::format(", crossed zero {} bars ago", since) : "");
        r = value > 0.0 ? buy(confidence, reason) : sell(confidence, reason);
    }
    r.add("force_index", value);
    return r;
}

void series(const market::BarsView& bars, SeriesSet& out) {
    const std::size_t n = bars.size();
    std::vector<double> raw(n);
    force_index(bars, raw, out.add("force_index", n));
}

}  // namespace

extern const AgentDef kForceIndex = {
    "force_index", Category::kVolume, kParamsJson.view(), kMinBars, evaluate, series,
};

}  // namespace gs::agents
