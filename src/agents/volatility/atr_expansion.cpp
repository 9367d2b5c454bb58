// atr_expansion (volatility): NATR 14 (TA_NATR, 100 x ATR 14 / close) against its own
// 50-bar mean (SMA 50 of NATR), in the direction of the 5-bar slope of SMA 20 of the close.
//
//   ratio = natr / SMA(natr, 50),  slope = SMA20[n-1] / SMA20[n-6] - 1
//
// Rule, on the latest bar:
//   ratio >= 1.5 and slope > 0: BUY,  ratio >= 1.5 and slope < 0: SELL,
//       confidence = 0.3 + 0.4 * min((ratio - 1.5) / 1.5, 1) + 0.3 * min(|slope| / 0.02, 1)
//       (volatility at 3x its mean, or a 2 % move of SMA 20 in 5 bars, is full strength)
//   otherwise HOLD, lean = 0.5 * clamp(slope / 0.02, -1, 1) * min(ratio / 1.5, 1),
//       confidence = clamp(1.5 - ratio, 0, 1) (calm markets are clearly neutral).
//   No volatility (mean NATR 0, flat prices): HOLD, confidence 1.
// Needs 64 bars (NATR from bar 14, its SMA 50 from bar 63).
#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "goldensignals/agents/agent.h"
#include "goldensignals/indicators/core.h"
#include "goldensignals/indicators/natr.h"

namespace gs::agents {
namespace {

constexpr int kNatrPeriod = 14;
constexpr int kMeanPeriod = 50;
constexpr std::size_t kTrendPeriod = 20;
constexpr std::size_t kSlopeBars = 5;
constexpr double kExpansion = 1.5;
constexpr double kFullSlope = 0.02;
constexpr std::size_t kMinBars = kNatrPeriod + kMeanPeriod;

double sma_ending_at(std::span<const double> close, std::size_t end) {
    double sum = 0.0;
    for (std::size_t i = end + 1 - kTrendPeriod; i <= end; ++i) {
        sum += close[i];
    }
    return sum / static_cast<double>(kTrendPeriod);
}

AgentResult evaluate(const market::BarsView& bars, Workspace& ws) {
    const std::size_t n = bars.size();
    auto natr = ws.take(n);
    indicators::natr(bars.high, bars.low, bars.close, kNatrPeriod, natr);
    // Only the latest mean is needed.
    double sum = 0.0;
    for (std::size_t i = n - kMeanPeriod; i < n; ++i) {
        sum += natr[i];
    }
    const double mean = sum / static_cast<double>(kMeanPeriod);
    const double now = natr[n - 1];
    const double trend_now = sma_ending_at(bars.close, n - 1);
    const double trend_then = sma_ending_at(bars.close, n - 1 - kSlopeBars);
    const double slope = trend_then != 0.0 ? trend_now / trend_then - 1.0 : 0.0;
    AgentResult r;
    if (!(mean > 0.0)) {
        r = hold(1.0, 0.0, "No volatility: NATR 14 is zero over the last 50 bars");
    } else {
        const double ratio = now / mean;
        const double slope_strength = std::min(std::abs(slope) / kFullSlope, 1.0);
        if (ratio >= kExpansion && slope != 0.0) {
            const double confidence =
                0.3 + 0.4 * std::min((ratio - kExpansion) / kExpansion, 1.0) + 0.3 * slope_strength;
            const auto reason =
                fmt::format("NATR 14 at {:.2f}x its 50-bar mean while SMA 20 {} {:.2f}% in 5 bars",
                            ratio, slope > 0.0 ? "rose" : "fell", std::abs(slope) * 100.0);
            r = slope > 0.0 ? buy(confidence, reason) : sell(confidence, reason);
        } else {
            r = hold(
                std::clamp(kExpansion - ratio, 0.0, 1.0),
                0.5 * std::clamp(slope / kFullSlope, -1.0, 1.0) * std::min(ratio / kExpansion, 1.0),
                fmt::format("NATR 14 at {:.2f}x its 50-bar mean: no expansion", ratio));
        }
    }
    r.add("natr", now);
    return r;
}

void series(const market::BarsView& bars, SeriesSet& out) {
    indicators::natr(bars.high, bars.low, bars.close, kNatrPeriod, out.add("natr", bars.size()));
}

}  // namespace

extern const AgentDef kAtrExpansion = {
    "atr_expansion",
    Category::kVolatility,
    R"({"natr":14,"mean":50,"expansion":1.5,"trend_sma":20,"slope_bars":5})",
    kMinBars,
    evaluate,
    series,
};

}  // namespace gs::agents
