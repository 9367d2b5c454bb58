// donchian (volatility): Donchian Channel of the 20 bars before the latest one,
// dc_upper = MAX(high, 20) and dc_lower = MIN(low, 20) of the prior bars (TA_MAX / TA_MIN
// shifted one bar, so the latest bar can break out of it).
//
// Rule (breakout), on the latest bar, width = dc_upper - dc_lower:
//   close > dc_upper: BUY,  confidence = 0.5 + 0.5 * min((close - dc_upper) / (0.25 width), 1)
//   close < dc_lower: SELL, confidence = 0.5 + 0.5 * min((dc_lower - close) / (0.25 width), 1)
//       (a breakout out of a zero-width channel is full strength)
//   otherwise HOLD, pos = (close - dc_lower) / width (0.5 when width is 0),
//       lean = pos - 0.5 (towards the side it is nearer), confidence = 1 - |2 pos - 1|.
// min_bars: kMinBars below, derived from the lookbacks (lookback.h).
#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "agents/lookback.h"
#include "agents/params.h"
#include "agents/streaming.h"
#include "goldensignals/agents/agent.h"
#include "goldensignals/indicators/core.h"
#include "goldensignals/indicators/streaming/volatility.h"

namespace gs::agents {
namespace {

struct Params {
    int period = 20;            // bars before the latest
    double full_excess = 0.25;  // of the channel width, past it: full strength
};
constexpr Params kParams{};
constexpr FixedText kParamsJson = params_json({{"period", kParams.period}});
constexpr std::size_t kMinBars = lookback::bars_for(lookback::prior_extreme(kParams.period));
// Reason formats with the period written in (no per-evaluation formatting of constants).
constexpr FixedText kAboveReason =
    format_text("Close {:.6g} above the prior ", kParams.period, "-bar high {:.6g}");
constexpr FixedText kBelowReason =
    format_text("Close {:.6g} below the prior ", kParams.period, "-bar low {:.6g}");
constexpr FixedText kInsideReason =
    format_text("Close inside the ", kParams.period, "-bar Donchian Channel at {:.0f}%");
constexpr int kPeriod = kParams.period;

double strength(double excess, double width) {
    return width > 0.0 ? std::min(excess / (kParams.full_excess * width), 1.0) : 1.0;
}

// The rule on the latest channel and close (shared by the batch and streaming forms).
AgentResult verdict(double upper, double lower, double close) {
    const double width = upper - lower;
    AgentResult r;
    if (close > upper) {
        r = buy(0.5 + 0.5 * strength(close - upper, width),
                Reason(kAboveReason.view(), close, upper));
    } else if (close < lower) {
        r = sell(0.5 + 0.5 * strength(lower - close, width),
                 Reason(kBelowReason.view(), close, lower));
    } else {
        const double pos = width > 0.0 ? (close - lower) / width : 0.5;
        r = hold(1.0 - std::abs(2.0 * pos - 1.0), pos - 0.5,
                 Reason(kInsideReason.view(), 100.0 * pos));
    }
    r.add("dc_upper", upper);
    r.add("dc_lower", lower);
    return r;
}

AgentResult evaluate(const market::BarsView& bars, Workspace&) {
    const std::size_t n = bars.size();
    // Only the latest channel is needed: one pass over its `period` bars.
    double upper = bars.high[n - 1 - kPeriod];
    double lower = bars.low[n - 1 - kPeriod];
    for (std::size_t i = n - kPeriod; i < n - 1; ++i) {
        upper = std::max(upper, bars.high[i]);
        lower = std::min(lower, bars.low[i]);
    }
    return verdict(upper, lower, bars.close[n - 1]);
}

class Stream {
  public:
    void update(const market::Bar& bar) {
        upper_ = upper_state_.update(bar.high);
        lower_ = lower_state_.update(bar.low);
        close_ = bar.close;
    }
    AgentResult evaluate() const { return verdict(upper_, lower_, close_); }

  private:
    indicators::streaming::PriorMax upper_state_{kPeriod};
    indicators::streaming::PriorMin lower_state_{kPeriod};
    double upper_ = indicators::kNaN;
    double lower_ = indicators::kNaN;
    double close_ = indicators::kNaN;
};

void series(const market::BarsView& bars, SeriesSet& out) {
    const std::size_t n = bars.size();
    auto upper = out.add("dc_upper", n);
    auto lower = out.add("dc_lower", n);
    indicators::rolling_max(bars.high, kPeriod, upper);
    indicators::rolling_min(bars.low, kPeriod, lower);
    // Shift one bar: the channel at bar i is made of bars i-period .. i-1.
    for (std::size_t i = n; i > 0; --i) {
        upper[i - 1] = i >= 2 ? upper[i - 2] : indicators::kNaN;
        lower[i - 1] = i >= 2 ? lower[i - 2] : indicators::kNaN;
    }
}

}  // namespace

extern const AgentDef kDonchian = {
    "donchian", Category::kVolatility, kParamsJson.view(), kMinBars, evaluate,
    series,     &stream_ops<Stream>,
};

}  // namespace gs::agents
