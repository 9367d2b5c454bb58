// williams_r (momentum): Williams' %R 14 (TA_WILLR), in [-100, 0], read as mean reversion
// with the band rule of band_oscillator.h: oversold -80, overbought -20, full confidence 20
// past a threshold (-100 / 0); HOLD confidence 1 at -50, lean (-50 - %R) / 60.
//
// Highest high == lowest low over the last `period` bars: ABSTAIN (%R is 0/0 there; TA-Lib
// prints 0, which would read as overbought). min_bars: the lookback + 1.
#include <algorithm>
#include <cstdint>

#include <fmt/format.h>

#include "agents/band_oscillator.h"
#include "agents/lookback.h"
#include "agents/params.h"
#include "agents/streaming.h"
#include "goldensignals/agents/agent.h"
#include "goldensignals/indicators/streaming/trend.h"
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

// The rule on the latest %R, given the highest high and lowest low of the last kMinBars bars.
AgentResult verdict(double value, double highest, double lowest) {
    AgentResult r =
        highest == lowest
            ? abstain(Reason("no price range over the last {} bars: %R undefined", kMinBars))
            : band_verdict(kParams.band, value,
                           [&](BandZone zone) { return band_reason(kReasons, zone, value); });
    r.add("willr", value);
    return r;
}

AgentResult evaluate(const market::BarsView& bars, Workspace& ws) {
    // %R of the latest bar depends on the last `period` bars only.
    const auto recent = bars.last(kMinBars);
    auto willr = ws.take(recent.size());
    indicators::willr(recent.high, recent.low, recent.close, kParams.period, willr);
    const double highest = *std::max_element(recent.high.begin(), recent.high.end());
    const double lowest = *std::min_element(recent.low.begin(), recent.low.end());
    return verdict(willr[recent.size() - 1], highest, lowest);
}

class Stream {
  public:
    void update(const market::Bar& bar) {
        value_ = willr_.update(bar.high, bar.low, bar.close);
        high_.push(index_, bar.high);
        low_.push(index_, bar.low);
        ++index_;
    }
    AgentResult evaluate() const { return verdict(value_, high_.value(), low_.value()); }

  private:
    indicators::streaming::Willr willr_{kParams.period};
    indicators::streaming::RollingHigh high_{kMinBars};
    indicators::streaming::RollingLow low_{kMinBars};
    std::uint64_t index_ = 0;
    double value_ = indicators::kNaN;
};

void series(const market::BarsView& bars, SeriesSet& out) {
    indicators::willr(bars.high, bars.low, bars.close, kParams.period,
                      out.add("willr", bars.size()));
}

}  // namespace

extern const AgentDef kWilliamsR = {
    "williams_r", Category::kMomentum, kParamsJson.view(), kMinBars, evaluate,
    series,       &stream_ops<Stream>,
};

}  // namespace gs::agents
