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
// Needs 44 bars (34 for the first signal value, 10 more to date a cross).
#include <algorithm>
#include <cmath>
#include <string>

#include <fmt/format.h>

#include "agents/agent_math.h"
#include "goldensignals/agents/agent.h"
#include "goldensignals/indicators/core.h"
#include "goldensignals/indicators/ppo.h"

namespace gs::agents {
namespace {

constexpr int kFast = 12;
constexpr int kSlow = 26;
constexpr int kSignal = 9;
constexpr std::size_t kFreshWindow = 10;
constexpr std::size_t kEarlyCross = 5;
constexpr std::size_t kMinBars = (kSlow - 1) + (kSignal - 1) + 1 + kFreshWindow;
constexpr double kFlat = 1e-9;

AgentResult evaluate(const market::BarsView& bars, Workspace& ws) {
    const std::size_t n = bars.size();
    auto ppo = ws.take(n);
    auto signal = ws.take(n);
    indicators::ppo(bars.close, kFast, kSlow, ppo);
    indicators::ema(ppo, kSignal, signal);
    const double p = ppo[n - 1];
    const double s = signal[n - 1];
    const double hist = p - s;
    const std::size_t age = bars_since_sign_change(ppo, signal, kFreshWindow);
    const double fresh = age >= kFreshWindow
                             ? 0.0
                             : 1.0 - static_cast<double>(age) / static_cast<double>(kFreshWindow);
    const double strength = std::min(std::abs(hist) / 0.25, 1.0);
    const double side = hist > 0.0 ? 1.0 : -1.0;
    const double agree = std::clamp(side * p, 0.0, 1.0);
    const double confidence = 0.3 + 0.3 * fresh + 0.2 * strength + 0.2 * agree;
    const std::string when =
        age < kFreshWindow ? fmt::format(", crossed {} bars ago", age) : std::string();
    AgentResult r;
    if (std::abs(hist) < kFlat) {
        r = hold(1.0, 0.0, fmt::format("PPO {:.3f} on its signal line", p));
    } else if (hist > 0.0 && (p > kFlat || age < kEarlyCross)) {
        r = buy(confidence, fmt::format("PPO {:.3f} above its signal {:.3f}{}", p, s, when));
    } else if (hist < 0.0 && (p < -kFlat || age < kEarlyCross)) {
        r = sell(confidence, fmt::format("PPO {:.3f} below its signal {:.3f}{}", p, s, when));
    } else {
        r = hold(1.0 - 0.5 * strength - 0.5 * std::min(std::abs(p), 1.0), side * strength / 2.0,
                 fmt::format("PPO {:.3f} {} its signal {:.3f} but on the other side of zero", p,
                             hist > 0.0 ? "above" : "below", s));
    }
    r.add("ppo", p);
    r.add("ppo_signal", s);
    return r;
}

void series(const market::BarsView& bars, SeriesSet& out) {
    auto& ppo = out.add("ppo", bars.size());
    indicators::ppo(bars.close, kFast, kSlow, ppo);
    indicators::ema(ppo, kSignal, out.add("ppo_signal", bars.size()));
}

}  // namespace

extern const AgentDef kPpo = {
    "ppo",
    Category::kMomentum,
    R"({"fast":12,"slow":26,"signal":9,"ma":"ema"})",
    kMinBars,
    evaluate,
    series,
};

}  // namespace gs::agents
