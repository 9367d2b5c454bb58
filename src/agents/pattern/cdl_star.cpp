// cdl_star (pattern): TA-Lib's CDLMORNINGSTAR and CDLEVENINGSTAR, penetration 0.3, completing
// on the latest bar.
//
// Rule, on the latest bar i (the pattern is bars i-2, i-1, i):
//   depth = how far the third candle closes into the first body:
//           morning (close[i] - close[i-2]) / body[i-2], evening (close[i-2] - close[i]) /
//           body[i-2]; TA-Lib requires > 0.3
//   reach = min((depth - 0.3) / 0.7, 1)   (closing back at the first candle's open is complete)
//   setup = reversal_setup(prior_trend ending at bar i-3), in [0, 1]
//   morning star (100): BUY, evening star (-100): SELL,
//       confidence = 0.3 + 0.35 * reach + 0.35 * setup
//   neither: HOLD (pattern_context.h) leaning toward a star 1-4 bars old.
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
    double penetration = 0.3;
    std::size_t trend_window = pattern::kTrendWindow;  // bars of trend before the pattern (shared)
    std::size_t pattern_bars = 3;
};
constexpr Params kParams{};
constexpr FixedText kParamsJson =
    params_json({{"penetration", kParams.penetration}, {"trend_window", kParams.trend_window}});
constexpr std::size_t kMinBars =
    std::max<std::size_t>(lookback::bars_for(indicators::kCdlMorningStarLookback),
                          kParams.pattern_bars + kParams.trend_window + 1);
constexpr double kPenetration = kParams.penetration;
constexpr std::size_t kPatternBars = kParams.pattern_bars;

constexpr std::size_t kMorningLookback = indicators::kCdlMorningStarLookback;
constexpr std::size_t kEveningLookback = indicators::kCdlEveningStarLookback;
// Every bar the rule reads: the kernels' window on each recent bar and the trend window before
// the pattern.
constexpr std::size_t kTail = std::max<std::size_t>(
    std::max(kMorningLookback, kEveningLookback) + 1, kPatternBars + kParams.trend_window + 1);

void morning_star(const indicators::Candles& c, std::span<double> out) noexcept {
    indicators::cdl_morning_star(c, kPenetration, out);
}
void evening_star(const indicators::Candles& c, std::span<double> out) noexcept {
    indicators::cdl_evening_star(c, kPenetration, out);
}
using MorningValues = pattern::RecentValues<kMorningLookback, morning_star>;
using EveningValues = pattern::RecentValues<kEveningLookback, evening_star>;

// The rule on the newest bars (`bars` ends at the latest bar; it reads the last kTail) and the
// stars' values on the recent bars (pattern_values.h; the last is the latest bar's).
AgentResult verdict(const market::BarsView& bars, std::span<const double> morning,
                    std::span<const double> evening) {
    const std::size_t n = bars.size();
    const double m = morning.back();
    const double e = evening.back();
    AgentResult r;
    if (m != 0.0 || e != 0.0) {
        // Both need opposite colours on the same candles, so at most one fires.
        const int direction = m != 0.0 ? 1 : -1;
        const double first_body = std::abs(bars.close[n - 3] - bars.open[n - 3]);
        const double depth = direction * (bars.close[n - 1] - bars.close[n - 3]) / first_body;
        const double reach = std::clamp((depth - kPenetration) / (1.0 - kPenetration), 0.0, 1.0);
        const double trend = pattern::prior_trend(bars, n - 1 - kPatternBars);
        const double setup = pattern::reversal_setup(trend, direction);
        const double confidence = 0.3 + 0.35 * reach + 0.35 * setup;
        auto reason = Reason(
            "{} star closing {:.0f}% into the first body, prior trend "
            "{:+.1f} ranges",
            direction > 0 ? "morning" : "evening", depth * 100.0, trend);
        r = direction > 0 ? buy(confidence, std::move(reason))
                          : sell(confidence, std::move(reason));
    } else {
        r = pattern::no_pattern_hold(pattern::latest_pattern(morning, evening), "morning star",
                                     "evening star");
    }
    r.add("cdl_morningstar", m);
    r.add("cdl_eveningstar", e);
    return r;
}

AgentResult evaluate(const market::BarsView& bars, Workspace&) {
    std::array<double, pattern::kRecentWindow> morning;
    std::array<double, pattern::kRecentWindow> evening;
    return verdict(bars, pattern::recent_values<kMorningLookback, morning_star>(bars, morning),
                   pattern::recent_values<kEveningLookback, evening_star>(bars, evening));
}

void series(const market::BarsView& bars, SeriesSet& out) {
    const auto candles = pattern::candles_of(bars);
    indicators::cdl_morning_star(candles, kPenetration, out.add("cdl_morningstar", bars.size()));
    indicators::cdl_evening_star(candles, kPenetration, out.add("cdl_eveningstar", bars.size()));
}

}  // namespace

extern const AgentDef kCdlStar = {
    "cdl_star",
    Category::kPattern,
    kParamsJson.view(),
    kMinBars,
    evaluate,
    series,
    &stream_ops<pattern::PatternStream<kTail, verdict, MorningValues, EveningValues>>,
};

}  // namespace gs::agents
