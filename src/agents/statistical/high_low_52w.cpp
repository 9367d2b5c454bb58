// high_low_52w (statistical): the highest high and lowest low of the 252 bars before the
// latest (TA_MAX / TA_MIN of 252 shifted one bar). On daily bars that is 52 weeks of
// trading days; on other timeframes it is always 252 bars (about 10.5 days of hourly bars,
// 5 years of weekly bars), and the names keep their daily meaning.
//
// Rule, on the latest bar (close c, volume v, avg = SMA 20 of volume including the bar):
//   c > high_52w and v >= avg > 0: BUY  (a closing 52-week high on average-or-better volume),
//       confidence = 0.3 + 0.4 * min((c - high_52w) / |high_52w| / 0.03, 1)
//                        + 0.3 * min(v / avg - 1, 1)
//   c < low_52w and v >= avg > 0: SELL, the mirror with (low_52w - c) / |low_52w|
//   a new high / low on below-average volume: HOLD, lean +-0.3 * v / avg, confidence 0.3;
//       with no volume over the 20 bars (avg 0) nothing confirms it: HOLD, lean 0, confidence 0.3
//   otherwise HOLD: pos = (c - low_52w) / (high_52w - low_52w), x = 2 pos - 1;
//       lean = 0.3 * x (near the highs leans up), confidence = 1 - 0.5 * |x|;
//       a flat 252-bar range: lean 0, confidence 1.
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
#include "goldensignals/indicators/statistics.h"
#include "goldensignals/indicators/streaming/volatility.h"

namespace gs::agents {
namespace {

struct Params {
    int period = 252;  // bars before the latest: 52 weeks of trading days
    std::size_t volume_period = 20;
    double full_breakout = 0.03;
};
constexpr Params kParams{};
constexpr FixedText kParamsJson =
    params_json({{"period", kParams.period}, {"volume_period", kParams.volume_period}});
constexpr std::size_t kMinBars =
    std::max(lookback::bars_for(lookback::prior_extreme(kParams.period)), kParams.volume_period);
constexpr int kPeriod = kParams.period;
constexpr std::size_t kVolumePeriod = kParams.volume_period;
constexpr double kFullBreakout = kParams.full_breakout;

double relative(double excess, double base) {
    return base != 0.0 ? excess / std::abs(base) : 1.0;
}

// The rule on the prior 252-bar extremes, the latest close and the last kVolumePeriod volumes
// ending at the latest bar (shared by the batch and streaming forms).
AgentResult verdict(double hi, double lo, double c, std::span<const double> volumes) {
    const double v = volumes.back();
    const double avg = lane_sum(volumes) / static_cast<double>(kVolumePeriod);
    // No volume over the window (a halt, an illiquid stretch) confirms nothing: with avg 0,
    // v >= avg held for v = 0 and a zero-volume close read as a confirmed breakout.
    const bool confirmed = avg > 0.0 && v >= avg;
    const double surge = avg > 0.0 ? std::clamp(v / avg - 1.0, 0.0, 1.0) : 0.0;
    const double ratio = avg > 0.0 ? v / avg : 0.0;

    AgentResult r;
    if (c > hi && confirmed) {
        const double breakout = std::min(relative(c - hi, hi) / kFullBreakout, 1.0);
        r = buy(0.3 + 0.4 * breakout + 0.3 * surge,
                Reason("new 52-week closing high {:.4g} above {:.4g} on {:.1f}x average "
                       "volume",
                       c, hi, ratio));
    } else if (c < lo && confirmed) {
        const double breakdown = std::min(relative(lo - c, lo) / kFullBreakout, 1.0);
        r = sell(0.3 + 0.4 * breakdown + 0.3 * surge,
                 Reason("new 52-week closing low {:.4g} below {:.4g} on {:.1f}x average "
                        "volume",
                        c, lo, ratio));
    } else if (c > hi || c < lo) {
        const double sign = c > hi ? 1.0 : -1.0;
        r = hold(0.3, 0.3 * sign * ratio,
                 avg > 0.0 ? Reason("new 52-week {} on below-average volume ({:.1f}x)",
                                    c > hi ? "high" : "low", ratio)
                           : Reason("new 52-week {} without volume over the last {} bars",
                                    c > hi ? "high" : "low", kVolumePeriod));
    } else if (hi > lo) {
        const double x = 2.0 * (c - lo) / (hi - lo) - 1.0;
        r = hold(1.0 - 0.5 * std::abs(x), 0.3 * x,
                 Reason("close {:.4g} at {:.0f}% of the 52-week range {:.4g} - {:.4g}", c,
                        (x + 1.0) * 50.0, lo, hi));
    } else {
        r = hold(1.0, 0.0, Reason("flat 52-week range at {:.4g}", hi));
    }
    r.add("high_52w", hi);
    r.add("low_52w", lo);
    return r;
}

AgentResult evaluate(const market::BarsView& bars, Workspace& ws) {
    const auto view = bars.last(kMinBars);
    const std::size_t m = view.size();
    auto highs = ws.take(m);
    auto lows = ws.take(m);
    indicators::prior_max(view.high, kPeriod, highs);
    indicators::prior_min(view.low, kPeriod, lows);
    return verdict(highs[m - 1], lows[m - 1], view.close[m - 1], view.volume.last(kVolumePeriod));
}

class Stream {
  public:
    void update(const market::Bar& bar) {
        high_ = high_state_.update(bar.high);
        low_ = low_state_.update(bar.low);
        close_ = bar.close;
        volumes_.push(bar.volume);
    }
    AgentResult evaluate() const { return verdict(high_, low_, close_, volumes_.values()); }

  private:
    indicators::streaming::PriorMax high_state_{kPeriod};
    indicators::streaming::PriorMin low_state_{kPeriod};
    double high_ = indicators::kNaN;
    double low_ = indicators::kNaN;
    double close_ = indicators::kNaN;
    Tail<kVolumePeriod> volumes_;
};

void series(const market::BarsView& bars, SeriesSet& out) {
    indicators::prior_max(bars.high, kPeriod, out.add("high_52w", bars.size()));
    indicators::prior_min(bars.low, kPeriod, out.add("low_52w", bars.size()));
}

}  // namespace

extern const AgentDef kHighLow52w = {
    "high_low_52w", Category::kStatistical, kParamsJson.view(), kMinBars, evaluate,
    series,         &stream_ops<Stream>,
};

}  // namespace gs::agents
