// rsi (momentum): RSI 14 of the close (TA_RSI, Wilder's smoothing), read as mean reversion
// with the band rule of band_oscillator.h: oversold 30, overbought 70, full confidence 20
// past a threshold (RSI 10 / 90); HOLD confidence 1 at 50, lean (50 - rsi) / 40.
//
// The close did not change over the last period + 1 bars: ABSTAIN (RSI is 0/0 there; TA-Lib
// prints 0, which would read as deeply oversold). min_bars: the lookback + 1.
#include <algorithm>

#include <fmt/format.h>

#include "agents/band_oscillator.h"
#include "agents/lookback.h"
#include "agents/params.h"
#include "agents/streaming.h"
#include "goldensignals/agents/agent.h"
#include "goldensignals/indicators/rsi.h"
#include "goldensignals/indicators/streaming/momentum.h"

namespace gs::agents {
namespace {

struct Params {
    int period = 14;
    BandRule band{.oversold = 30, .overbought = 70, .full = 20};
};
constexpr Params kParams{};
constexpr FixedText kParamsJson = params_json({{"period", kParams.period},
                                               {"oversold", kParams.band.oversold},
                                               {"overbought", kParams.band.overbought}});
constexpr std::size_t kMinBars = lookback::bars_for(lookback::rsi(kParams.period));
constexpr BandReasons kReasons = band_reasons("RSI", kParams.band);

// The rule on the latest RSI, given whether the close moved over the last kMinBars bars.
AgentResult verdict(double value, bool close_moved) {
    AgentResult r =
        !close_moved
            ? abstain(Reason("close unchanged over the last {} bars: RSI undefined", kMinBars))
            : band_verdict(kParams.band, value,
                           [&](BandZone zone) { return band_reason(kReasons, zone, value); });
    r.add("rsi", value);
    return r;
}

AgentResult evaluate(const market::BarsView& bars, Workspace& ws) {
    const std::size_t n = bars.size();
    auto rsi = ws.take(n);
    indicators::rsi(bars.close, kParams.period, rsi);
    const auto recent = bars.close.last(kMinBars);
    const auto [lo, hi] = std::minmax_element(recent.begin(), recent.end());
    return verdict(rsi[n - 1], *lo != *hi);
}

class Stream {
  public:
    void update(const market::Bar& bar) {
        value_ = rsi_.update(bar.close);
        high_.push(index_, bar.close);
        low_.push(index_, bar.close);
        ++index_;
    }
    AgentResult evaluate() const { return verdict(value_, low_.value() != high_.value()); }

  private:
    indicators::streaming::Rsi rsi_{kParams.period};
    indicators::streaming::RollingHigh high_{kMinBars};
    indicators::streaming::RollingLow low_{kMinBars};
    std::uint64_t index_ = 0;
    double value_ = indicators::kNaN;
};

void series(const market::BarsView& bars, SeriesSet& out) {
    indicators::rsi(bars.close, kParams.period, out.add("rsi", bars.size()));
}

}  // namespace

extern const AgentDef kRsi = {
    "rsi", Category::kMomentum, kParamsJson.view(), kMinBars, evaluate, series, &stream_ops<Stream>,
};

}  // namespace gs::agents
