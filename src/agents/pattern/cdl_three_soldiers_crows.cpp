// cdl_three_soldiers_crows (pattern): TA-Lib's CDL3WHITESOLDIERS and CDL3BLACKCROWS completing
// on the latest bar.
//
// Rule, on the latest bar i (the three candles are i-2, i-1, i):
//   solidity = mean over the three candles of body / (high - low) (0 for a candle without
//              range): strong soldiers and crows are nearly all body
//   setup    = reversal_setup(prior_trend ending at bar i-3), in [0, 1] (soldiers mean most
//              after a decline, crows after an advance)
//   three white soldiers (100): BUY, three black crows (-100): SELL,
//       confidence = 0.3 + 0.4 * solidity + 0.3 * setup
//   neither: HOLD (pattern_context.h) leaning toward one 1-4 bars old.
// min_bars: kMinBars below, derived from the lookbacks (lookback.h).
#include <algorithm>
#include <array>
#include <cmath>
#include <span>

#include <fmt/format.h>

#include "agents/lookback.h"
#include "agents/params.h"
#include "agents/pattern/pattern_context.h"
#include "agents/pattern/pattern_values.h"
#include "agents/streaming.h"
#include "goldensignals/indicators/candles.h"

namespace gs::agents {
namespace {

struct Params {
    std::size_t trend_window = pattern::kTrendWindow;  // bars of trend before the pattern (shared)
    std::size_t pattern_bars = 3;
};
constexpr Params kParams{};
constexpr FixedText kParamsJson = params_json({{"trend_window", kParams.trend_window}});
constexpr std::size_t kPatternBars = kParams.pattern_bars;
constexpr std::size_t kLookback =
    std::max(indicators::kCdl3WhiteSoldiersLookback, indicators::kCdl3BlackCrowsLookback);
constexpr std::size_t kMinBars =
    std::max<std::size_t>(lookback::bars_for(kLookback), kPatternBars + kParams.trend_window + 1);

// Every bar the rule reads: the kernels' window on each recent bar and the trend window before
// the pattern.
constexpr std::size_t kTail =
    std::max<std::size_t>(kLookback + 1, kPatternBars + kParams.trend_window + 1);
constexpr std::size_t kSoldiersLookback = indicators::kCdl3WhiteSoldiersLookback;
constexpr std::size_t kCrowsLookback = indicators::kCdl3BlackCrowsLookback;
using SoldiersValues = pattern::RecentValues<kSoldiersLookback, indicators::cdl_3_white_soldiers>;
using CrowsValues = pattern::RecentValues<kCrowsLookback, indicators::cdl_3_black_crows>;

// The rule on the newest bars (`bars` ends at the latest bar; it reads the last kTail) and the
// patterns' values on the recent bars (pattern_values.h; the last is the latest bar's).
AgentResult verdict(const market::BarsView& bars, std::span<const double> soldiers,
                    std::span<const double> crows) {
    const std::size_t n = bars.size();
    const double s = soldiers.back();
    const double c = crows.back();
    AgentResult r;
    if (s != 0.0 || c != 0.0) {
        // White and black candles exclude each other, so at most one fires.
        const int direction = s != 0.0 ? 1 : -1;
        double solidity = 0.0;
        for (std::size_t j = n - kPatternBars; j < n; ++j) {
            const double range = bars.high[j] - bars.low[j];
            solidity += range > 0.0 ? std::abs(bars.close[j] - bars.open[j]) / range : 0.0;
        }
        solidity /= static_cast<double>(kPatternBars);
        const double trend = pattern::prior_trend(bars, n - 1 - kPatternBars);
        const double setup = pattern::reversal_setup(trend, direction);
        const double confidence = 0.3 + 0.4 * solidity + 0.3 * setup;
        auto reason = Reason(
            "three {}, bodies {:.0f}% of their candles, prior trend {:+.1f} "
            "ranges",
            direction > 0 ? "white soldiers" : "black crows", solidity * 100.0, trend);
        r = direction > 0 ? buy(confidence, std::move(reason))
                          : sell(confidence, std::move(reason));
    } else {
        r = pattern::no_pattern_hold(pattern::latest_pattern(soldiers, crows),
                                     "three white soldiers", "three black crows");
    }
    r.add("cdl_3whitesoldiers", s);
    r.add("cdl_3blackcrows", c);
    return r;
}

AgentResult evaluate(const market::BarsView& bars, Workspace&) {
    std::array<double, pattern::kRecentWindow> soldiers;
    std::array<double, pattern::kRecentWindow> crows;
    return verdict(
        bars,
        pattern::recent_values<kSoldiersLookback, indicators::cdl_3_white_soldiers>(bars, soldiers),
        pattern::recent_values<kCrowsLookback, indicators::cdl_3_black_crows>(bars, crows));
}

void series(const market::BarsView& bars, SeriesSet& out) {
    const auto candles = pattern::candles_of(bars);
    indicators::cdl_3_white_soldiers(candles, out.add("cdl_3whitesoldiers", bars.size()));
    indicators::cdl_3_black_crows(candles, out.add("cdl_3blackcrows", bars.size()));
}

}  // namespace

extern const AgentDef kCdlThreeSoldiersCrows = {
    "cdl_three_soldiers_crows",
    Category::kPattern,
    kParamsJson.view(),
    kMinBars,
    evaluate,
    series,
    &stream_ops<pattern::PatternStream<kTail, verdict, SoldiersValues, CrowsValues>>,
};

}  // namespace gs::agents
