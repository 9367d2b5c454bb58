// cdl_piercing_dark_cloud (pattern): TA-Lib's CDLPIERCING and CDLDARKCLOUDCOVER (penetration
// 0.5) on the latest bar.
//
// Rule, on the latest bar i (the pattern is bars i-1, i):
//   depth = how far the second candle closes into the first body: piercing
//           (close[i] - close[i-1]) / body[i-1], dark cloud (close[i-1] - close[i]) / body[i-1];
//           both patterns require > 0.5 and < 1
//   reach = min((depth - 0.5) / 0.5, 1)
//   setup = reversal_setup(prior_trend ending at bar i-2), in [0, 1]
//   piercing (100): BUY, dark cloud cover (-100): SELL,
//       confidence = 0.3 + 0.35 * reach + 0.35 * setup
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
    double penetration = 0.5;
    std::size_t trend_window = pattern::kTrendWindow;  // bars of trend before the pattern (shared)
    std::size_t pattern_bars = 2;
};
constexpr Params kParams{};
constexpr FixedText kParamsJson =
    params_json({{"penetration", kParams.penetration}, {"trend_window", kParams.trend_window}});
constexpr double kPenetration = kParams.penetration;
constexpr std::size_t kPatternBars = kParams.pattern_bars;
constexpr std::size_t kLookback =
    std::max(indicators::kCdlPiercingLookback, indicators::kCdlDarkCloudCoverLookback);
constexpr std::size_t kMinBars =
    std::max<std::size_t>(lookback::bars_for(kLookback), kPatternBars + kParams.trend_window + 1);

// Every bar the rule reads: the kernels' window on each recent bar and the trend window before
// the pattern.
constexpr std::size_t kTail =
    std::max<std::size_t>(kLookback + 1, kPatternBars + kParams.trend_window + 1);
constexpr std::size_t kPiercingLookback = indicators::kCdlPiercingLookback;
constexpr std::size_t kDarkLookback = indicators::kCdlDarkCloudCoverLookback;

void piercing_line(const indicators::Candles& c, std::span<double> out) noexcept {
    indicators::cdl_piercing(c, out);
}
void dark_cloud(const indicators::Candles& c, std::span<double> out) noexcept {
    indicators::cdl_dark_cloud_cover(c, kPenetration, out);
}

// The rule on the newest bars (`bars` ends at the latest bar; it reads the last kTail) and the
// patterns' values on the recent bars (pattern_values.h; the last is the latest bar's).
AgentResult verdict(const market::BarsView& bars, std::span<const double> piercing,
                    std::span<const double> dark) {
    const std::size_t n = bars.size();
    const double p = piercing.back();
    const double d = dark.back();
    AgentResult r;
    if (p != 0.0 || d != 0.0) {
        // They need opposite colours on the same candles, so at most one fires.
        const int direction = p != 0.0 ? 1 : -1;
        const double first_body = std::abs(bars.close[n - 2] - bars.open[n - 2]);
        const double depth = direction * (bars.close[n - 1] - bars.close[n - 2]) / first_body;
        const double reach = std::clamp((depth - kPenetration) / kPenetration, 0.0, 1.0);
        const double trend = pattern::prior_trend(bars, n - 1 - kPatternBars);
        const double setup = pattern::reversal_setup(trend, direction);
        const double confidence = 0.3 + 0.35 * reach + 0.35 * setup;
        auto reason = Reason(
            "{} closing {:.0f}% into the previous body, prior trend {:+.1f} "
            "ranges",
            direction > 0 ? "piercing line" : "dark cloud cover", depth * 100.0, trend);
        r = direction > 0 ? buy(confidence, std::move(reason))
                          : sell(confidence, std::move(reason));
    } else {
        r = pattern::no_pattern_hold(pattern::latest_pattern(piercing, dark), "piercing line",
                                     "dark cloud cover");
    }
    r.add("cdl_piercing", p);
    r.add("cdl_darkcloudcover", d);
    return r;
}

AgentResult evaluate(const market::BarsView& bars, Workspace&) {
    std::array<double, pattern::kRecentWindow> piercing;
    std::array<double, pattern::kRecentWindow> dark;
    return verdict(bars, pattern::recent_values<kPiercingLookback, piercing_line>(bars, piercing),
                   pattern::recent_values<kDarkLookback, dark_cloud>(bars, dark));
}

void series(const market::BarsView& bars, SeriesSet& out) {
    const auto candles = pattern::candles_of(bars);
    indicators::cdl_piercing(candles, out.add("cdl_piercing", bars.size()));
    indicators::cdl_dark_cloud_cover(candles, kPenetration,
                                     out.add("cdl_darkcloudcover", bars.size()));
}

}  // namespace

extern const AgentDef kCdlPiercingDarkCloud = {
    "cdl_piercing_dark_cloud",
    Category::kPattern,
    kParamsJson.view(),
    kMinBars,
    evaluate,
    series,
    &stream_ops<pattern::PatternStream<kTail, verdict,
                                       pattern::RecentValues<kPiercingLookback, piercing_line>,
                                       pattern::RecentValues<kDarkLookback, dark_cloud>>>,
};

}  // namespace gs::agents
