// fibonacci (statistical): 38.2 / 50 / 61.8 % retracements of the swing over the 50 bars
// before the latest (statistics.h: from the lowest low to the highest high of those bars;
// an up-swing when the low came first, levels measured down from the high; a down-swing
// when the high came first, levels measured up from the low).
//
// Rule, on the latest bar (high h, low l, close c), swing range R = swing high - swing low:
//   up-swing:   a level is held when l <= level < c (price dipped to it and closed above);
//               the deepest held level (61.8 before 50 before 38.2) gives BUY
//   down-swing: a level is held when c < level <= h; the highest held level gives SELL
//       confidence = 0.3 + 0.7 * min(|c - level| / (h - l), 1)  (how firmly it held)
//   otherwise HOLD: retraced = (swing high - c) / R for an up-swing, (c - swing low) / R for
//       a down-swing; x = clamp(1 - 2 * retraced, -1, 1) (1 at the swing's end, -1 having
//       given it all back); lean = 0.3 * direction * x, confidence = 1 - 0.5 * |x|
//   no swing (R = 0, or one bar holds both extremes): HOLD, lean 0, confidence 1.
// min_bars: kMinBars below, derived from the lookbacks (lookback.h).
#include <algorithm>
#include <cmath>
#include <string_view>

#include <fmt/format.h>

#include "agents/lookback.h"
#include "agents/params.h"
#include "agents/streaming.h"
#include "goldensignals/agents/agent.h"
#include "goldensignals/indicators/core.h"
#include "goldensignals/indicators/statistics.h"
#include "goldensignals/indicators/streaming/volatility.h"

namespace gs::agents {
namespace {

struct Params {
    int swing = 50;  // bars before the latest the swing is found in
    std::array<double, 3> levels = {
        0.382, 0.5, 0.618};  // the kernel's retracements (statistics.h), served for reference
};
constexpr Params kParams{};
constexpr FixedText kParamsJson =
    params_json({{"swing", kParams.swing}, {"levels", std::span<const double>(kParams.levels)}});
constexpr std::size_t kMinBars = lookback::bars_for(lookback::prior_extreme(kParams.swing));
constexpr int kSwing = kParams.swing;

struct Level {
    double value;
    std::string_view name;
};

// The rule on the swing of the bars before the latest and the latest bar's high, low and close
// (shared by the batch and streaming forms).
AgentResult verdict(const indicators::Swing& swing, double h, double l, double c) {
    const auto levels = indicators::fibonacci_levels(swing);
    const double range = swing.high - swing.low;
    const double direction = swing.direction;

    AgentResult r;
    if (!(range > 0.0) || swing.direction == 0) {
        r = hold(1.0, 0.0, Reason("no swing over the last {} bars", kSwing));
    } else {
        const Level deepest_first[] = {
            {levels.fib_618, "61.8%"}, {levels.fib_500, "50%"}, {levels.fib_382, "38.2%"}};
        const Level* held = nullptr;
        for (const auto& level : deepest_first) {
            const bool holds = direction > 0.0 ? (l <= level.value && c > level.value)
                                               : (h >= level.value && c < level.value);
            if (holds) {
                held = &level;
                break;
            }
        }
        if (held != nullptr) {
            // h > l here: the bar reached the level and closed away from it.
            const double firmness = std::min(std::abs(c - held->value) / (h - l), 1.0);
            const double confidence = 0.3 + 0.7 * firmness;
            if (direction > 0.0) {
                r = buy(confidence, Reason("up-swing: dipped to the {} retracement {:.4g} and "
                                           "closed above at {:.4g}",
                                           held->name, held->value, c));
            } else {
                r = sell(confidence, Reason("down-swing: rallied to the {} retracement {:.4g} "
                                            "and closed below at {:.4g}",
                                            held->name, held->value, c));
            }
        } else {
            const double retraced =
                direction > 0.0 ? (swing.high - c) / range : (c - swing.low) / range;
            const double x = std::clamp(1.0 - 2.0 * retraced, -1.0, 1.0);
            r = hold(
                1.0 - 0.5 * std::abs(x), 0.3 * direction * x,
                Reason("{}-swing {:.4g} - {:.4g} retraced {:.0f}%, no level tested",
                       direction > 0.0 ? "up" : "down", swing.low, swing.high, retraced * 100.0));
        }
    }
    r.add("fib_382", levels.fib_382);
    r.add("fib_500", levels.fib_500);
    r.add("fib_618", levels.fib_618);
    return r;
}

AgentResult evaluate(const market::BarsView& bars, Workspace& /*ws*/) {
    const std::size_t n = bars.size();
    const auto swing = indicators::find_swing(bars.high.subspan(n - kMinBars, kSwing),
                                              bars.low.subspan(n - kMinBars, kSwing));
    return verdict(swing, bars.high[n - 1], bars.low[n - 1], bars.close[n - 1]);
}

// The swing from monotonic deques that keep the latest of equal extremes, as find_swing()
// does (indicators/streaming/volatility.h).
class Stream {
  public:
    void update(const market::Bar& bar) {
        swing_ = swing_state_.update(bar.high, bar.low);
        high_ = bar.high;
        low_ = bar.low;
        close_ = bar.close;
    }
    AgentResult evaluate() const { return verdict(swing_, high_, low_, close_); }

  private:
    indicators::streaming::PriorSwing swing_state_{kSwing};
    indicators::Swing swing_{indicators::kNaN, indicators::kNaN, 0};
    double high_ = indicators::kNaN;
    double low_ = indicators::kNaN;
    double close_ = indicators::kNaN;
};

void series(const market::BarsView& bars, SeriesSet& out) {
    const std::size_t n = bars.size();
    const auto [fib_382, fib_500, fib_618] = out.add_all<3>({"fib_382", "fib_500", "fib_618"}, n);
    indicators::fibonacci_retracements(bars.high, bars.low, kSwing, {fib_382, fib_500, fib_618});
}

}  // namespace

extern const AgentDef kFibonacci = {
    "fibonacci", Category::kStatistical, kParamsJson.view(), kMinBars, evaluate,
    series,      &stream_ops<Stream>,
};

}  // namespace gs::agents
