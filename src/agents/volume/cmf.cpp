// cmf (volume): Chaikin Money Flow 20 = sum(money-flow volume, 20) / sum(volume, 20), with the
// money-flow volume ((c - l) - (h - c)) / (h - l) x volume (0 for a bar without range).
//
// Rule, on the latest bar:
//   cmf >= 0.05: BUY,  confidence = 0.3 + 0.7 * min((cmf - 0.05) / 0.25, 1)
//   cmf <= -0.05: SELL, confidence = 0.3 + 0.7 * min((-cmf - 0.05) / 0.25, 1)
//       (+/- 0.30 is full strength)
//   otherwise HOLD, lean = 8 * cmf (within +/- 0.4), confidence = 1 - |cmf| / 0.05.
//   No volume over the 20 bars: cmf 0, HOLD with confidence 1.
// min_bars: kMinBars below, derived from the lookbacks (lookback.h).
#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "agents/lookback.h"
#include "agents/params.h"
#include "agents/streaming.h"
#include "goldensignals/agents/agent.h"
#include "goldensignals/indicators/cmf.h"
#include "goldensignals/indicators/streaming/volume.h"

namespace gs::agents {
namespace {

struct Params {
    int period = 20;
    double threshold = 0.05;
    double full_extra = 0.25;
};
constexpr Params kParams{};
constexpr FixedText kParamsJson =
    params_json({{"period", kParams.period}, {"threshold", kParams.threshold}});
constexpr std::size_t kMinBars = lookback::bars_for(lookback::cmf(kParams.period));
// Reason formats with the threshold written in (no per-evaluation formatting of constants).
constexpr FixedText kBuyReason =
    format_text("Chaikin Money Flow {:+.3f}: buying pressure (>= ", kParams.threshold, ")");
constexpr FixedText kSellReason =
    format_text("Chaikin Money Flow {:+.3f}: selling pressure (<= ", -kParams.threshold, ")");
constexpr int kPeriod = kParams.period;
constexpr double kThreshold = kParams.threshold;
constexpr double kFullExtra = kParams.full_extra;

// The rule on the latest CMF.
AgentResult verdict(double cmf) {
    AgentResult r;
    if (cmf >= kThreshold) {
        r = buy(0.3 + 0.7 * std::min((cmf - kThreshold) / kFullExtra, 1.0),
                Reason(kBuyReason.view(), cmf));
    } else if (cmf <= -kThreshold) {
        r = sell(0.3 + 0.7 * std::min((-cmf - kThreshold) / kFullExtra, 1.0),
                 Reason(kSellReason.view(), cmf));
    } else {
        r = hold(1.0 - std::abs(cmf) / kThreshold, 8.0 * cmf,
                 Reason("Chaikin Money Flow {:+.3f}: neutral", cmf));
    }
    r.add("cmf", cmf);
    return r;
}

AgentResult evaluate(const market::BarsView& bars, Workspace&) {
    // Only the latest window matters: O(period) instead of a full-length pass.
    return verdict(
        indicators::cmf_at(bars.high, bars.low, bars.close, bars.volume, kPeriod, bars.size() - 1));
}

// The streaming CMF keeps the window's money-flow volumes (one division per bar, not per
// window) and sums them as cmf_at does: the same bits.
class Stream {
  public:
    void update(const market::Bar& bar) {
        cmf_ = state_.update(bar.high, bar.low, bar.close, bar.volume);
    }
    AgentResult evaluate() const { return verdict(cmf_); }

  private:
    indicators::streaming::Cmf state_{kPeriod};
    double cmf_ = 0.0;
};

void series(const market::BarsView& bars, SeriesSet& out) {
    indicators::cmf(bars.high, bars.low, bars.close, bars.volume, kPeriod,
                    out.add("cmf", bars.size()));
}

}  // namespace

extern const AgentDef kCmf = {
    "cmf", Category::kVolume, kParamsJson.view(), kMinBars, evaluate, series, &stream_ops<Stream>,
};

}  // namespace gs::agents
