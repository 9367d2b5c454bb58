// ease_of_movement (volume): Arms' Ease of Movement, SMA 14 of the per-bar EMV
//   ((h + l) / 2 - (prev h + prev l) / 2) / ((volume / 10^8) / (h - l))
// (0 for a bar without range or volume; see indicators/emv.h for the scale).
//
// Units: consistency = emv / mean(|per-bar EMV|) over the same 14 bars, in [-1, 1]
// (1 when every bar moved up easily; the price and volume scales cancel out).
// Rule, on the latest bar:
//   consistency >= 0.1: BUY, <= -0.1: SELL, confidence = 0.3 + 0.7 * min(|consistency| / 0.6, 1)
//   otherwise HOLD, lean = 3 * consistency (within +/- 0.3), confidence = 1 - |consistency| / 0.1.
//   No movement at all in the 14 bars: HOLD, confidence 1.
// min_bars: kMinBars below, derived from the lookbacks (lookback.h).
#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "agents/bars_tail.h"
#include "agents/lookback.h"
#include "agents/params.h"
#include "agents/streaming.h"
#include "goldensignals/agents/agent.h"
#include "goldensignals/indicators/emv.h"

namespace gs::agents {
namespace {

struct Params {
    int period = 14;
    int volume_scale = 100000000;  // the kernel's volume divisor (emv.h), served for reference
    double dead_zone = 0.1;
    double full_consistency = 0.6;
};
constexpr Params kParams{};
constexpr FixedText kParamsJson =
    params_json({{"period", kParams.period}, {"volume_scale", kParams.volume_scale}});
constexpr std::size_t kMinBars = lookback::bars_for(lookback::emv(kParams.period));
constexpr int kPeriod = kParams.period;
constexpr double kDeadZone = kParams.dead_zone;
constexpr double kFullConsistency = kParams.full_consistency;

// The rule on the newest bars; reads the last period + 1 of them (the Stream keeps those).
AgentResult verdict(const market::BarsView& bars) {
    const std::size_t n = bars.size();
    // Only the latest average is needed: one pass over its `period` bars.
    double sum = 0.0;
    double sum_abs = 0.0;
    for (std::size_t i = n - kPeriod; i < n; ++i) {
        const double e = indicators::emv_bar(bars.high[i], bars.low[i], bars.high[i - 1],
                                             bars.low[i - 1], bars.volume[i]);
        sum += e;
        sum_abs += std::abs(e);
    }
    const double emv = sum / kPeriod;
    AgentResult r;
    if (!(sum_abs > 0.0)) {
        r = hold(1.0, 0.0,
                 Reason("Ease of Movement zero: no movement over the last {} bars", kPeriod));
    } else {
        const double consistency = sum / sum_abs;
        const double confidence =
            0.3 + 0.7 * std::min(std::abs(consistency) / kFullConsistency, 1.0);
        if (consistency >= kDeadZone) {
            r = buy(confidence,
                    Reason("Ease of Movement {:.3g}: price rising easily ({:.0f}% consistent)", emv,
                           consistency * 100.0));
        } else if (consistency <= -kDeadZone) {
            r = sell(confidence, Reason("Ease of Movement {:.3g}: price falling easily ({:.0f}% "
                                        "consistent)",
                                        emv, -consistency * 100.0));
        } else {
            r = hold(1.0 - std::abs(consistency) / kDeadZone, 3.0 * consistency,
                     Reason("Ease of Movement {:.3g}: no clear direction", emv));
        }
    }
    r.add("emv", emv);
    return r;
}

AgentResult evaluate(const market::BarsView& bars, Workspace&) {
    return verdict(bars);
}

void series(const market::BarsView& bars, SeriesSet& out) {
    indicators::emv(bars.high, bars.low, bars.volume, kPeriod, out.add("emv", bars.size()));
}

}  // namespace

extern const AgentDef kEaseOfMovement = {
    "ease_of_movement",
    Category::kVolume,
    kParamsJson.view(),
    kMinBars,
    evaluate,
    series,
    &stream_ops<TailStream<kPeriod + 1, verdict>>,
};

}  // namespace gs::agents
