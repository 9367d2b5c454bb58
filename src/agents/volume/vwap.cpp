// vwap (volume): rolling 20-bar VWAP of the typical price (h + l + c) / 3 with bands at
// +/- 2 volume-weighted standard deviations (sigma).
//
// Rule, on the latest bar, slope = vwap[n-1] / vwap[n-6] - 1,
// pos = (close - vwap) / (vwap_upper - vwap) (+1 on the upper band, -1 on the lower):
//   band touches (mean reversion, checked first):
//     close <= vwap_lower: BUY,  confidence = 0.5 + 0.5 * min((vwap_lower - close) / sigma, 1)
//     close >= vwap_upper: SELL, confidence = 0.5 + 0.5 * min((close - vwap_upper) / sigma, 1)
//   trend with the VWAP:
//     close > vwap and slope > 0: BUY,  close < vwap and slope < 0: SELL,
//       confidence = 0.3 + 0.4 * |pos| + 0.3 * min(|slope| / 1 %, 1)
//   otherwise HOLD (close and VWAP slope disagree), lean = 0.3 * pos, confidence = 1 - |pos|.
//   sigma = 0 (every bar at one price): HOLD, confidence 1. No volume in the window: ABSTAIN.
// min_bars: kMinBars below, derived from the lookbacks (lookback.h).
#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "agents/lookback.h"
#include "agents/params.h"
#include "agents/streaming.h"
#include "agents/tail.h"
#include "goldensignals/agents/agent.h"
#include "goldensignals/indicators/vwap.h"

namespace gs::agents {
namespace {

struct Params {
    int period = 20;
    double nbdev = 2;
    std::size_t slope_bars = 5;
    double full_slope = 0.01;
};
constexpr Params kParams{};
constexpr FixedText kParamsJson =
    params_json({{"period", kParams.period},
                 {"nbdev", kParams.nbdev},
                 {"slope_bars", static_cast<int>(kParams.slope_bars)}});
// The VWAP slope_bars bars back too.
constexpr std::size_t kMinBars =
    lookback::bars_for(lookback::vwap(kParams.period)) + kParams.slope_bars;
constexpr int kPeriod = kParams.period;
constexpr double kDeviations = kParams.nbdev;
constexpr std::size_t kSlopeBars = kParams.slope_bars;
constexpr double kFullSlope = kParams.full_slope;
constexpr std::size_t kWindow = kPeriod + kSlopeBars;  // the bars the rule reads

// The rule on the newest kWindow bars' typical prices and volumes and the latest close.
AgentResult verdict(std::span<const double> typical, std::span<const double> volume, double close) {
    const std::size_t n = typical.size();
    // Only two windows matter (now and 5 bars ago): O(20) each instead of full-length passes.
    const auto [u, m, l] = indicators::vwap_at(typical, volume, kPeriod, kDeviations, n - 1);
    const double then =
        indicators::vwap_at(typical, volume, kPeriod, kDeviations, n - 1 - kSlopeBars).middle;
    if (std::isnan(m)) {
        return abstain(Reason("No volume in the last {} bars: VWAP undefined", kPeriod));
    }
    const double sigma = (u - m) / kDeviations;
    // A window that had no volume 5 bars ago has no slope yet.
    const double slope = std::isnan(then) || then == 0.0 ? 0.0 : m / then - 1.0;
    AgentResult r;
    if (!(sigma > 0.0)) {
        r = hold(1.0, 0.0, "VWAP bands collapsed: every bar traded at one price");
    } else {
        const double pos = (close - m) / (u - m);
        const double trend = 0.3 + 0.4 * std::min(std::abs(pos), 1.0) +
                             0.3 * std::min(std::abs(slope) / kFullSlope, 1.0);
        if (close <= l) {
            r = buy(0.5 + 0.5 * std::min((l - close) / sigma, 1.0),
                    Reason("Close {:.2f} at or below the lower VWAP band {:.2f}", close, l));
        } else if (close >= u) {
            r = sell(0.5 + 0.5 * std::min((close - u) / sigma, 1.0),
                     Reason("Close {:.2f} at or above the upper VWAP band {:.2f}", close, u));
        } else if (close > m && slope > 0.0) {
            r = buy(trend, Reason("Close above a rising {}-bar VWAP {:.2f} ({:+.2f}% in {} "
                                  "bars)",
                                  kPeriod, m, slope * 100.0, kSlopeBars));
        } else if (close < m && slope < 0.0) {
            r = sell(trend, Reason("Close below a falling {}-bar VWAP {:.2f} ({:+.2f}% in {} "
                                   "bars)",
                                   kPeriod, m, slope * 100.0, kSlopeBars));
        } else {
            r = hold(1.0 - std::abs(pos), 0.3 * pos,
                     Reason("Close {} VWAP {:.2f} but VWAP {:+.2f}% in {} bars",
                            close >= m ? "above" : "below", m, slope * 100.0, kSlopeBars));
        }
    }
    r.add("vwap", m);
    r.add("vwap_upper", u);
    r.add("vwap_lower", l);
    return r;
}

AgentResult evaluate(const market::BarsView& bars, Workspace& ws) {
    const auto recent = bars.last(kWindow);
    auto typical = ws.take(recent.size());
    for (std::size_t i = 0; i < recent.size(); ++i) {
        typical[i] = indicators::vwap_typical(recent.high[i], recent.low[i], recent.close[i]);
    }
    return verdict(typical, recent.volume, recent.close.back());
}

// Keeps each bar's typical price (computed once, not once per window it is in) and volume.
class Stream {
  public:
    void update(const market::Bar& bar) {
        typical_.push(indicators::vwap_typical(bar.high, bar.low, bar.close));
        volume_.push(bar.volume);
        close_ = bar.close;
    }
    AgentResult evaluate() const { return verdict(typical_.values(), volume_.values(), close_); }

  private:
    Tail<kWindow> typical_;
    Tail<kWindow> volume_;
    double close_ = 0.0;
};

void series(const market::BarsView& bars, SeriesSet& out) {
    const std::size_t n = bars.size();
    auto middle = out.add("vwap", n);
    auto upper = out.add("vwap_upper", n);
    auto lower = out.add("vwap_lower", n);
    indicators::vwap(bars.high, bars.low, bars.close, bars.volume, kPeriod, kDeviations, upper,
                     middle, lower);
}

}  // namespace

extern const AgentDef kVwap = {
    "vwap", Category::kVolume, kParamsJson.view(), kMinBars, evaluate, series, &stream_ops<Stream>,
};

}  // namespace gs::agents
