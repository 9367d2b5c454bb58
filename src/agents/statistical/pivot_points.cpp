// pivot_points (statistical): classic floor-trader pivots of the previous bar,
//   pivot = (H + L + C) / 3, r1 = 2 pivot - L, s1 = 2 pivot - H, r2 = pivot + (H - L),
//   s2 = pivot - (H - L)   (H, L, C of the previous bar).
// Price that dips to a support and closes back above it has been bought there; price that
// reaches a resistance and closes back below it has been sold there.
//
// Rule, on the latest bar (high h, low l, close c):
//   bounce:    the deepest support with l <= level < c (s2 before s1)
//   rejection: the highest resistance with c < level <= h (r2 before r1)
//   (l <= level and level <= h allow 1e-12 of the level: a low exactly at S1 in 2-decimal
//   prices stays a touch when the prices are scaled and the rounding of S1 moves by an ulp)
//   bounce only: BUY, rejection only: SELL,
//       confidence = 0.3 + 0.5 * recovery + 0.2 * (level is s2 / r2)
//       recovery = |c - level| / (h - l)  (how far the close got away from the level)
//   both (a bar spanning s1 to r1 and closing between): HOLD, lean 0, confidence 0.3
//   neither: HOLD, lean = 0.3 * x, confidence = 1 - 0.5 * |x|,
//       x = (c - pivot) / (r1 - pivot) clamped to [-1, 1] (above the pivot leans up);
//       a previous bar without range (r1 = pivot): x = 0.
// min_bars: kMinBars below, derived from the lookbacks (lookback.h).
#include <algorithm>
#include <cmath>
#include <string_view>

#include <fmt/format.h>

#include "agents/lookback.h"
#include "agents/params.h"
#include "agents/streaming.h"
#include "goldensignals/agents/agent.h"
#include "goldensignals/indicators/statistics.h"

namespace gs::agents {
namespace {

struct Params {
    const char* type = "classic";  // floor-trader pivots (statistics.h)
    const char* source = "previous_bar";
};
constexpr Params kParams{};
constexpr FixedText kParamsJson = params_json({{"type", kParams.type}, {"source", kParams.source}});
// The levels in force on the latest bar come from the bar before it.
constexpr std::size_t kMinBars = lookback::bars_for(lookback::floor_pivots());

// Relative slack for "reached the level": the levels are sums of three prices, so their
// rounding differs from the bar's by a few ulp, and differently at every price scale.
constexpr double kTouch = 1e-12;

bool reached_from_above(double low, double level) {
    return low <= level + kTouch * std::abs(level);
}
bool reached_from_below(double high, double level) {
    return high >= level - kTouch * std::abs(level);
}

struct Touch {
    double level = 0.0;
    std::string_view name;
    bool deep = false;
};

// The rule on the levels `p` from the previous bar and the latest bar's high, low and close
// (shared by the batch and streaming forms).
AgentResult verdict(const indicators::Pivots& p, double h, double l, double c) {
    Touch bounce;
    if (reached_from_above(l, p.s2) && c > p.s2) {
        bounce = {p.s2, "S2", true};
    } else if (reached_from_above(l, p.s1) && c > p.s1) {
        bounce = {p.s1, "S1", false};
    }
    Touch rejection;
    if (reached_from_below(h, p.r2) && c < p.r2) {
        rejection = {p.r2, "R2", true};
    } else if (reached_from_below(h, p.r1) && c < p.r1) {
        rejection = {p.r1, "R1", false};
    }
    const double range = h - l;  // > 0 whenever a level was touched and left
    AgentResult r;
    if (!bounce.name.empty() && !rejection.name.empty()) {
        r = hold(0.3, 0.0,
                 Reason("bar spans {} to {} and closes between them", bounce.name, rejection.name));
    } else if (!bounce.name.empty()) {
        const double recovery = std::clamp((c - bounce.level) / range, 0.0, 1.0);
        r = buy(0.3 + 0.5 * recovery + (bounce.deep ? 0.2 : 0.0),
                Reason("bounced off {} {:.4g}: low {:.4g}, close {:.4g}", bounce.name, bounce.level,
                       l, c));
    } else if (!rejection.name.empty()) {
        const double recovery = std::clamp((rejection.level - c) / range, 0.0, 1.0);
        r = sell(0.3 + 0.5 * recovery + (rejection.deep ? 0.2 : 0.0),
                 Reason("rejected at {} {:.4g}: high {:.4g}, close {:.4g}", rejection.name,
                        rejection.level, h, c));
    } else {
        const double half_band = p.r1 - p.pivot;
        const double x = half_band > 0.0 ? std::clamp((c - p.pivot) / half_band, -1.0, 1.0) : 0.0;
        r = hold(1.0 - 0.5 * std::abs(x), 0.3 * x,
                 half_band > 0.0
                     ? Reason("close {:.4g} between S1 {:.4g} and R1 {:.4g}, pivot {:.4g}", c, p.s1,
                              p.r1, p.pivot)
                     : Reason("previous bar has no range; pivot {:.4g}", p.pivot));
    }
    r.add("pivot", p.pivot);
    r.add("r1", p.r1);
    r.add("s1", p.s1);
    r.add("r2", p.r2);
    r.add("s2", p.s2);
    return r;
}

AgentResult evaluate(const market::BarsView& bars, Workspace& /*ws*/) {
    const std::size_t n = bars.size();
    const auto p = indicators::floor_pivots(bars.high[n - 2], bars.low[n - 2], bars.close[n - 2]);
    return verdict(p, bars.high[n - 1], bars.low[n - 1], bars.close[n - 1]);
}

class Stream {
  public:
    void update(const market::Bar& bar) {
        previous_ = latest_;
        latest_ = bar;
    }
    AgentResult evaluate() const {
        return verdict(indicators::floor_pivots(previous_.high, previous_.low, previous_.close),
                       latest_.high, latest_.low, latest_.close);
    }

  private:
    market::Bar previous_;
    market::Bar latest_;
};

void series(const market::BarsView& bars, SeriesSet& out) {
    const std::size_t n = bars.size();
    const auto [pivot, r1, s1, r2, s2] = out.add_all<5>({"pivot", "r1", "s1", "r2", "s2"}, n);
    indicators::floor_pivot_series(bars.high, bars.low, bars.close, {pivot, r1, s1, r2, s2});
}

}  // namespace

extern const AgentDef kPivotPoints = {
    "pivot_points", Category::kStatistical, kParamsJson.view(), kMinBars, evaluate,
    series,         &stream_ops<Stream>,
};

}  // namespace gs::agents
