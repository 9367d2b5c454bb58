// stoch_rsi (momentum): stochastic RSI 14 / 14 / 3 (TA_STOCHRSI: fast stochastic of RSI 14,
// SMA 3 for %D), read as mean reversion.
//
// Rule, on the latest bar (K = fast %K, D = fast %D, both in [0, 100]):
//   RSI unchanged over the last 14 values (flat prices included): ABSTAIN (%K is 0/0 there;
//       TA-Lib prints 0, which would read as oversold)
//   K <= 20: BUY,  confidence = 0.3 + 0.4 * (20 - K) / 20 + 0.3 * clamp((50 - D) / 30, 0, 1)
//   K >= 80: SELL, confidence = 0.3 + 0.4 * (K - 80) / 20 + 0.3 * clamp((D - 50) / 30, 0, 1)
//       (both capped at 1: at the extremes the sum is 1 plus a rounding ulp)
//       (%D deep in the same zone confirms; %D at 50 adds nothing)
//   otherwise: HOLD, confidence = 1 - |K - 50| / 30 (1 at 50, 0 at 20 and 80),
//       lean = (50 - K) / 60
// min_bars: kMinBars below, derived from the lookbacks (lookback.h).
#include <algorithm>
#include <array>
#include <cmath>
#include <span>
#include <vector>

#include <fmt/format.h>

#include "agents/lookback.h"
#include "agents/params.h"
#include "agents/streaming.h"
#include "agents/tail.h"
#include "goldensignals/agents/agent.h"
#include "goldensignals/indicators/rsi.h"
#include "goldensignals/indicators/stoch.h"
#include "goldensignals/indicators/streaming/momentum.h"

namespace gs::agents {
namespace {

struct Params {
    int rsi_period = 14;
    int fastk = 14;
    int fastd = 3;
    double oversold = 20;
    double overbought = 80;
    double full_excess = 20;  // past a threshold: full %K term
};
constexpr Params kParams{};
constexpr FixedText kParamsJson = params_json({{"rsi_period", kParams.rsi_period},
                                               {"fastk", kParams.fastk},
                                               {"fastd", kParams.fastd},
                                               {"oversold", kParams.oversold},
                                               {"overbought", kParams.overbought}});
constexpr std::size_t kMinBars =
    lookback::bars_for(lookback::stoch_rsi(kParams.rsi_period, kParams.fastk, kParams.fastd));
constexpr int kRsiPeriod = kParams.rsi_period;
constexpr int kFastK = kParams.fastk;
constexpr int kFastD = kParams.fastd;
// The RSI values the stochastic of the latest bar reads.
constexpr auto kStochSpan = lookback::bars_for(lookback::stochf(kParams.fastk, kParams.fastd));
constexpr double kOversold = kParams.oversold;
constexpr double kOverbought = kParams.overbought;

// The rule on the latest fast %K and %D; `flat`: the RSI did not change over the last kFastK
// values.
AgentResult verdict(double k_now, double d_now, bool flat) {
    AgentResult r;
    if (flat) {
        r = abstain(
            Reason("RSI unchanged over the last {} bars: stochastic RSI undefined", kFastK));
    } else if (k_now <= kOversold) {
        // min: at %K 0 and %D 20 the three terms add up to 1 plus a rounding ulp.
        r = buy(std::min(0.3 + 0.4 * (kOversold - k_now) / kParams.full_excess +
                             0.3 * std::clamp((50.0 - d_now) / 30.0, 0.0, 1.0),
                         1.0),
                Reason("StochRSI %K {:.1f} at or below {} (%D {:.1f})", k_now, kOversold, d_now));
    } else if (k_now >= kOverbought) {
        r = sell(
            std::min(0.3 + 0.4 * (k_now - kOverbought) / kParams.full_excess +
                         0.3 * std::clamp((d_now - 50.0) / 30.0, 0.0, 1.0),
                     1.0),
            Reason("StochRSI %K {:.1f} at or above {} (%D {:.1f})", k_now, kOverbought, d_now));
    } else {
        r = hold(1.0 - std::abs(k_now - 50.0) / 30.0, (50.0 - k_now) / 60.0,
                 Reason("StochRSI %K {:.1f} between {} and {}", k_now, kOversold, kOverbought));
    }
    r.add("stochrsi_k", k_now);
    r.add("stochrsi_d", d_now);
    return r;
}

AgentResult evaluate(const market::BarsView& bars, Workspace& ws) {
    const std::size_t n = bars.size();
    auto rsi = ws.take(n);
    auto k = ws.take(kStochSpan);
    auto d = ws.take(kStochSpan);
    // The RSI is recursive and needs every bar; its stochastic only the last kStochSpan values,
    // from their first.
    indicators::rsi(bars.close, kRsiPeriod, rsi);
    const auto tail = rsi.last(kStochSpan);
    indicators::stochf(tail, tail, tail, kFastK, kFastD, k, d);
    const auto window = tail.last(kFastK);
    const auto [lo, hi] = std::minmax_element(window.begin(), window.end());
    return verdict(k[kStochSpan - 1], d[kStochSpan - 1], *lo == *hi);
}

// Keeps the last kFastK RSI values and the last kFastD fast %K, each %K computed once when its
// bar arrives (the window's extremes are exact in any order) and %D summed from them in the
// order stochf()'s SMA sums its first window: the same bits as the batch form.
class Stream {
  public:
    void update(const market::Bar& bar) {
        const double rsi = rsi_state_.update(bar.close);
        rsi_.push(rsi);
        if (rsi_.size() < kWindow) {
            return;
        }
        double lowest = rsi;
        double highest = rsi;
        for (const double x : rsi_.values()) {
            lowest = std::min(lowest, x);
            highest = std::max(highest, x);
        }
        fast_k_.push(indicators::fast_k_of(rsi, lowest, highest));
        flat_ = lowest == highest;
    }
    AgentResult evaluate() const {
        double sum = 0.0;
        for (const double k : fast_k_.values()) {
            sum += k;
        }
        return verdict(fast_k_.newest(), sum / static_cast<double>(kFastD), flat_);
    }

  private:
    static constexpr auto kWindow = static_cast<std::size_t>(kFastK);
    indicators::streaming::Rsi rsi_state_{kRsiPeriod};
    Tail<kWindow> rsi_;
    Tail<static_cast<std::size_t>(kFastD)> fast_k_;
    bool flat_ = false;
};

void series(const market::BarsView& bars, SeriesSet& out) {
    std::vector<double> rsi(bars.size());
    auto k = out.add("stochrsi_k", bars.size());
    auto d = out.add("stochrsi_d", bars.size());
    indicators::stoch_rsi(bars.close, kRsiPeriod, kFastK, kFastD, rsi, k, d);
}

}  // namespace

extern const AgentDef kStochRsi = {
    "stoch_rsi", Category::kMomentum, kParamsJson.view(), kMinBars, evaluate,
    series,      &stream_ops<Stream>,
};

}  // namespace gs::agents
