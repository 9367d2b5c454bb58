// cmo (momentum): Chande Momentum Oscillator 14 of the close (TA_CMO: TA-Lib smooths gains
// and losses with Wilder's averages, as for its RSI), read as mean reversion with the band
// rule of band_oscillator.h: oversold -50, overbought 50, full confidence 30 past a threshold
// (-80 / 80); HOLD confidence 1 at 0, lean -cmo / 100.
//
// The close did not change over the last period + 1 bars: ABSTAIN (CMO is 0/0 there).
// min_bars: kMinBars below, derived from the lookbacks (lookback.h).
#include <algorithm>

#include <fmt/format.h>

#include "agents/band_oscillator.h"
#include "agents/lookback.h"
#include "agents/params.h"
#include "goldensignals/agents/agent.h"
#include "goldensignals/indicators/cmo.h"

namespace gs::agents {
namespace {

struct Params {
    int period = 14;
    BandRule band{.oversold = -50, .overbought = 50, .full = 30};
};
constexpr Params kParams{};
constexpr FixedText kParamsJson = params_json({{"period", kParams.period},
                                               {"oversold", kParams.band.oversold},
                                               {"overbought", kParams.band.overbought}});
constexpr std::size_t kMinBars = lookback::bars_for(lookback::cmo(kParams.period));
constexpr BandReasons kReasons = band_reasons("CMO", kParams.band);

AgentResult evaluate(const market::BarsView& bars, Workspace& ws) {
    const std::size_t n = bars.size();
    auto cmo = ws.take(n);
    indicators::cmo(bars.close, kParams.period, cmo);
    const double value = cmo[n - 1];
    const auto recent = bars.close.last(kMinBars);
    const auto [lo, hi] = std::minmax_element(recent.begin(), recent.end());
    AgentResult r =
        *lo == *hi
            ? abstain(fmt::format("close unchanged over the last {} bars: CMO undefined", kMinBars))
            : band_verdict(kParams.band, value,
                           [&](BandZone zone) { return band_reason(kReasons, zone, value); });
    r.add("cmo", value);
    return r;
}

void series(const market::BarsView& bars, SeriesSet& out) {
    indicators::cmo(bars.close, kParams.period, out.add("cmo", bars.size()));
}

}  // namespace

extern const AgentDef kCmo = {
    "cmo", Category::kMomentum, kParamsJson.view(), kMinBars, evaluate, series,
};

}  // namespace gs::agents
