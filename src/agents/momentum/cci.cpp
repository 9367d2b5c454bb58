// cci (momentum): Commodity Channel Index 20 (TA_CCI: typical price against its SMA, scaled
// by 0.015 x the mean absolute deviation), read as mean reversion with the band rule of
// band_oscillator.h: oversold -100, overbought 100, full confidence 100 past a threshold
// (-200 / 200); HOLD confidence 1 at 0, lean -cci / 200.
//
// Typical price unchanged over the last `period` bars: ABSTAIN (CCI is 0/0 there).
// min_bars: kMinBars below, derived from the lookbacks (lookback.h).
#include <algorithm>
#include <cstdint>
#include <limits>

#include <fmt/format.h>

#include "agents/band_oscillator.h"
#include "agents/lookback.h"
#include "agents/params.h"
#include "agents/streaming.h"
#include "goldensignals/agents/agent.h"
#include "goldensignals/indicators/cci.h"
#include "goldensignals/indicators/streaming/trend.h"

namespace gs::agents {
namespace {

struct Params {
    int period = 20;
    BandRule band{.oversold = -100, .overbought = 100, .full = 100};
};
constexpr Params kParams{};
constexpr FixedText kParamsJson = params_json({{"period", kParams.period},
                                               {"oversold", kParams.band.oversold},
                                               {"overbought", kParams.band.overbought}});
constexpr std::size_t kMinBars = lookback::bars_for(lookback::cci(kParams.period));
constexpr BandReasons kReasons = band_reasons("CCI", kParams.band);

// The typical price as TA_CCI computes it (the abstain test compares these exact values).
double typical_price(double high, double low, double close) {
    return (high + low + close) / 3;
}

// The rule on the latest CCI, given the extremes of the typical price over the last kMinBars
// bars.
AgentResult verdict(double value, double lo, double hi) {
    AgentResult r =
        lo == hi ? abstain(Reason("typical price unchanged over the last {} bars: CCI undefined",
                                  kMinBars))
                 : band_verdict(kParams.band, value,
                                [&](BandZone zone) { return band_reason(kReasons, zone, value); });
    r.add("cci", value);
    return r;
}

AgentResult evaluate(const market::BarsView& bars, Workspace& ws) {
    // CCI of the latest bar depends on the last `period` bars only.
    const auto recent = bars.last(kMinBars);
    const std::size_t m = recent.size();
    auto cci = ws.take(m);
    indicators::cci(recent.high, recent.low, recent.close, kParams.period, cci);
    double lo = std::numeric_limits<double>::infinity();
    double hi = -lo;
    for (std::size_t i = 0; i < m; ++i) {
        const double tp = typical_price(recent.high[i], recent.low[i], recent.close[i]);
        lo = std::min(lo, tp);
        hi = std::max(hi, tp);
    }
    return verdict(cci[m - 1], lo, hi);
}

// The Cci state sums its window (kMinBars = period values) per bar, as the batch kernel does.
class Stream {
  public:
    void update(const market::Bar& bar) {
        value_ = cci_.update(bar.high, bar.low, bar.close);
        const double tp = typical_price(bar.high, bar.low, bar.close);
        high_.push(index_, tp);
        low_.push(index_, tp);
        ++index_;
    }
    AgentResult evaluate() const { return verdict(value_, low_.value(), high_.value()); }

  private:
    indicators::streaming::Cci cci_{kParams.period};
    indicators::streaming::RollingHigh high_{kMinBars};
    indicators::streaming::RollingLow low_{kMinBars};
    std::uint64_t index_ = 0;
    double value_ = indicators::kNaN;
};

void series(const market::BarsView& bars, SeriesSet& out) {
    indicators::cci(bars.high, bars.low, bars.close, kParams.period, out.add("cci", bars.size()));
}

}  // namespace

extern const AgentDef kCci = {
    "cci", Category::kMomentum, kParamsJson.view(), kMinBars, evaluate, series, &stream_ops<Stream>,
};

}  // namespace gs::agents
