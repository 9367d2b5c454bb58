#pragma once

// Candlestick pattern recognition with TA-Lib's definitions (ta_CDL*.c) and default
// CandleSettings (candle_settings.h). Each function writes a full-length output aligned
// with the bars: TA-Lib's value at each bar (100 bullish, -100 bearish, 0 none; engulfing
// and harami also give +-80 when the two real bodies share one end, as TA-Lib does), and
// NaN for the first `lookback` bars, where TA-Lib gives no output. Like TA-Lib, the
// functions do not look at the trend before the pattern; the agents do.
//
// Computing over bars [from, n) of a longer series (a `last()` view) gives exactly what
// TA-Lib gives when called with startIdx = from + lookback, because TA-Lib seeds its
// running averages at startIdx.

#include <span>

#include "goldensignals/indicators/candle_settings.h"

namespace gs::indicators {

// TA-Lib lookbacks with the default CandleSettings.
inline constexpr int kCdlEngulfingLookback = 2;
inline constexpr int kCdlHammerLookback = 11;
inline constexpr int kCdlHangingManLookback = 11;
inline constexpr int kCdlMorningStarLookback = 12;
inline constexpr int kCdlEveningStarLookback = 12;
inline constexpr int kCdl3WhiteSoldiersLookback = 12;
inline constexpr int kCdl3BlackCrowsLookback = 13;
inline constexpr int kCdlHaramiLookback = 11;
inline constexpr int kCdlPiercingLookback = 11;
inline constexpr int kCdlDarkCloudCoverLookback = 11;

// CDLENGULFING: a real body of the opposite colour that engulfs the previous one. +-100, or
// +-80 when the bodies share one end; the sign is the second candle's colour.
void cdl_engulfing(const Candles& c, std::span<double> out) noexcept;

// CDLHAMMER (100): short body, lower shadow longer than the body, very short upper shadow,
// body at or near the previous candle's low.
void cdl_hammer(const Candles& c, std::span<double> out) noexcept;

// CDLHANGINGMAN (-100): the same candle with its body at or near the previous candle's high.
void cdl_hanging_man(const Candles& c, std::span<double> out) noexcept;

// CDLMORNINGSTAR (100): long black body, short body gapping down, white body closing more
// than `penetration` of the way into the first body.
void cdl_morning_star(const Candles& c, double penetration, std::span<double> out) noexcept;

// CDLEVENINGSTAR (-100): the mirror of the morning star.
void cdl_evening_star(const Candles& c, double penetration, std::span<double> out) noexcept;

// CDL3WHITESOLDIERS (100): three white candles with higher closes, very short upper shadows,
// each opening within or near the previous body and not far shorter than it, the third not
// short.
void cdl_3_white_soldiers(const Candles& c, std::span<double> out) noexcept;

// CDL3BLACKCROWS (-100): a white candle, then three declining black candles with very short
// lower shadows, each opening within the previous body, the first closing under the white
// candle's high.
void cdl_3_black_crows(const Candles& c, std::span<double> out) noexcept;

// CDLHARAMI: long body followed by a short body inside it. +-100, or +-80 when the bodies
// share one end; bullish (+) after a black candle, bearish (-) after a white one.
void cdl_harami(const Candles& c, std::span<double> out) noexcept;

// CDLPIERCING (100): long black candle, then a long white one opening below its low and
// closing above the middle of its body (but below its open).
void cdl_piercing(const Candles& c, std::span<double> out) noexcept;

// CDLDARKCLOUDCOVER (-100): long white candle, then a black one opening above its high and
// closing more than `penetration` of the way into its body (but above its open).
void cdl_dark_cloud_cover(const Candles& c, double penetration, std::span<double> out) noexcept;

}  // namespace gs::indicators
