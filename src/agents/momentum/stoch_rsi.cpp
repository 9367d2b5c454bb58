// stoch_rsi (momentum): stochastic RSI 14 / 14 / 3 (TA_STOCHRSI: fast stochastic of RSI 14,
// SMA 3 for %D), read as mean reversion.
//
// Rule, on the latest bar (K = fast %K, D = fast %D, both in [0, 100]):
//   RSI unchanged over the last 14 values (flat prices included): ABSTAIN (%K is 0/0 there;
//       TA-Lib prints 0, which would read as oversold)
//   K <= 20: BUY,  confidence = 0.3 + 0.4 * (20 - K) / 20 + 0.3 * clamp((50 - D) / 30, 0, 1)
//   K >= 80: SELL, confidence = 0.3 + 0.4 * (K - 80) / 20 + 0.3 * clamp((D - 50) / 30, 0, 1)
//       (%D deep in the same zone confirms; %D at 50 adds nothing)
//   otherwise: HOLD, confidence = 1 - |K - 50| / 30 (1 at 50, 0 at 20 and 80),
//       lean = (50 - K) / 60
// Needs 30 bars.
#include <algorithm>
#include <cmath>
#include <span>
#include <vector>

#include <fmt/format.h>

#include "goldensignals/agents/agent.h"
#include "goldensignals/indicators/rsi.h"
#include "goldensignals/indicators/stoch.h"

namespace gs::agents {
namespace {

constexpr int kRsiPeriod = 14;
constexpr int kFastK = 14;
constexpr int kFastD = 3;
constexpr std::size_t kStochSpan = (kFastK - 1) + (kFastD - 1) + 1;
constexpr double kOversold = 20.0;
constexpr double kOverbought = 80.0;

AgentResult evaluate(const market::BarsView& bars, Workspace& ws) {
    const std::size_t n = bars.size();
    auto rsi = ws.take(n);
    auto k = ws.take(kStochSpan);
    auto d = ws.take(kStochSpan);
    // The RSI is recursive and needs every bar; its stochastic only the last 16 values.
    indicators::rsi(bars.close, kRsiPeriod, rsi);
    const std::span<const double> tail = rsi.last(kStochSpan);
    indicators::stochf(tail, tail, tail, kFastK, kFastD, k, d);
    const double k_now = k[kStochSpan - 1];
    const double d_now = d[kStochSpan - 1];
    const auto window = tail.last(kFastK);
    const auto [lo, hi] = std::minmax_element(window.begin(), window.end());
    AgentResult r;
    if (*lo == *hi) {
        r = abstain("RSI unchanged over the last 14 bars: stochastic RSI undefined");
    } else if (k_now <= kOversold) {
        r = buy(0.3 + 0.4 * (kOversold - k_now) / 20.0 +
                    0.3 * std::clamp((50.0 - d_now) / 30.0, 0.0, 1.0),
                fmt::format("StochRSI %K {:.1f} at or below 20 (%D {:.1f})", k_now, d_now));
    } else if (k_now >= kOverbought) {
        r = sell(0.3 + 0.4 * (k_now - kOverbought) / 20.0 +
                     0.3 * std::clamp((d_now - 50.0) / 30.0, 0.0, 1.0),
                 fmt::format("StochRSI %K {:.1f} at or above 80 (%D {:.1f})", k_now, d_now));
    } else {
        r = hold(1.0 - std::abs(k_now - 50.0) / 30.0, (50.0 - k_now) / 60.0,
                 fmt::format("StochRSI %K {:.1f} between 20 and 80", k_now));
    }
    r.add("stochrsi_k", k_now);
    r.add("stochrsi_d", d_now);
    return r;
}

void series(const market::BarsView& bars, SeriesSet& out) {
    std::vector<double> rsi(bars.size());
    auto& k = out.add("stochrsi_k", bars.size());
    auto& d = out.add("stochrsi_d", bars.size());
    indicators::stoch_rsi(bars.close, kRsiPeriod, kFastK, kFastD, rsi, k, d);
}

}  // namespace

extern const AgentDef kStochRsi = {
    "stoch_rsi",
    Category::kMomentum,
    R"({"rsi_period":14,"fastk":14,"fastd":3,"oversold":20,"overbought":80})",
    kRsiPeriod + kStochSpan,
    evaluate,
    series,
};

}  // namespace gs::agents
