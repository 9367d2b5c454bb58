#include "goldensignals/indicators/candles.h"

#include <array>
#include <cstddef>
#include <utility>

#include "goldensignals/indicators/core.h"

namespace gs::indicators {
namespace {

namespace cs = candle_settings;

// NaN over TA-Lib's lookback; returns false when no bar has an output.
bool warm_up(std::span<double> out, int lookback) noexcept {
    const auto l = static_cast<std::size_t>(lookback);
    for (std::size_t i = 0; i < out.size() && i < l; ++i) {
        out[i] = kNaN;
    }
    return out.size() > l;
}

// Cheap tests first: a pattern is the AND of pure tests, so their order is free. The tests that
// read no average come first: they usually fail, and an average not read is never summed
// (CandleAverage builds its sum on first use). That is what makes a candle agent's one-bar
// kernel on a new bar cheap.

// The averages of one setting for the candles `offset` bars before the current one,
// for offset = 0 .. N-1 (TA-Lib keeps one running total per candle of the pattern).
template <std::size_t N>
struct AverageSet {
    std::array<CandleAverage, N> at;

    void advance() noexcept {
        for (auto& a : at) {
            a.advance();
        }
    }
};

template <std::size_t N, std::size_t... I>
AverageSet<N> make_averages_impl(const Candles& c, CandleSetting s, std::size_t bar,
                                 std::index_sequence<I...>) noexcept {
    return {{CandleAverage(c, s, bar - I)...}};
}

// Averages for candles bar, bar - 1, ..., bar - (N - 1).
template <std::size_t N>
AverageSet<N> make_averages(const Candles& c, CandleSetting s, std::size_t bar) noexcept {
    return make_averages_impl<N>(c, s, bar, std::make_index_sequence<N>{});
}

}  // namespace

void cdl_engulfing(const Candles& c, std::span<double> out) noexcept {
    if (!warm_up(out, kCdlEngulfingLookback)) {
        return;
    }
    const auto& o = c.open;
    const auto& cl = c.close;
    for (std::size_t i = kCdlEngulfingLookback; i < c.size(); ++i) {
        const bool white_engulfs =
            c.color(i) == 1 && c.color(i - 1) == -1 &&
            ((cl[i] >= o[i - 1] && o[i] < cl[i - 1]) || (cl[i] > o[i - 1] && o[i] <= cl[i - 1]));
        const bool black_engulfs =
            c.color(i) == -1 && c.color(i - 1) == 1 &&
            ((o[i] >= cl[i - 1] && cl[i] < o[i - 1]) || (o[i] > cl[i - 1] && cl[i] <= o[i - 1]));
        if (white_engulfs || black_engulfs) {
            // Bodies sharing an end (Morris' weaker case) score 80.
            const bool strict = o[i] != cl[i - 1] && cl[i] != o[i - 1];
            out[i] = c.color(i) * (strict ? 100.0 : 80.0);
        } else {
            out[i] = 0.0;
        }
    }
}

namespace {

// Hammer and hanging man share the candle shape and differ only in where the body sits
// relative to the previous candle.
template <typename Placed>
void hammer_shape(const Candles& c, double value, std::span<double> out, Placed placed) noexcept {
    if (!warm_up(out, kCdlHammerLookback)) {
        return;
    }
    const std::size_t first = kCdlHammerLookback;
    CandleAverage body_short(c, cs::kBodyShort, first);
    CandleAverage shadow_long(c, cs::kShadowLong, first);
    CandleAverage shadow_very_short(c, cs::kShadowVeryShort, first);
    // "Near" is measured on the previous candle.
    CandleAverage near(c, cs::kNear, first - 1);
    for (std::size_t i = first; i < c.size(); ++i) {
        // shadow_long is this candle's own body, not an average: tested first ("Cheap tests
        // first" above).
        const bool hit = c.lower_shadow(i) > shadow_long.value() &&
                         c.real_body(i) < body_short.value() &&
                         c.upper_shadow(i) < shadow_very_short.value() &&
                         placed(c.body_bottom(i), i, near.value());
        out[i] = hit ? value : 0.0;
        body_short.advance();
        shadow_long.advance();
        shadow_very_short.advance();
        near.advance();
    }
}

// Morning star (direction 1) and evening star (-1).
void star(const Candles& c, double penetration, int direction, std::span<double> out) noexcept {
    if (!warm_up(out, kCdlMorningStarLookback)) {
        return;
    }
    const std::size_t first = kCdlMorningStarLookback;
    CandleAverage body_long(c, cs::kBodyLong, first - 2);
    auto body_short = make_averages<2>(c, cs::kBodyShort, first);
    for (std::size_t i = first; i < c.size(); ++i) {
        const double first_body = c.real_body(i - 2);
        const bool gap =
            direction > 0 ? c.real_body_gap_down(i - 1, i - 2) : c.real_body_gap_up(i - 1, i - 2);
        const bool closes_within = direction > 0
                                       ? c.close[i] > c.close[i - 2] + first_body * penetration
                                       : c.close[i] < c.close[i - 2] - first_body * penetration;
        // Tests that read no average first ("Cheap tests first" above).
        const bool hit = c.color(i - 2) == -direction && c.color(i) == direction && gap &&
                         closes_within && first_body > body_long.value() &&
                         c.real_body(i - 1) <= body_short.at[1].value() &&
                         c.real_body(i) > body_short.at[0].value();
        out[i] = hit ? 100.0 * direction : 0.0;
        body_long.advance();
        body_short.advance();
    }
}

}  // namespace

void cdl_hammer(const Candles& c, std::span<double> out) noexcept {
    hammer_shape(c, 100.0, out, [&c](double bottom, std::size_t i, double near) {
        return bottom <= c.low[i - 1] + near;
    });
}

void cdl_hanging_man(const Candles& c, std::span<double> out) noexcept {
    hammer_shape(c, -100.0, out, [&c](double bottom, std::size_t i, double near) {
        return bottom >= c.high[i - 1] - near;
    });
}

void cdl_morning_star(const Candles& c, double penetration, std::span<double> out) noexcept {
    star(c, penetration, 1, out);
}

void cdl_evening_star(const Candles& c, double penetration, std::span<double> out) noexcept {
    star(c, penetration, -1, out);
}

void cdl_3_white_soldiers(const Candles& c, std::span<double> out) noexcept {
    if (!warm_up(out, kCdl3WhiteSoldiersLookback)) {
        return;
    }
    const std::size_t first = kCdl3WhiteSoldiersLookback;
    auto very_short = make_averages<3>(c, cs::kShadowVeryShort, first);
    auto near = make_averages<3>(c, cs::kNear, first);
    auto far = make_averages<3>(c, cs::kFar, first);
    CandleAverage body_short(c, cs::kBodyShort, first);
    const auto& o = c.open;
    const auto& cl = c.close;
    for (std::size_t i = first; i < c.size(); ++i) {
        // Tests that read no average first ("Cheap tests first" above).
        const bool hit = c.color(i - 2) == 1 && c.color(i - 1) == 1 && c.color(i) == 1 &&
                         cl[i] > cl[i - 1] && cl[i - 1] > cl[i - 2] && o[i - 1] > o[i - 2] &&
                         o[i] > o[i - 1] && c.upper_shadow(i - 2) < very_short.at[2].value() &&
                         c.upper_shadow(i - 1) < very_short.at[1].value() &&
                         c.upper_shadow(i) < very_short.at[0].value() &&
                         // each opens within or near the previous body
                         o[i - 1] <= cl[i - 2] + near.at[2].value() &&
                         o[i] <= cl[i - 1] + near.at[1].value() &&
                         // not far shorter than the previous one (else it is an advance block)
                         c.real_body(i - 1) > c.real_body(i - 2) - far.at[2].value() &&
                         c.real_body(i) > c.real_body(i - 1) - far.at[1].value() &&
                         c.real_body(i) > body_short.value();
        out[i] = hit ? 100.0 : 0.0;
        very_short.advance();
        near.advance();
        far.advance();
        body_short.advance();
    }
}

void cdl_3_black_crows(const Candles& c, std::span<double> out) noexcept {
    if (!warm_up(out, kCdl3BlackCrowsLookback)) {
        return;
    }
    const std::size_t first = kCdl3BlackCrowsLookback;
    auto very_short = make_averages<3>(c, cs::kShadowVeryShort, first);
    const auto& o = c.open;
    const auto& cl = c.close;
    for (std::size_t i = first; i < c.size(); ++i) {
        // Tests that read no average first ("Cheap tests first" above).
        const bool hit = c.color(i - 3) == 1 && c.color(i - 2) == -1 && c.color(i - 1) == -1 &&
                         c.color(i) == -1 &&
                         // each opens within the previous body
                         o[i - 1] < o[i - 2] && o[i - 1] > cl[i - 2] && o[i] < o[i - 1] &&
                         o[i] > cl[i - 1] && c.high[i - 3] > cl[i - 2] && cl[i - 2] > cl[i - 1] &&
                         cl[i - 1] > cl[i] && c.lower_shadow(i - 2) < very_short.at[2].value() &&
                         c.lower_shadow(i - 1) < very_short.at[1].value() &&
                         c.lower_shadow(i) < very_short.at[0].value();
        out[i] = hit ? -100.0 : 0.0;
        very_short.advance();
    }
}

void cdl_harami(const Candles& c, std::span<double> out) noexcept {
    if (!warm_up(out, kCdlHaramiLookback)) {
        return;
    }
    const std::size_t first = kCdlHaramiLookback;
    CandleAverage body_long(c, cs::kBodyLong, first - 1);
    CandleAverage body_short(c, cs::kBodyShort, first);
    for (std::size_t i = first; i < c.size(); ++i) {
        double value = 0.0;
        const double top = c.body_top(i);
        const double bottom = c.body_bottom(i);
        const double outer_top = c.body_top(i - 1);
        const double outer_bottom = c.body_bottom(i - 1);
        // The body inside the previous one first: it reads no average ("Cheap tests first" above).
        if (top <= outer_top && bottom >= outer_bottom && c.real_body(i - 1) > body_long.value() &&
            c.real_body(i) <= body_short.value()) {
            // The sign is against the first candle's colour.
            value = -c.color(i - 1) * (top < outer_top && bottom > outer_bottom ? 100.0 : 80.0);
        }
        out[i] = value;
        body_long.advance();
        body_short.advance();
    }
}

void cdl_piercing(const Candles& c, std::span<double> out) noexcept {
    if (!warm_up(out, kCdlPiercingLookback)) {
        return;
    }
    const std::size_t first = kCdlPiercingLookback;
    auto body_long = make_averages<2>(c, cs::kBodyLong, first);
    const auto& o = c.open;
    const auto& cl = c.close;
    for (std::size_t i = first; i < c.size(); ++i) {
        // Tests that read no average first ("Cheap tests first" above).
        const bool hit = c.color(i - 1) == -1 && c.color(i) == 1 && o[i] < c.low[i - 1] &&
                         cl[i] < o[i - 1] && cl[i] > cl[i - 1] + c.real_body(i - 1) * 0.5 &&
                         c.real_body(i - 1) > body_long.at[1].value() &&
                         c.real_body(i) > body_long.at[0].value();
        out[i] = hit ? 100.0 : 0.0;
        body_long.advance();
    }
}

void cdl_dark_cloud_cover(const Candles& c, double penetration, std::span<double> out) noexcept {
    if (!warm_up(out, kCdlDarkCloudCoverLookback)) {
        return;
    }
    const std::size_t first = kCdlDarkCloudCoverLookback;
    CandleAverage body_long(c, cs::kBodyLong, first - 1);
    const auto& o = c.open;
    const auto& cl = c.close;
    for (std::size_t i = first; i < c.size(); ++i) {
        // Tests that read no average first ("Cheap tests first" above).
        const bool hit = c.color(i - 1) == 1 && c.color(i) == -1 && o[i] > c.high[i - 1] &&
                         cl[i] > o[i - 1] && cl[i] < cl[i - 1] - c.real_body(i - 1) * penetration &&
                         c.real_body(i - 1) > body_long.value();
        out[i] = hit ? -100.0 : 0.0;
        body_long.advance();
    }
}

}  // namespace gs::indicators
