// cdl_engulfing (pattern): TA-Lib's CDLENGULFING on the latest bar.
//
// Rule, on the latest bar i (value v = +-100, or +-80 when the two real bodies share an end):
//   engulf    = min((body[i] / body[i-1] - 1) / 2, 1), floored at 0  (a body 3x the engulfed
//               one is complete)
//   setup     = reversal_setup(prior_trend ending at bar i-2): the 10-bar close move before the
//               pattern against the pattern's direction, in average bar ranges, / 3, in [0, 1]
//   v > 0: BUY, v < 0: SELL,
//       confidence = 0.3 + 0.3 * engulf + 0.3 * setup + 0.1 * (|v| == 100)
//   v == 0: HOLD (pattern_context.h): lean toward an engulfing 1-4 bars old, fading with age.
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
    std::size_t pattern_bars = 2;
};
constexpr Params kParams{};
constexpr FixedText kParamsJson = params_json({{"trend_window", kParams.trend_window}});
// The trend window ends on the bar before the pattern.
constexpr std::size_t kMinBars = kParams.pattern_bars + kParams.trend_window + 1;
constexpr std::size_t kPatternBars = kParams.pattern_bars;

constexpr std::size_t kLookback = indicators::kCdlEngulfingLookback;
// Every bar the rule reads: the kernel's window on each recent bar and the trend window before
// the pattern.
constexpr std::size_t kTail =
    std::max<std::size_t>(kLookback + 1, kPatternBars + kParams.trend_window + 1);

void engulfing(const indicators::Candles& c, std::span<double> out) noexcept {
    indicators::cdl_engulfing(c, out);
}
using Values = pattern::RecentValues<kLookback, engulfing>;

// The rule on the newest bars (`bars` ends at the latest bar; it reads the last kTail) and the
// pattern's values on the recent bars (pattern_values.h; the last is the latest bar's).
AgentResult verdict(const market::BarsView& bars, std::span<const double> values) {
    const std::size_t n = bars.size();
    const double v = values.back();
    AgentResult r;
    if (v != 0.0) {
        const int direction = v > 0.0 ? 1 : -1;
        const double body = std::abs(bars.close[n - 1] - bars.open[n - 1]);
        const double engulfed = std::abs(bars.close[n - 2] - bars.open[n - 2]);
        const double engulf =
            engulfed > 0.0 ? std::clamp((body / engulfed - 1.0) / 2.0, 0.0, 1.0) : 1.0;
        const double trend = pattern::prior_trend(bars, n - 1 - kPatternBars);
        const double setup = pattern::reversal_setup(trend, direction);
        const double confidence =
            0.3 + 0.3 * engulf + 0.3 * setup + (std::abs(v) == 100.0 ? 0.1 : 0.0);
        auto reason = Reason(
            "{} engulfing{}: body {:.2f}x the previous, prior trend {:+.1f} "
            "ranges",
            direction > 0 ? "bullish" : "bearish",
            std::abs(v) == 100.0 ? "" : " (bodies share an end)",
            engulfed > 0.0 ? body / engulfed : 0.0, trend);
        r = direction > 0 ? buy(confidence, std::move(reason))
                          : sell(confidence, std::move(reason));
    } else {
        r = pattern::no_pattern_hold(pattern::latest_pattern(values), "bullish engulfing",
                                     "bearish engulfing");
    }
    r.add("cdl_engulfing", v);
    return r;
}

AgentResult evaluate(const market::BarsView& bars, Workspace&) {
    std::array<double, pattern::kRecentWindow> values;
    return verdict(bars, pattern::recent_values<kLookback, engulfing>(bars, values));
}

void series(const market::BarsView& bars, SeriesSet& out) {
    indicators::cdl_engulfing(pattern::candles_of(bars), out.add("cdl_engulfing", bars.size()));
}

}  // namespace

extern const AgentDef kCdlEngulfing = {
    "cdl_engulfing",
    Category::kPattern,
    kParamsJson.view(),
    kMinBars,
    evaluate,
    series,
    &stream_ops<pattern::PatternStream<kTail, verdict, Values>>,
};

}  // namespace gs::agents
