// adx_dmi (trend): ADX 14 with +DI 14 / -DI 14 (TA_ADX, TA_PLUS_DI, TA_MINUS_DI).
//
// Rule, on the latest bar:
//   spread    = (+DI - -DI) / (+DI + -DI), 0 when both are 0      (in [-1, 1])
//   ADX >= 25 (a trend) and +DI > -DI: BUY,  -DI > +DI: SELL,
//       confidence = 0.3 + 0.4 * min((ADX - 25) / 25, 1) + 0.3 * min(|spread| / 0.5, 1)
//   ADX >= 25 with equal DIs: HOLD (confidence 0.5, lean 0).
//   ADX < 25 (below 20: no trend; 20..25: one may be forming): HOLD,
//       confidence = (25 - ADX) / 25, lean = 0.5 * spread * ADX / 25.
// Flat prices give DI = ADX = 0: a HOLD of confidence 1.
// min_bars: kMinBars below, derived from the lookbacks (lookback.h).
#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "agents/lookback.h"
#include "agents/params.h"
#include "agents/streaming.h"
#include "goldensignals/agents/agent.h"
#include "goldensignals/indicators/adx.h"
#include "goldensignals/indicators/streaming/trend.h"

namespace gs::agents {
namespace {

struct Params {
    int period = 14;
    double trend = 25;     // ADX at or above: a trend
    double no_trend = 20;  // ADX below: no trend (between the two: a weak one)
    double full_adx = 25;  // ADX above `trend` by this much is full strength
    double full_spread = 0.5;
};
constexpr Params kParams{};
constexpr FixedText kParamsJson = params_json(
    {{"period", kParams.period}, {"trend", kParams.trend}, {"no_trend", kParams.no_trend}});
constexpr std::size_t kMinBars = lookback::bars_for(lookback::adx(kParams.period));
constexpr double kTrending = kParams.trend;

AgentResult verdict(double a, double p, double m);

AgentResult evaluate(const market::BarsView& bars, Workspace& ws) {
    const std::size_t n = bars.size();
    if (n < kMinBars) {
        return abstain(Reason("fewer than {} bars", kMinBars));
    }
    auto plus = ws.take(n);
    auto minus = ws.take(n);
    auto adx = ws.take(n);
    indicators::dmi(bars.high, bars.low, bars.close, kParams.period, plus, minus, adx);
    return verdict(adx[n - 1], plus[n - 1], minus[n - 1]);
}

// The rule on the latest ADX `a`, +DI `p` and -DI `m`.
AgentResult verdict(double a, double p, double m) {
    const double spread = p + m > 0.0 ? (p - m) / (p + m) : 0.0;
    AgentResult r;
    if (a >= kTrending && p != m) {
        const double confidence = 0.3 + 0.4 * std::min((a - kTrending) / kParams.full_adx, 1.0) +
                                  0.3 * std::min(std::abs(spread) / kParams.full_spread, 1.0);
        if (p > m) {
            r = buy(confidence,
                    Reason("trend (ADX {:.1f}) up: +DI {:.1f} over -DI {:.1f}", a, p, m));
        } else {
            r = sell(confidence,
                     Reason("trend (ADX {:.1f}) down: -DI {:.1f} over +DI {:.1f}", a, m, p));
        }
    } else if (a >= kTrending) {
        r = hold(0.5, 0.0, Reason("trend (ADX {:.1f}) without direction: +DI = -DI", a));
    } else {
        r = hold((kTrending - a) / kTrending, 0.5 * spread * a / kTrending,
                 Reason("{} (ADX {:.1f}), +DI {:.1f}, -DI {:.1f}",
                        a < kParams.no_trend ? "no trend" : "weak trend", a, p, m));
    }
    r.add("adx", a);
    r.add("plus_di", p);
    r.add("minus_di", m);
    return r;
}

class Stream {
  public:
    void update(const market::Bar& bar) { value_ = dmi_.update(bar.high, bar.low, bar.close); }
    AgentResult evaluate() const { return verdict(value_.adx, value_.plus_di, value_.minus_di); }

  private:
    indicators::streaming::Dmi dmi_{kParams.period};
    indicators::streaming::DmiValue value_{indicators::kNaN, indicators::kNaN, indicators::kNaN};
};

void series(const market::BarsView& bars, SeriesSet& out) {
    const std::size_t n = bars.size();
    const auto [adx, plus_di, minus_di] = out.add_all<3>({"adx", "plus_di", "minus_di"}, n);
    indicators::dmi(bars.high, bars.low, bars.close, kParams.period, plus_di, minus_di, adx);
}

}  // namespace

extern const AgentDef kAdxDmi = {
    "adx_dmi", Category::kTrend, kParamsJson.view(),  kMinBars,
    evaluate,  series,           &stream_ops<Stream>,
};

}  // namespace gs::agents
