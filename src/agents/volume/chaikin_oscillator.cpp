// chaikin_oscillator (volume): Chaikin A/D Oscillator 3 / 10 (TA_ADOSC: EMA 3 - EMA 10 of the
// A/D line, both EMAs seeded with the first A/D value as TA-Lib does).
//
// Units: avg_volume = mean volume of the last 10 bars.
//   strength = min(|adosc| / avg_volume, 1)
//   fresh    = 1 - bars_since_zero_cross / 10, floored at 0 (a cross is a change of sign of
//              adosc, looked for in the last 10 bars)
// Rule, on the latest bar:
//   strength >= 0.05 and adosc > 0: BUY, adosc < 0: SELL,
//       confidence = 0.3 + 0.4 * strength + 0.3 * fresh
//   otherwise (|adosc| under 5 % of a bar's average volume: no real pressure) HOLD,
//       lean = 0.3 * sign(adosc) * strength / 0.05, confidence = 1 - strength / 0.05.
//   No volume over the last 10 bars: HOLD, confidence 1.
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
#include "goldensignals/indicators/ad.h"
#include "goldensignals/indicators/streaming/volume.h"

namespace gs::agents {
namespace {

struct Params {
    int fast = 3;
    int slow = 10;  // also the bars of the average volume
    std::size_t fresh_window = 10;
    double dead_zone = 0.05;  // |osc| / average volume below: HOLD
};
constexpr Params kParams{};
constexpr FixedText kParamsJson = params_json({{"fast", kParams.fast}, {"slow", kParams.slow}});
constexpr std::size_t kMinBars = lookback::bars_for(lookback::adosc(kParams.fast, kParams.slow));
constexpr int kFast = kParams.fast;
constexpr int kSlow = kParams.slow;
constexpr std::size_t kFreshWindow = kParams.fresh_window;
constexpr double kDeadZone = kParams.dead_zone;

// The rule on the newest oscillator values and volumes (both end at the latest bar; it reads
// the last fresh_window + 1 values and slow volumes).
AgentResult verdict(std::span<const double> osc, std::span<const double> volume) {
    const double volume_sum = lane_sum(volume.last(static_cast<std::size_t>(kSlow)));
    const double avg_volume = volume_sum / kSlow;
    const double value = osc.back();
    AgentResult r;
    const double strength = avg_volume > 0.0 ? std::min(std::abs(value) / avg_volume, 1.0) : 0.0;
    if (!(avg_volume > 0.0)) {
        r = hold(1.0, 0.0, Reason("No volume over the last {} bars", kSlow));
    } else if (strength < kDeadZone) {
        r = hold(
            1.0 - strength / kDeadZone, 0.3 * std::copysign(strength / kDeadZone, value),
            Reason("Chaikin Oscillator near zero ({:.3f}x average volume)", value / avg_volume));
    } else {
        const std::size_t since = bars_since_zero_cross(osc, kFreshWindow);
        const double fresh = 1.0 - static_cast<double>(since) / static_cast<double>(kFreshWindow);
        const double confidence = 0.3 + 0.4 * strength + 0.3 * fresh;
        const bool fresh_cross = since < kFreshWindow;
        if (value > 0.0) {
            r = buy(confidence, fresh_cross
                                    ? Reason("Chaikin Oscillator positive ({:.2f}x average "
                                             "volume), crossed zero {} bars ago",
                                             value / avg_volume, since)
                                    : Reason("Chaikin Oscillator positive ({:.2f}x average volume)",
                                             value / avg_volume));
        } else {
            r = sell(confidence,
                     fresh_cross ? Reason("Chaikin Oscillator negative ({:.2f}x average volume), "
                                          "crossed zero {} bars ago",
                                          value / avg_volume, since)
                                 : Reason("Chaikin Oscillator negative ({:.2f}x average volume)",
                                          value / avg_volume));
        }
    }
    r.add("adosc", value);
    return r;
}

AgentResult evaluate(const market::BarsView& bars, Workspace& ws) {
    auto osc = ws.take(bars.size());
    indicators::adosc(bars.high, bars.low, bars.close, bars.volume, kFast, kSlow, osc);
    return verdict(osc, bars.volume);
}

class Stream {
  public:
    void update(const market::Bar& bar) {
        osc_.push(adosc_.update(bar.high, bar.low, bar.close, bar.volume));
        volume_.push(bar.volume);
    }
    AgentResult evaluate() const { return verdict(osc_.values(), volume_.values()); }

  private:
    indicators::streaming::Adosc adosc_{kFast, kSlow};
    Tail<kFreshWindow + 1> osc_;
    Tail<kSlow> volume_;
};

void series(const market::BarsView& bars, SeriesSet& out) {
    indicators::adosc(bars.high, bars.low, bars.close, bars.volume, kFast, kSlow,
                      out.add("adosc", bars.size()));
}

}  // namespace

extern const AgentDef kChaikinOscillator = {
    "chaikin_oscillator", Category::kVolume, kParamsJson.view(), kMinBars, evaluate, series,
    &stream_ops<Stream>,
};

}  // namespace gs::agents
