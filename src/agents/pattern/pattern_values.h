#pragma once

// The candle agents' pattern values over the recent bars, one definition for the batch and the
// streaming form (issue 12).
//
// A bar's value is the kernel over that bar's own lookback window alone, bars [b - L, b]: TA-Lib's
// output for startIdx = endIdx = b, whose candle averages are seeded over exactly the bars
// before each candle (candle_settings.h). Because it depends on nothing older, the streaming
// state computes each bar's value once, when the bar arrives, and keeps the last kRecentWindow;
// re-running the kernel over the last 13-18 bars on every bar was 16 % of a new bar's cost. The
// batch form computes the same few values from the bars, the same way, so the two agree bit for
// bit (tests/agents/streaming_parity_test.cpp); the TA-Lib tests check them against TA-Lib's
// columns (tests/agents/pattern/pattern_agents_test.cpp).

#include <array>
#include <cstddef>
#include <span>
#include <tuple>

#include "agents/bars_tail.h"
#include "agents/pattern/pattern_context.h"
#include "agents/tail.h"
#include "goldensignals/indicators/candle_settings.h"
#include "goldensignals/market/bars_view.h"

namespace gs::agents::pattern {

// A candle kernel of indicators/candles.h, its parameters bound (a penetration).
using Kernel = void (*)(const indicators::Candles& c, std::span<double> out) noexcept;

// The value of `K` (lookback `L`) at bar b of `c` (b >= L), from bars [b - L, b] alone.
template <std::size_t L, Kernel K>
double value_at(const indicators::Candles& c, std::size_t b) noexcept {
    const std::size_t from = b - L;
    std::array<double, L + 1> out;
    K({c.open.subspan(from, L + 1), c.high.subspan(from, L + 1), c.low.subspan(from, L + 1),
       c.close.subspan(from, L + 1)},
      out);
    return out.back();
}

// The batch form: the values at the last kRecentWindow bars of `bars` (fewer when fewer bars
// have a value), oldest first, written into `buffer`.
template <std::size_t L, Kernel K>
std::span<const double> recent_values(const market::BarsView& bars,
                                      std::array<double, kRecentWindow>& buffer) noexcept {
    const auto c = candles_of(bars);
    const std::size_t n = c.size();
    const std::size_t first = n > L + kRecentWindow ? n - kRecentWindow : L;
    std::size_t k = 0;
    for (std::size_t b = first; b < n; ++b) {
        buffer[k++] = value_at<L, K>(c, b);
    }
    return std::span<const double>(buffer).first(k);
}

// The streaming form: the last kRecentWindow values, one computed per bar taken.
template <std::size_t L, Kernel K>
class RecentValues {
  public:
    // After the newest bar was appended to `c` (which holds at least its last L + 1 bars).
    void update(const indicators::Candles& c) noexcept {
        if (c.size() > L) {
            values_.push(value_at<L, K>(c, c.size() - 1));
        }
    }
    std::span<const double> values() const noexcept { return values_.values(); }

  private:
    Tail<kRecentWindow> values_;
};

// A candle agent's whole streaming form: the newest N bars its rule reads and the recent values
// of its kernels (RecentValues...), handed to `Verdict(bars, values...)`, the rule the batch
// form calls with recent_values() of the same kernels.
template <std::size_t N, auto Verdict, typename... Values>
class PatternStream {
  public:
    void update(const market::Bar& bar) noexcept {
        recent_.push(bar);
        // Built from the columns, not copied out of a view(): GCC copies a just-built view's
        // spans with 16-byte loads over 8-byte stores, which cannot be forwarded, and those
        // four stalls were a quarter of a candle agent's update.
        const indicators::Candles candles{recent_.open(), recent_.high(), recent_.low(),
                                          recent_.close()};
        std::apply([&candles](auto&... v) { (v.update(candles), ...); }, values_);
    }
    AgentResult evaluate() const {
        return std::apply(
            [this](const auto&... v) { return Verdict(recent_.view(), v.values()...); }, values_);
    }

  private:
    BarsTail<N> recent_;
    std::tuple<Values...> values_;
};

}  // namespace gs::agents::pattern
