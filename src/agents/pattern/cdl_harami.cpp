// cdl_harami (pattern): TA-Lib's CDLHARAMI on the latest bar.
//
// Rule, on the latest bar i (value v = +-100, or +-80 when the inner body touches an end of
// the outer one):
//   inside = 1 - body[i] / body[i-1]      (the smaller the inner body, the clearer the pause)
//   setup  = reversal_setup(prior_trend ending at bar i-2), in [0, 1]
//   v > 0 (after a long black candle): BUY, v < 0 (after a long white one): SELL,
//       confidence = 0.3 + 0.3 * inside + 0.3 * setup + 0.1 * (|v| == 100)
//   v == 0: HOLD (pattern_context.h) leaning toward a harami 1-4 bars old.
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
constexpr std::size_t kMinBars =
    std::max<std::size_t>(lookback::bars_for(indicators::kCdlHaramiLookback),
                          kParams.pattern_bars + kParams.trend_window + 1);
constexpr std::size_t kPatternBars = kParams.pattern_bars;

constexpr std::size_t kLookback = indicators::kCdlHaramiLookback;
// Every bar the rule reads: the kernel's window on each recent bar and the trend window before
// the pattern.
constexpr std::size_t kTail =
    std::max<std::size_t>(kLookback + 1, kPatternBars + kParams.trend_window + 1);

void harami(const indicators::Candles& c, std::span<double> out) noexcept {
    indicators::cdl_harami(c, out);
}
using Values = pattern::RecentValues<kLookback, harami>;

// The rule on the newest bars (`bars` ends at the latest bar; it reads the last kTail) and the
// pattern's values on the recent bars (pattern_values.h; the last is the latest bar's).
AgentResult verdict(const market::BarsView& bars, std::span<const double> values) {
    const std::size_t n = bars.size();
    const double v = values.back();
    AgentResult r;
    if (v != 0.0) {
        const int direction = v > 0.0 ? 1 : -1;
        const double inner = std::abs(bars.close[n - 1] - bars.open[n - 1]);
        // The outer body is longer than its average, so it is never zero here.
        const double outer = std::abs(bars.close[n - 2] - bars.open[n - 2]);
        const double inside = outer > 0.0 ? std::clamp(1.0 - inner / outer, 0.0, 1.0) : 0.0;
        const double trend = pattern::prior_trend(bars, n - 1 - kPatternBars);
        const double setup = pattern::reversal_setup(trend, direction);
        const double confidence =
            0.3 + 0.3 * inside + 0.3 * setup + (std::abs(v) == 100.0 ? 0.1 : 0.0);
        auto reason = Reason(
            "{} harami{}: inner body {:.0f}% of the outer, prior trend "
            "{:+.1f} ranges",
            direction > 0 ? "bullish" : "bearish",
            std::abs(v) == 100.0 ? "" : " (bodies share an end)", (1.0 - inside) * 100.0, trend);
        r = direction > 0 ? buy(confidence, std::move(reason))
                          : sell(confidence, std::move(reason));
    } else {
        r = pattern::no_pattern_hold(pattern::latest_pattern(values), "bullish harami",
                                     "bearish harami");
    }
    r.add("cdl_harami", v);
    return r;
}

AgentResult evaluate(const market::BarsView& bars, Workspace&) {
    std::array<double, pattern::kRecentWindow> values;
    return verdict(bars, pattern::recent_values<kLookback, harami>(bars, values));
}

void series(const market::BarsView& bars, SeriesSet& out) {
    indicators::cdl_harami(pattern::candles_of(bars), out.add("cdl_harami", bars.size()));
}

}  // namespace

extern const AgentDef kCdlHarami = {
    "cdl_harami",
    Category::kPattern,
    kParamsJson.view(),
    kMinBars,
    evaluate,
    series,
    &stream_ops<pattern::PatternStream<kTail, verdict, Values>>,
};

}  // namespace gs::agents
