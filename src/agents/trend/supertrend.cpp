// supertrend (trend): SuperTrend on ATR 10 (TA_ATR, Wilder) x 3 around (high + low) / 2.
//
// Rule, on the latest bar (direction +1 = line under the price, -1 = over it):
//   fresh     = 1 - bars_since_flip / 10, floored at 0 (a flip is where the direction
//               changed; looked for in the last 10 bars)
//   distance  = min(|close - supertrend| / (3 * ATR), 1)
//   direction +1: BUY,  -1: SELL,
//       confidence = 0.4 + 0.3 * fresh + 0.3 * distance
//   ATR = 0 (flat prices: the bands collapse onto the price): HOLD (confidence 1, lean 0).
// min_bars: kMinBars below, derived from the lookbacks (lookback.h).
#include <algorithm>
#include <array>
#include <cmath>
#include <string>

#include <fmt/format.h>

#include "agents/agent_math.h"
#include "agents/line_cross.h"
#include "agents/lookback.h"
#include "agents/params.h"
#include "agents/streaming.h"
#include "agents/tail.h"
#include "goldensignals/agents/agent.h"
#include "goldensignals/indicators/core.h"
#include "goldensignals/indicators/streaming/trend.h"
#include "goldensignals/indicators/supertrend.h"

namespace gs::agents {
namespace {

struct Params {
    int atr_period = 10;
    double multiplier = 3;
    std::size_t fresh_window = 10;
};
constexpr Params kParams{};
constexpr FixedText kParamsJson =
    params_json({{"atr_period", kParams.atr_period}, {"multiplier", kParams.multiplier}});
constexpr std::size_t kMinBars = lookback::bars_for(lookback::supertrend(kParams.atr_period));
constexpr int kAtrPeriod = kParams.atr_period;
constexpr double kMultiplier = kParams.multiplier;
constexpr std::size_t kFreshWindow = kParams.fresh_window;

AgentResult verdict(double a, double st, std::span<const double> dir, double c);

AgentResult evaluate(const market::BarsView& bars, Workspace& ws) {
    const std::size_t n = bars.size();
    if (n < kMinBars) {
        return abstain(Reason("fewer than {} bars", kMinBars));
    }
    auto atr = ws.take(n);
    auto line = ws.take(n);
    auto dir = ws.take(n);
    indicators::atr(bars.high, bars.low, bars.close, kAtrPeriod, atr);
    indicators::supertrend(bars.high, bars.low, bars.close, atr, kMultiplier, line, dir);
    return verdict(atr[n - 1], line[n - 1], std::span<const double>(dir).last(kFreshWindow + 1),
                   bars.close[n - 1]);
}

// The rule on the latest ATR `a`, SuperTrend line `st` and close `c`, and the directions of
// the last fresh_window + 1 bars (`dir`, ending at the latest).
AgentResult verdict(double a, double st, std::span<const double> dir, double c) {
    const double d = dir.back();
    AgentResult r;
    if (!(a > 0.0)) {
        r = hold(1.0, 0.0, "no price range (ATR 0): no trend to follow");
    } else {
        // The direction's sign against zero: a flip is a sign change.
        const std::array<double, kFreshWindow + 1> zeros{};
        const std::size_t since = bars_since_sign_change(dir, zeros, kFreshWindow);
        const double fresh = freshness(since, kFreshWindow);
        const double distance = std::min(std::abs(c - st) / (kMultiplier * a), 1.0);
        const double confidence = 0.4 + 0.3 * fresh + 0.3 * distance;
        const bool fresh_flip = since < kFreshWindow;
        if (d > 0.0) {
            r = buy(confidence,
                    fresh_flip
                        ? Reason("SuperTrend up: close {:.6g} over {:.6g}, flipped {} bars ago", c,
                                 st, since)
                        : Reason("SuperTrend up: close {:.6g} over {:.6g}", c, st));
        } else {
            r = sell(confidence,
                     fresh_flip
                         ? Reason("SuperTrend down: close {:.6g} under {:.6g}, flipped {} bars ago",
                                  c, st, since)
                         : Reason("SuperTrend down: close {:.6g} under {:.6g}", c, st));
        }
    }
    r.add("supertrend", st);
    r.add("supertrend_dir", d);
    return r;
}

class Stream {
  public:
    void update(const market::Bar& bar) {
        const indicators::streaming::SupertrendValue v =
            supertrend_.update(bar.high, bar.low, bar.close);
        atr_ = v.atr;
        line_ = v.line;
        dir_.push(v.direction);
        close_ = bar.close;
    }
    // Called with at least kMinBars >= fresh_window + 1 bars taken: the tail is full.
    static_assert(kMinBars >= kFreshWindow + 1);
    AgentResult evaluate() const { return verdict(atr_, line_, dir_.values(), close_); }

  private:
    indicators::streaming::Supertrend supertrend_{kAtrPeriod, kMultiplier};
    Tail<kFreshWindow + 1> dir_;
    double atr_ = indicators::kNaN;
    double line_ = indicators::kNaN;
    double close_ = indicators::kNaN;
};

void series(const market::BarsView& bars, SeriesSet& out) {
    const std::size_t n = bars.size();
    const auto [line, direction] = out.add_all<2>({"supertrend", "supertrend_dir"}, n);
    indicators::supertrend(bars.high, bars.low, bars.close, kAtrPeriod, kMultiplier, line,
                           direction);
}

}  // namespace

extern const AgentDef kSupertrend = {
    "supertrend", Category::kTrend, kParamsJson.view(),  kMinBars,
    evaluate,     series,           &stream_ops<Stream>,
};

}  // namespace gs::agents
