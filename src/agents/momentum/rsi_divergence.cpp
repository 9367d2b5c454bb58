// rsi_divergence (momentum): RSI 14 (TA_RSI) against the close over the last 20 bars,
// looking for momentum that disagrees with a new price extreme.
//
// Rule, on the latest 20 bars, split into an earlier part E (bars -20 .. -6) and a recent
// part R (the last 5 bars):
//   the close did not change over the 20 bars: ABSTAIN (no extremes, RSI undefined)
//   bullish: the lowest close of R is below the lowest close of E (a lower low) while the
//            RSI at R's low is above the RSI at E's low (a higher low)
//   bearish: the highest close of R is above the highest close of E (a higher high) while
//            the RSI at R's high is below the RSI at E's high (a lower high)
//   rsi_gap = |RSI difference| between the two extremes, price_gap = |close difference| /
//             the earlier extreme's close;
//   strength = 0.3 + 0.4 * min(rsi_gap / 10, 1) + 0.3 * min(price_gap / 0.02, 1)
//   bullish only: BUY, bearish only: SELL, confidence = strength
//   both (a widening range): HOLD, confidence = 1 - max of the two strengths,
//       lean = (bullish strength - bearish strength) / 2
//   neither: HOLD, confidence = 1 - |rsi - 50| / 100 (in [0.5, 1]), lean = (50 - rsi) / 200
// min_bars: kMinBars below, derived from the lookbacks (lookback.h).
#include <algorithm>
#include <cmath>
#include <span>

#include <fmt/format.h>

#include "agents/lookback.h"
#include "agents/params.h"
#include "agents/streaming.h"
#include "agents/tail.h"
#include "goldensignals/agents/agent.h"
#include "goldensignals/indicators/rsi.h"
#include "goldensignals/indicators/streaming/momentum.h"

namespace gs::agents {
namespace {

struct Params {
    int period = 14;
    std::size_t window = 20;       // bars compared
    std::size_t recent = 5;        // the newest bars of the window, against the older ones
    double full_rsi_gap = 10;      // RSI points
    double full_price_gap = 0.02;  // of the price
};
constexpr Params kParams{};
constexpr FixedText kParamsJson = params_json({{"period", kParams.period},
                                               {"window", static_cast<int>(kParams.window)},
                                               {"recent", static_cast<int>(kParams.recent)}});
// An RSI value on every bar of the window.
constexpr std::size_t kMinBars = lookback::rsi(kParams.period) + kParams.window;
constexpr int kPeriod = kParams.period;
constexpr std::size_t kWindow = kParams.window;
constexpr std::size_t kRecent = kParams.recent;

struct Divergence {
    bool found = false;
    double strength = 0.0;
    double rsi_gap = 0.0;
    double price_gap = 0.0;
};

struct Extreme {
    std::size_t at;
    double close;
};

// The first most extreme close of close[from, to): `better(a, b)` when a is more extreme than
// b (lower for lows, higher for highs), so a flat stretch does not move it. The best close is
// carried in a register and picked without a branch: this runs on every new bar and the
// extremes of a random walk move unpredictably.
template <typename Better>
Extreme first_extreme(std::span<const double> close, std::size_t from, std::size_t to,
                      Better better) {
    Extreme e{from, close[from]};
    for (std::size_t i = from + 1; i < to; ++i) {
        const double c = close[i];
        const bool moved = better(c, e.close);
        e.at = moved ? i : e.at;
        e.close = moved ? c : e.close;
    }
    return e;
}

// The earlier part's and the recent part's extremes, and whether they diverge from the RSI.
template <typename Better>
Divergence find(Extreme early, Extreme late, std::span<const double> rsi, Better better) {
    Divergence d;
    // Price makes a new extreme but the RSI does not follow it.
    d.found = better(late.close, early.close) && better(rsi[early.at], rsi[late.at]);
    if (d.found) {
        d.rsi_gap = std::abs(rsi[late.at] - rsi[early.at]);
        d.price_gap = std::abs(late.close - early.close) / std::abs(early.close);
        d.strength = 0.3 + 0.4 * std::min(d.rsi_gap / kParams.full_rsi_gap, 1.0) +
                     0.3 * std::min(d.price_gap / kParams.full_price_gap, 1.0);
    }
    return d;
}

// The rule on the last kWindow closes and RSI values (the latest last; find() reads only
// those).
AgentResult verdict(std::span<const double> close, std::span<const double> rsi) {
    const double value = rsi.back();
    const std::size_t n = close.size();
    const std::size_t from = n - kWindow;
    const std::size_t split = n - kRecent;
    const auto lower = [](double a, double b) { return a < b; };
    const auto higher = [](double a, double b) { return a > b; };
    const Extreme early_low = first_extreme(close, from, split, lower);
    const Extreme late_low = first_extreme(close, split, n, lower);
    const Extreme early_high = first_extreme(close, from, split, higher);
    const Extreme late_high = first_extreme(close, split, n, higher);
    const auto bull = find(early_low, late_low, rsi, lower);
    const auto bear = find(early_high, late_high, rsi, higher);
    AgentResult r;
    if (std::min(early_low.close, late_low.close) == std::max(early_high.close, late_high.close)) {
        r = abstain(
            Reason("close unchanged over the last {} bars: no divergence to read", kWindow));
    } else if (bull.found && bear.found) {
        r = hold(1.0 - std::max(bull.strength, bear.strength),
                 (bull.strength - bear.strength) / 2.0,
                 "both a bullish and a bearish RSI divergence (widening range)");
    } else if (bull.found) {
        r = buy(bull.strength,
                Reason("bullish divergence: price {:.2f}% lower low, RSI {:.1f} points "
                       "higher low",
                       bull.price_gap * 100.0, bull.rsi_gap));
    } else if (bear.found) {
        r = sell(bear.strength,
                 Reason("bearish divergence: price {:.2f}% higher high, RSI {:.1f} points "
                        "lower high",
                        bear.price_gap * 100.0, bear.rsi_gap));
    } else {
        r = hold(1.0 - std::abs(value - 50.0) / 100.0, (50.0 - value) / 200.0,
                 Reason("no RSI divergence over {} bars (RSI {:.1f})", kWindow, value));
    }
    r.add("rsi", value);
    return r;
}

AgentResult evaluate(const market::BarsView& bars, Workspace& ws) {
    const std::size_t n = bars.size();
    auto rsi = ws.take(n);
    indicators::rsi(bars.close, kPeriod, rsi);
    return verdict(bars.close.last(kWindow), std::span<const double>(rsi).last(kWindow));
}

class Stream {
  public:
    void update(const market::Bar& bar) {
        close_.push(bar.close);
        rsi_.push(state_.update(bar.close));
    }
    AgentResult evaluate() const { return verdict(close_.values(), rsi_.values()); }

  private:
    indicators::streaming::Rsi state_{kPeriod};
    Tail<kWindow> close_;
    Tail<kWindow> rsi_;
};

void series(const market::BarsView& bars, SeriesSet& out) {
    indicators::rsi(bars.close, kPeriod, out.add("rsi", bars.size()));
}

}  // namespace

extern const AgentDef kRsiDivergence = {
    "rsi_divergence", Category::kMomentum, kParamsJson.view(), kMinBars, evaluate,
    series,           &stream_ops<Stream>,
};

}  // namespace gs::agents
