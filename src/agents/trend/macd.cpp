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
// min_bars: kMinBars below, derived from the lookbacks (lookback.h).
#include <algorithm>
#include <cmath>
#include <string>

#include <fmt/format.h>

#include "agents/agent_math.h"
#include "agents/line_cross.h"
#include "agents/lookback.h"
#include "agents/params.h"
#include "agents/streaming.h"
#include "agents/tail.h"
#include "goldensignals/agents/agent.h"
#include "goldensignals/indicators/macd.h"
#include "goldensignals/indicators/streaming/momentum.h"

namespace gs::agents {
namespace {

struct Params {
    int fast = 12;
    int slow = 26;
    int signal = 9;
    std::size_t fresh_window = 10;
    double full_histogram = 0.005;  // of the close
};
constexpr Params kParams{};
constexpr FixedText kParamsJson =
    params_json({{"fast", kParams.fast}, {"slow", kParams.slow}, {"signal", kParams.signal}});
constexpr std::size_t kMinBars =
    lookback::bars_for(lookback::macd(kParams.fast, kParams.slow, kParams.signal));

AgentResult verdict(std::span<const double> line, std::span<const double> signal, double h,
                    double price);

AgentResult evaluate(const market::BarsView& bars, Workspace& ws) {
    const std::size_t n = bars.size();
    if (n < kMinBars) {
        return abstain(Reason("fewer than {} bars", kMinBars));
    }
    auto line = ws.take(n);
    auto signal = ws.take(n);
    auto hist = ws.take(n);
    indicators::macd(bars.close, kParams.fast, kParams.slow, kParams.signal, line, signal, hist);
    return verdict(line, signal, hist[n - 1], bars.close[n - 1]);
}

// The rule on the MACD and signal lines' newest values (the spans end at the latest bar; the
// rule reads at most fresh_window + 1 of them), the latest histogram and close.
AgentResult verdict(std::span<const double> line, std::span<const double> signal, double h,
                    double price) {
    const double m = line.back();
    const double s = signal.back();
    const std::size_t since = bars_since_sign_change(line, signal, kParams.fresh_window);
    const double fresh = freshness(since, kParams.fresh_window);
    const double strength =
        price > 0.0 ? std::min(std::abs(h) / (kParams.full_histogram * price), 1.0) : 0.0;
    const double confirm = (h > 0.0 && m > 0.0) || (h < 0.0 && m < 0.0) ? 1.0 : 0.0;
    const double confidence = 0.3 + 0.3 * strength + 0.3 * fresh + 0.1 * confirm;
    const bool fresh_cross = since < kParams.fresh_window;
    AgentResult r;
    if (h > 0.0) {
        r = buy(confidence,
                fresh_cross
                    ? Reason("MACD {:.4g} above signal {:.4g} (histogram {:+.4g}), signal "
                             "cross {} bars ago",
                             m, s, h, since)
                    : Reason("MACD {:.4g} above signal {:.4g} (histogram {:+.4g})", m, s, h));
    } else if (h < 0.0) {
        r = sell(confidence,
                 fresh_cross
                     ? Reason("MACD {:.4g} below signal {:.4g} (histogram {:+.4g}), signal "
                              "cross {} bars ago",
                              m, s, h, since)
                     : Reason("MACD {:.4g} below signal {:.4g} (histogram {:+.4g})", m, s, h));
    } else {
        r = hold(1.0, 0.0, "MACD on its signal line");
    }
    r.add("macd", m);
    r.add("macd_signal", s);
    r.add("macd_hist", h);
    return r;
}

class Stream {
  public:
    void update(const market::Bar& bar) {
        const indicators::streaming::MacdValue v = macd_.update(bar.close);
        line_.push(v.line);
        signal_.push(v.signal);
        hist_ = v.hist;
        close_ = bar.close;
    }
    AgentResult evaluate() const {
        return verdict(line_.values(), signal_.values(), hist_, close_);
    }

  private:
    static constexpr std::size_t kTail = kParams.fresh_window + 1;
    indicators::streaming::Macd macd_{kParams.fast, kParams.slow, kParams.signal};
    Tail<kTail> line_;
    Tail<kTail> signal_;
    double hist_ = indicators::kNaN;
    double close_ = indicators::kNaN;
};

void series(const market::BarsView& bars, SeriesSet& out) {
    const std::size_t n = bars.size();
    const auto [line, signal, hist] = out.add_all<3>({"macd", "macd_signal", "macd_hist"}, n);
    indicators::macd(bars.close, kParams.fast, kParams.slow, kParams.signal, line, signal, hist);
}

}  // namespace

extern const AgentDef kMacd = {
    "macd", Category::kTrend, kParamsJson.view(), kMinBars, evaluate, series, &stream_ops<Stream>,
};

}  // namespace gs::agents
