// trix (trend): TRIX 15 of the close (TA_TRIX) with a signal line, EMA 9 of TRIX.
//
// Rule, on the latest bar (trix in % per bar):
//   fresh     = 1 - bars_since_cross / 10, floored at 0 (a cross is where the sign of
//               trix - signal changed; looked for in the last 10 bars)
//   level     = min(|trix| / 0.2, 1),  separation = min(|trix - signal| / 0.05, 1)
//   trix > signal and trix > 0: BUY,  trix < signal and trix < 0: SELL,
//       confidence = 0.3 + 0.3 * fresh + 0.2 * level + 0.2 * separation
//   otherwise (sign and cross disagree, or flat prices): HOLD,
//       confidence = 1 - 0.5 * max(level, separation),
//       lean = 0.25 * (sign(trix - signal) * separation + sign(trix) * level).
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
#include "goldensignals/indicators/core.h"
#include "goldensignals/indicators/streaming/core.h"
#include "goldensignals/indicators/streaming/momentum.h"
#include "goldensignals/indicators/trix.h"

namespace gs::agents {
namespace {

struct Params {
    int period = 15;
    int signal = 9;
    std::size_t fresh_window = 10;
    double full_level = 0.2;        // TRIX, in %
    double full_separation = 0.05;  // TRIX - signal, in %
};
constexpr Params kParams{};
constexpr FixedText kParamsJson =
    params_json({{"period", kParams.period}, {"signal", kParams.signal}});
// The signal is an EMA of the TRIX, from its first value.
constexpr std::size_t kMinBars =
    lookback::bars_for(lookback::trix(kParams.period) + lookback::ema(kParams.signal));
constexpr int kPeriod = kParams.period;
constexpr int kSignal = kParams.signal;
constexpr std::size_t kFreshWindow = kParams.fresh_window;

double sign(double x) {
    return x > 0.0 ? 1.0 : (x < 0.0 ? -1.0 : 0.0);
}

AgentResult verdict(std::span<const double> trix, std::span<const double> signal);

AgentResult evaluate(const market::BarsView& bars, Workspace& ws) {
    const std::size_t n = bars.size();
    if (n < kMinBars) {
        return abstain(Reason("fewer than {} bars", kMinBars));
    }
    auto trix = ws.take(n);
    auto signal = ws.take(n);
    indicators::trix(bars.close, kPeriod, trix);
    indicators::ema(trix, kSignal, signal);
    return verdict(trix, signal);
}

// The rule on the TRIX and signal lines' newest values (the spans end at the latest bar; the
// rule reads at most fresh_window + 1 of them).
AgentResult verdict(std::span<const double> trix, std::span<const double> signal) {
    const double t = trix.back();
    const double s = signal.back();
    const std::size_t since = bars_since_sign_change(trix, signal, kFreshWindow);
    const double fresh = freshness(since, kFreshWindow);
    const double level = std::min(std::abs(t) / kParams.full_level, 1.0);
    const double separation = std::min(std::abs(t - s) / kParams.full_separation, 1.0);
    const double confidence = 0.3 + 0.3 * fresh + 0.2 * level + 0.2 * separation;
    const bool fresh_cross = since < kFreshWindow;
    AgentResult r;
    if (t > s && t > 0.0) {
        r = buy(confidence,
                fresh_cross ? Reason("TRIX {:+.4f}% over its signal {:+.4f}%, crossed {} bars ago",
                                     t, s, since)
                            : Reason("TRIX {:+.4f}% over its signal {:+.4f}%", t, s));
    } else if (t < s && t < 0.0) {
        r = sell(confidence,
                 fresh_cross
                     ? Reason("TRIX {:+.4f}% under its signal {:+.4f}%, crossed {} bars ago", t, s,
                              since)
                     : Reason("TRIX {:+.4f}% under its signal {:+.4f}%", t, s));
    } else {
        r = hold(1.0 - 0.5 * std::max(level, separation),
                 0.25 * (sign(t - s) * separation + sign(t) * level),
                 Reason("TRIX {:+.4f}% vs signal {:+.4f}%: sign and cross disagree", t, s));
    }
    r.add("trix", t);
    r.add("trix_signal", s);
    return r;
}

class Stream {
  public:
    void update(const market::Bar& bar) {
        const double t = trix_.update(bar.close);
        trix_tail_.push(t);
        signal_tail_.push(signal_.update(t));
    }
    AgentResult evaluate() const { return verdict(trix_tail_.values(), signal_tail_.values()); }

  private:
    static constexpr std::size_t kTail = kFreshWindow + 1;
    indicators::streaming::Trix trix_{kPeriod};
    indicators::streaming::Ema signal_{kSignal};
    Tail<kTail> trix_tail_;
    Tail<kTail> signal_tail_;
};

void series(const market::BarsView& bars, SeriesSet& out) {
    const std::size_t n = bars.size();
    const auto [trix, signal] = out.add_all<2>({"trix", "trix_signal"}, n);
    indicators::trix(bars.close, kPeriod, trix);
    indicators::ema(trix, kSignal, signal);
}

}  // namespace

extern const AgentDef kTrix = {
    "trix", Category::kTrend, kParamsJson.view(), kMinBars, evaluate, series, &stream_ops<Stream>,
};

}  // namespace gs::agents
