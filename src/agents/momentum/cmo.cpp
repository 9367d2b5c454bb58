// cmo (momentum): Chande Momentum Oscillator 14 of the close (TA_CMO: TA-Lib smooths gains
// and losses with Wilder's averages, as for its RSI), read as mean reversion with the band
// rule of band_oscillator.h: oversold -50, overbought 50, full confidence 30 past a threshold
// (-80 / 80); HOLD confidence 1 at 0, lean -cmo / 100.
//
// The close did not change over the last period + 1 bars: ABSTAIN (CMO is 0/0 there).
// min_bars: kMinBars below, derived from the lookbacks (lookback.h).
#include <algorithm>
#include <cstdint>

#include <fmt/format.h>

#include "agents/band_oscillator.h"
#include "agents/lookback.h"
#include "agents/params.h"
#include "agents/streaming.h"
#include "goldensignals/agents/agent.h"
#include "goldensignals/indicators/cmo.h"
#include "goldensignals/indicators/streaming/momentum.h"

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

// The rule on the latest CMO, given whether the close moved over the last kMinBars bars.
AgentResult verdict(double value, bool close_moved) {
    AgentResult r =
        !close_moved
            ? abstain(Reason("close unchanged over the last {} bars: CMO undefined", kMinBars))
            : band_verdict(kParams.band, value,
                           [&](BandZone zone) { return band_reason(kReasons, zone, value); });
    r.add("cmo", value);
    return r;
}

AgentResult evaluate(const market::BarsView& bars, Workspace& ws) {
    const std::size_t n = bars.size();
    auto cmo = ws.take(n);
    indicators::cmo(bars.close, kParams.period, cmo);
    const auto recent = bars.close.last(kMinBars);
    const auto [lo, hi] = std::minmax_element(recent.begin(), recent.end());
    return verdict(cmo[n - 1], *lo != *hi);
}

class Stream {
  public:
    void update(const market::Bar& bar) {
        value_ = cmo_.update(bar.close);
        high_.push(index_, bar.close);
        low_.push(index_, bar.close);
        ++index_;
    }
    AgentResult evaluate() const { return verdict(value_, low_.value() != high_.value()); }

  private:
    indicators::streaming::Cmo cmo_{kParams.period};
    indicators::streaming::RollingHigh high_{kMinBars};
    indicators::streaming::RollingLow low_{kMinBars};
    std::uint64_t index_ = 0;
    double value_ = indicators::kNaN;
};

void series(const market::BarsView& bars, SeriesSet& out) {
    indicators::cmo(bars.close, kParams.period, out.add("cmo", bars.size()));
}

}  // namespace

extern const AgentDef kCmo = {
    "cmo", Category::kMomentum, kParamsJson.view(), kMinBars, evaluate, series, &stream_ops<Stream>,
};

}  // namespace gs::agents
