#pragma once

// What the candlestick agents share: the trend before a pattern (TA-Lib's CDL functions
// ignore it, but a reversal pattern only means something against a trend), and the HOLD
// answer when the latest bar completes no pattern.

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <span>
#include <string>
#include <string_view>

#include <fmt/format.h>

#include "goldensignals/agents/agent.h"
#include "goldensignals/indicators/candle_settings.h"

namespace gs::agents::pattern {

// Bars of trend measured before a pattern.
inline constexpr std::size_t kTrendWindow = 10;
// A trend of this many average bar ranges fully sets up a reversal.
inline constexpr double kFullTrend = 3.0;
// Bars searched (latest included) for a pattern that completed recently.
inline constexpr std::size_t kRecentWindow = 5;

inline indicators::Candles candles_of(const market::BarsView& bars) noexcept {
    return {bars.open, bars.high, bars.low, bars.close};
}

// The close-to-close move over the kTrendWindow bars ending at bar `end`, in units of
// those bars' average high-low range (so it reads the same on any price scale):
//   (close[end] - close[end - 10]) / mean(high - low over bars end - 9 .. end).
// 0 when the bars have no range. Needs end >= kTrendWindow.
inline double prior_trend(const market::BarsView& bars, std::size_t end) noexcept {
    double range_sum = 0.0;
    for (std::size_t j = end + 1 - kTrendWindow; j <= end; ++j) {
        range_sum += bars.high[j] - bars.low[j];
    }
    if (!(range_sum > 0.0)) {
        return 0.0;
    }
    const double mean_range = range_sum / static_cast<double>(kTrendWindow);
    return (bars.close[end] - bars.close[end - kTrendWindow]) / mean_range;
}

// How well the trend sets up a reversal toward `direction` (+1 bullish, -1 bearish):
// 0 when the trend already points that way, 1 when it moved kFullTrend ranges against it.
inline double reversal_setup(double trend, int direction) noexcept {
    return std::clamp(-direction * trend / kFullTrend, 0.0, 1.0);
}

// The newest non-zero pattern value in the last kRecentWindow bars of `values` (NaN
// warm-up skipped); age 0 is the latest bar. value 0 when there is none.
struct RecentPattern {
    double value = 0.0;
    std::size_t age = 0;
};

inline RecentPattern latest_pattern(std::span<const double> values) noexcept {
    const std::size_t n = values.size();
    for (std::size_t age = 0; age < kRecentWindow && age < n; ++age) {
        const double v = values[n - 1 - age];
        if (!std::isnan(v) && v != 0.0) {
            return {v, age};
        }
    }
    return {};
}

// The more recent of two patterns' latest occurrences (a bullish and a bearish one); the
// first when both are as old, or the one found when the other is not.
inline RecentPattern latest_pattern(std::span<const double> first,
                                    std::span<const double> second) noexcept {
    const RecentPattern a = latest_pattern(first);
    const RecentPattern b = latest_pattern(second);
    return a.value == 0.0 || (b.value != 0.0 && b.age < a.age) ? b : a;
}

// HOLD when the latest bar completes no pattern. A pattern 1 to 4 bars old still leans
// its way, fading with age (lean up to 0.2), and makes the market less clearly neutral:
//   recency = 1 - age / 5, lean = 0.25 * sign * recency, confidence = 0.6 - 0.3 * recency.
// With none in the window: lean 0, confidence 0.6.
inline AgentResult no_pattern_hold(const RecentPattern& recent, std::string_view bullish_name,
                                   std::string_view bearish_name) {
    if (recent.value == 0.0 || recent.age == 0) {
        return hold(
            0.6, 0.0,
            Reason("no {} or {} in the last {} bars", bullish_name, bearish_name, kRecentWindow));
    }
    const double recency =
        1.0 - static_cast<double>(recent.age) / static_cast<double>(kRecentWindow);
    const double sign = recent.value > 0.0 ? 1.0 : -1.0;
    return hold(0.6 - 0.3 * recency, 0.25 * sign * recency,
                Reason("no pattern on the latest bar; {} {} bars ago",
                       sign > 0.0 ? bullish_name : bearish_name, recent.age));
}

}  // namespace gs::agents::pattern
