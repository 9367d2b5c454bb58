// stochastic (momentum): slow stochastic 14 / 3 / 3 (TA_STOCH, SMA smoothing), trading the
// %K / %D cross in the oversold and overbought zones.
//
// Rule, on the latest bar (K = slow %K, D = slow %D):
//   highest high == lowest low over the last 14 bars: ABSTAIN (%K is 0/0 there)
//   age   = bars since the sign of K - D last changed (0 = on the latest bar), looked for
//           over the last 3 bars; fresh = 1 - age / 3
//   level = D on the bar of that cross
//   K > D, a cross within 3 bars and level < 20: BUY,
//       confidence = 0.3 + 0.4 * (20 - level) / 20 + 0.3 * fresh
//   K < D, a cross within 3 bars and level > 80: SELL,
//       confidence = 0.3 + 0.4 * (level - 80) / 20 + 0.3 * fresh
//   otherwise: HOLD, confidence = max(0, 1 - |K - 50| / 30) (1 at 50, 0 at 20 and 80 and
//       beyond: %K in a zone without a fresh cross),
//       lean = (50 - K) / 100
// min_bars: kMinBars below, derived from the lookbacks (lookback.h).
#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <span>

#include <fmt/format.h>

#include "agents/agent_math.h"
#include "agents/lookback.h"
#include "agents/params.h"
#include "agents/streaming.h"
#include "agents/tail.h"
#include "goldensignals/agents/agent.h"
#include "goldensignals/indicators/core.h"
#include "goldensignals/indicators/stoch.h"
#include "goldensignals/indicators/streaming/trend.h"

namespace gs::agents {
namespace {

struct Params {
    int fastk = 14;
    int slowk = 3;
    int slowd = 3;
    std::size_t cross_window = 3;  // bars a %K/%D cross counts
    double oversold = 20;
    double overbought = 80;
    double full_excess = 20;  // %D past a threshold: full level term
};
constexpr Params kParams{};
constexpr FixedText kParamsJson = params_json({{"fastk", kParams.fastk},
                                               {"slowk", kParams.slowk},
                                               {"slowd", kParams.slowd},
                                               {"oversold", kParams.oversold},
                                               {"overbought", kParams.overbought}});
// %D on the cross_window bars before the latest too.
constexpr std::size_t kMinBars =
    lookback::bars_for(lookback::stoch(kParams.fastk, kParams.slowk, kParams.slowd)) +
    kParams.cross_window;
constexpr int kFastK = kParams.fastk;
constexpr int kSlowK = kParams.slowk;
constexpr int kSlowD = kParams.slowd;
constexpr std::size_t kCrossWindow = kParams.cross_window;
constexpr double kOversold = kParams.oversold;
constexpr double kOverbought = kParams.overbought;

// The rule on slow %K and %D (the spans end at the latest bar; the rule reads the last
// cross_window + 1 values) and the highest high and lowest low of the last fastk bars.
AgentResult verdict(std::span<const double> k, std::span<const double> d, double highest,
                    double lowest) {
    const std::size_t m = k.size();
    const double k_now = k[m - 1];
    const double d_now = d[m - 1];
    const std::size_t age = bars_since_sign_change(k, d, kCrossWindow);
    const bool crossed = age < kCrossWindow;
    const double level = crossed ? d[m - 1 - age] : d_now;
    const double fresh =
        crossed ? 1.0 - static_cast<double>(age) / static_cast<double>(kCrossWindow) : 0.0;
    AgentResult r;
    if (highest == lowest) {
        r = abstain(Reason("no price range over the last {} bars: stochastic undefined", kFastK));
    } else if (k_now > d_now && crossed && level < kOversold) {
        r = buy(0.3 + 0.4 * (kOversold - level) / kParams.full_excess + 0.3 * fresh,
                Reason("%K {:.1f} crossed above %D {} bars ago at %D {:.1f} (oversold)", k_now, age,
                       level));
    } else if (k_now < d_now && crossed && level > kOverbought) {
        r = sell(0.3 + 0.4 * (level - kOverbought) / kParams.full_excess + 0.3 * fresh,
                 Reason("%K {:.1f} crossed below %D {} bars ago at %D {:.1f} (overbought)", k_now,
                        age, level));
    } else {
        // %K outside 20..80 without a fresh cross there: not neutral at all (confidence 0),
        // not below it (the formula alone goes negative out there).
        r = hold(std::max(0.0, 1.0 - std::abs(k_now - 50.0) / 30.0), (50.0 - k_now) / 100.0,
                 Reason("%K {:.1f}, %D {:.1f}: no fresh cross in a {}/{} zone", k_now, d_now,
                        kOversold, kOverbought));
    }
    r.add("stoch_k", k_now);
    r.add("stoch_d", d_now);
    return r;
}

AgentResult evaluate(const market::BarsView& bars, Workspace& ws) {
    // Stochastics are windowed (no recursion): the last kMinBars bars give the same values.
    const auto recent = bars.last(kMinBars);
    const std::size_t m = recent.size();
    auto k = ws.take(m);
    auto d = ws.take(m);
    indicators::stoch(recent.high, recent.low, recent.close, kFastK, kSlowK, kSlowD, k, d);
    const auto window = recent.last(kFastK);
    const double highest = *std::max_element(window.high.begin(), window.high.end());
    const double lowest = *std::min_element(window.low.begin(), window.low.end());
    return verdict(k, d, highest, lowest);
}

// Raw %K is a window extreme, the same bits whatever bar the computation starts at; the two
// SMAs are not (running sums), so the batch form's SMAs, which start at the first raw %K of
// its kMinBars window, are replayed over the raw %K values that window holds (kRawTail).
class Stream {
  public:
    void update(const market::Bar& bar) {
        raw_.push(raw_state_.update(bar.high, bar.low, bar.close));
        high_.push(index_, bar.high);
        low_.push(index_, bar.low);
        ++index_;
    }
    AgentResult evaluate() const {
        std::array<double, kRawTail> k;
        std::array<double, kRawTail> d;
        // TA_STOCH's smoothing (stoch.cpp); its %K alignment to %D only blanks values before
        // the last cross_window + 1, which the rule does not read.
        indicators::sma(raw_.values(), kSlowK, k);
        indicators::sma(k, kSlowD, d);
        return verdict(k, d, high_.value(), low_.value());
    }

  private:
    // The raw %K values of the batch form's window: all but the first fastk - 1 bars.
    static constexpr std::size_t kRawTail = kMinBars - (kFastK - 1);
    indicators::streaming::RawK raw_state_{kFastK};
    Tail<kRawTail> raw_;
    indicators::streaming::RollingHigh high_{static_cast<std::size_t>(kFastK)};
    indicators::streaming::RollingLow low_{static_cast<std::size_t>(kFastK)};
    std::uint64_t index_ = 0;
};

void series(const market::BarsView& bars, SeriesSet& out) {
    auto k = out.add("stoch_k", bars.size());
    auto d = out.add("stoch_d", bars.size());
    indicators::stoch(bars.high, bars.low, bars.close, kFastK, kSlowK, kSlowD, k, d);
}

}  // namespace

extern const AgentDef kStochastic = {
    "stochastic", Category::kMomentum, kParamsJson.view(), kMinBars, evaluate,
    series,       &stream_ops<Stream>,
};

}  // namespace gs::agents
