// williams_r (momentum): Williams' %R 14 (TA_WILLR), in [-100, 0], read as mean reversion
// with the band rule of band_oscillator.h: oversold -80, overbought -20, full confidence 20
// past a threshold (-100 / 0); HOLD confidence 1 at -50, lean (-50 - %R) / 60.
//
// Highest high == lowest low over the last `period` bars: ABSTAIN (%R is 0/0 there; TA-Lib
// prints 0, which would read as overbought). min_bars: the lookback + 1.
#include <algorithm>

#include <fmt/format.h>

#include "agents/band_oscillator.h"
#include "agents/lookback.h"
#include "agents/params.h"
#include "goldensignals/agents/agent.h"
#include "goldensignals/indicators/willr.h"

namespace gs::agents {
namespace {

struct Params {
    int period = 14;
    BandRule band{.oversold = -80, .overbought = -20, .full = 20, .capped = false};
};
constexpr Params kParams{};
constexpr FixedText kParamsJson = params_json({{"period", kParams.period},
                                               {"oversold", kParams.band.oversold},
                                               {"overbought", kParams.band.overbought}});
constexpr std::size_t kMinBars = lookback::bars_for(lookback::willr(kParams.period));
constexpr BandReasons kReasons = band_reasons("Williams %R", kParams.band);

AgentResult evaluate(const market::BarsView& bars, Workspace& ws) {
    // %R of the latest bar depends on the last `period` bars only.
    const auto recent = bars.last(kMinBars);
    auto willr = ws.take(recent.size());
    indicators::willr(recent.high, recent.low, recent.close, kParams.period, willr);
    const double value = willr[recent.size() - 1];
    const double highest = *std::max_element(recent.high.begin(), recent.high.end());
    const double lowest = *std::min_element(recent.low.begin(), recent.low.end());
    AgentResult r =
        highest == lowest
            ? abstain(fmt::format("no price range over the last {} bars: %R undefined", kMinBars))
            : band_verdict(kParams.band, value,
                           [&](BandZone zone) { return band_reason(kReasons, zone, value); });
    r.add("willr", value);
    return r;
}

void series(const market::BarsView& bars, SeriesSet& out) {
    indicators::willr(bars.high, bars.low, bars.close, kParams.period,
                      out.add("willr", bars.size()));
}

}  // namespace

extern const AgentDef kWilliamsR = {
    "williams_r", Category::kMomentum, kParamsJson.view(), kMinBars, evaluate, series,
};

}  // namespace gs::agents
