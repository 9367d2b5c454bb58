// atr_expansion (volatility): NATR 14 (TA_NATR, 100 x ATR 14 / close) against its own
// 50-bar mean (SMA 50 of NATR), in the direction of the 5-bar slope of SMA 20 of the close.
//
//   ratio = natr / SMA(natr, 50),  slope = SMA20[n-1] / SMA20[n-6] - 1
//
// Rule, on the latest bar:
//   ratio >= 1.5 and slope > 0: BUY,  ratio >= 1.5 and slope < 0: SELL,
//       confidence = 0.3 + 0.4 * min((ratio - 1.5) / 1.5, 1) + 0.3 * min(|slope| / 0.02, 1)
//       (volatility at 3x its mean, or a 2 % move of SMA 20 in 5 bars, is full strength)
//   otherwise HOLD, lean = 0.5 * clamp(slope / 0.02, -1, 1) * min(ratio / 1.5, 1),
//       confidence = clamp(1.5 - ratio, 0, 1) (calm markets are clearly neutral).
//   No volatility (mean NATR 0, flat prices): HOLD, confidence 1.
// min_bars: kMinBars below, derived from the lookbacks (lookback.h).
#include <algorithm>
#include <cmath>
#include <span>

#include <fmt/format.h>

#include "agents/agent_math.h"
#include "agents/lookback.h"
#include "agents/params.h"
#include "agents/streaming.h"
#include "agents/tail.h"
#include "goldensignals/agents/agent.h"
#include "goldensignals/indicators/core.h"
#include "goldensignals/indicators/natr.h"
#include "goldensignals/indicators/streaming/core.h"

namespace gs::agents {
namespace {

struct Params {
    int natr = 14;
    int mean = 50;           // NATR values averaged
    double expansion = 1.5;  // NATR / its mean for a signal
    int trend_sma = 20;
    int slope_bars = 5;
    double full_slope = 0.02;
};
constexpr Params kParams{};
constexpr FixedText kParamsJson = params_json({{"natr", kParams.natr},
                                               {"mean", kParams.mean},
                                               {"expansion", kParams.expansion},
                                               {"trend_sma", kParams.trend_sma},
                                               {"slope_bars", kParams.slope_bars}});
// A NATR on each of the last `mean` bars, and the trend SMA slope_bars bars back.
constexpr std::size_t kMinBars = std::max<std::size_t>(
    lookback::natr(kParams.natr) + kParams.mean,
    lookback::bars_for(lookback::sma(kParams.trend_sma)) + kParams.slope_bars);
constexpr int kNatrPeriod = kParams.natr;
constexpr int kMeanPeriod = kParams.mean;
constexpr auto kTrendPeriod = static_cast<std::size_t>(kParams.trend_sma);
constexpr auto kSlopeBars = static_cast<std::size_t>(kParams.slope_bars);
constexpr double kExpansion = kParams.expansion;
constexpr double kFullSlope = kParams.full_slope;
// What the rule reads: the NATRs it averages, and the closes of both trend SMAs.
constexpr auto kMeanTail = static_cast<std::size_t>(kMeanPeriod);
constexpr std::size_t kCloseTail = kTrendPeriod + kSlopeBars;

double sma_ending_at(std::span<const double> close, std::size_t end) {
    return lane_sum(close.subspan(end + 1 - kTrendPeriod, kTrendPeriod)) /
           static_cast<double>(kTrendPeriod);
}

// The rule on the last kMeanTail NATR values and the last kCloseTail closes, each ending at the
// latest bar (shared by the batch and streaming forms: the same sums in the same order).
AgentResult verdict(std::span<const double> natr, std::span<const double> close) {
    const std::size_t n = natr.size();
    // Only the latest mean is needed.
    const double mean = lane_sum(natr.last(kMeanTail)) / static_cast<double>(kMeanTail);
    const double now = natr[n - 1];
    const std::size_t last = close.size() - 1;
    const double trend_now = sma_ending_at(close, last);
    const double trend_then = sma_ending_at(close, last - kSlopeBars);
    const double slope = trend_then != 0.0 ? trend_now / trend_then - 1.0 : 0.0;
    AgentResult r;
    if (!(mean > 0.0)) {
        r = hold(1.0, 0.0,
                 Reason("No volatility: NATR {} is zero over the last {} bars", kNatrPeriod,
                        kMeanPeriod));
    } else {
        const double ratio = now / mean;
        const double slope_strength = std::min(std::abs(slope) / kFullSlope, 1.0);
        if (ratio >= kExpansion && slope != 0.0) {
            const double confidence =
                0.3 + 0.4 * std::min((ratio - kExpansion) / kExpansion, 1.0) + 0.3 * slope_strength;
            const auto reason =
                Reason("NATR {} at {:.2f}x its {}-bar mean while SMA {} {} {:.2f}% in {} bars",
                       kNatrPeriod, ratio, kMeanPeriod, kTrendPeriod, slope > 0.0 ? "rose" : "fell",
                       std::abs(slope) * 100.0, kSlopeBars);
            r = slope > 0.0 ? buy(confidence, reason) : sell(confidence, reason);
        } else {
            r = hold(
                std::clamp(kExpansion - ratio, 0.0, 1.0),
                0.5 * std::clamp(slope / kFullSlope, -1.0, 1.0) * std::min(ratio / kExpansion, 1.0),
                Reason("NATR {} at {:.2f}x its {}-bar mean: no expansion", kNatrPeriod, ratio,
                       kMeanPeriod));
        }
    }
    r.add("natr", now);
    return r;
}

AgentResult evaluate(const market::BarsView& bars, Workspace& ws) {
    const std::size_t n = bars.size();
    auto natr = ws.take(n);
    indicators::natr(bars.high, bars.low, bars.close, kNatrPeriod, natr);
    return verdict(std::span<const double>(natr).last(kMeanTail), bars.close.last(kCloseTail));
}

class Stream {
  public:
    void update(const market::Bar& bar) {
        natr_.push(natr_state_.update(bar.high, bar.low, bar.close));
        closes_.push(bar.close);
    }
    AgentResult evaluate() const { return verdict(natr_.values(), closes_.values()); }

  private:
    indicators::streaming::Natr natr_state_{kNatrPeriod};
    Tail<kMeanTail> natr_;
    Tail<kCloseTail> closes_;
};

void series(const market::BarsView& bars, SeriesSet& out) {
    indicators::natr(bars.high, bars.low, bars.close, kNatrPeriod, out.add("natr", bars.size()));
}

}  // namespace

extern const AgentDef kAtrExpansion = {
    "atr_expansion", Category::kVolatility, kParamsJson.view(), kMinBars, evaluate,
    series,          &stream_ops<Stream>,
};

}  // namespace gs::agents
