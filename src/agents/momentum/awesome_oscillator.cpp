// awesome_oscillator (momentum): Bill Williams' Awesome Oscillator, SMA 5 - SMA 34 of the
// median price (high + low) / 2 (TA_SMA; the agent's SMAs are each window's mean, equal to
// TA-Lib's to rounding), traded on its sign, stronger near a fresh
// zero-line cross and with a wider gap.
//
// Rule, on the latest bar:
//   rel      = ao / sma_34 (the gap as a fraction of price)
//   |rel| < 1e-9: HOLD, confidence 1, lean 0 (on the zero line, e.g. flat prices)
//   age      = bars since AO's sign last changed, looked for over the last 10 bars;
//              fresh = 1 - age / 10 (0 when no cross in 10 bars)
//   strength = min(|rel| / 0.02, 1)     (a 2 % gap is a full opening)
//   ao > 0: BUY, ao < 0: SELL, confidence = 0.3 + 0.35 * fresh + 0.35 * strength
// min_bars: kMinBars below, derived from the lookbacks (lookback.h).
#include <algorithm>
#include <array>
#include <cmath>
#include <span>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "agents/agent_math.h"
#include "agents/line_cross.h"
#include "agents/lookback.h"
#include "agents/params.h"
#include "agents/streaming.h"
#include "agents/tail.h"
#include "goldensignals/agents/agent.h"
#include "goldensignals/indicators/core.h"

namespace gs::agents {
namespace {

struct Params {
    int fast = 5;
    int slow = 34;
    const char* price = "median";  // (high + low) / 2, as Bill Williams
    std::size_t fresh_window = 10;
    double full_rel = 0.02;  // AO as a share of the price
};
constexpr Params kParams{};
constexpr FixedText kParamsJson =
    params_json({{"fast", kParams.fast}, {"slow", kParams.slow}, {"price", kParams.price}});
// The freshness looks back fresh_window values of AO, each needing a full SMA 34.
constexpr std::size_t kMinBars =
    lookback::bars_for(lookback::sma(kParams.slow)) + kParams.fresh_window;
constexpr std::size_t kFast = kParams.fast;
constexpr std::size_t kSlow = kParams.slow;
constexpr std::size_t kFreshWindow = kParams.fresh_window;
constexpr std::size_t kLineTail = kFreshWindow + 1;  // the SMA values the rule reads
constexpr double kFlat = 1e-9;

void median_price(const market::BarsView& bars, std::span<double> out) {
    for (std::size_t i = 0; i < bars.size(); ++i) {
        out[i] = (bars.high[i] + bars.low[i]) / 2.0;
    }
}

// An SMA's value at the last of `values`: their mean, in lane_sum's order (lane_sum.h). Both
// forms take their SMAs from here, so they agree to the bit; against TA-Lib's running sum it
// differs by rounding only (the reference tests allow 1e-6).
double mean_of(std::span<const double> values) {
    return lane_sum(values) / static_cast<double>(values.size());
}

// The rule on SMA 5 and SMA 34 of the median price at the last kFreshWindow + 1 bars.
AgentResult verdict(std::span<const double> fast, std::span<const double> slow) {
    const double ao = fast.back() - slow.back();
    const double rel = slow.back() != 0.0 ? ao / std::abs(slow.back()) : 0.0;
    // The sign of AO is the sign of sma_5 - sma_34.
    const std::size_t age = bars_since_sign_change(fast, slow, kFreshWindow);
    const double fresh = freshness(age, kFreshWindow);
    const double confidence =
        0.3 + 0.35 * fresh + 0.35 * std::min(std::abs(rel) / kParams.full_rel, 1.0);
    const bool fresh_cross = age < kFreshWindow;
    AgentResult r;
    if (std::abs(rel) < kFlat) {
        r = hold(1.0, 0.0, "Awesome Oscillator on the zero line");
    } else if (ao > 0.0) {
        r = buy(
            confidence,
            fresh_cross
                ? Reason("Awesome Oscillator {:+.4g} ({:+.2f}% of price), crossed zero {} bars ago",
                         ao, rel * 100.0, age)
                : Reason("Awesome Oscillator {:+.4g} ({:+.2f}% of price)", ao, rel * 100.0));
    } else {
        r = sell(
            confidence,
            fresh_cross
                ? Reason("Awesome Oscillator {:+.4g} ({:+.2f}% of price), crossed zero {} bars ago",
                         ao, rel * 100.0, age)
                : Reason("Awesome Oscillator {:+.4g} ({:+.2f}% of price)", ao, rel * 100.0));
    }
    r.add("ao", ao);
    return r;
}

AgentResult evaluate(const market::BarsView& bars, Workspace& ws) {
    // SMAs are windowed: the last kMinBars bars give the last kFreshWindow + 1 values.
    const auto recent = bars.last(kMinBars);
    const std::size_t m = recent.size();
    auto median = ws.take(m);
    auto fast = ws.take(kLineTail);
    auto slow = ws.take(kLineTail);
    median_price(recent, median);
    for (std::size_t j = 0; j < kLineTail; ++j) {
        const auto upto = std::span<const double>(median).first(m - kLineTail + 1 + j);
        fast[j] = mean_of(upto.last(kFast));
        slow[j] = mean_of(upto.last(kSlow));
    }
    return verdict(fast, slow);
}

// Keeps the last kSlow median prices and each bar's two SMAs, computed once when it arrives.
class Stream {
  public:
    void update(const market::Bar& bar) {
        median_.push((bar.high + bar.low) / 2.0);
        if (median_.size() == kSlow) {
            const auto median = median_.values();
            fast_.push(mean_of(median.last(kFast)));
            slow_.push(mean_of(median));
        }
    }
    AgentResult evaluate() const { return verdict(fast_.values(), slow_.values()); }

  private:
    Tail<kSlow> median_;
    Tail<kLineTail> fast_;
    Tail<kLineTail> slow_;
};

void series(const market::BarsView& bars, SeriesSet& out) {
    const std::size_t n = bars.size();
    std::vector<double> median(n);
    std::vector<double> slow(n);
    auto ao = out.add("ao", n);
    median_price(bars, median);
    indicators::sma(median, static_cast<int>(kSlow), slow);
    indicators::sma(median, static_cast<int>(kFast), ao);
    for (std::size_t i = 0; i < n; ++i) {
        ao[i] -= slow[i];  // NaN while SMA 34 warms up
    }
}

}  // namespace

extern const AgentDef kAwesomeOscillator = {
    "awesome_oscillator", Category::kMomentum, kParamsJson.view(), kMinBars, evaluate, series,
    &stream_ops<Stream>,
};

}  // namespace gs::agents
