// momentum (momentum): momentum 10 of the close (TA_MOM, price units) normalised by ATR 14
// (TA_ATR), so the threshold means the same on any price scale and volatility.
//
// Rule, on the latest bar:
//   m = mom / atr   (the 10-bar change measured in average true ranges)
//   atr = 0 (no range at all): ABSTAIN
//   m > 1:  BUY,  confidence = 0.3 + 0.7 * min((m - 1) / 2, 1)    (full at 3 ATRs)
//   m < -1: SELL, confidence = 0.3 + 0.7 * min((-m - 1) / 2, 1)
//   otherwise: HOLD, confidence = 1 - |m| (1 at 0, 0 at one ATR), lean = m / 2
// The `mom` indicator is TA-Lib's MOM 10 (price units).
// min_bars: kMinBars below, derived from the lookbacks (lookback.h).
#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "agents/lookback.h"
#include "agents/params.h"
#include "agents/streaming.h"
#include "agents/tail.h"
#include "goldensignals/agents/agent.h"
#include "goldensignals/indicators/core.h"
#include "goldensignals/indicators/mom.h"
#include "goldensignals/indicators/streaming/core.h"

namespace gs::agents {
namespace {

struct Params {
    int period = 10;
    int atr_period = 14;
    double threshold_atr = 1;    // |momentum| in ATRs for a signal
    double full_excess_atr = 2;  // past the threshold: full strength
};
constexpr Params kParams{};
constexpr FixedText kParamsJson = params_json({{"period", kParams.period},
                                               {"atr_period", kParams.atr_period},
                                               {"threshold_atr", kParams.threshold_atr}});
constexpr std::size_t kMinBars = std::max(lookback::bars_for(lookback::mom(kParams.period)),
                                          lookback::bars_for(lookback::atr(kParams.atr_period)));
constexpr int kPeriod = kParams.period;
constexpr int kAtrPeriod = kParams.atr_period;

// The rule on the latest ATR and the close's change over `period` bars (TA_MOM).
AgentResult verdict(double range, double value) {
    AgentResult r;
    if (!(range > 0.0)) {
        r = abstain("average true range is 0: momentum cannot be normalised");
    } else {
        const double m = value / range;
        constexpr double kThreshold = kParams.threshold_atr;
        if (m > kThreshold) {
            r = buy(0.3 + 0.7 * std::min((m - kThreshold) / kParams.full_excess_atr, 1.0),
                    Reason("{}-bar momentum {:+.4g} is {:.2f} ATRs", kPeriod, value, m));
        } else if (m < -kThreshold) {
            r = sell(0.3 + 0.7 * std::min((-m - kThreshold) / kParams.full_excess_atr, 1.0),
                     Reason("{}-bar momentum {:+.4g} is {:.2f} ATRs", kPeriod, value, m));
        } else {
            r = hold(
                1.0 - std::abs(m), m / 2.0,
                Reason("{}-bar momentum {:+.4g} is {:.2f} ATRs, within one", kPeriod, value, m));
        }
    }
    r.add("mom", value);
    return r;
}

AgentResult evaluate(const market::BarsView& bars, Workspace& ws) {
    const std::size_t n = bars.size();
    auto atr = ws.take(n);
    indicators::atr(bars.high, bars.low, bars.close, kAtrPeriod, atr);
    return verdict(atr[n - 1], bars.close[n - 1] - bars.close[n - 1 - kPeriod]);  // TA_MOM
}

class Stream {
  public:
    void update(const market::Bar& bar) {
        range_ = atr_.update(bar.high, bar.low, bar.close);
        close_.push(bar.close);
    }
    AgentResult evaluate() const {
        return verdict(range_, close_.newest() - close_.values().front());
    }

  private:
    indicators::streaming::Atr atr_{kAtrPeriod};
    // The latest close and the one `period` bars before it.
    Tail<kPeriod + 1> close_;
    double range_ = indicators::kNaN;
};

void series(const market::BarsView& bars, SeriesSet& out) {
    indicators::mom(bars.close, kPeriod, out.add("mom", bars.size()));
}

}  // namespace

extern const AgentDef kMomentum = {
    "momentum", Category::kMomentum, kParamsJson.view(), kMinBars, evaluate,
    series,     &stream_ops<Stream>,
};

}  // namespace gs::agents
