// ppo (momentum): Percentage Price Oscillator 12 / 26 (TA_PPO on EMAs, percent) with its
// signal line EMA 9, traded on the signal-line cross confirmed by PPO's sign.
//
// Rule, on the latest bar (hist = ppo - signal, in percentage points):
//   |hist| < 1e-9: HOLD, confidence 1, lean 0 (on the signal line, e.g. flat prices)
//   age      = bars since the sign of hist last changed, looked for over the last 10 bars;
//              fresh = 1 - age / 10 (0 when no cross in 10 bars)
//   strength = min(|hist| / 0.25, 1)             (a quarter point apart is a full opening)
//   agree    = clamp(sign(hist) * ppo / 1, 0, 1) (PPO 1 % on the side of the cross)
//   hist > 0 and (ppo > 0 or age < 5): BUY,
//   hist < 0 and (ppo < 0 or age < 5): SELL,
//       confidence = 0.3 + 0.3 * fresh + 0.2 * strength + 0.2 * agree
//       (a fresh cross on the wrong side of zero is the early signal; a stale one is not)
//   otherwise (stale cross against PPO's sign): HOLD,
//       confidence = 1 - 0.5 * strength - 0.5 * min(|ppo|, 1), lean = sign(hist) * strength / 2
// min_bars: kMinBars below, derived from the lookbacks (lookback.h).
#include <algorithm>
#include <cmath>
#include <span>
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
#include "goldensignals/indicators/ppo.h"
#include "goldensignals/indicators/streaming/core.h"
#include "goldensignals/indicators/streaming/momentum.h"

namespace gs::agents {
namespace {

struct Params {
    int fast = 12;
    int slow = 26;
    int signal = 9;
    const char* ma = "ema";
    std::size_t fresh_window = 10;
    std::size_t early_cross = 5;  // a cross this fresh signals on either side of zero
    double full_hist = 0.25;      // PPO - signal, in %
};
constexpr Params kParams{};
constexpr FixedText kParamsJson = params_json({{"fast", kParams.fast},
                                               {"slow", kParams.slow},
                                               {"signal", kParams.signal},
                                               {"ma", kParams.ma}});
// The freshness looks back fresh_window values of the signal line.
constexpr std::size_t kMinBars =
    lookback::bars_for(lookback::ppo(kParams.fast, kParams.slow) + lookback::ema(kParams.signal)) +
    kParams.fresh_window;
constexpr int kFast = kParams.fast;
constexpr int kSlow = kParams.slow;
constexpr int kSignal = kParams.signal;
constexpr std::size_t kFreshWindow = kParams.fresh_window;
constexpr std::size_t kEarlyCross = kParams.early_cross;
constexpr double kFlat = 1e-9;

// The rule on PPO and its signal line; the spans end at the latest bar and the rule reads at
// most fresh_window + 1 of their values.
AgentResult verdict(std::span<const double> ppo, std::span<const double> signal) {
    const double p = ppo.back();
    const double s = signal.back();
    const double hist = p - s;
    const std::size_t age = bars_since_sign_change(ppo, signal, kFreshWindow);
    const double fresh = freshness(age, kFreshWindow);
    const double strength = std::min(std::abs(hist) / kParams.full_hist, 1.0);
    const double side = hist > 0.0 ? 1.0 : -1.0;
    const double agree = std::clamp(side * p, 0.0, 1.0);
    const double confidence = 0.3 + 0.3 * fresh + 0.2 * strength + 0.2 * agree;
    const bool fresh_cross = age < kFreshWindow;
    AgentResult r;
    if (std::abs(hist) < kFlat) {
        r = hold(1.0, 0.0, Reason("PPO {:.3f} on its signal line", p));
    } else if (hist > 0.0 && (p > kFlat || age < kEarlyCross)) {
        r = buy(confidence,
                fresh_cross
                    ? Reason("PPO {:.3f} above its signal {:.3f}, crossed {} bars ago", p, s, age)
                    : Reason("PPO {:.3f} above its signal {:.3f}", p, s));
    } else if (hist < 0.0 && (p < -kFlat || age < kEarlyCross)) {
        r = sell(confidence,
                 fresh_cross
                     ? Reason("PPO {:.3f} below its signal {:.3f}, crossed {} bars ago", p, s, age)
                     : Reason("PPO {:.3f} below its signal {:.3f}", p, s));
    } else {
        r = hold(1.0 - 0.5 * strength - 0.5 * std::min(std::abs(p), 1.0), side * strength / 2.0,
                 Reason("PPO {:.3f} {} its signal {:.3f} but on the other side of zero", p,
                        hist > 0.0 ? "above" : "below", s));
    }
    r.add("ppo", p);
    r.add("ppo_signal", s);
    return r;
}

AgentResult evaluate(const market::BarsView& bars, Workspace& ws) {
    const std::size_t n = bars.size();
    auto ppo = ws.take(n);
    auto signal = ws.take(n);
    indicators::ppo(bars.close, kFast, kSlow, ppo);
    indicators::ema(ppo, kSignal, signal);
    return verdict(ppo, signal);
}

class Stream {
  public:
    void update(const market::Bar& bar) {
        const double p = ppo_state_.update(bar.close);
        ppo_.push(p);
        signal_.push(signal_state_.update(p));
    }
    AgentResult evaluate() const { return verdict(ppo_.values(), signal_.values()); }

  private:
    static constexpr std::size_t kTail = kFreshWindow + 1;
    indicators::streaming::Ppo ppo_state_{kFast, kSlow};
    indicators::streaming::Ema signal_state_{kSignal};
    Tail<kTail> ppo_;
    Tail<kTail> signal_;
};

void series(const market::BarsView& bars, SeriesSet& out) {
    auto ppo = out.add("ppo", bars.size());
    indicators::ppo(bars.close, kFast, kSlow, ppo);
    indicators::ema(ppo, kSignal, out.add("ppo_signal", bars.size()));
}

}  // namespace

extern const AgentDef kPpo = {
    "ppo", Category::kMomentum, kParamsJson.view(), kMinBars, evaluate, series, &stream_ops<Stream>,
};

}  // namespace gs::agents
