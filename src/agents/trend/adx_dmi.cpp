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
// Needs 28 bars (TA_ADX lookback 27 + 1).
#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "goldensignals/agents/agent.h"
#include "goldensignals/indicators/adx.h"

namespace gs::agents {
namespace {

constexpr int kPeriod = 14;
constexpr std::size_t kMinBars = 28;
constexpr double kTrending = 25.0;

AgentResult evaluate(const market::BarsView& bars, Workspace& ws) {
    const std::size_t n = bars.size();
    if (n < kMinBars) {
        return abstain("fewer than 28 bars");
    }
    auto plus = ws.take(n);
    auto minus = ws.take(n);
    auto adx = ws.take(n);
    indicators::dmi(bars.high, bars.low, bars.close, kPeriod, plus, minus, adx);
    const double a = adx[n - 1];
    const double p = plus[n - 1];
    const double m = minus[n - 1];
    const double spread = p + m > 0.0 ? (p - m) / (p + m) : 0.0;
    AgentResult r;
    if (a >= kTrending && p != m) {
        const double confidence = 0.3 + 0.4 * std::min((a - kTrending) / 25.0, 1.0) +
                                  0.3 * std::min(std::abs(spread) / 0.5, 1.0);
        if (p > m) {
            r = buy(confidence,
                    fmt::format("trend (ADX {:.1f}) up: +DI {:.1f} over -DI {:.1f}", a, p, m));
        } else {
            r = sell(confidence,
                     fmt::format("trend (ADX {:.1f}) down: -DI {:.1f} over +DI {:.1f}", a, m, p));
        }
    } else if (a >= kTrending) {
        r = hold(0.5, 0.0, fmt::format("trend (ADX {:.1f}) without direction: +DI = -DI", a));
    } else {
        r = hold((kTrending - a) / kTrending, 0.5 * spread * a / kTrending,
                 fmt::format("{} (ADX {:.1f}), +DI {:.1f}, -DI {:.1f}",
                             a < 20.0 ? "no trend" : "weak trend", a, p, m));
    }
    r.add("adx", a);
    r.add("plus_di", p);
    r.add("minus_di", m);
    return r;
}

void series(const market::BarsView& bars, SeriesSet& out) {
    const std::size_t n = bars.size();
    // add() may move earlier series, so take the references once all three exist.
    out.add("adx", n);
    out.add("plus_di", n);
    out.add("minus_di", n);
    auto* s = &out.series[out.series.size() - 3];
    indicators::dmi(bars.high, bars.low, bars.close, kPeriod, s[1].second, s[2].second,
                    s[0].second);
}

}  // namespace

extern const AgentDef kAdxDmi = {
    "adx_dmi", Category::kTrend, R"({"period":14,"trend":25,"no_trend":20})",
    kMinBars,  evaluate,         series,
};

}  // namespace gs::agents
