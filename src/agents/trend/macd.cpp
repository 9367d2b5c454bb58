// macd (trend): MACD 12 / 26 / 9 of the close (TA_MACD, TA-Lib's seeding).
//
// Rule, on the latest bar (hist = macd - macd_signal):
//   fresh     = 1 - bars_since_signal_cross / 10, floored at 0 (a cross is where the sign of
//               the histogram changed; looked for in the last 10 bars)
//   strength  = min(|hist| / (0.005 * close), 1) (a histogram of 0.5 % of the price is full)
//   confirm   = 1 when the MACD line is on the histogram's side of zero, else 0
//   hist > 0: BUY,  hist < 0: SELL,
//       confidence = 0.3 + 0.3 * strength + 0.3 * fresh + 0.1 * confirm
//   hist = 0 (flat prices): HOLD (confidence 1, lean 0).
// Needs 34 bars (TA_MACD lookback 33 + 1).
#include <algorithm>
#include <cmath>
#include <string>

#include <fmt/format.h>

#include "agents/agent_math.h"
#include "goldensignals/agents/agent.h"
#include "goldensignals/indicators/macd.h"

namespace gs::agents {
namespace {

constexpr int kFast = 12;
constexpr int kSlow = 26;
constexpr int kSignal = 9;
constexpr std::size_t kMinBars = 34;
constexpr std::size_t kFreshWindow = 10;
constexpr double kFullHistogram = 0.005;

AgentResult evaluate(const market::BarsView& bars, Workspace& ws) {
    const std::size_t n = bars.size();
    if (n < kMinBars) {
        return abstain("fewer than 34 bars");
    }
    auto line = ws.take(n);
    auto signal = ws.take(n);
    auto hist = ws.take(n);
    indicators::macd(bars.close, kFast, kSlow, kSignal, line, signal, hist);
    const double m = line[n - 1];
    const double s = signal[n - 1];
    const double h = hist[n - 1];
    const double price = bars.close[n - 1];
    const std::size_t since = bars_since_sign_change(line, signal, kFreshWindow);
    const double fresh = since >= kFreshWindow
                             ? 0.0
                             : 1.0 - static_cast<double>(since) / static_cast<double>(kFreshWindow);
    const double strength =
        price > 0.0 ? std::min(std::abs(h) / (kFullHistogram * price), 1.0) : 0.0;
    const double confirm = (h > 0.0 && m > 0.0) || (h < 0.0 && m < 0.0) ? 1.0 : 0.0;
    const double confidence = 0.3 + 0.3 * strength + 0.3 * fresh + 0.1 * confirm;
    const auto crossed =
        since < kFreshWindow ? fmt::format(", signal cross {} bars ago", since) : std::string();
    AgentResult r;
    if (h > 0.0) {
        r = buy(confidence, fmt::format("MACD {:.4g} above signal {:.4g} (histogram {:+.4g}){}", m,
                                        s, h, crossed));
    } else if (h < 0.0) {
        r = sell(confidence, fmt::format("MACD {:.4g} below signal {:.4g} (histogram {:+.4g}){}", m,
                                         s, h, crossed));
    } else {
        r = hold(1.0, 0.0, "MACD on its signal line");
    }
    r.add("macd", m);
    r.add("macd_signal", s);
    r.add("macd_hist", h);
    return r;
}

void series(const market::BarsView& bars, SeriesSet& out) {
    const std::size_t n = bars.size();
    // add() may move earlier series, so take the references once all three exist.
    out.add("macd", n);
    out.add("macd_signal", n);
    out.add("macd_hist", n);
    auto* s = &out.series[out.series.size() - 3];
    indicators::macd(bars.close, kFast, kSlow, kSignal, s[0].second, s[1].second, s[2].second);
}

}  // namespace

extern const AgentDef kMacd = {
    "macd", Category::kTrend, R"({"fast":12,"slow":26,"signal":9})", kMinBars, evaluate, series,
};

}  // namespace gs::agents
