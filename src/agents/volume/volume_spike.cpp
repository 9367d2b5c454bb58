// volume_spike (volume): volume_ratio = volume / SMA 20 of volume (TA_SMA, the window includes
// the latest bar), with the latest close-to-close change.
//
// Rule, on the latest bar, change = close / prev_close - 1:
//   ratio >= 2 and change > +1 %: BUY,  ratio >= 2 and change < -1 %: SELL,
//       confidence = 0.3 + 0.4 * min((ratio - 2) / 2, 1) + 0.3 * min((|change| - 1 %) / 3 %, 1)
//       (4x average volume, or a 4 % move, is full strength)
//   otherwise HOLD, lean = 0.4 * clamp(change / 1 %, -1, 1) * min(ratio / 2, 1),
//       confidence = 1 - min(ratio / 2, 1) * min(|change| / 1 %, 1).
//   No volume over the last 20 bars: ratio 0, HOLD.
// min_bars: kMinBars below, derived from the lookbacks (lookback.h).
#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "agents/agent_math.h"
#include "agents/bars_tail.h"
#include "agents/lookback.h"
#include "agents/params.h"
#include "agents/streaming.h"
#include "goldensignals/agents/agent.h"
#include "goldensignals/indicators/core.h"

namespace gs::agents {
namespace {

struct Params {
    int sma = 20;
    double spike = 2;         // volume / its SMA
    double min_move_pct = 1;  // |close change| in %
    double full_extra_move = 0.03;
};
constexpr Params kParams{};
constexpr FixedText kParamsJson = params_json(
    {{"sma", kParams.sma}, {"spike", kParams.spike}, {"min_move_pct", kParams.min_move_pct}});
constexpr std::size_t kMinBars = lookback::bars_for(lookback::sma(kParams.sma));
constexpr int kPeriod = kParams.sma;
constexpr double kSpike = kParams.spike;
constexpr double kMinMove = kParams.min_move_pct / 100.0;
constexpr double kFullExtraMove = kParams.full_extra_move;

double ratio_of(double volume, double average) {
    return average > 0.0 ? volume / average : 0.0;
}

// The rule on the newest bars; reads the last period of them (the Stream keeps those).
AgentResult verdict(const market::BarsView& bars) {
    const std::size_t n = bars.size();
    const double sum = lane_sum(bars.volume.last(static_cast<std::size_t>(kPeriod)));
    const double ratio = ratio_of(bars.volume[n - 1], sum / kPeriod);
    const double prev = bars.close[n - 2];
    const double change = prev != 0.0 ? bars.close[n - 1] / prev - 1.0 : 0.0;
    AgentResult r;
    if (ratio >= kSpike && std::abs(change) > kMinMove) {
        const double confidence =
            0.3 + 0.4 * std::min((ratio - kSpike) / kSpike, 1.0) +
            0.3 * std::min((std::abs(change) - kMinMove) / kFullExtraMove, 1.0);
        const auto reason = Reason("Volume {:.1f}x its {}-bar average on a {:+.2f}% close", ratio,
                                   kPeriod, change * 100.0);
        r = change > 0.0 ? buy(confidence, reason) : sell(confidence, reason);
    } else {
        const double volume_part = std::min(ratio / kSpike, 1.0);
        const double move_part = std::min(std::abs(change) / kMinMove, 1.0);
        r = hold(1.0 - volume_part * move_part,
                 0.4 * std::clamp(change / kMinMove, -1.0, 1.0) * volume_part,
                 Reason("No volume spike: {:.1f}x average volume, close {:+.2f}%", ratio,
                        change * 100.0));
    }
    r.add("volume_ratio", ratio);
    return r;
}

AgentResult evaluate(const market::BarsView& bars, Workspace&) {
    return verdict(bars);
}

void series(const market::BarsView& bars, SeriesSet& out) {
    const std::size_t n = bars.size();
    auto ratio = out.add("volume_ratio", n);
    indicators::sma(bars.volume, kPeriod, ratio);
    for (std::size_t i = 0; i < n; ++i) {
        if (indicators::is_value(ratio[i])) {
            ratio[i] = ratio_of(bars.volume[i], ratio[i]);
        }
    }
}

}  // namespace

extern const AgentDef kVolumeSpike = {
    "volume_spike",
    Category::kVolume,
    kParamsJson.view(),
    kMinBars,
    evaluate,
    series,
    &stream_ops<TailStream<kPeriod, verdict>>,
};

}  // namespace gs::agents
