// parabolic_sar (trend): Wilder's Parabolic SAR, acceleration 0.02, maximum 0.2 (TA_SAR).
//
// Rule, on the latest bar:
//   fresh     = 1 - bars_since_flip / 10, floored at 0 (a flip is where the close changed
//               side of the SAR; looked for in the last 10 bars)
//   distance  = min(|close - sar| / (0.05 * close), 1)
//   close > sar: BUY,  close < sar: SELL,
//       confidence = 0.4 + 0.4 * fresh + 0.2 * distance
//       (a young trend is where the SAR pays; an old one is close to its stop)
//   close = sar (flat prices): HOLD (confidence 1, lean 0).
// min_bars: kMinBars below, derived from the lookbacks (lookback.h).
#include <algorithm>
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
#include "goldensignals/indicators/sar.h"
#include "goldensignals/indicators/streaming/trend.h"

namespace gs::agents {
namespace {

struct Params {
    double acceleration = 0.02;
    double maximum = 0.2;
    std::size_t fresh_window = 10;
    double full_distance = 0.05;  // of the close
};
constexpr Params kParams{};
constexpr FixedText kParamsJson =
    params_json({{"acceleration", kParams.acceleration}, {"maximum", kParams.maximum}});
constexpr std::size_t kMinBars = lookback::bars_for(lookback::sar());
constexpr double kAcceleration = kParams.acceleration;
constexpr double kMaximum = kParams.maximum;
constexpr std::size_t kFreshWindow = kParams.fresh_window;

AgentResult verdict(std::span<const double> close, std::span<const double> sar);

AgentResult evaluate(const market::BarsView& bars, Workspace& ws) {
    const std::size_t n = bars.size();
    if (n < kMinBars) {
        return abstain(Reason("fewer than {} bars", kMinBars));
    }
    auto sar = ws.take(n);
    indicators::sar(bars.high, bars.low, kAcceleration, kMaximum, sar);
    return verdict(bars.close, sar);
}

// The rule on the closes' and the SAR's newest values (the spans end at the latest bar; the
// rule reads at most fresh_window + 1 of them).
AgentResult verdict(std::span<const double> close, std::span<const double> sar) {
    const double s = sar.back();
    const double c = close.back();
    const std::size_t since = bars_since_sign_change(close, sar, kFreshWindow);
    const double fresh = freshness(since, kFreshWindow);
    const double distance =
        c > 0.0 ? std::min(std::abs(c - s) / (kParams.full_distance * c), 1.0) : 0.0;
    const double confidence = 0.4 + 0.4 * fresh + 0.2 * distance;
    const bool fresh_flip = since < kFreshWindow;
    AgentResult r;
    if (c > s) {
        r = buy(confidence,
                fresh_flip
                    ? Reason("close {:.6g} above SAR {:.6g}, flipped {} bars ago", c, s, since)
                    : Reason("close {:.6g} above SAR {:.6g}", c, s));
    } else if (c < s) {
        r = sell(confidence,
                 fresh_flip
                     ? Reason("close {:.6g} below SAR {:.6g}, flipped {} bars ago", c, s, since)
                     : Reason("close {:.6g} below SAR {:.6g}", c, s));
    } else {
        r = hold(1.0, 0.0, "close on the SAR");
    }
    r.add("sar", s);
    return r;
}

class Stream {
  public:
    void update(const market::Bar& bar) {
        sar_tail_.push(sar_.update(bar.high, bar.low));
        close_tail_.push(bar.close);
    }
    AgentResult evaluate() const { return verdict(close_tail_.values(), sar_tail_.values()); }

  private:
    static constexpr std::size_t kTail = kFreshWindow + 1;
    indicators::streaming::Sar sar_{kAcceleration, kMaximum};
    Tail<kTail> sar_tail_;
    Tail<kTail> close_tail_;
};

void series(const market::BarsView& bars, SeriesSet& out) {
    indicators::sar(bars.high, bars.low, kAcceleration, kMaximum, out.add("sar", bars.size()));
}

}  // namespace

extern const AgentDef kParabolicSar = {
    "parabolic_sar", Category::kTrend, kParamsJson.view(),  kMinBars,
    evaluate,        series,           &stream_ops<Stream>,
};

}  // namespace gs::agents
