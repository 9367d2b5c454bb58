// obv (volume): On-Balance Volume (TA_OBV) against its SMA 20 (TA_SMA over OBV).
//
// Units: avg_volume = mean volume of the last 20 bars;
//   gap   = (obv - obv_sma) / avg_volume          (in days of average volume)
//   slope = (obv_sma[n-1] - obv_sma[n-2]) / avg_volume   (within [-1, 1] by construction)
// Rule, on the latest bar:
//   obv > obv_sma and slope > 0: BUY,  obv < obv_sma and slope < 0: SELL,
//       confidence = 0.3 + 0.4 * min(|gap| / 3, 1) + 0.3 * min(|slope|, 1)
//   otherwise HOLD (OBV and its average disagree), lean = 0.3 * clamp(gap / 3, -1, 1),
//       confidence = 1 - min(|gap| / 3, 1).
//   No volume over the last 20 bars: HOLD, confidence 1.
// min_bars: kMinBars below, derived from the lookbacks (lookback.h).
#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "agents/agent_math.h"
#include "agents/lookback.h"
#include "agents/params.h"
#include "agents/streaming.h"
#include "agents/tail.h"
#include "goldensignals/agents/agent.h"
#include "goldensignals/indicators/core.h"
#include "goldensignals/indicators/obv.h"
#include "goldensignals/indicators/streaming/volume.h"

namespace gs::agents {
namespace {

struct Params {
    int sma = 20;
    double full_gap = 3;  // OBV - its SMA, in average bar volumes
};
constexpr Params kParams{};
constexpr FixedText kParamsJson = params_json({{"sma", kParams.sma}});
// The SMA of the previous bar too, for its slope.
constexpr std::size_t kMinBars =
    lookback::bars_for(lookback::obv() + lookback::sma(kParams.sma)) + 1;
constexpr int kPeriod = kParams.sma;
constexpr double kFullGap = kParams.full_gap;

// The rule on the newest OBV values and volumes (both end at the latest bar; it reads the last
// sma + 1 values and sma volumes).
AgentResult verdict(std::span<const double> line, std::span<const double> volume) {
    const std::size_t n = line.size();
    // Only the last two SMA values are needed.
    double sum_prev = 0.0;
    for (std::size_t i = n - 1 - kPeriod; i < n - 1; ++i) {
        sum_prev += line[i];
    }
    const double volume_sum = lane_sum(volume.last(static_cast<std::size_t>(kPeriod)));
    const double sum_now = sum_prev - line[n - 1 - kPeriod] + line[n - 1];
    const double sma_now = sum_now / kPeriod;
    const double sma_prev = sum_prev / kPeriod;
    const double obv = line[n - 1];
    const double avg_volume = volume_sum / kPeriod;
    AgentResult r;
    if (!(avg_volume > 0.0)) {
        r = hold(1.0, 0.0, Reason("No volume over the last {} bars", kPeriod));
    } else {
        const double gap = (obv - sma_now) / avg_volume;
        const double slope = (sma_now - sma_prev) / avg_volume;
        const double gap_strength = std::min(std::abs(gap) / kFullGap, 1.0);
        const double confidence = 0.3 + 0.4 * gap_strength + 0.3 * std::min(std::abs(slope), 1.0);
        if (gap > 0.0 && slope > 0.0) {
            r = buy(confidence,
                    Reason("OBV {:.1f} days of volume above its rising SMA {}", gap, kPeriod));
        } else if (gap < 0.0 && slope < 0.0) {
            r = sell(confidence,
                     Reason("OBV {:.1f} days of volume below its falling SMA {}", -gap, kPeriod));
        } else {
            r = hold(
                1.0 - gap_strength, 0.3 * std::clamp(gap / kFullGap, -1.0, 1.0),
                Reason("OBV {} its SMA {} but the average is {}", gap >= 0.0 ? "above" : "below",
                       kPeriod, slope > 0.0 ? "rising" : (slope < 0.0 ? "falling" : "flat")));
        }
    }
    r.add("obv", obv);
    r.add("obv_sma", sma_now);
    return r;
}

AgentResult evaluate(const market::BarsView& bars, Workspace& ws) {
    auto line = ws.take(bars.size());
    indicators::obv(bars.close, bars.volume, line);
    return verdict(line, bars.volume);
}

class Stream {
  public:
    void update(const market::Bar& bar) {
        line_.push(obv_.update(bar.close, bar.volume));
        volume_.push(bar.volume);
    }
    AgentResult evaluate() const { return verdict(line_.values(), volume_.values()); }

  private:
    indicators::streaming::Obv obv_;
    Tail<kPeriod + 1> line_;
    Tail<kPeriod> volume_;
};

void series(const market::BarsView& bars, SeriesSet& out) {
    const std::size_t n = bars.size();
    auto line = out.add("obv", n);
    auto average = out.add("obv_sma", n);
    indicators::obv(bars.close, bars.volume, line);
    indicators::sma(line, kPeriod, average);
}

}  // namespace

extern const AgentDef kObv = {
    "obv", Category::kVolume, kParamsJson.view(), kMinBars, evaluate, series, &stream_ops<Stream>,
};

}  // namespace gs::agents
