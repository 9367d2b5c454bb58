#pragma once

// TA-Lib's CandleSettings: what "long", "short", "near", ... mean for a candle, measured
// against the average size of the candles before it. The defaults below are
// TA_CandleDefaultSettings (ta_global.c); the averaging mirrors TA_CANDLEAVERAGE
// (ta_utility.h) including its order of floating-point operations, so that our pattern
// outputs agree with TA-Lib's bar for bar even where a comparison is close.

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <span>

namespace gs::indicators {

// Which size of a candle a setting measures.
enum class CandleRangeType : std::uint8_t {
    kRealBody,  // |close - open|
    kHighLow,   // high - low
    kShadows,   // upper + lower shadow (the average is halved: "one shadow")
};

struct CandleSetting {
    CandleRangeType range_type;
    // Number of preceding candles averaged; 0 means "this candle's own size".
    int avg_period;
    double factor;
};

namespace candle_settings {

// Real body longer than the average body of the 10 previous candles.
inline constexpr CandleSetting kBodyLong{CandleRangeType::kRealBody, 10, 1.0};
// Real body longer than 3 times the average body of the 10 previous candles.
inline constexpr CandleSetting kBodyVeryLong{CandleRangeType::kRealBody, 10, 3.0};
// Real body shorter than the average body of the 10 previous candles.
inline constexpr CandleSetting kBodyShort{CandleRangeType::kRealBody, 10, 1.0};
// Real body shorter than 10 % of the average high-low range of the 10 previous candles.
inline constexpr CandleSetting kBodyDoji{CandleRangeType::kHighLow, 10, 0.1};
// Shadow longer than the candle's own real body.
inline constexpr CandleSetting kShadowLong{CandleRangeType::kRealBody, 0, 1.0};
// Shadow longer than twice the candle's own real body.
inline constexpr CandleSetting kShadowVeryLong{CandleRangeType::kRealBody, 0, 2.0};
// Shadow shorter than the average single shadow of the 10 previous candles.
inline constexpr CandleSetting kShadowShort{CandleRangeType::kShadows, 10, 1.0};
// Shadow shorter than 10 % of the average high-low range of the 10 previous candles.
inline constexpr CandleSetting kShadowVeryShort{CandleRangeType::kHighLow, 10, 0.1};
// Distances and gaps: "near" <= 20 %, "far" >= 60 %, "equal" <= 5 % of the average
// high-low range of the 5 previous candles.
inline constexpr CandleSetting kNear{CandleRangeType::kHighLow, 5, 0.2};
inline constexpr CandleSetting kFar{CandleRangeType::kHighLow, 5, 0.6};
inline constexpr CandleSetting kEqual{CandleRangeType::kHighLow, 5, 0.05};

}  // namespace candle_settings

// OHLC columns, oldest first, all the same length, with the candle measures TA-Lib uses.
struct Candles {
    std::span<const double> open;
    std::span<const double> high;
    std::span<const double> low;
    std::span<const double> close;

    std::size_t size() const noexcept { return close.size(); }

    double real_body(std::size_t i) const noexcept { return std::fabs(close[i] - open[i]); }
    double upper_shadow(std::size_t i) const noexcept {
        return high[i] - (close[i] >= open[i] ? close[i] : open[i]);
    }
    double lower_shadow(std::size_t i) const noexcept {
        return (close[i] >= open[i] ? open[i] : close[i]) - low[i];
    }
    double high_low(std::size_t i) const noexcept { return high[i] - low[i]; }
    // White (1) when close >= open, black (-1) otherwise; a doji counts as white.
    int color(std::size_t i) const noexcept { return close[i] >= open[i] ? 1 : -1; }
    double body_top(std::size_t i) const noexcept { return std::fmax(open[i], close[i]); }
    double body_bottom(std::size_t i) const noexcept { return std::fmin(open[i], close[i]); }
    // Real body of `later` entirely above / below the real body of `earlier`.
    bool real_body_gap_up(std::size_t later, std::size_t earlier) const noexcept {
        return body_bottom(later) > body_top(earlier);
    }
    bool real_body_gap_down(std::size_t later, std::size_t earlier) const noexcept {
        return body_top(later) < body_bottom(earlier);
    }

    double range(CandleRangeType type, std::size_t i) const noexcept {
        switch (type) {
            case CandleRangeType::kRealBody:
                return real_body(i);
            case CandleRangeType::kHighLow:
                return high_low(i);
            case CandleRangeType::kShadows:
                return upper_shadow(i) + lower_shadow(i);
        }
        return 0.0;
    }
};

// The threshold a setting gives for one candle, as a running average over the candles
// before it, advanced one bar at a time (O(1) per bar). Like TA-Lib, the running sum is
// seeded once and then updated by adding the newest and dropping the oldest range, so
// the same bars give the same rounding as TA-Lib started at the same index.
//
// The sum is built on the first value(), not before: a pattern's cheap tests (colours, closes)
// usually fail first, and then no average is read at all. On a new bar each candle agent runs
// its kernel over one bar, where seeding every average it might need was most of its cost.
// The first value() seeds at the starting candle and replays every advance made since, the
// same additions in the same order as if it had kept up, so the bits are the same.
class CandleAverage final {
  public:
    // Tracks candle `bar`; needs bar >= setting.avg_period.
    CandleAverage(const Candles& candles, CandleSetting setting, std::size_t bar) noexcept
        : candles_(&candles), setting_(setting), first_bar_(bar), bar_(bar) {}

    // factor x (average of the previous avg_period ranges, or this candle's own range when
    // avg_period is 0), halved for shadows.
    double value() const noexcept {
        double base = 0.0;
        if (setting_.avg_period != 0) {
            catch_up();
            base = sum_ / static_cast<double>(setting_.avg_period);
        } else {
            base = candles_->range(setting_.range_type, bar_);
        }
        const double divisor = setting_.range_type == CandleRangeType::kShadows ? 2.0 : 1.0;
        return setting_.factor * base / divisor;
    }

    // Moves on to the next candle.
    void advance() noexcept {
        if (seeded_) {
            step(bar_);
        }
        ++bar_;
    }

  private:
    // The move from candle `bar` to the next. Past the last candle there is no next range to add
    // (a kernel's loop advances after its last bar too).
    void step(std::size_t bar) const noexcept {
        if (setting_.avg_period != 0 && bar + 1 < candles_->size()) {
            const auto period = static_cast<std::size_t>(setting_.avg_period);
            sum_ += candles_->range(setting_.range_type, bar) -
                    candles_->range(setting_.range_type, bar - period);
        }
    }

    // Seeds the sum at the starting candle and replays the advances made since.
    void catch_up() const noexcept {
        if (seeded_) {
            return;
        }
        const auto period = static_cast<std::size_t>(setting_.avg_period);
        for (std::size_t j = first_bar_ - period; j < first_bar_; ++j) {
            sum_ += candles_->range(setting_.range_type, j);
        }
        for (std::size_t b = first_bar_; b < bar_; ++b) {
            step(b);
        }
        seeded_ = true;
    }

    const Candles* candles_;
    CandleSetting setting_;
    std::size_t first_bar_;
    std::size_t bar_;
    // Built on first use (value() is logically const: the sum is a cache of the candles).
    mutable double sum_ = 0.0;
    mutable bool seeded_ = false;
};

}  // namespace gs::indicators
