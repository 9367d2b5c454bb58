// cdl_hammer (pattern): TA-Lib's CDLHAMMER and CDLHANGINGMAN on the latest bar. Both are the
// same candle (short body, long lower shadow, almost no upper shadow); what it means depends
// on the trend it ends, so the trend is part of the rule.
//
// Rule, on the latest bar i:
//   trend = prior_trend ending at bar i-1 (10-bar close move in average bar ranges)
//   shape = min((lower_shadow / (high - low) - 0.5) / 0.4, 1), floored at 0 (a lower shadow
//           of 90 % of the candle is a perfect hammer)
//   hammer (100) and trend <= -1:      BUY   (a hammer after a fall)
//   hanging man (-100) and trend >= 1: SELL  (a hanging man after a rise)
//       confidence = 0.3 + 0.35 * shape + 0.35 * min(|trend| / 3, 1)
//   the candle without the trend: HOLD, confidence 0.5 - 0.2 * shape, lean +-0.2 * shape
//   toward the candle
//   no candle: HOLD (pattern_context.h) leaning toward one 1-4 bars old.
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
    double min_trend_ranges = 1.0;  // prior trend, in average ranges, for a signal
};
constexpr Params kParams{};
constexpr FixedText kParamsJson =
    params_json({{"trend_window", kParams.trend_window},
                 {"min_trend_ranges", kParams.min_trend_ranges, Param::kPoint}});
constexpr std::size_t kMinBars = std::max<std::size_t>(
    lookback::bars_for(indicators::kCdlHammerLookback), kParams.trend_window + 2);
constexpr double kMinTrend = kParams.min_trend_ranges;

constexpr std::size_t kHammerLookback = indicators::kCdlHammerLookback;
constexpr std::size_t kHangingLookback = indicators::kCdlHangingManLookback;
// Every bar the rule reads: the kernels' window on each recent bar and the trend window before
// the pattern.
constexpr std::size_t kTail = std::max<std::size_t>(std::max(kHammerLookback, kHangingLookback) + 1,
                                                    kParams.trend_window + 2);
using HammerValues = pattern::RecentValues<kHammerLookback, indicators::cdl_hammer>;
using HangingValues = pattern::RecentValues<kHangingLookback, indicators::cdl_hanging_man>;

// The rule on the newest bars (`bars` ends at the latest bar; it reads the last kTail) and the
// candles' values on the recent bars (pattern_values.h; the last is the latest bar's).
AgentResult verdict(const market::BarsView& bars, std::span<const double> hammer,
                    std::span<const double> hanging) {
    const std::size_t n = bars.size();
    const double h = hammer.back();
    const double m = hanging.back();
    const double trend = pattern::prior_trend(bars, n - 2);
    AgentResult r;
    if (h != 0.0 || m != 0.0) {
        const double high = bars.high[n - 1];
        const double low = bars.low[n - 1];
        const double lower = std::min(bars.open[n - 1], bars.close[n - 1]) - low;
        const double ratio = high > low ? lower / (high - low) : 0.0;
        const double shape = std::clamp((ratio - 0.5) / 0.4, 0.0, 1.0);
        const double context = std::min(std::abs(trend) / pattern::kFullTrend, 1.0);
        const double confidence = 0.3 + 0.35 * shape + 0.35 * context;
        if (h != 0.0 && trend <= -kMinTrend) {
            r = buy(confidence, Reason("hammer after a fall of {:.1f} ranges, lower shadow "
                                       "{:.0f}% of the candle",
                                       -trend, ratio * 100.0));
        } else if (m != 0.0 && trend >= kMinTrend) {
            r = sell(confidence, Reason("hanging man after a rise of {:.1f} ranges, lower "
                                        "shadow {:.0f}% of the candle",
                                        trend, ratio * 100.0));
        } else {
            // The shape alone, without the trend it should reverse, is only a hint.
            const double lean = (h != 0.0 ? 0.2 : -0.2) * shape;
            r = hold(
                0.5 - 0.2 * shape, lean,
                Reason("{} shape without a prior {} (trend {:+.1f} ranges)",
                       h != 0.0 ? "hammer" : "hanging man", h != 0.0 ? "fall" : "rise", trend));
        }
    } else {
        // A hammer and a hanging man on the same bar lean both ways; the hammer wins ties.
        r = pattern::no_pattern_hold(pattern::latest_pattern(hammer, hanging), "hammer",
                                     "hanging man");
    }
    r.add("cdl_hammer", h);
    r.add("cdl_hangingman", m);
    return r;
}

AgentResult evaluate(const market::BarsView& bars, Workspace&) {
    std::array<double, pattern::kRecentWindow> hammer;
    std::array<double, pattern::kRecentWindow> hanging;
    return verdict(
        bars, pattern::recent_values<kHammerLookback, indicators::cdl_hammer>(bars, hammer),
        pattern::recent_values<kHangingLookback, indicators::cdl_hanging_man>(bars, hanging));
}

void series(const market::BarsView& bars, SeriesSet& out) {
    const auto candles = pattern::candles_of(bars);
    indicators::cdl_hammer(candles, out.add("cdl_hammer", bars.size()));
    indicators::cdl_hanging_man(candles, out.add("cdl_hangingman", bars.size()));
}

}  // namespace

extern const AgentDef kCdlHammer = {
    "cdl_hammer",
    Category::kPattern,
    kParamsJson.view(),
    kMinBars,
    evaluate,
    series,
    &stream_ops<pattern::PatternStream<kTail, verdict, HammerValues, HangingValues>>,
};

}  // namespace gs::agents
